package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const predictionRecord = `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","model_version":"v3","features":{"amount":12.5,"country":"DE","age":null},"prediction":"fraud","scores":{"fraud":0.91,"legit":0.09},"latency_ms":12.3,"error":null,"label":"legit"}`

func TestJSONL(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		cols  []string
		rows  [][]Value // shorter rows are padded with Missing to len(cols)
		lines []int64
		err   string
	}{
		{
			name:  "flat records",
			in:    `{"a":1,"b":"x","c":true}` + "\n" + `{"a":-2.5e3,"b":"y","c":false}` + "\n",
			cols:  []string{"a", "b", "c"},
			rows:  [][]Value{{N(1), T("x"), B(true)}, {N(-2500), T("y"), B(false)}},
			lines: []int64{1, 2},
		},
		{
			name: "prediction record",
			in:   predictionRecord + "\n",
			cols: []string{"request_id", "timestamp", "model_version", "amount", "country", "age", "prediction", "latency_ms", "error", "label", "score_fraud", "score_legit"},
			rows: [][]Value{{
				T("r-1"), T("2026-11-26T20:00:00Z"), T("v3"), N(12.5), T("DE"), M, T("fraud"), N(12.3), M, T("legit"), N(0.91), N(0.09),
			}},
			lines: []int64{1},
		},
		{
			name: "prediction record with scores first and extra fields",
			in: `{"scores":{"a":1},"features":{"x":2},"user":"u1"}` + "\n" +
				`{"features":{},"scores":{},"prediction":"a"}` + "\n",
			cols:  []string{"x", "user", "score_a", "prediction"},
			rows:  [][]Value{{N(2), T("u1"), N(1)}, {M, M, M, T("a")}},
			lines: []int64{1, 2},
		},
		{
			name:  "null, absent keys and empty object",
			in:    `{"a":null,"b":1}` + "\n" + `{"b":2}` + "\n" + `{}` + "\n",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{M, N(1)}, {M, N(2)}, {M, M}},
			lines: []int64{1, 2, 3},
		},
		{
			name:  "blank lines, spaces, CRLF and byte order mark",
			in:    "\uFEFF\n  \t\r\n { \"a\" : 1 , \"b\" : \"x\" } \r\n\n{\"a\":2}",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{N(1), T("x")}, {N(2), M}},
			lines: []int64{3, 5},
		},
		{
			name:  "strings NaN and Inf stay text; escapes decoded",
			in:    `{"a":"NaN","b":"Inf","c":"tab\there \"q\" \u00e9 \ud83d\ude00 \ud800"}`,
			cols:  []string{"a", "b", "c"},
			rows:  [][]Value{{T("NaN"), T("Inf"), T("tab\there \"q\" é 😀 \uFFFD")}},
			lines: []int64{1},
		},
		{
			name:  "escaped key",
			in:    `{"a\u0062":1}`,
			cols:  []string{"ab"},
			rows:  [][]Value{{N(1)}},
			lines: []int64{1},
		},
		{
			name:  "underflow is zero",
			in:    `{"a":1e-400}`,
			cols:  []string{"a"},
			rows:  [][]Value{{N(0)}},
			lines: []int64{1},
		},
		{name: "empty file", in: ""},
		{name: "only blank lines", in: "\n \n\t\n"},
		{name: "array line", in: `[1,2]`, err: "x.jsonl:1: invalid JSON at character 1: expected one JSON object per line (JSON Lines), found an array"},
		{name: "string line", in: "\n\n\"a\"\n", err: "x.jsonl:3: invalid JSON at character 1: expected a JSON object, found a string"},
		{name: "number line", in: `42`, err: "x.jsonl:1: invalid JSON at character 1: expected a JSON object, found a number"},
		{name: "garbage", in: `hello`, err: "x.jsonl:1: invalid JSON at character 1: expected a JSON object, found invalid JSON"},
		{name: "pretty-printed object", in: "{\n\"a\": 1\n}\n", err: "x.jsonl:1: invalid JSON at character 3: expected '\"', found end of line"},
		{name: "trailing data", in: `{"a":1} {"b":2}`, err: `x.jsonl:1: invalid JSON at character 9: unexpected '{' after the JSON object`},
		{name: "trailing comma", in: `{"a":1,}`, err: `x.jsonl:1: invalid JSON at character 8: expected '"', found '}'`},
		{name: "missing colon", in: `{"a" 1}`, err: `expected ':' after an object key, found '1'`},
		{name: "single quotes", in: `{'a':1}`, err: `expected '"', found '\''`},
		{name: "bad number", in: `{"a":01}`, err: `x.jsonl:1: invalid JSON at character 7: expected ',' or '}' after an object member, found '1'`},
		{name: "bad fraction", in: `{"a":1.}`, err: `invalid number: expected a digit after '.'`},
		{name: "NaN literal", in: `{"a":NaN}`, err: `expected a value, found 'N'`},
		{name: "bad literal", in: `{"a":tru}`, err: `invalid literal: expected true`},
		{name: "control character in string", in: "{\"a\":\"x\ty\"}", err: `control character 0x09 in a string`},
		{name: "bad escape", in: `{"a":"\x"}`, err: `invalid escape '\x' in a string`},
		{name: "bad unicode escape", in: `{"a":"\u12g4"}`, err: `invalid \u escape`},
		{name: "unterminated string", in: `{"a":"xyz`, err: `unterminated string`},
		{name: "number overflow", in: `{"a":1e999}`, err: `x.jsonl:1: column a: number 1e999 does not fit in a float64`},
		{name: "nested object in flat record", in: `{"a":1}` + "\n" + `{"a":2,"meta":{"k":1}}`, cols: []string{"a"}, rows: [][]Value{{N(1)}}, lines: []int64{1}, err: `x.jsonl:2: column meta: nested object values are not supported`},
		{name: "nested array in flat record", in: `{"tags":[1,2]}`, err: `x.jsonl:1: column tags: nested array values are not supported`},
		{name: "scores without features", in: `{"scores":{"a":1}}`, err: `x.jsonl:1: column scores: nested object values are not supported in a flat record`},
		{name: "nested feature", in: `{"features":{"x":{"y":1}}}`, err: `x.jsonl:1: column x: nested object values are not supported`},
		{name: "score overflow", in: `{"features":{},"scores":{"a":-1e400}}`, err: `x.jsonl:1: column score_a: number -1e400 does not fit in a float64`},
		{name: "nested score", in: `{"features":{},"scores":{"a":[1]}}`, err: `x.jsonl:1: column score_a: nested array values are not supported`},
		{name: "nested top-level field in prediction record", in: `{"features":{"x":1},"meta":{"k":1}}`, err: `x.jsonl:1: column meta: nested object`},
		{name: "features twice", in: `{"features":{"x":1},"features":{"y":1}}`, err: `x.jsonl:1: column features: key appears twice in the record`},
		{name: "empty key", in: `{"a":1,"":2}`, err: `x.jsonl:1: empty key: a column needs a name`},
		{name: "empty feature name", in: `{"features":{"":2}}`, err: `x.jsonl:1: empty key`},
		{name: "duplicate key", in: `{"a":1,"a":2}`, err: `x.jsonl:1: column a: set twice in one record`},
		{name: "feature clashes with top-level field", in: `{"label":"x","features":{"label":1}}`, err: `x.jsonl:1: column label: set twice in one record`},
		{name: "feature clashes with score column", in: `{"features":{"score_a":1},"scores":{"a":2}}`, err: `x.jsonl:1: column score_a: set twice in one record`},
		{
			name:  "error stops at the bad line, after good ones",
			in:    `{"a":1}` + "\n" + `{"a":2,"b":3,` + "\n" + `{"a":4}`,
			cols:  []string{"a"}, // b was rolled back with its bad line
			rows:  [][]Value{{N(1)}},
			lines: []int64{1},
			err:   `x.jsonl:2: invalid JSON at character 15: expected '"', found end of line`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), "x.jsonl", "")
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, r)
			checkErr(t, res.err, tt.err)
			if !reflect.DeepEqual(res.cols, tt.cols) && len(res.cols)+len(tt.cols) > 0 {
				t.Errorf("columns = %q, want %q", res.cols, tt.cols)
			}
			want := padRows(tt.rows, len(tt.cols))
			if !reflect.DeepEqual(res.rows, want) && len(res.rows)+len(want) > 0 {
				t.Errorf("rows = %v\nwant %v", res.rows, want)
			}
			if !reflect.DeepEqual(res.lines, tt.lines) {
				t.Errorf("lines = %v, want %v", res.lines, tt.lines)
			}
		})
	}
}

// TestJSONLColumnsKnownAfterOpen checks that the read-ahead finds the
// columns of the first JSONLSampleRecords records before any Next.
func TestJSONLColumnsKnownAfterOpen(t *testing.T) {
	in := `{"a":1}` + "\n" + `{"b":2}` + "\n" + `{"features":{"c":3},"scores":{"k":1}}` + "\n"
	r, err := NewReader(strings.NewReader(in), "x.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, want := r.Columns(), []string{"a", "b", "c", "score_k"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Columns() after open = %q, want %q", got, want)
	}
	var row Row
	if err := r.Next(&row); err != nil {
		t.Fatal(err)
	}
	if want := []Value{N(1), M, M, M}; !reflect.DeepEqual(row.Values, want) {
		t.Fatalf("first row = %v, want %v", row.Values, want)
	}
}

// TestJSONLGrowingColumns checks that a key first seen after the read-ahead
// is appended to the columns by the Next that meets it.
func TestJSONLGrowingColumns(t *testing.T) {
	var b strings.Builder
	n := JSONLSampleRecords + 5
	for i := 1; i <= n; i++ {
		switch i {
		case JSONLSampleRecords + 2:
			fmt.Fprintf(&b, "{\"a\":%d,\"late\":\"x\"}\n", i)
		case JSONLSampleRecords + 4:
			fmt.Fprintf(&b, "{\"features\":{\"a\":%d},\"scores\":{\"z\":0.5}}\n", i)
		default:
			fmt.Fprintf(&b, "{\"a\":%d}\n", i)
		}
	}
	r, err := NewReader(strings.NewReader(b.String()), "x.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Columns(); !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("Columns() after open = %q", got)
	}
	res := readAll(t, r)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if want := []string{"a", "late", "score_z"}; !reflect.DeepEqual(res.cols, want) {
		t.Fatalf("columns = %q, want %q", res.cols, want)
	}
	if len(res.rows) != n {
		t.Fatalf("%d rows, want %d", len(res.rows), n)
	}
	checks := map[int][]Value{
		JSONLSampleRecords - 1: {N(JSONLSampleRecords)},
		JSONLSampleRecords:     {N(JSONLSampleRecords + 1)},
		JSONLSampleRecords + 1: {N(JSONLSampleRecords + 2), T("x")},
		JSONLSampleRecords + 2: {N(JSONLSampleRecords + 3), M},
		JSONLSampleRecords + 3: {N(JSONLSampleRecords + 4), M, N(0.5)},
		JSONLSampleRecords + 4: {N(JSONLSampleRecords + 5), M, M},
	} // by 0-based row index
	for i, want := range checks {
		if !reflect.DeepEqual(res.rows[i], want) {
			t.Errorf("row %d = %v, want %v", i+1, res.rows[i], want)
		}
		if res.lines[i] != int64(i+1) {
			t.Errorf("row %d has line %d", i+1, res.lines[i])
		}
	}
}

// TestJSONLLongLine checks a record longer than the read buffer.
func TestJSONLLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*readBufferSize)
	in := `{"a":1}` + "\n" + `{"a":2,"s":"` + long + `"}` + "\n" + `{"a":3}`
	r, err := NewReader(strings.NewReader(in), "x.jsonl", FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	if res.err != nil {
		t.Fatal(res.err)
	}
	want := [][]Value{{N(1), M}, {N(2), T(long)}, {N(3), M}}
	if !reflect.DeepEqual(res.rows, want) {
		t.Fatalf("rows differ (got %d rows)", len(res.rows))
	}
}
