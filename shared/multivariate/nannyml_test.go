package multivariate_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// nannymlCase is a file written by testdata/gen/multivariate_vectors.py:
// NannyML's DataReconstructionDriftCalculator on the CSV files beside it.
type nannymlCase struct {
	Features []struct {
		Name string            `json:"name"`
		Kind multivariate.Kind `json:"kind"`
	} `json:"features"`
	VarianceShare   float64   `json:"variance_share"`
	Components      int       `json:"components"`
	ChunkSize       int       `json:"chunk_size"`
	ReferenceChunks []float64 `json:"reference_chunks"`
	AnalysisChunks  []float64 `json:"analysis_chunks"`
}

const vectors = "../../testdata/multivariate"

func openCSV(path string) multivariate.Open {
	return func(context.Context) (dataset.Reader, error) { return dataset.Open(path, dataset.FormatCSV) }
}

// chunkMeans scores the rows of a CSV file and returns the mean error of
// each chunk of size rows (NannyML's size chunker drops no rows when size
// divides the count, as in the vectors).
func chunkMeans(t *testing.T, m *multivariate.Model, path string, size int) []float64 {
	t.Helper()
	r, err := dataset.Open(path, dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	idx := make([]int, len(m.Features))
	for j, f := range m.Features {
		idx[j] = -1
		for i, c := range r.Columns() {
			if c == f.Name {
				idx[j] = i
			}
		}
	}
	sc := multivariate.NewScorer(m)
	vals := make([]dataset.Value, len(m.Features))
	var (
		row   dataset.Row
		means []float64
		sum   float64
		n     int
	)
	for {
		if err := r.Next(&row); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for j, i := range idx {
			vals[j] = row.Values[i]
		}
		sum += sc.Error(vals, nil)
		if n++; n == size {
			means = append(means, sum/float64(n))
			sum, n = 0, 0
		}
	}
	if n != 0 {
		t.Fatalf("%s: %d rows left over chunks of %d", path, n, size)
	}
	return means
}

// TestAgreesWithNannyML: the same preprocessing, the same number of kept
// components and the per-chunk mean reconstruction error of NannyML 0.13.1
// within 1e-6 relative.
func TestAgreesWithNannyML(t *testing.T) {
	for _, name := range []string{"mixed", "numeric", "wide"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(vectors, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var c nannymlCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			specs := make([]multivariate.Spec, len(c.Features))
			for i, f := range c.Features {
				specs[i] = multivariate.Spec{Name: f.Name, Kind: f.Kind}
			}
			ref := filepath.Join(vectors, name+".reference.csv")
			m, err := multivariate.Fit(context.Background(), openCSV(ref), specs, multivariate.Options{VarianceShare: c.VarianceShare})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Components) != c.Components {
				t.Fatalf("kept %d components, NannyML %d", len(m.Components), c.Components)
			}
			for _, part := range []struct {
				file string
				want []float64
			}{{name + ".reference.csv", c.ReferenceChunks}, {name + ".analysis.csv", c.AnalysisChunks}} {
				got := chunkMeans(t, m, filepath.Join(vectors, part.file), c.ChunkSize)
				if len(got) != len(part.want) {
					t.Fatalf("%s: %d chunks, NannyML %d", part.file, len(got), len(part.want))
				}
				for i := range got {
					if rel := math.Abs(got[i]-part.want[i]) / math.Abs(part.want[i]); !(rel <= 1e-6) {
						t.Errorf("%s chunk %d: mean error %.12g, NannyML %.12g (relative difference %.2g)", part.file, i, got[i], part.want[i], rel)
					} else {
						t.Logf("%s chunk %d: %.12g vs NannyML %.12g (relative %.1e)", part.file, i, got[i], part.want[i], rel)
					}
				}
			}
		})
	}
}

// TestProfilePathAgreesWithNannyML: the same vectors through the path of
// production — profile build with the model, then the batch profile's
// reconstruction summary as ingest and compare count it — give NannyML's mean
// error over the analysis rows (the mean of its equal-sized chunks).
func TestProfilePathAgreesWithNannyML(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"mixed", "numeric", "wide"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(vectors, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var c nannymlCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			refPath := filepath.Join(vectors, name+".reference.csv")
			r, err := dataset.Open(refPath, dataset.FormatCSV)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := profile.Build(ctx, r, refPath, profile.BuildOptions{Settings: profile.DefaultSettings(), TempDir: t.TempDir()})
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			var specs []multivariate.Spec
			for _, f := range ref.Features {
				k := multivariate.Numeric
				if f.Kind == profile.Categorical {
					k = multivariate.Categorical
				}
				specs = append(specs, multivariate.Spec{Name: f.Name, Kind: k})
			}
			m, err := multivariate.Fit(ctx, openCSV(refPath), specs, multivariate.Options{VarianceShare: c.VarianceShare})
			if err != nil {
				t.Fatal(err)
			}
			if err := ref.SetMultivariate(m); err != nil {
				t.Fatal(err)
			}
			cr, err := dataset.Open(filepath.Join(vectors, name+".analysis.csv"), dataset.FormatCSV)
			if err != nil {
				t.Fatal(err)
			}
			defer cr.Close()
			cur, _, err := profile.Count(ctx, cr, name+".analysis.csv", ref, profile.Columns{})
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			for _, v := range c.AnalysisChunks {
				want += v / float64(len(c.AnalysisChunks))
			}
			got := cur.Reconstruction.Mean()
			if rel := math.Abs(got-want) / want; !(rel <= 1e-6) {
				t.Errorf("mean error of the batch profile %.12g, NannyML %.12g (relative %.2g)", got, want, rel)
			}
		})
	}
}
