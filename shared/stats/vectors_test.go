package stats

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// The vectors are produced by testdata/gen/stats_vectors.py with NumPy and
// SciPy; see its docstring.
const vectorDir = "../../testdata/stats"

// nullable is a JSON number where null stands for NaN.
type nullable float64

func (n *nullable) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = nullable(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = nullable(f)
	return err
}

func loadVectors[T any](t testing.TB, name string) []T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatalf("reading vectors: %v (regenerate with python3 testdata/gen/stats_vectors.py)", err)
	}
	var v struct {
		Cases []T `json:"cases"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	if len(v.Cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return v.Cases
}

// errTracker records the worst relative error seen by a test.
type errTracker struct {
	worst float64
	where string
}

// relErr returns |got−want|/|want|, 0 for equal values (NaN included) and
// for differences below 1e-300.
func relErr(got, want float64) float64 {
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) || math.Abs(got-want) <= 1e-300 {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

func (e *errTracker) add(got, want float64, where string) {
	if r := relErr(got, want); r > e.worst || math.IsNaN(r) {
		e.worst, e.where = r, where
	}
}

// near reports whether got equals want within abs or rel tolerance, NaN
// matching NaN.
func near(got, want, abs, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return scalar.EqualWithinAbsOrRel(got, want, abs, rel)
}

const (
	tolStat = 1e-9   // bin-based statistics
	tolP    = 1e-6   // p-values, relative
	tinyP   = 1e-300 // p-values, absolute
)

type divergenceCase struct {
	Name      string   `json:"name"`
	Ref       []int64  `json:"ref"`
	Cur       []int64  `json:"cur"`
	PSI       nullable `json:"psi"`
	KL        nullable `json:"kl"`
	JS        nullable `json:"js"`
	Hellinger nullable `json:"hellinger"`
	LInf      nullable `json:"linf"`
	KS        nullable `json:"ks"`
	Chi2      chi2Case `json:"chi2"`
	Chi2GOF   chi2Case `json:"chi2_gof"`
}

type chi2Case struct {
	Statistic nullable `json:"statistic"`
	DOF       int      `json:"dof"`
	PValue    nullable `json:"pvalue"`
}

func TestDivergenceVectors(t *testing.T) {
	var worst errTracker
	for _, c := range loadVectors[divergenceCase](t, "divergences.json") {
		p, q := Proportions(c.Ref), Proportions(c.Cur)
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"PSI", PSI(p, q), float64(c.PSI)},
			{"KL", KL(p, q), float64(c.KL)},
			{"JensenShannon", JensenShannon(p, q), float64(c.JS)},
			{"Hellinger", Hellinger(p, q), float64(c.Hellinger)},
			{"LInf", LInf(p, q), float64(c.LInf)},
			{"KSStatisticCounts", KSStatisticCounts(c.Ref, c.Cur), float64(c.KS)},
		} {
			if !near(m.got, m.want, tolStat, tolStat) {
				t.Errorf("%s: %s = %v, want %v", c.Name, m.name, m.got, m.want)
			}
			worst.add(m.got, m.want, c.Name+" "+m.name)
		}
		for _, m := range []struct {
			name string
			got  ChiSquared
			want chi2Case
		}{
			{"ChiSquaredHomogeneity", ChiSquaredHomogeneity(c.Ref, c.Cur), c.Chi2},
			{"ChiSquaredGoodnessOfFit", ChiSquaredGoodnessOfFit(c.Ref, c.Cur), c.Chi2GOF},
		} {
			if !near(m.got.Statistic, float64(m.want.Statistic), tolStat, tolStat) {
				t.Errorf("%s: %s.Statistic = %v, want %v", c.Name, m.name, m.got.Statistic, m.want.Statistic)
			}
			worst.add(m.got.Statistic, float64(m.want.Statistic), c.Name+" "+m.name+".Statistic")
			if m.got.DOF != m.want.DOF {
				t.Errorf("%s: %s.DOF = %d, want %d", c.Name, m.name, m.got.DOF, m.want.DOF)
			}
			if want := float64(m.want.PValue); !near(m.got.PValue, want, tinyP, tolP) {
				t.Errorf("%s: %s.PValue = %v, want %v", c.Name, m.name, m.got.PValue, want)
			}
			worst.add(m.got.PValue, float64(m.want.PValue), c.Name+" "+m.name+".PValue")
		}
	}
	t.Logf("worst relative error %.3g (%s)", worst.worst, worst.where)
}

type kstwoCase struct {
	N      int     `json:"n"`
	D      float64 `json:"d"`
	SF     float64 `json:"sf"`
	Branch string  `json:"branch"`
}

func TestKolmogorovSFVectors(t *testing.T) {
	worst := map[string]*errTracker{}
	for _, c := range loadVectors[kstwoCase](t, "kstwo.json") {
		got := KolmogorovSF(c.N, c.D)
		if !near(got, c.SF, tinyP, tolP) {
			t.Errorf("KolmogorovSF(%d, %v) = %v, want %v [%s]", c.N, c.D, got, c.SF, c.Branch)
		}
		if worst[c.Branch] == nil {
			worst[c.Branch] = &errTracker{}
		}
		worst[c.Branch].add(got, c.SF, "")
	}
	branches := make([]string, 0, len(worst))
	for b := range worst {
		branches = append(branches, b)
	}
	slices.Sort(branches)
	for _, b := range branches {
		t.Logf("%-22s worst relative error %.3g", b, worst[b].worst)
	}
}

type bhCase struct {
	Name     string    `json:"name"`
	P        []float64 `json:"p"`
	Adjusted []float64 `json:"adjusted"`
}

func TestBenjaminiHochbergVectors(t *testing.T) {
	var worst errTracker
	for _, c := range loadVectors[bhCase](t, "bh.json") {
		in := slices.Clone(c.P)
		got := BenjaminiHochberg(c.P)
		if !slices.Equal(in, c.P) {
			t.Errorf("%s: input modified", c.Name)
		}
		if len(got) != len(c.Adjusted) {
			t.Fatalf("%s: len = %d, want %d", c.Name, len(got), len(c.Adjusted))
		}
		for i := range got {
			if !near(got[i], c.Adjusted[i], 0, 1e-12) {
				t.Errorf("%s: adjusted[%d] = %v, want %v", c.Name, i, got[i], c.Adjusted[i])
			}
			worst.add(got[i], c.Adjusted[i], c.Name)
		}
	}
	t.Logf("worst relative error %.3g (%s)", worst.worst, worst.where)
}

type quantileCase struct {
	Name      string    `json:"name"`
	Sorted    []float64 `json:"sorted"`
	Probs     []float64 `json:"probs"`
	Quantiles []float64 `json:"quantiles"`
}

func TestQuantilesVectors(t *testing.T) {
	for _, c := range loadVectors[quantileCase](t, "quantiles.json") {
		got := Quantiles(c.Sorted, c.Probs)
		for i, want := range c.Quantiles {
			// Bit-for-bit, except that −0 and +0 compare equal.
			if got[i] != want {
				t.Errorf("%s: Quantile(%v) = %v, want %v", c.Name, c.Probs[i], got[i], want)
			}
		}
	}
}

type sampleCase struct {
	Name          string    `json:"name"`
	Ref           []float64 `json:"ref"`
	Cur           []float64 `json:"cur"`
	EdgeQuantiles []float64 `json:"edge_quantiles"`
	KSD           float64   `json:"ks_d"`
	KSPAsymp      nullable  `json:"ks_p_asymp"`
	Wasserstein   float64   `json:"wasserstein"`
	FineGrid      bool      `json:"fine_grid"`
}

// binSamples returns the deduplicated 1000-bin reference quantile edges, the
// common minimum and maximum and the counts of both samples.
func binSamples(t *testing.T, c sampleCase) (edges []float64, lo, hi float64, ref, cur []int64) {
	sorted := slices.Clone(c.Ref)
	slices.Sort(sorted)
	probs := make([]float64, 999)
	for i := range probs {
		probs[i] = float64(i+1) / 1000
	}
	q := Quantiles(sorted, probs)
	for i := range q {
		if q[i] != c.EdgeQuantiles[i] {
			t.Fatalf("%s: edge quantile %v = %v, numpy %v", c.Name, probs[i], q[i], c.EdgeQuantiles[i])
		}
	}
	edges = slices.Compact(q)
	lo = math.Min(slices.Min(c.Ref), slices.Min(c.Cur))
	hi = math.Max(slices.Max(c.Ref), slices.Max(c.Cur))
	ref = make([]int64, len(edges)+1)
	cur = make([]int64, len(edges)+1)
	bins := NewBins(edges)
	for _, v := range c.Ref {
		ref[bins.Index(v)]++
	}
	for _, v := range c.Cur {
		i := BinIndex(edges, v)
		if j := bins.Index(v); i != j {
			t.Fatalf("%s: Bins.Index(%v) = %d, BinIndex = %d", c.Name, v, j, i)
		}
		cur[i]++
	}
	return edges, lo, hi, ref, cur
}

func TestSampleVectors(t *testing.T) {
	var wWorst, pWorst errTracker
	var ksGap float64
	for _, c := range loadVectors[sampleCase](t, "samples.json") {
		edges, lo, hi, ref, cur := binSamples(t, c)

		// Exact Wasserstein of the raw samples.
		w := Wasserstein(c.Ref, c.Cur)
		if !near(w, c.Wasserstein, 1e-9, 1e-9) {
			t.Errorf("%s: Wasserstein = %v, want %v", c.Name, w, c.Wasserstein)
		}
		wWorst.add(w, c.Wasserstein, c.Name)

		// Binned Wasserstein within its documented bound.
		wb := WassersteinBinned(edges, lo, hi, ref, cur)
		bound := WassersteinBinnedBound(edges, lo, hi, ref, cur)
		diff := math.Abs(wb - c.Wasserstein)
		if diff > bound*(1+1e-12)+1e-12 {
			t.Errorf("%s: |WassersteinBinned − W₁| = %v exceeds bound %v", c.Name, diff, bound)
		}

		// Binned KS statistic: never above the exact one, and below it by at
		// most the largest bin proportion (1/1000 on fine grids).
		d := KSStatisticCounts(ref, cur)
		maxProp := 0.0
		for i, p := range Proportions(ref) {
			maxProp = math.Max(maxProp, math.Max(p, Proportions(cur)[i]))
		}
		gap := c.KSD - d
		switch {
		case gap < -1e-12:
			t.Errorf("%s: KSStatisticCounts = %v exceeds exact D = %v", c.Name, d, c.KSD)
		case c.FineGrid && gap > 1e-3+1e-12:
			t.Errorf("%s: KSStatisticCounts = %v, exact D = %v: gap %v > 1/1000", c.Name, d, c.KSD, gap)
		case gap > maxProp+1e-12:
			t.Errorf("%s: KSStatisticCounts = %v, exact D = %v: gap %v > max bin proportion %v",
				c.Name, d, c.KSD, gap, maxProp)
		}
		if c.FineGrid {
			ksGap = math.Max(ksGap, gap)
		}
		t.Logf("%-24s bins %4d  W₁ %.6g  |binned−W₁| %.3g  bound %.3g  D %.6g  D−D_grid %.3g",
			c.Name, len(ref), c.Wasserstein, diff, bound, c.KSD, gap)

		// KSPValue follows ks_2samp(method='asymp'); scipy gives NaN for
		// n = m = 1, where KSPValue uses N = 1.
		n, m := int64(len(c.Ref)), int64(len(c.Cur))
		p := KSPValue(c.KSD, n, m)
		if want := float64(c.KSPAsymp); !math.IsNaN(want) {
			if !near(p, want, tinyP, tolP) {
				t.Errorf("%s: KSPValue(%v, %d, %d) = %v, want %v", c.Name, c.KSD, n, m, p, want)
			}
			pWorst.add(p, want, c.Name)
		} else if p != KolmogorovSF(1, c.KSD) {
			t.Errorf("%s: KSPValue(%v, %d, %d) = %v, want KolmogorovSF(1, d)", c.Name, c.KSD, n, m, p)
		}
	}
	t.Logf("Wasserstein worst relative error %.3g (%s)", wWorst.worst, wWorst.where)
	t.Logf("KSPValue worst relative error %.3g (%s)", pWorst.worst, pWorst.where)
	t.Logf("binned KS: largest D − D_grid on fine grids %.3g", ksGap)
}
