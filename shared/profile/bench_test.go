package profile_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/parquet-go/parquet-go"
)

// syntheticCSV streams rows of numeric and categorical columns without
// holding the file in memory.
type syntheticCSV struct {
	rng                *rand.Rand
	rows, numeric, cat int
	row                int
	buf                bytes.Buffer
	header             bool
}

func newSyntheticCSV(rows, numeric, categorical int, seed uint64) *syntheticCSV {
	return &syntheticCSV{rng: rand.New(rand.NewPCG(seed, seed+1)), rows: rows, numeric: numeric, cat: categorical}
}

var categories = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}

func (s *syntheticCSV) Read(p []byte) (int, error) {
	for s.buf.Len() < len(p) {
		if !s.header {
			s.header = true
			for i := range s.numeric + s.cat {
				if i > 0 {
					s.buf.WriteByte(',')
				}
				s.buf.WriteString("c" + strconv.Itoa(i))
			}
			s.buf.WriteByte('\n')
			continue
		}
		if s.row == s.rows {
			break
		}
		s.row++
		var tmp [32]byte
		for i := range s.numeric {
			if i > 0 {
				s.buf.WriteByte(',')
			}
			s.buf.Write(strconv.AppendFloat(tmp[:0], s.rng.NormFloat64()*float64(i+1)+float64(i), 'f', 4, 64))
		}
		for range s.cat {
			s.buf.WriteByte(',')
			s.buf.WriteString(categories[s.rng.IntN(len(categories))])
		}
		s.buf.WriteByte('\n')
	}
	if s.buf.Len() == 0 {
		return 0, io.EOF
	}
	return s.buf.Read(p)
}

func csvBytes(b *testing.B, rows, numeric, categorical int) []byte {
	b.Helper()
	data, err := io.ReadAll(newSyntheticCSV(rows, numeric, categorical, 1))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func buildFrom(b *testing.B, r io.Reader) *profile.Profile {
	b.Helper()
	dr, err := dataset.NewReader(r, "bench.csv", dataset.FormatCSV)
	if err != nil {
		b.Fatal(err)
	}
	p, err := profile.Build(context.Background(), dr, "bench.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkAccumulateNumeric measures the hot loop of batch profiling: a
// parsed value binned over a 1000-bin grid and added to the moments.
func BenchmarkAccumulateNumeric(b *testing.B) {
	ref := buildFrom(b, bytes.NewReader(csvBytes(b, 20000, 1, 0)))
	acc, err := profile.NewAccumulator(ref)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	values := make([]float64, 1<<16)
	for i := range values {
		values[i] = rng.NormFloat64()
	}
	b.ResetTimer()
	for i := range b.N {
		acc.AddNumber(0, values[i&(len(values)-1)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mvalues/s")
}

// BenchmarkCountCSV1M profiles 1M rows × 25 columns (20 numeric, 5
// categorical) of current data over a reference's bins, from CSV text.
func BenchmarkCountCSV1M(b *testing.B) {
	ref := buildFrom(b, bytes.NewReader(csvBytes(b, 50000, 20, 5)))
	data := csvBytes(b, 1_000_000, 20, 5)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := dataset.NewReader(bytes.NewReader(data), "cur.csv", dataset.FormatCSV)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := profile.Count(context.Background(), r, "cur.csv", ref, profile.Columns{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "rows/s")
}

// parquetBytes writes rows × (numeric + categorical) columns of synthetic
// data as Parquet, as pyarrow writes it by default: one row group,
// dictionary-encoded columns falling back to plain pages when the
// dictionary grows large.
func parquetBytes(b *testing.B, rows, numeric, categorical int) []byte {
	b.Helper()
	group := parquet.Group{}
	for i := range numeric + categorical {
		node := parquet.Leaf(parquet.DoubleType)
		if i >= numeric {
			node = parquet.String()
		}
		group[fmt.Sprintf("c%02d", i)] = parquet.Optional(parquet.Encoded(node, &parquet.RLEDictionary))
	}
	schema := parquet.NewSchema("bench", group)
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.MaxRowsPerRowGroup(int64(rows)))
	rng := rand.New(rand.NewPCG(1, 2))
	row := make(parquet.Row, numeric+categorical)
	for range rows {
		for i := range row {
			if i < numeric {
				row[i] = parquet.DoubleValue(math.Round(rng.NormFloat64()*float64(i+1)*1e4)/1e4+float64(i)).Level(0, 1, i)
			} else {
				row[i] = parquet.ByteArrayValue([]byte(categories[rng.IntN(len(categories))])).Level(0, 1, i)
			}
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkCountParquet1M profiles 1M rows × 25 columns (20 numeric, 5
// categorical) of current data from Parquet, record by record and column by
// column.
func BenchmarkCountParquet1M(b *testing.B) {
	ref := buildFrom(b, bytes.NewReader(csvBytes(b, 50000, 20, 5)))
	data := parquetBytes(b, 1_000_000, 20, 5)
	for _, mode := range []struct {
		name     string
		rowByRow bool
	}{{"rows", true}, {"columns", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				r, err := dataset.NewReader(bytes.NewReader(data), "cur.parquet", dataset.FormatParquet)
				if err != nil {
					b.Fatal(err)
				}
				opts := profile.CountOptions{RowByRow: mode.rowByRow}
				if _, _, err := profile.CountWith(context.Background(), r, "cur.parquet", ref, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkBuildCSV1M builds a reference profile of 1M rows × 25 columns.
func BenchmarkBuildCSV1M(b *testing.B) {
	data := csvBytes(b, 1_000_000, 20, 5)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		buildFrom(b, bytes.NewReader(data))
	}
}

// BenchmarkBuildReference10M builds the reference profile of a streamed
// 10M-row × 20-column CSV (about 1.6 GB of text, never held in memory) and
// reports the process's peak resident memory: numeric columns are spilled to
// disk and sorted one at a time, so the peak is about one column (80 MB of
// float64) plus buffers, not the 1.6 GB of values.
func BenchmarkBuildReference10M(b *testing.B) {
	for range b.N {
		buildFrom(b, newSyntheticCSV(10_000_000, 20, 0, 9))
	}
	runtime.GC()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
	b.ReportMetric(float64(b.N)*10e6/b.Elapsed().Seconds(), "rows/s")
}
