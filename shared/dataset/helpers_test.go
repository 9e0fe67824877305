package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Value constructors for expectations.
var M = Value{}

func N(f float64) Value { return Value{Kind: Number, Num: f} }
func T(s string) Value  { return Value{Kind: Text, Str: s} }
func B(b bool) Value {
	if b {
		return Value{Kind: Bool, Str: "true"}
	}
	return Value{Kind: Bool, Str: "false"}
}

// result is everything a reader produced.
type result struct {
	cols  []string
	rows  [][]Value
	lines []int64
	err   error // the error that ended reading (nil at io.EOF)
}

// readAll reads r to the end, checking on the way that every row is as
// long as the columns at that time and that columns only grow.
func readAll(t testing.TB, r Reader) result {
	t.Helper()
	var res result
	var row Row
	prev := append([]string(nil), r.Columns()...)
	for {
		err := r.Next(&row)
		if err == io.EOF {
			break
		}
		if err != nil {
			res.err = err
			if again := r.Next(&row); again != err {
				t.Errorf("Next after error %v returned %v, want the same error", err, again)
			}
			break
		}
		cols := r.Columns()
		if len(row.Values) != len(cols) {
			t.Fatalf("line %d: %d values for %d columns", row.Line, len(row.Values), len(cols))
		}
		if len(cols) < len(prev) || !reflect.DeepEqual(cols[:len(prev)], prev) {
			t.Fatalf("columns changed from %q to %q", prev, cols)
		}
		prev = append(prev[:0], cols...)
		res.rows = append(res.rows, append([]Value(nil), row.Values...))
		res.lines = append(res.lines, row.Line)
	}
	if res.err == nil {
		if err := r.Next(&row); err != io.EOF {
			t.Errorf("Next after io.EOF returned %v", err)
		}
	}
	res.cols = append([]string(nil), r.Columns()...)
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return res
}

// checkErr checks that err matches want: "" means no error, otherwise the
// message must contain want.
func checkErr(t testing.TB, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	case want != "":
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("error %q is not a *dataset.Error", err)
		}
	}
}

// padRows extends each row with Missing values up to n, the way a caller
// sees rows read before a column was added.
func padRows(rows [][]Value, n int) [][]Value {
	out := make([][]Value, len(rows))
	for i, r := range rows {
		out[i] = append(append([]Value(nil), r...), make([]Value, n-len(r))...)
	}
	return out
}

func gzipBytes(t testing.TB, data string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
