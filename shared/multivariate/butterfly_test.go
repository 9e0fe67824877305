package multivariate_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// butterfly draws n rows of four standard-normal features in two pairs
// correlated 0.9 (x1 with x2, x3 with x4); rotated, the (x1, x2) plane is
// turned by 90° ((x1, x2) → (−x2, x1)): every marginal distribution stays
// N(0, 1), only the sign of the pair's correlation flips (NannyML's
// butterfly data set).
func butterfly(rng *rand.Rand, n int, rotated bool) [][]float64 {
	const rho = 0.9
	s := math.Sqrt(1 - rho*rho)
	rows := make([][]float64, n)
	for i := range rows {
		a, c := rng.NormFloat64(), rng.NormFloat64()
		x := []float64{a, rho*a + s*rng.NormFloat64(), c, rho*c + s*rng.NormFloat64()}
		if rotated {
			x[0], x[1] = -x[1], x[0]
		}
		rows[i] = x
	}
	return rows
}

func csvOf(rows [][]float64) []byte { return csvOfRows(rows) }

// csvOfRows writes rows as CSV with columns x1, x2, ….
func csvOfRows(rows [][]float64) []byte {
	var b bytes.Buffer
	for j := range rows[0] {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString("x" + strconv.Itoa(j+1))
	}
	b.WriteByte('\n')
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func reader(t testing.TB, data []byte) dataset.Reader {
	t.Helper()
	r, err := dataset.NewReader(bytes.NewReader(data), "rows.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// butterflyReference builds the reference profile of 20,000 rows with its
// multivariate model, as `modelwatch profile build` does.
func butterflyReference(t *testing.T) *profile.Profile {
	t.Helper()
	ctx := context.Background()
	data := csvOf(butterfly(rand.New(rand.NewPCG(1, 17)), 20000, false))
	ref, err := profile.Build(ctx, reader(t, data), "reference.csv", profile.BuildOptions{Settings: profile.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	specs := []multivariate.Spec{{"x1", multivariate.Numeric}, {"x2", multivariate.Numeric}, {"x3", multivariate.Numeric}, {"x4", multivariate.Numeric}}
	open := func(context.Context) (dataset.Reader, error) { return reader(t, data), nil }
	m, err := multivariate.Fit(ctx, open, specs, multivariate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.SetMultivariate(m); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestButterflyRotationIsSeenOnlyByTheReconstructionError: a window whose
// (x1, x2) plane is rotated by 90° drifts on the reconstruction error while
// every per-feature statistic stays quiet.
func TestButterflyRotationIsSeenOnlyByTheReconstructionError(t *testing.T) {
	ref := butterflyReference(t)
	if n := len(ref.Multivariate.Components); n != 2 {
		t.Fatalf("kept %d components, want the 2 of the two correlated pairs", n)
	}
	for _, tc := range []struct {
		name    string
		rotated bool
	}{{"rotated", true}, {"control", false}} {
		t.Run(tc.name, func(t *testing.T) {
			rows := butterfly(rand.New(rand.NewPCG(2, 17)), 2000, tc.rotated)
			cur, _, err := profile.Count(context.Background(), reader(t, csvOf(rows)), "current.csv", ref, profile.Columns{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := drift.Compare(ref, cur, drift.Config{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Features {
				if f.Severity != drift.OK || *f.PSI >= 0.1 || f.KS.PValue < 0.01 || *f.Wasserstein >= 0.1 || *f.JS >= 0.1 {
					t.Errorf("%s: feature %s is not quiet: severity %s, PSI %.4f, KS D %.4f p %.3g, W %.4f, JS %.4f",
						tc.name, f.Name, f.Severity, *f.PSI, f.KS.Statistic, f.KS.PValue, *f.Wasserstein, *f.JS)
				}
			}
			if rep.DatasetDrift.Detected {
				t.Errorf("%s: dataset drift detected", tc.name)
			}
			mv := rep.Multivariate
			if mv == nil {
				t.Fatal("no multivariate result")
			}
			t.Logf("%s: mean reconstruction error %.4f, thresholds (%.4f, %.4f), reference mean %.4f; error PSI %.3f, KS %.3f; top feature %s",
				tc.name, mv.Mean, mv.Lower, mv.Upper, mv.ReferenceMean, mv.PSI, mv.KS, mv.Contributions[0].Feature)
			if mv.Drift != tc.rotated {
				t.Errorf("%s: multivariate drift %v, want %v (mean %.4f, thresholds %.4f..%.4f)", tc.name, mv.Drift, tc.rotated, mv.Mean, mv.Lower, mv.Upper)
			}
			if tc.rotated {
				top := map[string]bool{mv.Contributions[0].Feature: true, mv.Contributions[1].Feature: true}
				if !top["x1"] || !top["x2"] {
					t.Errorf("the features that moved together are x1 and x2; the report names %s and %s first",
						mv.Contributions[0].Feature, mv.Contributions[1].Feature)
				}
			}
		})
	}
}

// TestNoDriftStaysUnderTheThreshold: windows drawn from the reference's own
// distribution stay inside the thresholds in at least 99 % of windows, over
// many seeds and two window sizes — for the butterfly data, and for 13
// independent features and a reference of 5,000 rows, where PCA's fit to its
// own rows would put their errors well below fresh rows' (the reference's
// errors are out-of-fold for that reason).
func TestNoDriftStaysUnderTheThreshold(t *testing.T) {
	independent := func(rng *rand.Rand, n int) [][]float64 {
		rows := make([][]float64, n)
		for i := range rows {
			r := make([]float64, 13)
			for j := range r {
				r[j] = rng.NormFloat64()
			}
			rows[i] = r
		}
		return rows
	}
	for _, tc := range []struct {
		name string
		rows func(rng *rand.Rand, n int) [][]float64
		ref  int
	}{
		{"butterfly", func(rng *rand.Rand, n int) [][]float64 { return butterfly(rng, n, false) }, 20000},
		{"independent", independent, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := csvOfRows(tc.rows(rand.New(rand.NewPCG(1, 17)), tc.ref))
			d := len(tc.rows(rand.New(rand.NewPCG(1, 1)), 1)[0])
			var specs []multivariate.Spec
			for j := range d {
				specs = append(specs, multivariate.Spec{Name: "x" + strconv.Itoa(j+1), Kind: multivariate.Numeric})
			}
			open := func(context.Context) (dataset.Reader, error) { return reader(t, data), nil }
			m, err := multivariate.Fit(context.Background(), open, specs, multivariate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sc := multivariate.NewScorer(m)
			vals := make([]dataset.Value, d)
			resid := make([]float64, d)
			for _, size := range []int{200, 1000} {
				const windows = 1000
				inside := 0
				var sigmas float64
				for seed := uint64(0); seed < windows; seed++ {
					s := multivariate.NewSummary(m)
					for _, r := range tc.rows(rand.New(rand.NewPCG(seed, uint64(size))), size) {
						for j, v := range r {
							vals[j] = dataset.Value{Kind: dataset.Number, Num: v}
						}
						s.Add(m.Edges, sc.Error(vals, resid), resid)
					}
					res, err := multivariate.Compare(m, s)
					if err != nil {
						t.Fatal(err)
					}
					if !res.Drift {
						inside++
					}
					sigmas += res.Sigmas
				}
				share := float64(inside) / windows
				t.Logf("%s, windows of %d rows: %d of %d inside the thresholds (%.1f %%), mean %.2f standard errors from the reference mean",
					tc.name, size, inside, windows, 100*share, sigmas/windows)
				if share < 0.99 {
					t.Errorf("windows of %d rows: only %.1f %% inside the thresholds, want ≥ 99 %%", size, 100*share)
				}
			}
		})
	}
}
