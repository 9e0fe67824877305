package profile

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// withColumn returns CSV data with one more column, whose cell on data
// line i (0-based, past the header) is value(i).
func withColumn(data []byte, name string, value func(i int) string) []byte {
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	lines[0] += "," + name
	for i := 1; i < len(lines); i++ {
		lines[i] += "," + value(i-1)
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// TestBuildFitsTheModelInItsRead: a build that fits the multivariate model
// in its own read of the data gives the profile, byte for byte, that a
// build without it and a fit reading the data again (leaving out the
// records of failed model calls) give, on every path: CSV, Parquet column
// by column on 1 to 3 workers and record by record, and a column whose kind
// is settled past the sampled records (the fit then reads the data again).
func TestBuildFitsTheModelInItsRead(t *testing.T) {
	rows := inferenceRows + 2*buildBlockRows + 123
	base := recordsCSV(rows, 21, 0, true, true)
	late := withColumn(base, "late", func(i int) string {
		if i < inferenceRows+50 {
			return ""
		}
		return fmt.Sprintf("k%d", i%4)
	})
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		data []byte
	}{{"base", base}, {"a column settled late", late}} {
		pq := csvToParquet(t, tc.data, 7000)
		for _, path := range []struct {
			name     string
			format   dataset.Format
			data     []byte
			workers  int
			rowByRow bool
		}{
			{"csv", dataset.FormatCSV, tc.data, 2, false},
			{"parquet columns, 1 worker", dataset.FormatParquet, pq, 1, false},
			{"parquet columns, 3 workers", dataset.FormatParquet, pq, 3, false},
			{"parquet rows", dataset.FormatParquet, pq, 2, true},
		} {
			t.Run(tc.name+"/"+path.name, func(t *testing.T) {
				open := func(context.Context) (dataset.Reader, error) {
					return dataset.NewReader(bytes.NewReader(path.data), "ref", path.format)
				}
				build := func(mv *MultivariateOptions) *Profile {
					r, err := open(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					opts := BuildOptions{Settings: DefaultSettings(), TempDir: t.TempDir(), Workers: path.workers,
						RowByRow: path.rowByRow, Now: now, Multivariate: mv}
					p, err := Build(context.Background(), r, "ref", opts)
					if err != nil {
						t.Fatal(err)
					}
					return p
				}
				want := build(nil)
				r, err := open(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				errIdx := indexOf(r.Columns(), "error")
				r.Close()
				skip := func(v []dataset.Value) bool { return isError(v[errIdx]) }
				m, err := multivariate.Fit(context.Background(), open, want.MultivariateSpecs(), multivariate.Options{Skip: skip, Workers: 1})
				if err != nil {
					t.Fatal(err)
				}
				if m.Rows != want.Rows-want.Errors {
					t.Fatalf("the model has %d rows, the profile %d records of which %d failed", m.Rows, want.Rows, want.Errors)
				}
				if err := want.SetMultivariate(m); err != nil {
					t.Fatal(err)
				}
				got := build(&MultivariateOptions{Options: multivariate.Options{Workers: path.workers}, Reopen: open})
				a, _ := want.Encode()
				b, _ := got.Encode()
				if !bytes.Equal(a, b) {
					t.Errorf("the profile differs from a build and a separate fit")
				}
			})
		}
	}
}
