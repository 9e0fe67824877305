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

	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
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

type rawPrediction struct {
	RequestID  *string                     `json:"request_id"`
	Timestamp  *string                     `json:"timestamp"`
	Prediction json.RawMessage             `json:"prediction"`
	Scores     map[string]*json.RawMessage `json:"scores"`
	Error      json.RawMessage             `json:"error"`
}

type rawLabel struct {
	RequestID *string         `json:"request_id"`
	Timestamp *string         `json:"timestamp"`
	Label     json.RawMessage `json:"label"`
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
	var raw rawPrediction
	if err := json.Unmarshal(line, &raw); err != nil {
		return Prediction{}, fmt.Errorf("prediction record: %w", err)
	}
	var p Prediction
	var err error
	if p.RequestID, p.Timestamp, err = identity(raw.RequestID, raw.Timestamp); err != nil {
		return Prediction{}, err
	}
	if p.Failed, err = failed(raw.Error); err != nil {
		return Prediction{}, err
	}
	if p.Failed {
		return p, nil
	}
	if p.Output, err = decodeValue(raw.Prediction); err != nil {
		return Prediction{}, fmt.Errorf("request %s: prediction: %w", p.RequestID, err)
	}
	if len(raw.Scores) > 0 {
		p.Scores = make(map[string]float64, len(raw.Scores))
		for class, s := range raw.Scores {
			if s == nil || string(*s) == "null" {
				continue // a missing score
			}
			var v float64
			if err := json.Unmarshal(*s, &v); err != nil {
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
	var raw rawLabel
	if err := json.Unmarshal(line, &raw); err != nil {
		return Label{}, fmt.Errorf("label record: %w", err)
	}
	var l Label
	var err error
	if l.RequestID, l.Timestamp, err = identity(raw.RequestID, raw.Timestamp); err != nil {
		return Label{}, err
	}
	if l.Value, err = decodeValue(raw.Label); err != nil {
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
func failed(raw json.RawMessage) (bool, error) {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "", "null", "false", `""`:
		return false, nil
	}
	return true, nil
}

// decodeValue reads a string, a finite number or a boolean.
func decodeValue(raw json.RawMessage) (Value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return Value{}, errors.New("missing")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Value{}, err
		}
		return Value{Text: s}, nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return Value{}, err
		}
		return Value{Text: strconv.FormatBool(b)}, nil
	case '{', '[':
		return Value{}, errors.New("want a string, a number or a boolean, got an object or array")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return Value{}, fmt.Errorf("want a string, a number or a boolean: %w", err)
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return Value{}, errors.New("not a finite number")
	}
	return Value{Num: f, Numeric: true}, nil
}
