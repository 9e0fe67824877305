//go:build !noparquet

package dataset

import (
	"bytes"
	"io"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const fixture = "testdata/fixture.parquet" // written by testdata/make_fixture.py

var fixtureColumns = []string{"id", "amount", "ratio", "half", "count", "small", "big", "price", "flag", "country", "day", "ts", "label"}

var fixtureRows = [][]Value{
	{N(1), N(12.5), N(0.5), N(1.5), N(10), N(1), N(math.Pow(2, 63) + 1), N(19.99), B(true), T("DE"), T("2026-11-26"), T("2026-11-26T20:00:00Z"), T("fraud")},
	{N(2), M, N(0.25), N(-2), N(20), N(2), N(0), N(-0.01), B(false), T("FR"), M, M, T("legit")},
	{N(3), N(-3.25), M, N(0), M, N(3), M, M, M, M, T("1970-01-01"), T("2026-11-26T20:00:00.123456Z"), T("legit")},
	{N(4), N(0), N(1), N(65504), N(40), N(255), N(1), N(100), B(true), T("DE"), T("2000-02-29"), T("1970-01-01T00:00:00Z"), T("fraud")},
	{N(5), N(1e6), N(-2), N(math.Ldexp(1, -24)), N(-50), M, N(2), N(0), B(false), T(""), T("1969-12-31"), T("2026-01-02T03:04:05Z"), T("legit")},
}

func TestParquetFixture(t *testing.T) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	open := map[string]func() (Reader, error){
		"Open":             func() (Reader, error) { return Open(fixture, "") },
		"NewReader/ReadAt": func() (Reader, error) { return NewReader(bytes.NewReader(data), "f.parquet", "") },
		"NewReader/stream": func() (Reader, error) {
			return NewReader(io.MultiReader(bytes.NewReader(data)), "f.parquet", FormatParquet)
		},
		"NewReader/file": func() (Reader, error) {
			f, err := os.Open(fixture)
			if err != nil {
				return nil, err
			}
			t.Cleanup(func() { f.Close() })
			return NewReader(f, "f.parquet", FormatParquet)
		},
		"NewParquetReader": func() (Reader, error) {
			return NewParquetReader(bytes.NewReader(data), int64(len(data)), "f.parquet")
		},
	}
	for name, open := range open {
		t.Run(name, func(t *testing.T) {
			r, err := open()
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, r)
			if res.err != nil {
				t.Fatal(res.err)
			}
			if !reflect.DeepEqual(res.cols, fixtureColumns) {
				t.Errorf("columns = %q, want %q", res.cols, fixtureColumns)
			}
			for i := range max(len(res.rows), len(fixtureRows)) {
				if i >= len(res.rows) || i >= len(fixtureRows) || !reflect.DeepEqual(res.rows[i], fixtureRows[i]) {
					t.Errorf("row %d:\n got %v\nwant %v", i+1, at(res.rows, i), at(fixtureRows, i))
				}
			}
			if want := []int64{1, 2, 3, 4, 5}; !reflect.DeepEqual(res.lines, want) {
				t.Errorf("lines = %v, want %v", res.lines, want)
			}
		})
	}
}

func at(rows [][]Value, i int) []Value {
	if i < len(rows) {
		return rows[i]
	}
	return nil
}

// writeParquet writes rows of T with parquet-go, in row groups of two.
func writeParquet[T any](t *testing.T, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, parquet.MaxRowsPerRowGroup(2))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquetNonFinite(t *testing.T) {
	type rec struct {
		ID int64   `parquet:"id"`
		X  float64 `parquet:"x"`
		Y  float32 `parquet:"y"`
	}
	tests := []struct {
		name string
		rows []rec
		err  string
	}{
		{"NaN double", []rec{{1, 1, 1}, {2, 2, 2}, {3, math.NaN(), 3}}, "x.parquet:3: column x: non-finite value NaN is not allowed"},
		{"Inf float", []rec{{1, 1, float32(math.Inf(-1))}}, "x.parquet:1: column y: non-finite value -Inf is not allowed"},
		{"finite", []rec{{1, math.MaxFloat64, -math.MaxFloat32}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(writeParquet(t, tt.rows)), "x.parquet", "")
			if err != nil {
				t.Fatal(err)
			}
			res := readAll(t, r)
			checkErr(t, res.err, tt.err)
		})
	}
}

func TestParquetTypes(t *testing.T) {
	type rec struct {
		I8   int8     `parquet:"i8"`
		U16  uint16   `parquet:"u16"`
		U32  uint32   `parquet:"u32"`
		S    *string  `parquet:"s,optional"`
		B    []byte   `parquet:"b"`
		Dec  int64    `parquet:"dec,decimal(3:18)"`
		List []string `parquet:"list,list"`
	}
	s := "hello"
	rows := []rec{
		{I8: -8, U16: 65535, U32: math.MaxUint32, S: &s, B: []byte("raw"), Dec: -12345, List: []string{"a"}},
		{I8: 0, U16: 0, U32: 0, S: nil, B: nil, Dec: 7},
		{I8: 1, U16: 1, U32: 1, S: &s, B: []byte{}, Dec: 1000},
	}
	r, err := NewReader(bytes.NewReader(writeParquet(t, rows)), "x.parquet", FormatParquet)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, r)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if want := []string{"i8", "u16", "u32", "s", "b", "dec"}; !reflect.DeepEqual(res.cols, want) {
		t.Fatalf("columns = %q, want %q", res.cols, want)
	}
	want := [][]Value{
		{N(-8), N(65535), N(math.MaxUint32), T("hello"), T("raw"), N(-12.345)},
		{N(0), N(0), N(0), M, T(""), N(0.007)},
		{N(1), N(1), N(1), T("hello"), T(""), N(1)},
	}
	if !reflect.DeepEqual(res.rows, want) {
		t.Fatalf("rows = %v\nwant %v", res.rows, want)
	}
}

func TestParquetBadInput(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"empty", "", "x.parquet: not a readable Parquet file"},
		{"not parquet", "a,b\n1,2\n", "x.parquet: not a readable Parquet file"},
		{"truncated", "PAR1\x00\x00\x00\x00PAR1", "x.parquet:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), "x.parquet", "")
			if err == nil {
				err = readAll(t, r).err
			}
			checkErr(t, err, tt.err)
		})
	}
}

func TestParquetDecimalBytes(t *testing.T) {
	tests := []struct {
		b     []byte
		scale int
		want  float64
	}{
		{[]byte{0x07, 0xCF}, 2, 19.99},
		{[]byte{0xFF}, 2, -0.01},
		{[]byte{0x80, 0, 0, 0, 0, 0, 0, 0, 0}, 0, -math.Pow(2, 71)},
		{[]byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, 3, math.Pow(2, 64) / 1000},
		{[]byte{}, 0, 0},
	}
	for _, tt := range tests {
		got, err := decimalValue(parquet.ByteArrayValue(tt.b), tt.scale)
		if err != nil || got != tt.want {
			t.Errorf("decimal %x scale %d = %v, %v; want %v", tt.b, tt.scale, got, err, tt.want)
		}
	}
}

func TestFloat16(t *testing.T) {
	tests := []struct {
		bits uint16
		want float64
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3e00, 1.5},
		{0x7bff, 65504},
		{0x0001, math.Ldexp(1, -24)},
		{0x0400, math.Ldexp(1, -14)},
		{0x7c00, math.Inf(1)},
		{0xfc00, math.Inf(-1)},
	}
	for _, tt := range tests {
		if got := float16(tt.bits); got != tt.want {
			t.Errorf("float16(%#04x) = %v, want %v", tt.bits, got, tt.want)
		}
	}
	if got := float16(0x7e00); !math.IsNaN(got) {
		t.Errorf("float16(0x7e00) = %v, want NaN", got)
	}
}
