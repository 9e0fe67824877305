package dataset

import (
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		cols    []string
		rows    [][]Value
		lines   []int64
		openErr string
		err     string
	}{
		{
			name:  "basic",
			in:    "a,b,c\n1,x,2.5\n3,y,4\n",
			cols:  []string{"a", "b", "c"},
			rows:  [][]Value{{T("1"), T("x"), T("2.5")}, {T("3"), T("y"), T("4")}},
			lines: []int64{2, 3},
		},
		{
			name:  "no final newline, CRLF",
			in:    "a,b\r\n1,2\r\n3,4",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{T("1"), T("2")}, {T("3"), T("4")}},
			lines: []int64{2, 3},
		},
		{
			name: "missing tokens",
			in:   "a,b,c,d,e,f,g\n,NA,N/A,null,NULL,None, x \nna,n/a,Null,none,nan,\" \",\"NA\"\n",
			cols: []string{"a", "b", "c", "d", "e", "f", "g"},
			rows: [][]Value{
				{M, M, M, M, M, M, T("x")},
				{T("na"), T("n/a"), T("Null"), T("none"), T("nan"), M, M},
			},
			lines: []int64{2, 3},
		},
		{
			name:  "spaces trimmed around cells and names",
			in:    " a , b \n  1  ,\t NA \t\n",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{T("1"), M}},
			lines: []int64{2},
		},
		{
			name:  "quoted fields spanning lines",
			in:    "id,note\n1,\"two\nlines\"\n2,\"say \"\"hi\"\"\"\n",
			cols:  []string{"id", "note"},
			rows:  [][]Value{{T("1"), T("two\nlines")}, {T("2"), T(`say "hi"`)}},
			lines: []int64{2, 4},
		},
		{
			name:  "byte order mark and blank lines",
			in:    "\uFEFFa,b\n\n1,2\n\n",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{T("1"), T("2")}},
			lines: []int64{3},
		},
		{
			name: "header only",
			in:   "a,b\n",
			cols: []string{"a", "b"},
		},
		{
			name: "single column",
			in:   "a\n1\n\"\"\n",
			cols: []string{"a"},
			// encoding/csv skips empty lines, so a missing cell in a
			// single-column file must be quoted.
			rows:  [][]Value{{T("1")}, {M}},
			lines: []int64{2, 3},
		},
		{name: "empty file", in: "", openErr: "x.csv: empty file"},
		{name: "only blank lines", in: "\n\n", openErr: "x.csv: empty file"},
		{name: "duplicate header", in: "a,b,a\n1,2,3\n", openErr: `x.csv:1: column a: duplicate column name in the header (columns 1 and 3)`},
		{name: "duplicate after trimming", in: "a, a\n", openErr: "column a: duplicate column name"},
		{name: "empty header name", in: "a,,c\n", openErr: "x.csv:1: header: column 2 has an empty name"},
		{name: "bad quote in header", in: "a,\"b\n", openErr: "x.csv:1: malformed CSV"},
		{
			name:  "ragged row, too few",
			in:    "a,b,c\n1,2,3\n4,5\n",
			cols:  []string{"a", "b", "c"},
			rows:  [][]Value{{T("1"), T("2"), T("3")}},
			lines: []int64{2},
			err:   "x.csv:3: row has 2 fields, header has 3",
		},
		{
			name: "ragged row, too many",
			in:   "a,b\n1,2,3\n",
			cols: []string{"a", "b"},
			err:  "x.csv:2: row has 3 fields, header has 2",
		},
		{
			name:  "bare quote",
			in:    "a,b\n1,2\n3,x\"y\n",
			cols:  []string{"a", "b"},
			rows:  [][]Value{{T("1"), T("2")}},
			lines: []int64{2},
			err:   `x.csv:3: malformed CSV at character 4: bare " in non-quoted-field`,
		},
		{
			name: "unterminated quote",
			in:   "a,b\n1,\"2\n3,4\n",
			cols: []string{"a", "b"},
			err:  `x.csv:3: malformed CSV at character 5 (the record starts on line 2): extraneous or missing " in quoted-field`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), "x.csv", "")
			checkErr(t, err, tt.openErr)
			if err != nil {
				return
			}
			res := readAll(t, r)
			checkErr(t, res.err, tt.err)
			if !reflect.DeepEqual(res.cols, tt.cols) {
				t.Errorf("columns = %q, want %q", res.cols, tt.cols)
			}
			if !reflect.DeepEqual(res.rows, tt.rows) {
				t.Errorf("rows = %v, want %v", res.rows, tt.rows)
			}
			if !reflect.DeepEqual(res.lines, tt.lines) {
				t.Errorf("lines = %v, want %v", res.lines, tt.lines)
			}
		})
	}
}

func TestCSVParseErrorUnwraps(t *testing.T) {
	r, err := NewReader(strings.NewReader("a\n\"x\"y\n"), "x.csv", FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	var row Row
	err = r.Next(&row)
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v does not wrap a *csv.ParseError", err)
	}
	var de *Error
	if !errors.As(err, &de) || de.Pos.Line != 2 || de.Pos.File != "x.csv" {
		t.Fatalf("error %#v: want *Error at x.csv:2", err)
	}
}

// TestCSVStringsOutliveNext checks the documented string lifetime: Str
// values stay valid after later calls to Next.
func TestCSVStringsOutliveNext(t *testing.T) {
	r, err := NewReader(strings.NewReader("a,b\nfirst,1\nsecond,2\nthird,3\n"), "x.csv", FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	var row Row
	var kept []string
	for row.Line = 0; r.Next(&row) == nil; {
		kept = append(kept, row.Values[0].Str)
	}
	if want := []string{"first", "second", "third"}; !reflect.DeepEqual(kept, want) {
		t.Fatalf("kept %q, want %q", kept, want)
	}
}
