//go:build !noparquet

package dataset

import (
	"fmt"
	"io"
	"math"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// Records is the number of rows of the file.
func (r *parquetReader) Records() int64 { return r.file.NumRows() }

// ColumnCursor returns a cursor over column i, from the first row.
func (r *parquetReader) ColumnCursor(i int) (ColumnCursor, error) {
	c, err := r.columnCursor(i, false)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// columnCursor returns a cursor over column i; a valueByValue one converts
// every page value by value, as the row reader does, never through the
// typed paths (the fuzz target's reference).
func (r *parquetReader) columnCursor(i int, valueByValue bool) (*parquetCursor, error) {
	if i < 0 || i >= len(r.cols) {
		return nil, fmt.Errorf("%s: no column %d (the file has %d)", r.name, i, len(r.cols))
	}
	conv := r.conv[i]
	if conv.seen != nil {
		conv.seen = make(map[string]string) // the row reader's is not to be shared
	}
	return &parquetCursor{r: r, col: i, conv: conv, kind: conv.valueKind(), valueByValue: valueByValue}, nil
}

// valueKind is the kind of every value of the column that is not missing.
func (c *parquetColumn) valueKind() ValueKind {
	switch c.kind {
	case pqSigned, pqUnsigned, pqFloat, pqFloat16, pqDecimal:
		return Number
	case pqBool:
		return Bool
	}
	return Text
}

// parquetCursor reads one column chunk after the other, decoding each page
// whole into typed slices from which Read hands out values.
type parquetCursor struct {
	r            *parquetReader
	col          int
	conv         parquetColumn
	kind         ValueKind
	valueByValue bool

	group int           // index of the next row group
	pages parquet.Pages // pages of the current column chunk, nil between chunks
	left  int64         // rows of the current row group not yet decoded
	row   int64         // rows handed out

	page    Column // the current page's values
	pos     int    // next value of page to hand out
	failAt  int    // index in page of the value that failed to convert, or -1
	failErr error  // its error
	err     error  // sticky error, io.EOF at the end

	// The entries of the current dictionary, converted: dictNum in a
	// Number column, dictStr otherwise; dictErrs those that failed.
	dict     parquet.Dictionary
	dictNum  []float64
	dictStr  []string
	dictErrs map[int32]error
	values   []parquet.Value
}

func (c *parquetCursor) Read(dst *Column, n int) (err error) {
	dst.reset(c.kind)
	if c.err != nil {
		if c.err == io.EOF {
			return nil
		}
		return c.err
	}
	defer func() {
		if p := recover(); p != nil {
			err = newError(c.r.name, c.row+1, "", fmt.Sprintf("corrupt Parquet file: %v", p))
		}
		if err != nil {
			c.err = err
		}
	}()
	for dst.Len() < n {
		if c.pos == c.page.Len() {
			if err := c.nextPage(); err == io.EOF {
				c.err = io.EOF
				return nil
			} else if err != nil {
				return err
			}
			continue
		}
		m := min(n-dst.Len(), c.page.Len()-c.pos)
		failed := c.failAt >= 0 && c.failAt < c.pos+m
		if failed {
			m = c.failAt - c.pos
		}
		lo, hi := c.pos, c.pos+m
		dst.Missing = append(dst.Missing, c.page.Missing[lo:hi]...)
		if c.kind == Number {
			dst.Num = append(dst.Num, c.page.Num[lo:hi]...)
		} else {
			dst.Str = append(dst.Str, c.page.Str[lo:hi]...)
		}
		c.pos += m
		c.row += int64(m)
		if failed {
			return &Error{Pos: Position{File: c.r.name, Line: c.row + 1}, Column: c.r.cols[c.col], Err: c.failErr}
		}
	}
	return nil
}

func (c *parquetCursor) Close() error {
	if c.err == nil {
		c.err = errClosed
	}
	if c.pages != nil {
		err := c.pages.Close()
		c.pages = nil
		return err
	}
	return nil
}

// nextPage decodes the next page of the column, moving on to the next row
// group when the current one is done; it returns io.EOF after the last.
func (c *parquetCursor) nextPage() error {
	for {
		if c.pages == nil {
			groups := c.r.file.RowGroups()
			if c.group >= len(groups) {
				return io.EOF
			}
			g := groups[c.group]
			c.group++
			c.left = g.NumRows()
			c.pages = g.ColumnChunks()[c.r.leaf[c.col]].Pages()
			c.dict = nil
		}
		page, err := c.pages.ReadPage()
		if err == io.EOF {
			cerr := c.pages.Close()
			c.pages = nil
			if c.left != 0 {
				return c.corrupt(fmt.Sprintf("the column chunk ends %d values short of its row group", c.left))
			}
			if cerr != nil {
				return c.readError(cerr)
			}
			continue
		}
		if err != nil {
			return c.readError(err)
		}
		err = c.decode(page)
		parquet.Release(page)
		if err != nil {
			return err
		}
		if c.page.Len() > 0 {
			return nil
		}
	}
}

func (c *parquetCursor) readError(err error) error {
	return &Error{Pos: Position{File: c.r.name, Line: c.row + 1}, Err: fmt.Errorf("reading Parquet: %w", err)}
}

func (c *parquetCursor) corrupt(what string) error {
	return newError(c.r.name, c.row+1, "", "corrupt Parquet file: column "+c.r.cols[c.col]+": "+what)
}

// decode converts a page's values into c.page.
func (c *parquetCursor) decode(page parquet.Page) error {
	n := page.NumValues()
	if n > c.left {
		return c.corrupt(fmt.Sprintf("a page holds %d values, more than the %d rows left in its row group", n, c.left))
	}
	c.left -= n
	c.page.reset(c.kind)
	c.pos, c.failAt, c.failErr = 0, -1, nil
	defs := page.DefinitionLevels()
	maxDef := c.r.maxDef[c.col]
	if c.valueByValue || maxDef > 0 && len(defs) != int(n) {
		return c.values2page(page, int(n))
	}
	present := 0
	missing := c.page.Missing[:0]
	for k := range int(n) {
		m := maxDef > 0 && defs[k] != maxDef // as the row reader reads them
		missing = append(missing, m)
		if !m {
			present++
		}
	}
	c.page.Missing = missing
	data := page.Data()
	if dict := page.Dictionary(); dict != nil {
		if data.Kind() != encoding.Int32 || len(data.Int32()) != present {
			return c.values2page(page, int(n))
		}
		return c.fromDictionary(dict, data.Int32())
	}
	switch kind := data.Kind(); {
	case c.conv.kind == pqFloat && kind == encoding.Double:
		return c.fromFloats(data.Double(), present)
	case c.conv.kind == pqFloat && kind == encoding.Float:
		return c.fromFloats(data.Float(), present)
	case c.conv.kind == pqSigned && kind == encoding.Int64:
		return c.fromInts(data.Int64(), present)
	case c.conv.kind == pqSigned && kind == encoding.Int32:
		return c.fromInts(data.Int32(), present)
	case c.conv.kind == pqUnsigned && kind == encoding.Int64:
		return c.fromInts(data.Uint64(), present)
	case c.conv.kind == pqUnsigned && kind == encoding.Int32:
		return c.fromInts(data.Uint32(), present)
	}
	return c.values2page(page, int(n))
}

// spread returns the values of a page's present values spread over its
// rows: x[j] of present value j at the row of it, zero at missing rows.
func spread[T any](c *parquetCursor, x []T, present int, to func(T) float64) bool {
	if len(x) != present {
		return false
	}
	num := c.page.Num[:0]
	j := 0
	for _, m := range c.page.Missing {
		if m {
			num = append(num, 0)
			continue
		}
		num = append(num, to(x[j]))
		j++
	}
	c.page.Num = num
	return true
}

// fromFloats reads a page of FLOAT or DOUBLE values, failing at the first
// that is not finite.
func (c *parquetCursor) fromFloats(x any, present int) error {
	var ok bool
	switch x := x.(type) {
	case []float64:
		ok = spread(c, x, present, func(f float64) float64 { return f })
	case []float32:
		ok = spread(c, x, present, func(f float32) float64 { return float64(f) })
	}
	if !ok {
		return c.corrupt("the page's values do not match its definition levels")
	}
	for k, f := range c.page.Num {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			c.failAt, c.failErr = k, nonFinite(f)
			break
		}
	}
	return nil
}

// fromInts reads a page of INT32 or INT64 values (signed or not).
func fromInts[T int32 | int64 | uint32 | uint64](c *parquetCursor, x []T, present int) error {
	if !spread(c, x, present, func(i T) float64 { return float64(i) }) {
		return c.corrupt("the page's values do not match its definition levels")
	}
	return nil
}

func (c *parquetCursor) fromInts(x any, present int) error {
	switch x := x.(type) {
	case []int64:
		return fromInts(c, x, present)
	case []int32:
		return fromInts(c, x, present)
	case []uint64:
		return fromInts(c, x, present)
	case []uint32:
		return fromInts(c, x, present)
	}
	return c.corrupt("unexpected integer page")
}

// fromDictionary reads a dictionary-encoded page: each entry of the
// dictionary is converted once, then looked up by index.
func (c *parquetCursor) fromDictionary(dict parquet.Dictionary, indexes []int32) error {
	if dict != c.dict {
		c.dict = dict
		c.dictNum, c.dictStr, c.dictErrs = c.dictNum[:0], c.dictStr[:0], nil
		for i := range int32(dict.Len()) {
			v, err := c.conv.value(dict.Index(i))
			if err != nil {
				if c.dictErrs == nil {
					c.dictErrs = map[int32]error{}
				}
				c.dictErrs[i] = err
			}
			if c.kind == Number {
				c.dictNum = append(c.dictNum, v.Num)
			} else {
				c.dictStr = append(c.dictStr, v.Str)
			}
		}
	}
	size := int32(max(len(c.dictNum), len(c.dictStr)))
	for _, i := range indexes {
		if i < 0 || i >= size {
			return c.corrupt(fmt.Sprintf("dictionary index %d out of range [0, %d)", i, size))
		}
	}
	if c.dictErrs != nil {
		j := 0
		for k, m := range c.page.Missing {
			if m {
				continue
			}
			if err, bad := c.dictErrs[indexes[j]]; bad {
				c.failAt, c.failErr = k, err
				break
			}
			j++
		}
	}
	if c.kind == Number {
		c.page.Num = gather(c.page.Num, c.dictNum, indexes, c.page.Missing)
	} else {
		c.page.Str = gather(c.page.Str, c.dictStr, indexes, c.page.Missing)
	}
	return nil
}

// gather appends to dst the dictionary entries of indexes at the rows that
// are not missing, and zero values at the others.
func gather[T any](dst, dict []T, indexes []int32, missing []bool) []T {
	if len(indexes) == len(missing) {
		for _, i := range indexes {
			dst = append(dst, dict[i])
		}
		return dst
	}
	var zero T
	j := 0
	for _, m := range missing {
		if m {
			dst = append(dst, zero)
			continue
		}
		dst = append(dst, dict[indexes[j]])
		j++
	}
	return dst
}

// values2page reads a page value by value, converting each as Next does:
// the way for the types without a typed path.
func (c *parquetCursor) values2page(page parquet.Page, n int) error {
	c.page.reset(c.kind)
	if cap(c.values) < n {
		c.values = make([]parquet.Value, n)
	}
	values := c.values[:n]
	got := 0
	rd := page.Values()
	for got < n {
		k, err := rd.ReadValues(values[got:])
		got += k
		if err == io.EOF {
			break
		}
		if err != nil {
			return c.readError(err)
		}
		if k == 0 {
			break
		}
	}
	if got != n {
		return c.corrupt(fmt.Sprintf("a page of %d values yielded %d", n, got))
	}
	for k, pv := range values {
		v, err := c.conv.value(pv)
		if err != nil && c.failAt < 0 {
			c.failAt, c.failErr = k, err
		}
		c.page.Missing = append(c.page.Missing, v.Kind == Missing)
		c.appendValue(v)
	}
	clear(values)
	return nil
}

// appendValue appends v's payload to the page (its Missing flag is set by
// the caller).
func (c *parquetCursor) appendValue(v Value) {
	if c.kind == Number {
		c.page.Num = append(c.page.Num, v.Num)
	} else {
		c.page.Str = append(c.page.Str, v.Str)
	}
}
