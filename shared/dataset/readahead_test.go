package dataset

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

type readStep struct {
	cols   []string
	values []Value
	line   int64
	err    string
}

// readSteps reads r to its first error, recording the columns after every
// row.
func readSteps(r Reader) []readStep {
	var out []readStep
	var row Row
	for {
		err := r.Next(&row)
		if err != nil {
			out = append(out, readStep{err: err.Error()})
			// A final error is final.
			if again := r.Next(&row); again == nil || again.Error() != err.Error() {
				out = append(out, readStep{err: fmt.Sprintf("then %v", again)})
			}
			return out
		}
		out = append(out, readStep{cols: append([]string(nil), r.Columns()...), values: append([]Value(nil), row.Values...), line: row.Line})
	}
}

// TestReadAheadYieldsTheSameSteps: rows, lines, columns as they grow, and
// errors mid-file come out of ReadAhead as out of the reader itself, across
// several blocks.
func TestReadAheadYieldsTheSameSteps(t *testing.T) {
	var csvText, jsonl strings.Builder
	csvText.WriteString("a,b\n")
	for i := range 3*readAheadRows + 10 {
		fmt.Fprintf(&csvText, "%d,x%d\n", i, i%7)
		if i == 2*readAheadRows+3 {
			fmt.Fprintf(&jsonl, `{"a":%d,"late":"y"}`+"\n", i)
		} else {
			fmt.Fprintf(&jsonl, `{"a":%d}`+"\n", i)
		}
	}
	tests := []struct {
		name   string
		data   string
		format Format
	}{
		{"csv", csvText.String(), FormatCSV},
		{"csv error mid-file", csvText.String() + "1,2,3\n4,5\n", FormatCSV},
		{"csv error in the first block", "a,b\n1,2\n\"x\n", FormatCSV},
		{"jsonl with a late column", jsonl.String(), FormatJSONL},
		{"jsonl error", jsonl.String() + "{oops\n", FormatJSONL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := func() Reader {
				r, err := NewReader(strings.NewReader(tt.data), "f", tt.format)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			want := readSteps(open())
			ra := ReadAhead(open())
			got := readSteps(ra)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%d steps, want %d; first difference at %d", len(got), len(want), firstDifference(got, want))
			}
			if err := ra.Close(); err != nil {
				t.Fatal(err)
			}
			var row Row
			if err := ra.Next(&row); err == nil {
				t.Errorf("Next after Close = %v, want an error", err)
			}
		})
	}
}

func firstDifference(a, b []readStep) int {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestReadAheadCloseEarly: closing before the end stops the goroutine even
// when every block is full and unread, and closes the file.
func TestReadAheadCloseEarly(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("a\n")
	for i := range 10 * readAheadRows {
		fmt.Fprintf(&buf, "%d\n", i)
	}
	closed := false
	r, err := newTextReader(&buf, "f.csv", FormatCSV, func() error { closed = true; return nil })
	if err != nil {
		t.Fatal(err)
	}
	ra := ReadAhead(r)
	var row Row
	if err := ra.Next(&row); err != nil || row.Values[0] != T("0") {
		t.Fatalf("first row %v, %v", row.Values, err)
	}
	if err := ra.Close(); err != nil || !closed {
		t.Fatalf("Close = %v, file closed %v", err, closed)
	}
	if err := ra.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
