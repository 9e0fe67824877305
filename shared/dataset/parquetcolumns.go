//go:build !noparquet

package dataset

import (
	"fmt"
	"io"
	"math"
	"slices"

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

// parquetCursor reads one column chunk after the other, page by page. A
// page of DOUBLE, FLOAT or integer values, or of dictionary indexes, is
// converted as Read hands its values out, straight from the page's typed
// data; any other page is converted whole, value by value, when it is read.
type parquetCursor struct {
	r            *parquetReader
	col          int
	conv         parquetColumn
	kind         ValueKind
	valueByValue bool

	group int           // index of the next row group
	pages parquet.Pages // pages of the current column chunk, nil between chunks
	left  int64         // rows of the current row group not yet read
	row   int64         // rows handed out
	err   error         // sticky error, io.EOF at the end

	// The current page (nil between pages): n values, pos the next to hand
	// out, next the index in the page's data of the next value that is not
	// missing; defs are its definition levels (nil when no value is
	// missing), src says where its values come from.
	page      parquet.Page
	n, pos    int
	next      int
	defs      []byte
	maxDef    byte
	src       pageSource
	f64       []float64
	f32       []float32
	i64       []int64
	i32       []int32 // INT32 values, or dictionary indexes
	u64       []uint64
	u32       []uint32
	converted Column // the values of a page converted whole (srcConverted)
	failAt    int    // index in converted of the value that failed, or -1
	failErr   error  // the error of a failed value

	// The entries of the current dictionary, converted: dictNum in a
	// Number column, dictStr otherwise; dictErrs those that failed.
	dict     parquet.Dictionary
	dictNum  []float64
	dictStr  []string
	dictErrs map[int32]error
	values   []parquet.Value
}

// pageSource is where the values of the current page come from.
type pageSource uint8

const (
	srcConverted  pageSource = iota // converted whole into converted
	srcDouble                       // f64
	srcFloat                        // f32
	srcInt64                        // i64
	srcInt32                        // i32
	srcUint64                       // u64
	srcUint32                       // u32
	srcDictionary                   // i32 indexes into the dictionary
)

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
	dst.grow(n)
	for dst.Len() < n {
		if c.page == nil || c.pos == c.n {
			if err := c.nextPage(); err == io.EOF {
				c.err = io.EOF
				return nil
			} else if err != nil {
				return err
			}
			continue
		}
		hi := c.pos + min(n-dst.Len(), c.n-c.pos)
		lo := c.pos
		failed := c.convert(dst, hi)
		c.row += int64(c.pos - lo)
		if failed != nil {
			return &Error{Pos: Position{File: c.r.name, Line: c.row + 1}, Column: c.r.cols[c.col], Err: failed}
		}
	}
	return nil
}

// convert appends the page's values from pos to hi to dst, stopping at the
// first one that fails to convert (with its error); pos is then the index
// of the value after the last appended.
func (c *parquetCursor) convert(dst *Column, hi int) error {
	switch c.src {
	case srcDouble:
		return numbers(c, dst, hi, c.f64, true)
	case srcFloat:
		return numbers(c, dst, hi, c.f32, true)
	case srcInt64:
		return numbers(c, dst, hi, c.i64, false)
	case srcInt32:
		return numbers(c, dst, hi, c.i32, false)
	case srcUint64:
		return numbers(c, dst, hi, c.u64, false)
	case srcUint32:
		return numbers(c, dst, hi, c.u32, false)
	case srcDictionary:
		if c.kind == Number {
			return fromDictionary(c, dst, &dst.Num, hi, c.dictNum)
		}
		return fromDictionary(c, dst, &dst.Str, hi, c.dictStr)
	}
	lo := c.pos
	if c.failAt >= lo && c.failAt < hi {
		hi = c.failAt
	}
	dst.Missing = append(dst.Missing, c.converted.Missing[lo:hi]...)
	if c.kind == Number {
		dst.Num = append(dst.Num, c.converted.Num[lo:hi]...)
	} else {
		dst.Str = append(dst.Str, c.converted.Str[lo:hi]...)
	}
	c.pos = hi
	if hi == c.failAt {
		return c.failErr
	}
	return nil
}

// missing reports whether value k of the page is missing: a definition
// level other than the column's maximum, as the row reader reads them.
func (c *parquetCursor) missing(k int) bool {
	return c.defs != nil && c.defs[k] != c.maxDef
}

// numbers converts values pos to hi of a page of numbers x (its values that
// are not missing); finite: NaN and infinities are rejected.
func numbers[T float32 | float64 | int32 | int64 | uint32 | uint64](c *parquetCursor, dst *Column, hi int, x []T, finite bool) error {
	for k := c.pos; k < hi; k++ {
		if c.missing(k) {
			dst.Missing = append(dst.Missing, true)
			dst.Num = append(dst.Num, 0)
			continue
		}
		f := float64(x[c.next])
		if finite && (math.IsNaN(f) || math.IsInf(f, 0)) {
			c.pos = k
			return nonFinite(f)
		}
		c.next++
		dst.Missing = append(dst.Missing, false)
		dst.Num = append(dst.Num, f)
	}
	c.pos = hi
	return nil
}

// fromDictionary converts values pos to hi of a dictionary-encoded page,
// appending the entries to *out.
func fromDictionary[T float64 | string](c *parquetCursor, dst *Column, out *[]T, hi int, dict []T) error {
	var zero T
	for k := c.pos; k < hi; k++ {
		if c.missing(k) {
			dst.Missing = append(dst.Missing, true)
			*out = append(*out, zero)
			continue
		}
		i := c.i32[c.next]
		if c.dictErrs != nil {
			if err, bad := c.dictErrs[i]; bad {
				c.pos = k
				return err
			}
		}
		c.next++
		dst.Missing = append(dst.Missing, false)
		*out = append(*out, dict[i])
	}
	c.pos = hi
	return nil
}

func (c *parquetCursor) Close() error {
	if c.err == nil {
		c.err = errClosed
	}
	c.releasePage()
	if c.pages != nil {
		err := c.pages.Close()
		c.pages = nil
		return err
	}
	return nil
}

// releasePage lets parquet-go reuse the current page's buffers.
func (c *parquetCursor) releasePage() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
		c.f64, c.f32, c.i64, c.i32, c.u64, c.u32, c.defs = nil, nil, nil, nil, nil, nil, nil
	}
}

// nextPage reads the next page of the column, moving on to the next row
// group when the current one is done; it returns io.EOF after the last.
func (c *parquetCursor) nextPage() error {
	c.releasePage()
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
		c.page = page
		if err := c.open(page); err != nil {
			return err
		}
		if c.n > 0 {
			return nil
		}
		c.releasePage()
	}
}

func (c *parquetCursor) readError(err error) error {
	return &Error{Pos: Position{File: c.r.name, Line: c.row + 1}, Err: fmt.Errorf("reading Parquet: %w", err)}
}

func (c *parquetCursor) corrupt(what string) error {
	return newError(c.r.name, c.row+1, "", "corrupt Parquet file: column "+c.r.cols[c.col]+": "+what)
}

// open makes page the current page: its typed data when it has any that
// matches its definition levels, else its values converted whole.
func (c *parquetCursor) open(page parquet.Page) error {
	n := page.NumValues()
	if n > c.left {
		return c.corrupt(fmt.Sprintf("a page holds %d values, more than the %d rows left in its row group", n, c.left))
	}
	c.left -= n
	c.n, c.pos, c.next, c.failAt, c.failErr = int(n), 0, 0, -1, nil
	c.maxDef = c.r.maxDef[c.col]
	c.defs = nil
	present := int(n)
	if c.maxDef > 0 {
		defs := page.DefinitionLevels()
		if len(defs) != int(n) {
			return c.convertPage(page)
		}
		present = 0
		for _, d := range defs {
			if d == c.maxDef {
				present++
			}
		}
		if present < int(n) {
			c.defs = defs
		}
	}
	if c.valueByValue {
		return c.convertPage(page)
	}
	data := page.Data()
	kind := data.Kind()
	if m, ok := fixedWidthValues(&data); ok && page.Dictionary() == nil && m != present {
		// parquet-go would hand out whatever its buffer holds past the
		// page's data.
		return c.corrupt(fmt.Sprintf("a page holds %d values for %d rows that are not null", m, present))
	}
	switch {
	case page.Dictionary() != nil:
		if kind != encoding.Int32 || len(data.Int32()) != present {
			return c.convertPage(page)
		}
		c.src, c.i32 = srcDictionary, data.Int32()
		return c.openDictionary(page.Dictionary())
	case c.conv.kind == pqFloat && kind == encoding.Double && len(data.Double()) == present:
		c.src, c.f64 = srcDouble, data.Double()
	case c.conv.kind == pqFloat && kind == encoding.Float && len(data.Float()) == present:
		c.src, c.f32 = srcFloat, data.Float()
	case c.conv.kind == pqSigned && kind == encoding.Int64 && len(data.Int64()) == present:
		c.src, c.i64 = srcInt64, data.Int64()
	case c.conv.kind == pqSigned && kind == encoding.Int32 && len(data.Int32()) == present:
		c.src, c.i32 = srcInt32, data.Int32()
	case c.conv.kind == pqUnsigned && kind == encoding.Int64 && len(data.Uint64()) == present:
		c.src, c.u64 = srcUint64, data.Uint64()
	case c.conv.kind == pqUnsigned && kind == encoding.Int32 && len(data.Uint32()) == present:
		c.src, c.u32 = srcUint32, data.Uint32()
	default:
		return c.convertPage(page)
	}
	return nil
}

// openDictionary converts the entries of the page's dictionary, once per
// column chunk, and checks the page's indexes.
func (c *parquetCursor) openDictionary(dict parquet.Dictionary) error {
	if dict != c.dict {
		c.dict = dict
		c.dictNum, c.dictStr, c.dictErrs = c.dictNum[:0], c.dictStr[:0], nil
		if c.kind == Number {
			c.dictNum = slices.Grow(c.dictNum, dict.Len())
		} else {
			c.dictStr = slices.Grow(c.dictStr, dict.Len())
		}
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
	for _, i := range c.i32 {
		if i < 0 || i >= size {
			return c.corrupt(fmt.Sprintf("dictionary index %d out of range [0, %d)", i, size))
		}
	}
	return nil
}

// convertPage converts a page's values whole, value by value as Next does:
// the way for the types without a typed path.
func (c *parquetCursor) convertPage(page parquet.Page) error {
	c.src, c.defs = srcConverted, nil
	n := c.n
	c.converted.reset(c.kind)
	c.converted.grow(n)
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
		c.converted.Missing = append(c.converted.Missing, v.Kind == Missing)
		if c.kind == Number {
			c.converted.Num = append(c.converted.Num, v.Num)
		} else {
			c.converted.Str = append(c.converted.Str, v.Str)
		}
	}
	clear(values)
	return nil
}

// fixedWidthValues is the number of values of a page's data of a
// fixed-width numeric kind.
func fixedWidthValues(data *encoding.Values) (int, bool) {
	switch data.Kind() {
	case encoding.Int32:
		return len(data.Int32()), true
	case encoding.Int64:
		return len(data.Int64()), true
	case encoding.Float:
		return len(data.Float()), true
	case encoding.Double:
		return len(data.Double()), true
	case encoding.Int96:
		return len(data.Int96()), true
	case encoding.FixedLenByteArray:
		if b, size := data.FixedLenByteArray(); size > 0 {
			return len(b) / size, true
		}
	}
	return 0, false
}
