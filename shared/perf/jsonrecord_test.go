package perf

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"
)

// referencePrediction is decodePrediction as it was written with a JSON
// library's struct decoding (encoding/json here): the tokenizer-based
// reader must accept and reject the same records and read the same values.
func referencePrediction(line []byte) (Prediction, error) {
	var raw struct {
		RequestID  *string                     `json:"request_id"`
		Timestamp  *string                     `json:"timestamp"`
		Prediction json.RawMessage             `json:"prediction"`
		Scores     map[string]*json.RawMessage `json:"scores"`
		Error      json.RawMessage             `json:"error"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return Prediction{}, err
	}
	var p Prediction
	var err error
	if p.RequestID, p.Timestamp, err = identity(raw.RequestID, raw.Timestamp); err != nil {
		return Prediction{}, err
	}
	if p.Failed = failed(string(bytes.TrimSpace(raw.Error))); p.Failed {
		return p, nil
	}
	if p.Output, err = referenceValue(raw.Prediction); err != nil {
		return Prediction{}, err
	}
	if len(raw.Scores) > 0 {
		p.Scores = make(map[string]float64, len(raw.Scores))
		for class, s := range raw.Scores {
			if s == nil || string(*s) == "null" {
				continue
			}
			var v float64
			if err := json.Unmarshal(*s, &v); err != nil || !(v >= 0 && v <= 1) {
				return Prediction{}, errors.New("bad score")
			}
			p.Scores[class] = v
		}
	}
	return p, nil
}

func referenceValue(raw json.RawMessage) (Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return Value{}, errors.New("missing")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return Value{Text: s}, err
	case 't', 'f':
		var b bool
		err := json.Unmarshal(raw, &b)
		return Value{Text: strconv.FormatBool(b)}, err
	case '{', '[':
		return Value{}, errors.New("not a scalar")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsInf(f, 0) {
		return Value{}, errors.New("bad number")
	}
	return Value{Num: f, Numeric: true}, nil
}

var predictionLines = []string{
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"fraud","scores":{"fraud":0.91,"legit":0.09},"error":null}`,
	`{"REQUEST_ID":"r-1","Timestamp":"2026-11-26T20:00:00Z","prediction":3.25}`,
	`{"request_id":"r-1","request_id":"r-2","timestamp":"2026-11-26T20:00:00Z","prediction":true}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":{"a":1},"scores":{"b":0,"a":null}}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":{"a":"1"}}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":null}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":1e400}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"x\u00e9\ud800"}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","error":false,"prediction":[1]}`,
	`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","error":{"msg":"x"}}`,
	`{"request_id":null,"timestamp":"2026-11-26T20:00:00Z","prediction":1}`,
	`{"request_id":7,"timestamp":"2026-11-26T20:00:00Z","prediction":1}`,
	`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":1} x`,
	`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":1,}`,
	`null`, `[]`, `{}`,
}

func checkPrediction(t *testing.T, line []byte) {
	t.Helper()
	got, err := decodePrediction(line)
	want, werr := referencePrediction(line)
	switch {
	case (err == nil) != (werr == nil):
		t.Fatalf("%q: %v, encoding/json %v", line, err, werr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Fatalf("%q: %+v, encoding/json %+v", line, got, want)
	}
}

// FuzzPredictionMatchesEncodingJSON checks prediction records against
// encoding/json's reading of them (the seeds run with every go test).
func FuzzPredictionMatchesEncodingJSON(f *testing.F) {
	for _, l := range predictionLines {
		f.Add([]byte(l))
	}
	f.Fuzz(checkPrediction)
}
