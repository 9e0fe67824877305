package dataset

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// checkAgainstEncodingJSON checks one JSON Lines record against
// encoding/json: whatever this package accepts must be a JSON object that
// encoding/json decodes to the same flat values.
func checkAgainstEncodingJSON(t *testing.T, line string) {
	t.Helper()
	if strings.HasPrefix(line, "\x1f\x8b") {
		return // gzip: the reader decompresses it
	}
	r, err := NewReader(strings.NewReader(line), "x.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var row Row
	err = r.Next(&row)
	if err != nil {
		return // rejecting is allowed (nested values, duplicates, overflow)
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if derr := dec.Decode(&m); derr != nil {
		t.Fatalf("accepted %q, which encoding/json rejects: %v", line, derr)
	}
	if dec.More() {
		t.Fatalf("accepted %q, which has more than one JSON value", line)
	}
	if _, ok := m["features"].(map[string]any); ok {
		return // flattened: compared by the table tests
	}
	cols := r.Columns()
	if len(cols) != len(m) {
		t.Fatalf("%q: columns %q, encoding/json keys %v", line, cols, m)
	}
	for i, c := range cols {
		want, ok := m[c]
		if !ok {
			t.Fatalf("%q: column %q is not a key for encoding/json", line, c)
		}
		got := row.Values[i]
		switch w := want.(type) {
		case nil:
			if got.Kind != Missing {
				t.Fatalf("%q: column %q = %v, want missing", line, c, got)
			}
		case string:
			if got.Kind != Text || got.Str != w {
				t.Fatalf("%q: column %q = %#v, want text %q", line, c, got, w)
			}
		case bool:
			if got.Kind != Bool || got.Str != map[bool]string{true: "true", false: "false"}[w] {
				t.Fatalf("%q: column %q = %v, want %v", line, c, got, w)
			}
		case json.Number:
			f, err := w.Float64()
			if err != nil || got.Kind != Number || got.Num != f || math.IsInf(got.Num, 0) {
				t.Fatalf("%q: column %q = %v, want %v", line, c, got, w)
			}
		default:
			t.Fatalf("%q: column %q accepted a nested value %v", line, c, w)
		}
	}
}

func TestJSONScannerMatchesEncodingJSON(t *testing.T) {
	lines := []string{
		`{"a":"plain"}`,
		`{"a":"\"\\\/\b\f\n\r\t"}`,
		`{"a":"\u0000\u001f\u00e9\u20ac"}`,
		`{"a":"\ud83d\ude00"}`,
		`{"a":"\ud83d"}`,
		`{"a":"\ude00\ud83d"}`,
		`{"a":"\ud83dx"}`,
		`{"a":"\ud83d\u0041"}`,
		`{"a":"\ud83d\ud83d\ude00"}`,
		"{\"a\":\"bad \xff utf8 \xed\xa0\x80\"}",
		"{\"a\":\"\xc3\xa9 valid\"}",
		"{\"a\":\"x\\u00e9\xff\"}",
		`{"a":0,"b":-0,"c":1.5e10,"d":1E-2,"e":-12.75e+2}`,
		`{"a":123456789012345678901234567890}`,
		`{"a":true,"b":false,"c":null}`,
		` { "a" : 1 , "b" : [ ] } `,
		`{"a":1,}`,
		`{"a":01}`,
		`{"a":-}`,
		`{"a":.5}`,
		`{"a":"x`,
		`{"a\"b":1}`,
		`{"":1}`,
		"{\"a\":1}\x00",
	}
	for _, line := range lines {
		checkAgainstEncodingJSON(t, line)
	}
}
