package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvReader reads a CSV file whose first record is the header.
type csvReader struct {
	name string
	cr   *csvScanner
	cols []string
	c    *closer
	err  error // sticky error, io.EOF at the end
}

func newCSVReader(r io.Reader, name string, c *closer) (*csvReader, error) {
	cr := newCSVScanner(r)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, newError(name, 0, "", "empty file: a CSV header row is required")
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols, err := csvColumns(name, header, cr.FieldLine)
	if err != nil {
		return nil, err
	}
	return &csvReader{name: name, cr: cr, cols: cols, c: c}, nil
}

// csvColumns checks a CSV header and returns its column names, trimmed (and
// the first without a UTF-8 byte order mark); line(i) is the line where
// field i starts, for the error of an empty or a duplicate name.
func csvColumns(name string, header []string, line func(i int) int) ([]string, error) {
	cols := make([]string, len(header))
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // UTF-8 byte order mark
		}
		h = strings.Clone(strings.TrimSpace(h))
		if h == "" {
			return nil, newError(name, int64(line(i)), "", fmt.Sprintf("header: column %d has an empty name", i+1))
		}
		if j, dup := seen[h]; dup {
			return nil, newError(name, int64(line(i)), h, fmt.Sprintf("duplicate column name in the header (columns %d and %d)", j+1, i+1))
		}
		seen[h] = i
		cols[i] = h
	}
	return cols, nil
}

func (r *csvReader) Columns() []string { return r.cols }

func (r *csvReader) Next(row *Row) error {
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
	row.Line = int64(r.cr.Line())
	if len(rec) != len(r.cols) {
		r.err = newError(r.name, row.Line, "", fmt.Sprintf("row has %d fields, header has %d", len(rec), len(r.cols)))
		return r.err
	}
	if cap(row.Values) < len(rec) {
		row.Values = make([]Value, len(rec))
	}
	vals := row.Values[:len(rec)]
	for i, s := range rec {
		s = trimSpace(s)
		if IsMissingToken(s) {
			vals[i] = Value{}
		} else {
			vals[i] = Value{Kind: Text, Str: s}
		}
	}
	row.Values = vals
	return nil
}

// trimSpace is strings.TrimSpace, without its work for the common cell that
// starts and ends with a printable ASCII character.
func trimSpace(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < 0x7f && s[n-1] > ' ' && s[n-1] < 0x7f {
		return s
	}
	return strings.TrimSpace(s)
}

func (r *csvReader) Close() error {
	if r.err == nil {
		r.err = errClosed
	}
	return r.c.Close()
}

var errClosed = errors.New("dataset: reader is closed")

// csvError turns an error of the CSV scanner (a *csv.ParseError, or the
// input's own) into an *Error at its line.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Pos: Position{File: name, Line: int64(pe.Line)}, Err: csvSyntaxError{pe}}
	}
	return readError(name, 0, err)
}

// csvSyntaxError describes a *csv.ParseError without repeating its line.
type csvSyntaxError struct{ pe *csv.ParseError }

func (e csvSyntaxError) Error() string {
	if e.pe.StartLine != 0 && e.pe.StartLine != e.pe.Line {
		return fmt.Sprintf("malformed CSV at character %d (the record starts on line %d): %v", e.pe.Column, e.pe.StartLine, e.pe.Err)
	}
	return fmt.Sprintf("malformed CSV at character %d: %v", e.pe.Column, e.pe.Err)
}

func (e csvSyntaxError) Unwrap() error { return e.pe }
