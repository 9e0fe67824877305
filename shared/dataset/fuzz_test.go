package dataset

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// Seeds live in testdata/fuzz/FuzzCSV and testdata/fuzz/FuzzJSONL.

// FuzzCSV checks that any input either fails with an *Error at a position
// in the file, or yields rows of len(Columns()) cells that match what
// encoding/csv reads, trimmed, with missing tokens as Missing.
func FuzzCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.csv", FormatCSV)
		if err != nil {
			checkFuzzError(t, err, "fuzz.csv")
			return
		}
		cols := r.Columns()
		if len(cols) == 0 {
			t.Fatal("no columns and no error")
		}
		seen := map[string]bool{}
		for _, c := range cols {
			if c == "" || c != strings.TrimSpace(c) || seen[c] {
				t.Fatalf("bad column list %q", cols)
			}
			seen[c] = true
		}

		// The reference: encoding/csv without field-count checks, on the
		// input as given (gzip input is only checked for the invariants).
		gz := bytes.HasPrefix(data, []byte{0x1f, 0x8b})
		if gz {
			data = nil
		}
		ref := csv.NewReader(bytes.NewReader(data))
		ref.FieldsPerRecord = -1
		if _, err := ref.Read(); err != nil && !gz {
			t.Fatalf("reference cannot read the header: %v", err)
		}

		var row Row
		last := int64(1)
		for {
			err := r.Next(&row)
			want, refErr := ref.Read()
			if gz {
				want, refErr = nil, nil
			}
			if err == io.EOF {
				if gz {
					break
				}
				if refErr != io.EOF {
					t.Fatalf("io.EOF, but the reference read %q, %v", want, refErr)
				}
				break
			}
			if err != nil {
				checkFuzzError(t, err, "fuzz.csv")
				if !gz && refErr == nil && len(want) == len(cols) {
					t.Fatalf("error %v on a record the reference reads as %q", err, want)
				}
				if again := r.Next(&row); again != err {
					t.Fatalf("Next after %v returned %v", err, again)
				}
				break
			}
			if refErr != nil {
				t.Fatalf("read a row where the reference fails with %v", refErr)
			}
			if len(row.Values) != len(cols) || (!gz && len(want) != len(cols)) {
				t.Fatalf("line %d: %d values, %d reference fields, %d columns", row.Line, len(row.Values), len(want), len(cols))
			}
			if row.Line <= last {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last = row.Line
			for i, v := range row.Values {
				if gz {
					if v.Kind == Text && (v.Str != strings.TrimSpace(v.Str) || IsMissingToken(v.Str)) || v.Kind != Text && v != (Value{}) {
						t.Fatalf("line %d: bad cell %#v", row.Line, v)
					}
					continue
				}
				w := strings.TrimSpace(want[i])
				switch {
				case IsMissingToken(w):
					if v != (Value{}) {
						t.Fatalf("line %d: cell %q read as %#v, want missing", row.Line, want[i], v)
					}
				case v.Kind != Text || v.Str != w:
					t.Fatalf("line %d: cell %q read as %#v", row.Line, want[i], v)
				}
			}
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzJSONL checks that any input either fails with an *Error at a line of
// the file, or yields rows of len(Columns()) well-formed values, with a
// column list that only grows; and that every line it accepts on its own
// is a JSON object that encoding/json decodes to the same values.
func FuzzJSONL(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.jsonl", FormatJSONL)
		if err != nil {
			if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
				t.Fatalf("opening plain JSON Lines failed: %v", err)
			}
			checkFuzzError(t, err, "fuzz.jsonl")
			return
		}
		var row Row
		var prev []string
		last := int64(0)
		for {
			err := r.Next(&row)
			if err == io.EOF {
				break
			}
			if err != nil {
				checkFuzzError(t, err, "fuzz.jsonl")
				break
			}
			cols := r.Columns()
			if len(row.Values) != len(cols) {
				t.Fatalf("line %d: %d values for %d columns", row.Line, len(row.Values), len(cols))
			}
			if len(cols) < len(prev) {
				t.Fatalf("columns shrank from %q to %q", prev, cols)
			}
			for i := range prev {
				if prev[i] != cols[i] {
					t.Fatalf("columns changed from %q to %q", prev, cols)
				}
			}
			seen := map[string]bool{}
			for _, c := range cols {
				if c == "" || seen[c] {
					t.Fatalf("bad column list %q", cols)
				}
				seen[c] = true
			}
			prev = append(prev[:0], cols...)
			if row.Line <= last {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last = row.Line
			for i, v := range row.Values {
				checkValue(t, cols[i], v)
			}
		}
		r.Close()

		for i, line := range strings.Split(string(data), "\n") {
			if i == 0 {
				line = strings.TrimPrefix(line, "\uFEFF")
			}
			checkAgainstEncodingJSON(t, line)
		}
	})
}

func checkValue(t *testing.T, col string, v Value) {
	t.Helper()
	switch v.Kind {
	case Missing:
		if v != (Value{}) {
			t.Fatalf("column %s: missing value with content %#v", col, v)
		}
	case Number:
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) || v.Str != "" {
			t.Fatalf("column %s: bad number %#v", col, v)
		}
	case Text:
		if v.Num != 0 {
			t.Fatalf("column %s: text with a number %#v", col, v)
		}
	case Bool:
		if v.Str != "true" && v.Str != "false" || v.Num != 0 {
			t.Fatalf("column %s: bad bool %#v", col, v)
		}
	default:
		t.Fatalf("column %s: unknown kind %#v", col, v)
	}
}

// checkFuzzError checks that err is an *Error naming the file.
func checkFuzzError(t *testing.T, err error, file string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *dataset.Error", err, err)
	}
	if e.Pos.File != file || !strings.HasPrefix(err.Error(), file+":") {
		t.Fatalf("error %q does not start with the file name", err)
	}
}
