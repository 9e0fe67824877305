//go:build !noparquet

package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// columnRead is what reading every column of a file with cursors gave:
// the values of each column and the first failure in record order.
type columnRead struct {
	cols    [][]Value
	err     error
	errRow  int // index of the record of err
	errCol  int
	corrupt bool // err is about the file, not a value
}

// readColumns reads every column of the Parquet file in data with a cursor,
// block values at a time; valueByValue cursors convert every value as the
// row reader does.
func readColumns(t testing.TB, data []byte, name string, block int, valueByValue bool) columnRead {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), name, FormatParquet)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pr, ok := r.(*parquetReader)
	if !ok {
		t.Fatal("not the Parquet reader")
	}
	out := columnRead{cols: make([][]Value, len(r.Columns())), errRow: math.MaxInt}
	var blk Column
	for i := range r.Columns() {
		cur, err := pr.columnCursor(i, valueByValue)
		if err != nil {
			t.Fatal(err)
		}
		for {
			err := cur.Read(&blk, block)
			numbers, texts := blk.Len(), 0
			if blk.Kind != Number {
				numbers, texts = 0, blk.Len()
			}
			if blk.Kind == Missing || len(blk.Num) != numbers || len(blk.Str) != texts {
				t.Fatalf("column %d: block of kind %v with %d flags, %d numbers, %d strings", i, blk.Kind, blk.Len(), len(blk.Num), len(blk.Str))
			}
			for k := range blk.Len() {
				v := blk.Value(k)
				if v.Kind != Missing && v.Kind != blk.Kind {
					t.Fatalf("column %d: value %v in a %v column", i, v, blk.Kind)
				}
				out.cols[i] = append(out.cols[i], v)
			}
			if err != nil {
				if again := cur.Read(&blk, block); again != err || blk.Len() != 0 {
					t.Errorf("column %d: Read after error %v returned %v and %d values", i, err, again, blk.Len())
				}
				if row := len(out.cols[i]); row < out.errRow {
					var e *Error
					out.err, out.errRow, out.errCol = err, row, i
					out.corrupt = !errors.As(err, &e) || e.Column == ""
				}
				break
			}
			if blk.Len() < block {
				if err := cur.Read(&blk, block); err != nil || blk.Len() != 0 {
					t.Fatalf("column %d: Read after the end returned %v and %d values", i, err, blk.Len())
				}
				break
			}
		}
		if err := cur.Close(); err != nil {
			t.Errorf("column %d: close: %v", i, err)
		}
	}
	return out
}

// diffRowsColumns compares the row reader and the column cursors on the
// well-formed Parquet file in data and returns the first difference, or "".
func diffRowsColumns(t testing.TB, data []byte, block int) string {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "x.parquet", FormatParquet)
	if err != nil {
		return ""
	}
	rows := readAll(t, r)
	r.Close()
	cols := readColumns(t, data, "x.parquet", block, false)
	for i, vals := range cols.cols {
		for k, v := range vals {
			if k >= len(rows.rows) {
				break
			}
			if w := rows.rows[k][i]; v != w {
				return fmt.Sprintf("record %d column %d: column path %#v, row path %#v", k+1, i, v, w)
			}
		}
		if rows.err == nil && cols.err == nil && len(vals) != len(rows.rows) {
			return fmt.Sprintf("column %d: %d values, %d records", i, len(vals), len(rows.rows))
		}
	}
	switch {
	case rows.err == nil && cols.err == nil:
	case rows.err == nil:
		return fmt.Sprintf("column path failed (%v), row path did not", cols.err)
	case cols.err == nil:
		return fmt.Sprintf("row path failed (%v), column path did not", rows.err)
	case cols.errRow != len(rows.rows) || cols.err.Error() != rows.err.Error():
		return fmt.Sprintf("column path failed at record %d (%v), row path at record %d (%v)", cols.errRow+1, cols.err, len(rows.rows)+1, rows.err)
	}
	return ""
}

// columnsRecord has a column of every type the reader converts, most of them
// optional, some dictionary encoded.
type columnsRecord struct {
	F64   float64         `parquet:"f64"`
	F64o  *float64        `parquet:"f64o,optional"`
	F64d  float64         `parquet:"f64d,dict"`
	F64do *float64        `parquet:"f64do,optional,dict"`
	F32   float32         `parquet:"f32"`
	F32o  *float32        `parquet:"f32o,optional"`
	I64   int64           `parquet:"i64"`
	I64o  *int64          `parquet:"i64o,optional"`
	I64d  int64           `parquet:"i64d,dict"`
	I32   int32           `parquet:"i32"`
	I8o   *int8           `parquet:"i8o,optional"`
	U32   uint32          `parquet:"u32"`
	U64o  *uint64         `parquet:"u64o,optional"`
	Bool  bool            `parquet:"bool"`
	Boolo *bool           `parquet:"boolo,optional"`
	S     string          `parquet:"s"`
	So    *string         `parquet:"so,optional"`
	Sd    string          `parquet:"sd,dict"`
	Sdo   *string         `parquet:"sdo,optional,dict"`
	B     []byte          `parquet:"b"`
	Dec   int64           `parquet:"dec,decimal(2:18)"`
	Deco  *int32          `parquet:"deco,optional,decimal(1:9)"`
	Ts    time.Time       `parquet:"ts,timestamp(millisecond)"`
	Tsu   *time.Time      `parquet:"tsu,optional,timestamp(microsecond)"`
	Date  time.Time       `parquet:"date,date"`
	Tm    time.Duration   `parquet:"tm,time(microsecond)"`
	UUID  [16]byte        `parquet:"uuid,uuid"`
	Skip  []int64         `parquet:"skip,list"`
	Group struct{ A int } `parquet:"group"`
}

// genColumnsRecords returns n random records; bad is the probability of a
// NaN or infinite float.
func genColumnsRecords(rng *rand.Rand, n int, nulls, bad float64) []columnsRecord {
	words := []string{"", "a", "DE", "FR", "fraud", "legit", "ünï", "a,b", "x\"y"}
	float := func() float64 {
		switch p := rng.Float64(); {
		case p < bad/3:
			return math.NaN()
		case p < bad*2/3:
			return math.Inf(1)
		case p < bad:
			return math.Inf(-1)
		case p < 0.2:
			return float64(rng.IntN(10)) // ties, for the dictionaries
		}
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
	}
	opt := func() bool { return rng.Float64() >= nulls }
	recs := make([]columnsRecord, n)
	for k := range recs {
		r := &recs[k]
		r.F64, r.F64d, r.F32 = float(), float(), float32(float())
		if opt() {
			f := float()
			r.F64o = &f
		}
		if opt() {
			f := float64(rng.IntN(5))
			r.F64do = &f
		}
		if opt() {
			f := float32(float())
			r.F32o = &f
		}
		r.I64, r.I64d, r.I32 = rng.Int64()-math.MaxInt64/2, int64(rng.IntN(7)), rng.Int32()-math.MaxInt32/2
		if opt() {
			i := rng.Int64N(1 << 60)
			r.I64o = &i
		}
		if opt() {
			i := int8(rng.IntN(256) - 128)
			r.I8o = &i
		}
		r.U32 = rng.Uint32()
		if opt() {
			u := rng.Uint64()
			r.U64o = &u
		}
		r.Bool = rng.IntN(2) == 0
		if opt() {
			b := rng.IntN(2) == 0
			r.Boolo = &b
		}
		r.S = fmt.Sprintf("s%d", rng.IntN(1000))
		if opt() {
			s := words[rng.IntN(len(words))]
			r.So = &s
		}
		r.Sd = words[rng.IntN(len(words))]
		if opt() {
			s := words[rng.IntN(len(words))]
			r.Sdo = &s
		}
		r.B = []byte(words[rng.IntN(len(words))])
		r.Dec = rng.Int64N(1<<62) - 1<<61
		if opt() {
			d := rng.Int32N(1e6) - 5e5
			r.Deco = &d
		}
		r.Ts = time.UnixMilli(rng.Int64N(4e12) - 1e12).UTC()
		if opt() {
			ts := time.UnixMicro(rng.Int64N(4e15)).UTC()
			r.Tsu = &ts
		}
		r.Date = time.Unix(rng.Int64N(4e9)-1e9, 0).UTC().Truncate(24 * time.Hour)
		r.Tm = time.Duration(rng.Int64N(int64(24 * time.Hour))).Truncate(time.Microsecond)
		for i := range r.UUID {
			r.UUID[i] = byte(rng.IntN(256))
		}
		r.Skip = []int64{int64(k)}
		r.Group.A = k
	}
	return recs
}

// writeColumnsFile writes records with parquet-go: small row groups and
// pages, so that blocks straddle both, in data page format v1 or v2.
func writeColumnsFile(t testing.TB, recs []columnsRecord, rowsPerGroup int64, pageSize, version int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[columnsRecord](&buf, parquet.MaxRowsPerRowGroup(rowsPerGroup),
		parquet.PageBufferSize(pageSize), parquet.DataPageVersion(version))
	if _, err := w.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquetColumnsMatchRows(t *testing.T) {
	tests := []struct {
		name         string
		rows         int
		nulls, bad   float64
		rowsPerGroup int64
		pageSize     int
		version      int
	}{
		{"one group", 500, 0.1, 0, 1 << 20, 1 << 20, 2},
		{"small pages", 700, 0.3, 0, 1 << 20, 256, 2},
		{"small groups v1", 900, 0.05, 0, 97, 512, 1},
		{"all null", 100, 1, 0, 33, 256, 2},
		{"no null", 300, 0, 0, 64, 1024, 1},
		{"non-finite", 600, 0.2, 0.01, 128, 512, 2},
		{"non-finite early", 50, 0.2, 0.2, 7, 128, 1},
	}
	for _, tt := range tests {
		for seed := range uint64(4) {
			rng := rand.New(rand.NewPCG(seed, 15))
			data := writeColumnsFile(t, genColumnsRecords(rng, tt.rows, tt.nulls, tt.bad), tt.rowsPerGroup, tt.pageSize, tt.version)
			for _, block := range []int{1, 3, 64, 4096} {
				t.Run(fmt.Sprintf("%s/seed%d/block%d", tt.name, seed, block), func(t *testing.T) {
					if d := diffRowsColumns(t, data, block); d != "" {
						t.Fatal(d)
					}
				})
			}
		}
	}
}

// The fixture is written by pyarrow: decimals, dates, timestamps, float16.
func TestParquetColumnsFixture(t *testing.T) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range []int{1, 2, 4096} {
		if d := diffRowsColumns(t, data, block); d != "" {
			t.Fatalf("block %d: %s", block, d)
		}
	}
	cols := readColumns(t, data, "f.parquet", 4096, false)
	for i, name := range fixtureColumns {
		for k, want := range fixtureRows {
			if got := cols.cols[i][k]; got != want[i] {
				t.Errorf("%s row %d = %#v, want %#v", name, k+1, got, want[i])
			}
		}
	}
}

func TestParquetColumnsNonFinite(t *testing.T) {
	type rec struct {
		ID int64    `parquet:"id"`
		X  *float64 `parquet:"x,optional"`
	}
	nan := math.NaN()
	one := 1.0
	data := writeParquet(t, []rec{{1, &one}, {2, nil}, {3, &one}, {4, &nan}, {5, &one}})
	got := readColumns(t, data, "x.parquet", 2, false)
	const want = "x.parquet:4: column x: non-finite value NaN is not allowed"
	if got.err == nil || got.err.Error() != want || got.errRow != 3 || got.errCol != 1 {
		t.Fatalf("error %v at record %d column %d, want %q at record 4 column 1", got.err, got.errRow+1, got.errCol, want)
	}
	if wantX := []Value{N(1), M, N(1)}; fmt.Sprint(got.cols[1]) != fmt.Sprint(wantX) {
		t.Errorf("values before the error = %v, want %v", got.cols[1], wantX)
	}
	if len(got.cols[0]) != 5 {
		t.Errorf("id: %d values, want 5", len(got.cols[0]))
	}
}

func TestParquetColumnCursorRange(t *testing.T) {
	data := writeParquet(t, []struct {
		A int64 `parquet:"a"`
	}{{1}})
	r, err := NewReader(bytes.NewReader(data), "x.parquet", FormatParquet)
	if err != nil {
		t.Fatal(err)
	}
	cr := r.(ColumnReader)
	if cr.Records() != 1 {
		t.Errorf("Records = %d, want 1", cr.Records())
	}
	for _, i := range []int{-1, 1} {
		if _, err := cr.ColumnCursor(i); err == nil {
			t.Errorf("ColumnCursor(%d): no error", i)
		}
	}
	cur, err := cr.ColumnCursor(0)
	if err != nil {
		t.Fatal(err)
	}
	cur.Close()
	var c Column
	if err := cur.Read(&c, 1); !errors.Is(err, errClosed) {
		t.Errorf("Read after Close = %v, want %v", err, errClosed)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

// diffTyped compares the cursors' typed decoding of the Parquet file in
// data with value-by-value cursors (the row reader's conversion of each
// value) and returns the first difference, or "". Files parquet-go calls
// corrupt may fail differently.
func diffTyped(t testing.TB, data []byte, block int) string {
	t.Helper()
	want := readColumns(t, data, "x.parquet", block, true)
	got := readColumns(t, data, "x.parquet", block, false)
	for i := range got.cols {
		for k := range min(len(got.cols[i]), len(want.cols[i])) {
			if g, w := got.cols[i][k], want.cols[i][k]; g != w {
				return fmt.Sprintf("record %d column %d: typed %#v, value by value %#v", k+1, i, g, w)
			}
		}
		if got.err == nil && want.err == nil && len(got.cols[i]) != len(want.cols[i]) {
			return fmt.Sprintf("column %d: typed %d values, value by value %d", i, len(got.cols[i]), len(want.cols[i]))
		}
	}
	switch {
	case got.err == nil && want.err == nil, got.corrupt || want.corrupt:
	case got.err == nil || want.err == nil || got.errRow != want.errRow || got.err.Error() != want.err.Error():
		return fmt.Sprintf("typed: %v at record %d; value by value: %v at record %d", got.err, got.errRow+1, want.err, want.errRow+1)
	}
	return ""
}

// maxFuzzRecords bounds the records of a file the fuzz target reads.
const maxFuzzRecords = 5_000

// FuzzParquetColumns checks that the cursors' typed decoding of any Parquet
// file (DOUBLE, FLOAT and integer pages, dictionaries, definition levels)
// yields the values and the first value error in record order that
// converting each value as the row reader does yields, and never panics.
// TestParquetColumnsMatchRows compares with the row reader itself on
// well-formed files. Seeds are files from its generator and the fixture.
func FuzzParquetColumns(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	f.Add(writeColumnsFile(f, genColumnsRecords(rng, 40, 0.2, 0.02), 16, 256, 2), 7)
	f.Add(writeColumnsFile(f, genColumnsRecords(rng, 20, 0.5, 0), 8, 128, 1), 3)
	if data, err := os.ReadFile(fixture); err == nil {
		f.Add(data, 2)
	}
	f.Fuzz(func(t *testing.T, data []byte, block int) {
		block = 1 + min(max(block, 0), 1<<20)%5000
		r, err := NewReader(bytes.NewReader(data), "x.parquet", FormatParquet)
		if err != nil {
			return
		}
		r.Close()
		if r.(ColumnReader).Records() > maxFuzzRecords {
			return // a few bytes can declare billions of records
		}
		if d := diffTyped(t, data, block); d != "" {
			t.Fatal(d)
		}
	})
}
