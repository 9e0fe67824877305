package perf

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

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

// readIdentified reads a record with its request_id and timestamp; what
// names the kind of record in errors.
func readIdentified(line []byte, names []string, what string) (*rawRecord, string, time.Time, error) {
	raw, err := readRecord(line, names)
	if err != nil {
		return nil, "", time.Time{}, fmt.Errorf("%s record: %w", what, err)
	}
	id, ts, err := identity(raw.requestID, raw.timestamp)
	return raw, id, ts, err
}

func decodePrediction(line []byte) (Prediction, error) {
	raw, id, ts, err := readIdentified(line, predictionMembers, "prediction")
	if err != nil {
		return Prediction{}, err
	}
	p := Prediction{RequestID: id, Timestamp: ts}
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
	raw, id, ts, err := readIdentified(line, labelMembers, "label")
	if err != nil {
		return Label{}, err
	}
	l := Label{RequestID: id, Timestamp: ts}
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
