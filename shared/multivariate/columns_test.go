package multivariate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/parquet-go/parquet-go"
)

type fitRecord struct {
	A   float64  `parquet:"a"`
	B   *float64 `parquet:"b,optional"`
	C   *string  `parquet:"c,optional,dict"`
	D   int64    `parquet:"d"`
	Bad float64  `parquet:"bad"` // not a feature
}

func fitParquet(t *testing.T, rows int, badAt int) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(4, 5))
	recs := make([]fitRecord, rows)
	cats := []string{"x", "y", "z", "rare"}
	for i := range recs {
		a := rng.NormFloat64()
		recs[i] = fitRecord{A: a, D: int64(rng.IntN(9))}
		if i%7 != 0 {
			b := 2*a + rng.NormFloat64()/4
			recs[i].B = &b
		}
		if i%11 != 0 {
			c := cats[rng.IntN(len(cats))]
			recs[i].C = &c
		}
		if i == badAt {
			recs[i].Bad = math.NaN()
		}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[fitRecord](&buf, parquet.MaxRowsPerRowGroup(3000), parquet.PageBufferSize(4096))
	if _, err := w.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rowsOnly hides that a reader can be read column by column.
type rowsOnly struct{ dataset.Reader }

// TestFitColumnsSameAsRows: fitting on a Parquet file read column by column
// gives the model, or the error, of reading it record by record.
func TestFitColumnsSameAsRows(t *testing.T) {
	specs := []multivariate.Spec{{"a", multivariate.Numeric}, {"b", multivariate.Numeric}, {"c", multivariate.Categorical}, {"d", multivariate.Numeric}}
	for _, tc := range []struct {
		name  string
		badAt int
	}{{"clean", -1}, {"a rejected value in another column", 9000}} {
		t.Run(tc.name, func(t *testing.T) {
			data := fitParquet(t, 10000, tc.badAt)
			fit := func(rows bool) ([]byte, error) {
				open := func(context.Context) (dataset.Reader, error) {
					r, err := dataset.NewReader(bytes.NewReader(data), "f.parquet", dataset.FormatParquet)
					if rows {
						return rowsOnly{r}, err
					}
					return r, err
				}
				m, err := multivariate.Fit(context.Background(), open, specs, multivariate.Options{})
				if err != nil {
					return nil, err
				}
				return json.Marshal(m)
			}
			want, wantErr := fit(true)
			got, err := fit(false)
			switch {
			case (tc.badAt >= 0) != (wantErr != nil):
				t.Fatalf("record by record: error %v", wantErr)
			case wantErr != nil && (err == nil || err.Error() != wantErr.Error()):
				t.Fatalf("column by column: error %v, want %v", err, wantErr)
			case !bytes.Equal(got, want):
				t.Fatalf("column by column: model\n%s\nwant\n%s", got, want)
			}
		})
	}
}
