package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// csvSeeds are inputs that exercise every branch of the scanner: quotes
// (escaped, spanning lines, unterminated, bare, followed by junk), CRLF and
// lone CR, empty lines, a byte order mark, missing tokens and spaces, a
// line longer than the read buffer (16 bytes in these tests), ragged rows.
var csvSeeds = []string{
	"a,b\n1,2\n",
	"a,b\r\n1,2\r\n3,4",
	"a,b\n1,2\r",
	"\uFEFFa,b\n 1 , NA \n,\n",
	"a,b\n\n\n1,2\n\r\n3,4\n",
	`a,b` + "\n" + `"x ""y""",2` + "\n",
	"a,b\n\"multi\nline\",2\n3,4\n",
	"a,b\n\"multi\r\nline\r\n\",2\r\n",
	"a,b\n\"open,2\n",
	"a,b\n\"open\n",
	"a,b\nx\"y,2\n",
	"a,b\n\"x\"y,2\n",
	"a,b\n1,\"x\"\n",
	"a,b\n1,2,3\n",
	"a\n" + strings.Repeat("x", 100) + "\n" + "y\n",
	"a,b\n1,\"" + strings.Repeat("z", 100) + "\"\n",
	"\"a\nb\",c\n1,2\n",
	"a,\"\"\n1,2\n",
	"a,a\n1,2\n",
	"a,b\n\"\",\"\"\"\"\n",
	"a,b\n1,2\n\"",
	"a,b\n1,\"\n",
	"a,b\n1,\"x\"\r\n",
	"a,b\n1,\"x\"\r",
	"a,b\n1\r2,3\n",
	"",
	"\n\n",
	"a,b\n1,2\n\"x\n\n",
	"a, \u00a0b\u00a0 \n\u2003x\u2003,y\n",
}

type scanned struct {
	fields []string
	lines  []int
	err    error
}

// scanAll reads every record of data with encoding/csv (the reference) or
// the scanner, with each field's starting line, up to the first error.
func scanAll(data []byte, bufSize int, reference bool) []scanned {
	br := bufio.NewReaderSize(bytes.NewReader(data), bufSize)
	// read returns the next record and the line each field starts on.
	var read func() ([]string, []int, error)
	if reference {
		r := csv.NewReader(br)
		r.FieldsPerRecord = -1
		read = func() ([]string, []int, error) {
			rec, err := r.Read()
			lines := make([]int, len(rec))
			for i := range rec {
				lines[i], _ = r.FieldPos(i)
			}
			return rec, lines, err
		}
	} else {
		s := newCSVScanner(br)
		read = func() ([]string, []int, error) {
			rec, err := s.Read()
			lines := make([]int, len(rec))
			for i := range rec {
				lines[i] = s.FieldLine(i)
			}
			return append([]string(nil), rec...), lines, err
		}
	}
	var out []scanned
	for {
		rec, lines, err := read()
		if err != nil {
			if err != io.EOF {
				out = append(out, scanned{err: err})
			}
			return out
		}
		out = append(out, scanned{fields: rec, lines: lines})
	}
}

func checkScannerMatches(t *testing.T, data []byte) {
	t.Helper()
	for _, size := range []int{16, 4096} { // bufio's minimum is 16
		want := scanAll(data, size, true)
		got := scanAll(data, size, false)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("buffer %d, input %q:\n got %+v\nwant %+v", size, data, got, want)
		}
	}
}

func TestCSVScannerMatchesEncodingCSV(t *testing.T) {
	long := []string{ // past bufio's default 4096-byte buffer too
		"a\n" + strings.Repeat("x", 70000) + "\n" + "y\n",
		"a,b\n1,\"" + strings.Repeat("z", 70000) + "\"\n",
	}
	for _, s := range append(long, csvSeeds...) {
		checkScannerMatches(t, []byte(s))
	}
}

// FuzzCSVScanner: the scanner reads any input exactly as encoding/csv does:
// the same fields, the same line for every field, the same errors.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScannerMatches(t, data)
	})
}

// encodingCSVReader is the CSV reader as it was on top of encoding/csv: the
// reference the scanner-based reader must match, value for value and error
// for error (the header's rules, csvColumns, are the reader's own).
type encodingCSVReader struct {
	name string
	cr   *csv.Reader
	cols []string
	err  error
}

func newEncodingCSVReader(r io.Reader, name string) (*encodingCSVReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, newError(name, 0, "", "empty file: a CSV header row is required")
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols, err := csvColumns(name, header, func(i int) int { line, _ := cr.FieldPos(i); return line })
	if err != nil {
		return nil, err
	}
	return &encodingCSVReader{name: name, cr: cr, cols: cols}, nil
}

func (r *encodingCSVReader) Next(row *Row) error {
	if r.err != nil {
		return r.err
	}
	rec, err := r.cr.Read()
	if err != nil {
		if err != io.EOF {
			err = csvError(r.name, err)
		}
		r.err = err
		return err
	}
	line, _ := r.cr.FieldPos(0)
	row.Line = int64(line)
	if len(rec) != len(r.cols) {
		r.err = newError(r.name, row.Line, "", fmt.Sprintf("row has %d fields, header has %d", len(rec), len(r.cols)))
		return r.err
	}
	row.Values = make([]Value, len(rec))
	for i, s := range rec {
		s = strings.TrimSpace(s)
		if !IsMissingToken(s) {
			row.Values[i] = Value{Kind: Text, Str: s}
		}
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// checkReaderMatches compares the CSV reader with the encoding/csv one on
// data, read through a reader that returns one byte at a time (so every
// buffer boundary is met) and, when failAt > 0, fails after failAt bytes.
func checkReaderMatches(t *testing.T, data []byte, failAt int) {
	t.Helper()
	input := func() io.Reader {
		var r io.Reader = bytes.NewReader(data)
		if failAt > 0 && failAt < len(data) {
			r = io.MultiReader(bytes.NewReader(data[:failAt]), iotest.ErrReader(errors.New("disk on fire")))
		}
		return iotest.OneByteReader(r)
	}
	want, wantErr := newEncodingCSVReader(bufio.NewReaderSize(input(), 16), "f.csv")
	got, gotErr := newCSVReader(bufio.NewReaderSize(input(), 16), "f.csv", nil)
	if errText(gotErr) != errText(wantErr) {
		t.Fatalf("input %q: open error %v, want %v", data, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !reflect.DeepEqual(got.Columns(), want.cols) {
		t.Fatalf("input %q: columns %q, want %q", data, got.Columns(), want.cols)
	}
	for {
		var g, w Row
		gErr, wErr := got.Next(&g), want.Next(&w)
		if errText(gErr) != errText(wErr) {
			t.Fatalf("input %q: error %v, want %v", data, gErr, wErr)
		}
		if wErr != nil {
			return
		}
		if g.Line != w.Line || !reflect.DeepEqual(g.Values, w.Values) {
			t.Fatalf("input %q: row %d %+v, want %d %+v", data, g.Line, g.Values, w.Line, w.Values)
		}
	}
}

func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	for _, s := range csvSeeds {
		checkReaderMatches(t, []byte(s), 0)
		checkReaderMatches(t, []byte(s), len(s)/2)
	}
}

// FuzzCSVReaderMatchesEncodingCSV: the reader returns the rows, lines and
// errors (syntax, field counts, header, read failures) the encoding/csv
// based reader returned.
func FuzzCSVReaderMatchesEncodingCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, failAt uint16) {
		checkReaderMatches(t, data, int(failAt))
	})
}
