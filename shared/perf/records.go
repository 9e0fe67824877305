package perf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/klauspost/compress/gzip"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// MaxLineBytes bounds one JSON line; a longer line is an error, not a
// reason to allocate without limit.
const MaxLineBytes = 4 << 20

// Prediction is what performance needs of one prediction record.
type Prediction struct {
	RequestID string
	Timestamp time.Time
	// Output is the prediction: a class label, or a number for regressors.
	Output Value
	// Scores are the class probabilities, when the record has them.
	Scores map[string]float64
	// Failed marks a record whose model call failed (error set); it has no
	// usable prediction.
	Failed bool
}

// Label is the true outcome of a request.
type Label struct {
	RequestID string
	Timestamp time.Time
	Value     Value
}

// Value is a prediction or a label: a number, or a class given as text (a
// JSON string or boolean).
type Value struct {
	Num     float64
	Text    string
	Numeric bool
}

// Class is the value as a class label: the text, or the shortest decimal
// form of a number ("1", "0.5").
func (v Value) Class() string {
	if v.Numeric {
		return strconv.FormatFloat(v.Num, 'g', -1, 64)
	}
	return v.Text
}

// Number is the value as a number: the number, or text that is a decimal
// number. ok is false for other text.
func (v Value) Number() (float64, bool) {
	if v.Numeric {
		return v.Num, true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// Decompress returns data gunzipped when it starts with the gzip magic
// number, and as it is otherwise.
func Decompress(data []byte, name string) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", name, err)
	}
	return out, nil
}

// rawRecord is the members of a prediction or label record that
// performance reads, as encoding/json would read them into *string,
// json.RawMessage and map[string]*json.RawMessage fields: member names
// match without regard to case, a member given twice counts once (the
// last; "scores" objects add up), raw values are JSON text ("" when
// absent) and a null score is "".
type rawRecord struct {
	requestID, timestamp *string
	value, error         string // the prediction or label
	scores               map[string]string
}

// The members of the two kinds of record, in the order of the r… constants.
var (
	predictionMembers = []string{"request_id", "timestamp", "prediction", "error", "scores"}
	labelMembers      = []string{"request_id", "timestamp", "label"}
)

const (
	rRequestID = iota
	rTimestamp
	rValue
	rError
	rScores
)

// readRecord reads one JSON Lines record whose members are names.
func readRecord(line []byte, names []string) (*rawRecord, error) {
	// The text is the line itself, not a copy: the strings kept from it are
	// cloned (stringOrNull, scores, decodeValue).
	p := &jsonscan.Scanner{Text: unsafe.String(unsafe.SliceData(line), len(line)), Strings: jsonscan.Replace, End: "the end of the line"}
	var raw rawRecord
	p.SkipSpace()
	var err error
	if p.Peek() == 'n' {
		err = p.Literal("null") // as encoding/json has it: nothing set
	} else {
		err = p.Members(func(key string) error {
			switch jsonscan.MatchName(key, names) {
			case rRequestID:
				return stringOrNull(p, &raw.requestID)
			case rTimestamp:
				return stringOrNull(p, &raw.timestamp)
			case rValue:
				return rawValue(p, &raw.value)
			case rError:
				return rawValue(p, &raw.error)
			case rScores:
				return scores(p, &raw.scores)
			}
			return p.Skip(0)
		})
	}
	if err == nil {
		if p.SkipSpace(); !p.AtEnd() {
			err = p.Errorf("unexpected %s after the record", p.Found())
		}
	}
	if err != nil {
		return nil, err
	}
	return &raw, nil
}

// stringOrNull reads a string into *dst, or null, which makes it nil.
func stringOrNull(p *jsonscan.Scanner, dst **string) error {
	switch p.Peek() {
	case 'n':
		*dst = nil
		return p.Literal("null")
	case '"':
		s, err := p.String()
		s = strings.Clone(s)
		*dst = &s
		return err
	}
	return p.Errorf("want a string, found %s", jsonscan.TypeName(p.Peek()))
}

// rawValue reads any value and keeps its text.
func rawValue(p *jsonscan.Scanner, dst *string) error {
	start := p.Pos
	err := p.Skip(0)
	*dst = p.Text[start:p.Pos]
	return err
}

// scores reads an object of raw values into *dst ("" for null), or null,
// which makes it nil.
func scores(p *jsonscan.Scanner, dst *map[string]string) error {
	if p.Peek() == 'n' {
		*dst = nil
		return p.Literal("null")
	}
	if p.Peek() != '{' {
		return p.Errorf("scores: want an object, found %s", jsonscan.TypeName(p.Peek()))
	}
	if *dst == nil {
		*dst = map[string]string{}
	}
	return p.Members(func(class string) error {
		class = strings.Clone(class)
		var v string
		if p.Peek() == 'n' {
			(*dst)[class] = ""
			return p.Literal("null")
		}
		err := rawValue(p, &v)
		(*dst)[class] = v
		return err
	})
}

// ReadPredictions decodes a predictions object (gzip or plain JSON Lines of
// prediction records; blank lines are skipped). name (the object key) and
// the line number locate every error.
func ReadPredictions(data []byte, name string) ([]Prediction, error) {
	var out []Prediction
	err := eachLine(data, name, func(line []byte) error {
		p, err := decodePrediction(line)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// ReadLabels decodes a labels object (gzip or plain JSON Lines of label
// records; blank lines are skipped).
func ReadLabels(data []byte, name string) ([]Label, error) {
	var out []Label
	err := eachLine(data, name, func(line []byte) error {
		l, err := decodeLabel(line)
		if err == nil {
			out = append(out, l)
		}
		return err
	})
	return out, err
}

func eachLine(data []byte, name string, fn func([]byte) error) error {
	plain, err := Decompress(data, name)
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(bytes.NewReader(plain), 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
}

// readLine returns the next line without its end, refusing lines longer
// than MaxLineBytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

func decodePrediction(line []byte) (Prediction, error) {
	raw, err := readRecord(line, predictionMembers)
	if err != nil {
		return Prediction{}, fmt.Errorf("prediction record: %w", err)
	}
	var p Prediction
	if p.RequestID, p.Timestamp, err = identity(raw.requestID, raw.timestamp); err != nil {
		return Prediction{}, err
	}
	if p.Failed = failed(raw.error); p.Failed {
		return p, nil
	}
	if p.Output, err = decodeValue(raw.value); err != nil {
		return Prediction{}, fmt.Errorf("request %s: prediction: %w", p.RequestID, err)
	}
	if len(raw.scores) > 0 {
		p.Scores = make(map[string]float64, len(raw.scores))
		for class, s := range raw.scores {
			if s == "" {
				continue // a missing score
			}
			v, err := jsonscan.ParseFloat(s)
			if err != nil || s[0] != '-' && (s[0] < '0' || s[0] > '9') {
				return Prediction{}, fmt.Errorf("request %s: score %q: want a number in [0, 1]", p.RequestID, class)
			}
			if !(v >= 0 && v <= 1) {
				return Prediction{}, fmt.Errorf("request %s: score %q is %g, outside [0, 1]", p.RequestID, class, v)
			}
			p.Scores[class] = v
		}
	}
	return p, nil
}

func decodeLabel(line []byte) (Label, error) {
	raw, err := readRecord(line, labelMembers)
	if err != nil {
		return Label{}, fmt.Errorf("label record: %w", err)
	}
	var l Label
	if l.RequestID, l.Timestamp, err = identity(raw.requestID, raw.timestamp); err != nil {
		return Label{}, err
	}
	if l.Value, err = decodeValue(raw.value); err != nil {
		return Label{}, fmt.Errorf("request %s: label: %w", l.RequestID, err)
	}
	return l, nil
}

func identity(id, ts *string) (string, time.Time, error) {
	if id == nil || *id == "" {
		return "", time.Time{}, errors.New("request_id: want a non-empty string")
	}
	if ts == nil {
		return "", time.Time{}, fmt.Errorf("request %s: no timestamp", *id)
	}
	t, err := time.Parse(time.RFC3339Nano, *ts)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("request %s: timestamp %q: want RFC 3339", *id, *ts)
	}
	return *id, t.UTC(), nil
}

// failed reads the error field: absent, null, false or "" mean success.
func failed(raw string) bool {
	switch raw {
	case "", "null", "false", `""`:
		return false
	}
	return true
}

// decodeValue reads a string, a finite number or a boolean from its JSON
// text.
func decodeValue(raw string) (Value, error) {
	if raw == "" || raw == "null" {
		return Value{}, errors.New("missing")
	}
	switch raw[0] {
	case '"':
		p := jsonscan.Scanner{Text: raw, Strings: jsonscan.Replace}
		s, err := p.String()
		return Value{Text: strings.Clone(s)}, err
	case 't':
		return Value{Text: "true"}, nil
	case 'f':
		return Value{Text: "false"}, nil
	case '{', '[':
		return Value{}, errors.New("want a string, a number or a boolean, got an object or array")
	}
	f, err := jsonscan.ParseFloat(raw)
	if err != nil {
		return Value{}, fmt.Errorf("want a string, a number or a boolean: %w", err)
	}
	return Value{Num: f, Numeric: true}, nil
}
