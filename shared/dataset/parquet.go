//go:build !noparquet

package dataset

import (
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetReader reads the top-level leaf columns of a Parquet file, row
// group by row group. Columns nested in groups (structs, lists, maps) and
// repeated leaves are left out.
type parquetReader struct {
	name   string
	file   *parquet.File
	cols   []string
	conv   []parquetColumn
	byLeaf []int  // leaf column index -> index in cols, or -1 when left out
	leaf   []int  // leaf column index of each of cols
	maxDef []byte // maximum definition level of each of cols
	c      *closer

	group int          // index of the next row group to open
	rows  parquet.Rows // rows of the current row group, nil between groups
	buf   []parquet.Row
	n     int // rows in buf
	pos   int // next row in buf
	row   int64
	err   error // sticky error, io.EOF at the end
}

// parquetBatch is how many rows are decoded at a time.
const parquetBatch = 256

// internLimit bounds the distinct strings a Parquet text column keeps for
// reuse, so that a low-cardinality column costs no allocation per cell.
const internLimit = 4096

// parquetColumn says how to turn one column's values into Values.
type parquetColumn struct {
	name  string
	kind  parquetKind
	scale int   // decimal scale
	unit  int64 // nanoseconds per unit of a time or timestamp
	utc   bool  // timestamp is adjusted to UTC
	seen  map[string]string
}

type parquetKind uint8

const (
	pqSigned parquetKind = iota
	pqUnsigned
	pqFloat
	pqBool
	pqText
	pqDecimal
	pqDate
	pqTime
	pqTimestamp
	pqInt96
	pqUUID
	pqFloat16
)

func newParquetReader(ra io.ReaderAt, size int64, name string, closeFile func() error) (rd Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, newError(name, 0, "", fmt.Sprintf("corrupt Parquet file: %v", p))
		}
	}()
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, &Error{Pos: Position{File: name}, Err: fmt.Errorf("not a readable Parquet file: %w", err)}
	}
	schema := f.Schema()
	float16Columns := topLevelFloat16(f.Metadata().Schema)
	r := &parquetReader{name: name, file: f, c: &closer{closeFile: closeFile}}
	r.byLeaf = make([]int, len(schema.Columns()))
	for i := range r.byLeaf {
		r.byLeaf[i] = -1
	}
	for _, field := range schema.Fields() {
		if !field.Leaf() || field.Repeated() {
			continue
		}
		leaf, ok := schema.Lookup(field.Name())
		if !ok || leaf.ColumnIndex < 0 || leaf.ColumnIndex >= len(r.byLeaf) {
			continue
		}
		col, err := parquetColumnOf(field)
		if err == nil && col.kind == pqText && float16Columns[field.Name()] {
			col.kind = pqFloat16
		}
		if err != nil {
			return nil, &Error{Pos: Position{File: name}, Column: field.Name(), Err: err}
		}
		r.byLeaf[leaf.ColumnIndex] = len(r.cols)
		r.leaf = append(r.leaf, leaf.ColumnIndex)
		r.maxDef = append(r.maxDef, byte(leaf.MaxDefinitionLevel))
		r.cols = append(r.cols, field.Name())
		r.conv = append(r.conv, col)
	}
	if len(r.cols) == 0 {
		return nil, newError(name, 0, "", "no readable columns: the file has no top-level, non-repeated leaf columns")
	}
	r.buf = make([]parquet.Row, parquetBatch)
	return r, nil
}

// parquetColumnOf maps a leaf field's physical and logical type to a
// conversion.
func parquetColumnOf(field parquet.Field) (parquetColumn, error) {
	t := field.Type()
	col := parquetColumn{name: field.Name()}
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch lt := logical.(type) {
	case *format.DecimalType:
		col.kind, col.scale = pqDecimal, int(lt.Scale)
		return col, nil
	case *format.DateType:
		col.kind = pqDate
		return col, nil
	case *format.TimeType:
		col.kind, col.unit = pqTime, unitNanos(&lt.Unit)
		return col, nil
	case *format.TimestampType:
		col.kind, col.unit, col.utc = pqTimestamp, unitNanos(&lt.Unit), lt.IsAdjustedToUTC
		return col, nil
	case *format.IntType:
		col.kind = pqSigned
		if !lt.IsSigned {
			col.kind = pqUnsigned
		}
		return col, nil
	case *format.UUIDType:
		col.kind = pqUUID
		return col, nil
	}
	switch t.Kind() {
	case parquet.Boolean:
		col.kind = pqBool
	case parquet.Int32, parquet.Int64:
		col.kind = pqSigned
	case parquet.Int96:
		col.kind = pqInt96
	case parquet.Float, parquet.Double:
		col.kind = pqFloat
	case parquet.ByteArray, parquet.FixedLenByteArray:
		col.kind = pqText
		col.seen = make(map[string]string)
	default:
		return col, fmt.Errorf("unsupported Parquet type %s", t)
	}
	return col, nil
}

// topLevelFloat16 returns the names of the top-level columns annotated
// FLOAT16, an annotation parquet-go does not map to a type of its own.
func topLevelFloat16(elems []format.SchemaElement) map[string]bool {
	var names map[string]bool
	if len(elems) == 0 {
		return nil
	}
	i := 1
	for range elems[0].NumChildren.V {
		if i >= len(elems) {
			break
		}
		if _, ok := elems[i].LogicalType.Value.(*format.Float16Type); ok && elems[i].TypeLength.V == 2 {
			if names == nil {
				names = map[string]bool{}
			}
			names[elems[i].Name] = true
		}
		i = skipSchemaSubtree(elems, i)
	}
	return names
}

// skipSchemaSubtree returns the index of the element after the subtree of
// the schema element at i (schema elements are listed depth first).
func skipSchemaSubtree(elems []format.SchemaElement, i int) int {
	pending := 1
	for pending > 0 && i < len(elems) {
		pending += int(max(elems[i].NumChildren.V, 0)) - 1
		i++
	}
	return i
}

func unitNanos(u *format.TimeUnit) int64 {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return 1e6
	case *format.MicroSeconds:
		return 1e3
	}
	return 1
}

func (r *parquetReader) Columns() []string { return r.cols }

func (r *parquetReader) Next(row *Row) (err error) {
	if r.err != nil {
		return r.err
	}
	defer func() {
		if p := recover(); p != nil {
			err = newError(r.name, r.row+1, "", fmt.Sprintf("corrupt Parquet file: %v", p))
		}
		if err != nil {
			r.err = err
		}
	}()
	for r.pos == r.n {
		if err := r.fill(); err != nil {
			return err
		}
	}
	values := r.buf[r.pos]
	r.pos++
	r.row++
	row.Line = r.row
	row.resize(len(r.cols))
	for _, v := range values {
		i := v.Column()
		if i < 0 || i >= len(r.byLeaf) || r.byLeaf[i] < 0 {
			continue
		}
		j := r.byLeaf[i]
		if row.Values[j], err = r.conv[j].value(v); err != nil {
			return &Error{Pos: Position{File: r.name, Line: r.row}, Column: r.cols[j], Err: err}
		}
	}
	return nil
}

// fill decodes the next batch of rows, moving on to the next row group when
// the current one is exhausted; it returns io.EOF after the last group.
func (r *parquetReader) fill() error {
	if r.rows == nil {
		groups := r.file.RowGroups()
		if r.group >= len(groups) {
			return io.EOF
		}
		r.rows = groups[r.group].Rows()
		r.group++
	}
	n, err := r.rows.ReadRows(r.buf)
	r.n, r.pos = n, 0
	if err == io.EOF || (err == nil && n == 0) {
		cerr := r.rows.Close()
		r.rows = nil
		if cerr != nil {
			return &Error{Pos: Position{File: r.name, Line: r.row + 1}, Err: fmt.Errorf("reading Parquet: %w", cerr)}
		}
		return nil
	}
	if err != nil {
		return &Error{Pos: Position{File: r.name, Line: r.row + 1}, Err: fmt.Errorf("reading Parquet: %w", err)}
	}
	return nil
}

func (r *parquetReader) Close() error {
	if r.err == nil {
		r.err = errClosed
	}
	var err error
	if r.rows != nil {
		err = r.rows.Close()
		r.rows = nil
	}
	if cerr := r.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// value converts one Parquet value of the column.
func (c *parquetColumn) value(v parquet.Value) (Value, error) {
	if v.IsNull() {
		return Value{}, nil
	}
	kind := v.Kind()
	switch c.kind {
	case pqBool:
		if v.Boolean() {
			return Value{Kind: Bool, Str: "true"}, nil
		}
		return Value{Kind: Bool, Str: "false"}, nil
	case pqSigned, pqUnsigned:
		return Value{Kind: Number, Num: intValue(v, c.kind == pqUnsigned)}, nil
	case pqFloat:
		f := v.Double()
		if kind == parquet.Float {
			f = float64(v.Float())
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return Value{}, nonFinite(f)
		}
		return Value{Kind: Number, Num: f}, nil
	case pqFloat16:
		b := v.ByteArray()
		if len(b) != 2 {
			return Value{}, fmt.Errorf("FLOAT16 value of %d bytes", len(b))
		}
		f := float16(uint16(b[0]) | uint16(b[1])<<8)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return Value{}, nonFinite(f)
		}
		return Value{Kind: Number, Num: f}, nil
	case pqText:
		b := v.ByteArray()
		if s, ok := c.seen[string(b)]; ok {
			return Value{Kind: Text, Str: s}, nil
		}
		s := string(b)
		if len(c.seen) < internLimit && len(s) <= 64 {
			c.seen[s] = s
		}
		return Value{Kind: Text, Str: s}, nil
	case pqDecimal:
		f, err := decimalValue(v, c.scale)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: Number, Num: f}, nil
	case pqDate:
		d := time.Unix(int64(v.Int32())*86400, 0).UTC()
		return Value{Kind: Text, Str: d.Format(time.DateOnly)}, nil
	case pqTime:
		ns := int64(v.Int32())
		if kind == parquet.Int64 {
			ns = v.Int64()
		}
		t := time.Unix(0, ns*c.unit).UTC()
		return Value{Kind: Text, Str: t.Format("15:04:05.999999999")}, nil
	case pqTimestamp:
		var t time.Time
		switch n := v.Int64(); c.unit {
		case 1e6:
			t = time.UnixMilli(n)
		case 1e3:
			t = time.UnixMicro(n)
		default:
			t = time.Unix(0, n)
		}
		return Value{Kind: Text, Str: formatTimestamp(t, c.utc)}, nil
	case pqInt96:
		i := v.Int96()
		nanos := int64(uint64(i[0]) | uint64(i[1])<<32)
		days := int64(i[2]) - 2440588 // Julian day of 1970-01-01
		t := time.Unix(days*86400, nanos)
		return Value{Kind: Text, Str: formatTimestamp(t, true)}, nil
	case pqUUID:
		b := v.ByteArray()
		if len(b) != 16 {
			return Value{Kind: Text, Str: string(b)}, nil
		}
		return Value{Kind: Text, Str: fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])}, nil
	}
	return Value{}, fmt.Errorf("unsupported Parquet value %v", v)
}

// nonFinite is the error for a NaN or infinite floating-point value.
func nonFinite(f float64) error {
	return fmt.Errorf("non-finite value %v is not allowed", f)
}

// float16 decodes an IEEE 754 half-precision number.
func float16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}

func formatTimestamp(t time.Time, utc bool) string {
	if utc {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return t.UTC().Format("2006-01-02T15:04:05.999999999")
}

// intValue returns an INT32 or INT64 value as a float64.
func intValue(v parquet.Value, unsigned bool) float64 {
	switch {
	case v.Kind() == parquet.Int32 && unsigned:
		return float64(v.Uint32())
	case v.Kind() == parquet.Int32:
		return float64(v.Int32())
	case unsigned:
		return float64(v.Uint64())
	}
	return float64(v.Int64())
}

// decimalValue returns a DECIMAL value (INT32, INT64, or a big-endian two's
// complement byte array) as the nearest float64.
func decimalValue(v parquet.Value, scale int) (float64, error) {
	var unscaled int64
	switch v.Kind() {
	case parquet.Int32:
		unscaled = int64(v.Int32())
	case parquet.Int64:
		unscaled = v.Int64()
	default:
		b := v.ByteArray()
		if len(b) > 8 {
			n := new(big.Int).SetBytes(b)
			if b[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
			}
			return scaleDecimal(n.String(), scale)
		}
		for i, c := range b {
			if i == 0 {
				unscaled = int64(int8(c))
			} else {
				unscaled = unscaled<<8 | int64(c)
			}
		}
	}
	const exact = 1 << 53
	if scale >= 0 && scale <= 22 && unscaled > -exact && unscaled < exact {
		return float64(unscaled) / pow10[scale], nil // both exact: correctly rounded
	}
	return scaleDecimal(strconv.FormatInt(unscaled, 10), scale)
}

func scaleDecimal(digits string, scale int) (float64, error) {
	f, err := strconv.ParseFloat(digits+"e"+strconv.Itoa(-scale), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("decimal %se%d does not fit in a float64", digits, -scale)
	}
	return f, nil
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
