package drift_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// expectedFeature is one feature of testdata/compare/*/expected.json, written
// by testdata/gen/compare_vectors.py with numpy and scipy.
type expectedFeature struct {
	Kind        string    `json:"kind"`
	CoarseEdges []float64 `json:"coarse_edges"`
	Categories  []string  `json:"categories"`
	Reference   []float64 `json:"reference"`
	Current     []float64 `json:"current"`
	PSI         float64   `json:"psi"`
	KL          float64   `json:"kl"`
	JS          float64   `json:"js"`
	Hellinger   float64   `json:"hellinger"`
	LInf        *float64  `json:"linf"`
	KSRaw       *float64  `json:"ks_raw"`
	KSGrid      *float64  `json:"ks_grid"`
	KSGridP     *float64  `json:"ks_grid_p"`
	Wasserstein *float64  `json:"wasserstein_raw"`
	Chi2        *struct {
		Statistic float64 `json:"statistic"`
		DOF       int     `json:"dof"`
		PValue    float64 `json:"p_value"`
	} `json:"chi2"`
	UnseenShare *float64 `json:"unseen_share"`
	Missing     struct {
		Reference float64 `json:"reference"`
		Current   float64 `json:"current"`
	} `json:"missing"`
}

// compareFiles builds the reference profile of ref, counts cur over its bins
// and compares them with the default config, as `modelwatch compare` does.
func compareFiles(t *testing.T, ref, cur string, cfg drift.Config) *drift.Report {
	t.Helper()
	ctx := context.Background()
	rr, err := dataset.Open(ref, "")
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	refProfile, err := profile.Build(ctx, rr, ref, profile.BuildOptions{Settings: profile.DefaultSettings(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := dataset.Open(cur, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	curProfile, warnings, err := profile.Count(ctx, cr, cur, refProfile, profile.Columns{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := drift.Compare(refProfile, curProfile, cfg, warnings...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestCompareMatchesScipy checks every statistic of the end-to-end path (CSV →
// reference profile → batch profile → report) against numpy and scipy.
func TestCompareMatchesScipy(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/compare/*/expected.json")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no test vectors in testdata/compare: %v", err)
	}
	for _, path := range cases {
		dir := filepath.Dir(path)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Features map[string]expectedFeature `json:"features"`
			}
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			rep := compareFiles(t, filepath.Join(dir, "reference.csv"), filepath.Join(dir, "current.csv"), drift.Config{})
			got := map[string]drift.FeatureResult{}
			for _, f := range rep.Features {
				got[f.Name] = f
			}
			for name, w := range want.Features {
				f, ok := got[name]
				if !ok {
					t.Errorf("%s: not in the report", name)
					continue
				}
				checkFeature(t, name, f, w)
			}
		})
	}
}

func checkFeature(t *testing.T, name string, f drift.FeatureResult, w expectedFeature) {
	t.Helper()
	const tol = 1e-9
	near := func(what string, got *float64, want float64, tol float64) {
		t.Helper()
		if got == nil {
			t.Errorf("%s %s: missing, want %g", name, what, want)
			return
		}
		if !scalar.EqualWithinAbsOrRel(*got, want, tol, tol) {
			t.Errorf("%s %s = %.15g, want %.15g", name, what, *got, want)
		}
	}
	if f.Kind != w.Kind {
		t.Errorf("%s kind = %s, want %s", name, f.Kind, w.Kind)
		return
	}
	if len(f.Bins.Reference) != len(w.Reference) || len(f.Bins.Current) != len(w.Current) {
		t.Fatalf("%s: %d/%d bins, want %d/%d", name, len(f.Bins.Reference), len(f.Bins.Current), len(w.Reference), len(w.Current))
	}
	for i := range w.Reference {
		near("reference proportion", &f.Bins.Reference[i], w.Reference[i], tol)
		near("current proportion", &f.Bins.Current[i], w.Current[i], tol)
	}
	for i, e := range w.CoarseEdges {
		if i >= len(f.Bins.Edges) || f.Bins.Edges[i] != e {
			t.Errorf("%s coarse edges = %v, want %v (numpy, bit for bit)", name, f.Bins.Edges, w.CoarseEdges)
			break
		}
	}
	if w.Kind == "categorical" {
		for i, c := range w.Categories {
			if i >= len(f.Bins.Categories) || f.Bins.Categories[i] != c {
				t.Errorf("%s categories = %v, want %v", name, f.Bins.Categories, w.Categories)
				break
			}
		}
	}
	near("psi", f.PSI, w.PSI, tol)
	near("kl", f.KL, w.KL, tol)
	near("js", f.JS, w.JS, tol)
	near("hellinger", f.Hellinger, w.Hellinger, tol)
	near("missing reference", &f.Missing.Reference, w.Missing.Reference, tol)
	near("missing current", &f.Missing.Current, w.Missing.Current, tol)
	if w.LInf != nil {
		near("linf", f.LInf, *w.LInf, tol)
	}
	if w.Chi2 != nil {
		if f.Chi2 == nil {
			t.Errorf("%s: no chi2", name)
		} else {
			near("chi2 statistic", &f.Chi2.Statistic, w.Chi2.Statistic, tol)
			near("chi2 p-value", &f.Chi2.PValue, w.Chi2.PValue, 1e-6)
			if f.Chi2.DOF != w.Chi2.DOF {
				t.Errorf("%s chi2 dof = %d, want %d", name, f.Chi2.DOF, w.Chi2.DOF)
			}
		}
	}
	if w.UnseenShare != nil {
		if f.Unseen == nil {
			t.Errorf("%s: no unseen share", name)
		} else {
			near("unseen share", &f.Unseen.Share, *w.UnseenShare, tol)
		}
	}
	if w.KSGrid != nil {
		if f.KS == nil {
			t.Fatalf("%s: no KS", name)
		}
		near("ks on the grid", &f.KS.Statistic, *w.KSGrid, tol)
		near("ks p-value on the grid", &f.KS.PValue, *w.KSGridP, 1e-6)
		if d := math.Abs(f.KS.Statistic - *w.KSRaw); d > 1.0/1000+1e-12 {
			t.Errorf("%s ks = %g, scipy on raw data %g: off by %g > 1/grid", name, f.KS.Statistic, *w.KSRaw, d)
		}
	}
	if w.Wasserstein != nil {
		if f.Wasserstein == nil {
			t.Fatalf("%s: no wasserstein", name)
		}
		// The documented bound of the binned distance (see stats.WassersteinBinned).
		if d := math.Abs(*f.Wasserstein - *w.Wasserstein); d > wassersteinTolerance(*w.Wasserstein) {
			t.Errorf("%s wasserstein = %g, scipy on raw data %g: off by %g", name, *f.Wasserstein, *w.Wasserstein, d)
		}
	}
}

func wassersteinTolerance(want float64) float64 { return 0.005*want + 0.002 }
