package perf

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadPredictions(t *testing.T) {
	in := `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","model_version":"v3","features":{"amount":12.5,"country":"DE","age":null},"prediction":"fraud","scores":{"fraud":0.91,"legit":0.09},"latency_ms":12.3,"error":null}

{"request_id":"r-2","timestamp":"2026-11-26T20:00:01.5+01:00","prediction":3.25}
{"request_id":"r-3","timestamp":"2026-11-26T20:00:02Z","error":"model timed out"}
{"request_id":"r-4","timestamp":"2026-11-26T20:00:03Z","prediction":true,"scores":{"a":null,"b":1}}
`
	for _, data := range [][]byte{[]byte(in), gz(t, in)} {
		got, err := ReadPredictions(data, "p.jsonl.gz")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("%d predictions", len(got))
		}
		if p := got[0]; p.RequestID != "r-1" || p.Output.Class() != "fraud" || p.Scores["fraud"] != 0.91 || p.Failed ||
			!p.Timestamp.Equal(time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)) {
			t.Errorf("record 1: %+v", p)
		}
		if p := got[1]; !p.Output.Numeric || p.Output.Num != 3.25 || p.Timestamp.Hour() != 19 || p.Timestamp.Location() != time.UTC {
			t.Errorf("record 2: %+v", p)
		}
		if p := got[2]; !p.Failed {
			t.Errorf("record 3 is not failed: %+v", p)
		}
		if p := got[3]; p.Output.Class() != "true" || len(p.Scores) != 1 || p.Scores["b"] != 1 {
			t.Errorf("record 4: %+v", p)
		}
	}
}

func TestReadPredictionsErrors(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`{"timestamp":"2026-11-26T20:00:00Z","prediction":"a"}`, "p.jsonl:2: request_id"},
		{`{"request_id":"","timestamp":"2026-11-26T20:00:00Z","prediction":"a"}`, "request_id"},
		{`{"request_id":"r","prediction":"a"}`, "request r: no timestamp"},
		{`{"request_id":"r","timestamp":"yesterday","prediction":"a"}`, `timestamp "yesterday"`},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z"}`, "prediction: missing"},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":null}`, "prediction: missing"},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":{"x":1}}`, "object or array"},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":{"a":1.5}}`, `score "a" is 1.5`},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":{"a":"high"}}`, `score "a"`},
		{`{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":"a","scores":[1]}`, "p.jsonl:2: prediction record"},
		{`not json`, "p.jsonl:2: prediction record"},
	} {
		data := `{"request_id":"ok","timestamp":"2026-11-26T20:00:00Z","prediction":"a"}` + "\n" + c.line + "\n"
		_, err := ReadPredictions([]byte(data), "p.jsonl")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.line, err, c.want)
		}
	}
	if _, err := ReadPredictions([]byte{0x1f, 0x8b, 1, 2, 3}, "bad.gz"); err == nil || !strings.Contains(err.Error(), "bad.gz: gzip") {
		t.Errorf("corrupt gzip: %v", err)
	}
	long := `{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","prediction":"` + strings.Repeat("x", MaxLineBytes) + `"}`
	if _, err := ReadPredictions([]byte(long), "long.jsonl"); err == nil || !strings.Contains(err.Error(), "long.jsonl:1: line longer") {
		t.Errorf("long line: %v", err)
	}
}

func TestReadLabels(t *testing.T) {
	in := `{"request_id":"r-1","label":"legit","timestamp":"2026-11-28T09:00:00Z"}
{"request_id":"r-2","label":17.5,"timestamp":"2026-11-28T09:00:01Z"}
{"request_id":"r-3","label":false,"timestamp":"2026-11-28T09:00:02Z"}`
	got, err := ReadLabels(gz(t, in), "l.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Value.Class() != "legit" || got[1].Value.Num != 17.5 || got[2].Value.Class() != "false" {
		t.Errorf("%+v", got)
	}
	for _, c := range []struct{ line, want string }{
		{`{"request_id":"r","timestamp":"2026-11-28T09:00:00Z"}`, "l.jsonl:1: request r: label: missing"},
		{`{"request_id":"r","label":null,"timestamp":"2026-11-28T09:00:00Z"}`, "label: missing"},
		{`{"request_id":"r","label":[1],"timestamp":"2026-11-28T09:00:00Z"}`, "label: want a string"},
		{`{"request_id":7,"label":"a","timestamp":"2026-11-28T09:00:00Z"}`, "label record"},
	} {
		if _, err := ReadLabels([]byte(c.line), "l.jsonl"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.line, err, c.want)
		}
	}
}

func TestValue(t *testing.T) {
	for _, c := range []struct {
		v     Value
		class string
		num   float64
		ok    bool
	}{
		{Value{Num: 1, Numeric: true}, "1", 1, true},
		{Value{Num: 0.5, Numeric: true}, "0.5", 0.5, true},
		{Value{Text: " 2.5 "}, " 2.5 ", 2.5, true},
		{Value{Text: "NaN"}, "NaN", 0, false},
		{Value{Text: "Inf"}, "Inf", 0, false},
		{Value{Text: "fraud"}, "fraud", 0, false},
	} {
		n, ok := c.v.Number()
		if c.v.Class() != c.class || n != c.num || ok != c.ok {
			t.Errorf("%+v: class %q number %g %v", c.v, c.v.Class(), n, ok)
		}
	}
}
