package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/record"
)

// Batch is what one capture or ground-truth file becomes: a batch body for
// the ingest package and the lines that did not become records.
type Batch struct {
	// Kind is predictions for a capture file, labels for a ground-truth
	// file; empty when no line could be read.
	Kind record.Kind
	// Body is {"records": [...]} (empty when there are no records).
	Body string
	// Records counts the records of Body; RecordLines holds the file line
	// (from 1) each came from.
	Records     int
	RecordLines []int
	// Lines counts the file's non-empty lines.
	Lines int
	// Unreadable are the lines that became no record, with the reason.
	Unreadable []Unreadable
}

// Unreadable is a line of a file that became no record.
type Unreadable struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	// Text is the line as it was (stored with the rejected lines; never
	// logged).
	Text string `json:"text"`
}

// File is a capture or ground-truth file to decode.
type File struct {
	// Key is the object's key; a capture key ends in
	// {endpoint}/{variant}/yyyy/mm/dd/hh/{name}.
	Key string
	// Time is when the object was written: the label time of ground truth
	// whose key has no yyyy/mm/dd/hh.
	Time time.Time
	Data []byte
}

// maxLine bounds one line of a file (a request and its response).
const maxLine = 64 << 20

// Decode reads a capture or ground-truth file with mapping m. Which one the
// file is comes from its first readable line; lines of the other kind are
// unreadable. Decode fails only when the file is not text lines at all.
func Decode(m *Mapping, f File) (*Batch, error) {
	b := &Batch{}
	_, variant, _, _ := CaptureKey(f.Key)
	labelTime := f.Time.UTC()
	if h, ok := keyHour(f.Key); ok {
		labelTime = h
	}
	labelStamp := labelTime.Format(time.RFC3339)
	var body bytes.Buffer
	body.WriteString(`{"records":[`)
	add := func(line int, rec any) error {
		text, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if b.Records > 0 {
			body.WriteByte(',')
		}
		body.Write(text)
		b.Records++
		b.RecordLines = append(b.RecordLines, line)
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(f.Data))
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Bytes()
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		b.Lines++
		unreadable := func(reason string) {
			b.Unreadable = append(b.Unreadable, Unreadable{Line: n, Reason: reason, Text: string(text)})
		}
		l, err := DecodeLine(text)
		if err != nil {
			unreadable(err.Error())
			continue
		}
		kind := record.Predictions
		if l.GroundTruthData != nil {
			kind = record.Labels
		}
		if b.Kind == "" {
			b.Kind = kind
		}
		if kind != b.Kind {
			unreadable(fmt.Sprintf("a %s line in a %s file", kindLine(kind), kindLine(b.Kind)))
			continue
		}
		var recs []any
		if kind == record.Labels {
			recs, err = asAny(m.Labels(l, labelStamp))
		} else {
			recs, err = asAny(m.Predictions(l, variant))
		}
		if err != nil {
			unreadable(err.Error())
			continue
		}
		for _, r := range recs {
			if err := add(n, r); err != nil {
				return nil, fmt.Errorf("encode line %d: %w", n, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: line %d: %w", f.Key, n+1, err)
	}
	if b.Records > 0 {
		body.WriteString("]}")
		b.Body = body.String()
	}
	return b, nil
}

// asAny passes on the records of one line, of either kind, and their error.
func asAny[R any](recs []R, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	out := make([]any, len(recs))
	for i, r := range recs {
		out[i] = r
	}
	return out, nil
}

func kindLine(k record.Kind) string {
	if k == record.Labels {
		return "ground-truth"
	}
	return "capture"
}

// CaptureKey reads endpoint, variant and hour from a Data Capture key,
// {destination}/{endpoint}/{variant}/yyyy/mm/dd/hh/{name}.
func CaptureKey(key string) (endpoint, variant string, hour time.Time, ok bool) {
	segs := strings.Split(key, "/")
	if len(segs) < 7 {
		return "", "", time.Time{}, false
	}
	h, ok := keyHour(key)
	if !ok {
		return "", "", time.Time{}, false
	}
	n := len(segs)
	return segs[n-7], segs[n-6], h, segs[n-7] != "" && segs[n-6] != ""
}

// keyHour reads the hour of a key ending in yyyy/mm/dd/hh/{name}.
func keyHour(key string) (time.Time, bool) {
	dir := path.Dir(key)
	segs := strings.Split(dir, "/")
	if len(segs) < 4 {
		return time.Time{}, false
	}
	s := segs[len(segs)-4:]
	widths := []int{4, 2, 2, 2}
	var v [4]int
	for i, seg := range s {
		if len(seg) != widths[i] {
			return time.Time{}, false
		}
		x, err := strconv.Atoi(seg)
		if err != nil {
			return time.Time{}, false
		}
		v[i] = x
	}
	t := time.Date(v[0], time.Month(v[1]), v[2], v[3], 0, 0, 0, time.UTC)
	if t.Year() != v[0] || int(t.Month()) != v[1] || t.Day() != v[2] || t.Hour() != v[3] {
		return time.Time{}, false
	}
	return t, true
}
