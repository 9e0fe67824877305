package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	negZ = math.Copysign(0, -1)
)

func TestProportions(t *testing.T) {
	for _, test := range []struct {
		counts []int64
		want   []float64
	}{
		{nil, []float64{}},
		{[]int64{0, 0}, []float64{0, 0}},
		{[]int64{1, 3}, []float64{0.25, 0.75}},
		{[]int64{0, 5, 0}, []float64{0, 1, 0}},
	} {
		if got := Proportions(test.counts); !slices.Equal(got, test.want) {
			t.Errorf("Proportions(%v) = %v, want %v", test.counts, got, test.want)
		}
	}
}

func TestDivergenceSpecialCases(t *testing.T) {
	p := []float64{0.1, 0, 0.6, 0.3}
	for _, test := range []struct {
		name string
		fn   func(p, q []float64) float64
	}{
		{"PSI", PSI}, {"KL", KL}, {"JensenShannon", JensenShannon},
		{"Hellinger", Hellinger}, {"LInf", LInf},
	} {
		if got := test.fn(p, p); got != 0 {
			t.Errorf("%s(p, p) = %v, want 0", test.name, got)
		}
	}
	// Jensen-Shannon normalises its inputs.
	if got := JensenShannon([]float64{1, 2, 3}, []float64{2, 4, 6}); got != 0 {
		t.Errorf("JensenShannon of proportional inputs = %v, want 0", got)
	}
	if got := JensenShannon([]float64{0, 0}, []float64{0.5, 0.5}); !math.IsNaN(got) {
		t.Errorf("JensenShannon with zero sum = %v, want NaN", got)
	}
	// Disjoint supports: JS distance 1, Hellinger 1, L∞ = max mass.
	a, b := []float64{0.5, 0.5, 0, 0}, []float64{0, 0, 0.25, 0.75}
	for _, test := range []struct {
		name      string
		got, want float64
	}{
		{"JensenShannon", JensenShannon(a, b), 1},
		{"Hellinger", Hellinger(a, b), 1},
		{"LInf", LInf(a, b), 0.75},
		{"PSI", PSI(a, b), 2*(Epsilon-0.5)*math.Log(Epsilon/0.5) +
			(0.25-Epsilon)*math.Log(0.25/Epsilon) + (0.75-Epsilon)*math.Log(0.75/Epsilon)},
	} {
		if !scalar.EqualWithinAbsOrRel(test.got, test.want, 1e-12, 1e-12) {
			t.Errorf("%s(disjoint) = %v, want %v", test.name, test.got, test.want)
		}
	}
	if got := LInf([]float64{0, nan}, []float64{0, 0}); !math.IsNaN(got) {
		t.Errorf("LInf with NaN = %v, want NaN", got)
	}
}

func TestKolmogorovSFSpecialCases(t *testing.T) {
	for _, test := range []struct {
		n    int
		d    float64
		want float64
	}{
		{0, 0.5, nan},
		{-3, 0.5, nan},
		{10, nan, nan},
		{10, -1, 1},
		{10, 0, 1},
		{10, 0.05, 1}, // d ≤ 1/(2n)
		{10, 1, 0},
		{10, 2, 0},
		{10, inf, 0},
		{1, 0.75, 0.5}, // 2(1−d)
		{2, 0.75, 2 * 0.25 * 0.25},
		{1000, 0.9, 0},    // 2(1−d)ⁿ underflows
		{1000000, 0.2, 0}, // n·d² ≥ 370
	} {
		got := KolmogorovSF(test.n, test.d)
		if !(got == test.want || math.IsNaN(got) && math.IsNaN(test.want)) {
			t.Errorf("KolmogorovSF(%d, %v) = %v, want %v", test.n, test.d, got, test.want)
		}
	}
}

// TestKolmogorovSFMonotone checks that the survival function does not
// increase with d, across all the algorithm switch points.
func TestKolmogorovSFMonotone(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 40, 140, 141, 1000, 100000, 100001, 2000000} {
		prev := 1.0
		for i := 0; i <= 400; i++ {
			// d from 0 to 1, denser where the distribution has its mass.
			u := float64(i) / 400
			d := math.Min(1, u*u*math.Max(1, 8/math.Sqrt(float64(n))))
			if n > 100000 && d > 0.05 {
				break // the rest is 0 or far in the exact-sum tail
			}
			sf := KolmogorovSF(n, d)
			if sf < 0 || sf > 1 || sf > prev*(1+1e-9)+1e-15 {
				t.Fatalf("n=%d: KolmogorovSF(%v) = %v after %v", n, d, sf, prev)
			}
			prev = sf
		}
	}
}

func TestKSPValue(t *testing.T) {
	const d = 0.3
	for _, test := range []struct {
		n, m int64
		want float64
	}{
		{0, 10, 1},
		{10, 0, 1},
		{1, 1, KolmogorovSF(1, d)}, // scipy: round(0.5) = 0, NaN
		{1, 3, KolmogorovSF(1, d)}, // 0.75 → 1
		{5, 5, KolmogorovSF(2, d)}, // 2.5 → 2, half to even
		{7, 7, KolmogorovSF(4, d)}, // 3.5 → 4
		{3, 6, KolmogorovSF(2, d)}, // exactly 2
		{100, 300, KolmogorovSF(75, d)},
	} {
		if got := KSPValue(d, test.n, test.m); got != test.want {
			t.Errorf("KSPValue(%v, %d, %d) = %v, want %v", d, test.n, test.m, got, test.want)
		}
	}
}

func TestKSStatisticCounts(t *testing.T) {
	for _, test := range []struct {
		ref, cur []int64
		want     float64
	}{
		{[]int64{}, []int64{}, 0},
		{[]int64{0, 0}, []int64{1, 2}, 0},
		{[]int64{3, 1}, []int64{0, 0}, 0},
		{[]int64{1, 1, 1, 1}, []int64{1, 1, 1, 1}, 0},
		{[]int64{4, 0}, []int64{0, 4}, 1},
		{[]int64{1, 1, 2}, []int64{2, 1, 1}, 0.25},
	} {
		if got := KSStatisticCounts(test.ref, test.cur); got != test.want {
			t.Errorf("KSStatisticCounts(%v, %v) = %v, want %v", test.ref, test.cur, got, test.want)
		}
	}
}

func TestChiSquaredHomogeneitySpecialCases(t *testing.T) {
	none := ChiSquared{Statistic: 0, DOF: 0, PValue: 1}
	for _, test := range []struct {
		ref, cur []int64
		want     ChiSquared
	}{
		{[]int64{}, []int64{}, none},
		{[]int64{5, 5}, []int64{0, 0}, none},
		{[]int64{0, 0}, []int64{5, 5}, none},
		{[]int64{10}, []int64{3}, none},
		{[]int64{0, 10, 0}, []int64{0, 3, 0}, none}, // one bin not empty on both sides
		{[]int64{5, 5}, []int64{5, 5}, ChiSquared{0, 1, 1}},
		// Bins empty on both sides are dropped: ref (2, 0, 2), cur (0, 0, 4)
		// → table [[2, 2], [0, 4]], expected [[1, 3], [1, 3]], statistic
		// 1 + 1/3 + 1 + 1/3.
		{[]int64{2, 0, 2}, []int64{0, 0, 4}, ChiSquared{
			Statistic: 8.0 / 3, DOF: 1, PValue: 0.10247043485974942, // scipy
		}},
		// The reference is a sample too: a category only the current side
		// has is tested, not merged away.
		{[]int64{0, 1, 1}, []int64{2, 1, 1}, ChiSquared{
			Statistic: 1.5, DOF: 2, PValue: math.Exp(-0.75), // χ²₂ survival is exp(−x/2)
		}},
	} {
		got := ChiSquaredHomogeneity(test.ref, test.cur)
		if got.DOF != test.want.DOF ||
			!scalar.EqualWithinAbsOrRel(got.Statistic, test.want.Statistic, 1e-14, 1e-14) ||
			!scalar.EqualWithinAbsOrRel(got.PValue, test.want.PValue, 1e-14, 1e-14) {
			t.Errorf("ChiSquaredHomogeneity(%v, %v) = %+v, want %+v", test.ref, test.cur, got, test.want)
		}
	}
}

// TestChiSquaredHomogeneityLargeReference pins the reason chi2 is the
// two-sample test: with a reference ten times the size of the current
// window and the same small shift, the one-sample form treats the reference
// as exact and reports a much smaller p-value.
func TestChiSquaredHomogeneityLargeReference(t *testing.T) {
	ref := []int64{30000, 30000, 40000}
	cur := []int64{3150, 2950, 3900}
	two, one := ChiSquaredHomogeneity(ref, cur), ChiSquaredGoodnessOfFit(ref, cur)
	if !(two.PValue > one.PValue) {
		t.Fatalf("homogeneity p = %g, goodness of fit p = %g: want the two-sample p larger", two.PValue, one.PValue)
	}
	// scipy.stats.chi2_contingency([ref, cur], correction=False).pvalue
	if want := 0.0073579052973086895; !scalar.EqualWithinRel(two.PValue, want, 1e-9) {
		t.Errorf("homogeneity p = %.17g, want %.17g", two.PValue, want)
	}
}

func TestChiSquaredGoodnessOfFitSpecialCases(t *testing.T) {
	none := ChiSquared{Statistic: 0, DOF: 0, PValue: 1}
	for _, test := range []struct {
		ref, cur []int64
		want     ChiSquared
	}{
		{[]int64{}, []int64{}, none},
		{[]int64{5, 5}, []int64{0, 0}, none},
		{[]int64{0, 0}, []int64{5, 5}, none},
		{[]int64{10}, []int64{3}, none},
		{[]int64{0, 10, 0}, []int64{4, 3, 2}, none}, // one bin after merging
		{[]int64{5, 5}, []int64{5, 5}, ChiSquared{0, 1, 1}},
		// Bin 0 (no expectation) merges into bin 1, the lower of the tied
		// bins 1 and 3: observed 2+4, 8, 2 against expected 4, 8, 4.
		{[]int64{0, 1, 2, 1}, []int64{4, 2, 8, 2}, ChiSquared{
			Statistic: 2, DOF: 2, PValue: math.Exp(-1), // χ²₂ survival is exp(−x/2)
		}},
	} {
		got := ChiSquaredGoodnessOfFit(test.ref, test.cur)
		if got.DOF != test.want.DOF ||
			!scalar.EqualWithinAbsOrRel(got.Statistic, test.want.Statistic, 1e-14, 1e-14) ||
			!scalar.EqualWithinAbsOrRel(got.PValue, test.want.PValue, 1e-14, 1e-14) {
			t.Errorf("ChiSquaredGoodnessOfFit(%v, %v) = %+v, want %+v", test.ref, test.cur, got, test.want)
		}
	}
}

func TestWassersteinBinned(t *testing.T) {
	for _, test := range []struct {
		name     string
		edges    []float64
		lo, hi   float64
		ref, cur []int64
		want     float64
	}{
		{"empty side", []float64{1}, 0, 2, []int64{0, 0}, []int64{1, 1}, 0},
		{"identical", []float64{1, 2}, 0, 3, []int64{1, 2, 3}, []int64{2, 4, 6}, 0},
		// F_ref − F_cur rises to 1 at x = 1 and falls back to 0 at x = 2.
		{"shift", []float64{1}, 0, 2, []int64{3, 0}, []int64{0, 3}, 1},
		// D = 0, 0.5, −0.5, 0 at 0, 1, 2, 3: the middle segment changes sign.
		{"sign change", []float64{1, 2}, 0, 3, []int64{2, 0, 2}, []int64{0, 4, 0}, 0.75},
		// Zero-width bins (duplicate edges, lo = edges[0]) hold point masses.
		{"zero width", []float64{0, 0, 1}, 0, 1, []int64{2, 0, 0, 0}, []int64{0, 0, 2, 0}, 0.5},
	} {
		got := WassersteinBinned(test.edges, test.lo, test.hi, test.ref, test.cur)
		if !scalar.EqualWithinAbsOrRel(got, test.want, 1e-15, 1e-15) {
			t.Errorf("%s: WassersteinBinned = %v, want %v", test.name, got, test.want)
		}
	}
}

// TestWassersteinBinnedBound checks the documented bound on random samples,
// with coarse grids where it matters most.
func TestWassersteinBinnedBound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	var errUniform, errTails float64
	for iter := 0; iter < 300; iter++ {
		a := make([]float64, 1+rnd.IntN(60))
		b := make([]float64, 1+rnd.IntN(60))
		for i := range a {
			a[i] = math.Round(rnd.NormFloat64()*3) / 2
		}
		for i := range b {
			b[i] = rnd.ExpFloat64()
		}
		edges := make([]float64, rnd.IntN(8))
		for i := range edges {
			edges[i] = rnd.NormFloat64()
		}
		slices.Sort(edges)
		lo := math.Min(slices.Min(a), slices.Min(b))
		hi := math.Max(slices.Max(a), slices.Max(b))
		if len(edges) > 0 {
			lo, hi = math.Min(lo, edges[0]), math.Max(hi, edges[len(edges)-1])
		}
		ra, rb := make([]int64, len(edges)+1), make([]int64, len(edges)+1)
		var ta, tb Tails
		addTail := func(t *Tails, i int, v float64) {
			if i == 0 {
				t.Low += v
			} else if i == len(edges) {
				t.High += v
			}
		}
		for _, v := range a {
			i := BinIndex(edges, v)
			ra[i]++
			addTail(&ta, i, v)
		}
		for _, v := range b {
			i := BinIndex(edges, v)
			rb[i]++
			addTail(&tb, i, v)
		}
		w := Wasserstein(a, b)
		wb := WassersteinBinned(edges, lo, hi, ra, rb)
		wt := WassersteinBinnedTails(edges, lo, hi, ra, rb, ta, tb)
		bound := WassersteinBinnedBound(edges, lo, hi, ra, rb)
		if math.Abs(wb-w) > bound*(1+1e-12)+1e-12 {
			t.Fatalf("edges %v: |%v − %v| > bound %v", edges, wb, w, bound)
		}
		if math.Abs(wt-w) > bound*(1+1e-12)+1e-12 {
			t.Fatalf("edges %v: tails |%v − %v| > bound %v", edges, wt, w, bound)
		}
		errUniform += math.Abs(wb - w)
		errTails += math.Abs(wt - w)
	}
	// The tail sums make the open-ended bins exact where D keeps its sign.
	if errTails >= errUniform/2 {
		t.Errorf("total error with tail sums %g, without %g: want at most half", errTails, errUniform)
	}
	t.Logf("total |error| over 300 cases: uniform %g, with tail sums %g", errUniform, errTails)
}

func TestWasserstein(t *testing.T) {
	for _, test := range []struct {
		a, b []float64
		want float64
	}{
		{nil, []float64{1}, 0},
		{[]float64{0}, []float64{1}, 1},
		{[]float64{3, 1, 2}, []float64{2, 3, 1}, 0},
		{[]float64{0, 0, 1}, []float64{1}, 2.0 / 3},
		{[]float64{0, 1, 3}, []float64{5, 6, 8}, 5},
		{[]float64{0, nan}, []float64{1}, nan},
	} {
		a := slices.Clone(test.a)
		got := Wasserstein(test.a, test.b)
		if !(scalar.EqualWithinAbsOrRel(got, test.want, 1e-15, 1e-15) || math.IsNaN(got) && math.IsNaN(test.want)) {
			t.Errorf("Wasserstein(%v, %v) = %v, want %v", test.a, test.b, got, test.want)
		}
		if !slices.EqualFunc(a, test.a, func(x, y float64) bool { return x == y || x != x && y != y }) {
			t.Errorf("Wasserstein modified its input")
		}
	}
}

func TestBenjaminiHochbergSpecialCases(t *testing.T) {
	if got := BenjaminiHochberg(nil); len(got) != 0 {
		t.Errorf("BenjaminiHochberg(nil) = %v", got)
	}
	if got := BenjaminiHochberg([]float64{0.7}); !slices.Equal(got, []float64{0.7}) {
		t.Errorf("BenjaminiHochberg([0.7]) = %v", got)
	}
	got := BenjaminiHochberg([]float64{0.5, 0.6, 0.1, 0.001})
	want := []float64{0.6, 0.6, 0.2, 0.004}
	for i := range want {
		if !scalar.EqualWithinAbsOrRel(got[i], want[i], 1e-15, 1e-15) {
			t.Errorf("BenjaminiHochberg = %v, want %v", got, want)
			break
		}
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{-1, 0, 2, 2, 10}
	for _, test := range []struct {
		p, want float64
	}{
		{0, -1}, {1, 10}, {0.5, 2}, {0.125, -0.5}, {0.875, 6}, {0.25, 0},
	} {
		if got := Quantile(x, test.p); got != test.want {
			t.Errorf("Quantile(%v) = %v, want %v", test.p, got, test.want)
		}
	}
	if got := Quantile([]float64{negZ}, 0.5); !math.Signbit(got) {
		t.Errorf("Quantile([−0], 0.5) = %v, want −0", got)
	}
}

func TestBinIndex(t *testing.T) {
	edges := []float64{-1, negZ, 1, 1, 1, 2, inf}
	for _, test := range []struct {
		v    float64
		want int
	}{
		{math.Inf(-1), 0}, {-2, 0}, {-1, 0}, {-0.5, 1}, {negZ, 1}, {0, 1},
		{0.5, 2}, {1, 2}, {1.5, 5}, {2, 5}, {3, 6}, {inf, 6}, {nan, 7},
	} {
		if got := BinIndex(edges, test.v); got != test.want {
			t.Errorf("BinIndex(%v) = %d, want %d", test.v, got, test.want)
		}
		if got := NewBins(edges).Index(test.v); got != test.want {
			t.Errorf("Bins.Index(%v) = %d, want %d", test.v, got, test.want)
		}
	}
	if got := BinIndex(nil, 3); got != 0 {
		t.Errorf("BinIndex(nil, 3) = %d, want 0", got)
	}
	if got := NewBins(nil).Index(3); got != 0 {
		t.Errorf("NewBins(nil).Index(3) = %d, want 0", got)
	}
}

// TestBinsRandom compares BinIndex and Bins.Index with sort.SearchFloat64s
// on random edges, including repeated, infinite and extreme ones.
func TestBinsRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	specials := []float64{math.Inf(-1), inf, negZ, 0, math.MaxFloat64, -math.MaxFloat64, 5e-324, nan}
	for iter := 0; iter < 3000; iter++ {
		n := rnd.IntN(40)
		if iter%100 == 0 {
			n = 1000 + rnd.IntN(100)
		}
		edges := make([]float64, n)
		for i := range edges {
			edges[i] = math.Round(rnd.NormFloat64()*8) / 4
			if iter%3 == 0 {
				edges[i] = math.Exp(rnd.NormFloat64() * 3)
			}
		}
		if n > 0 && rnd.IntN(5) == 0 {
			edges[0] = math.Inf(-1)
		}
		if n > 0 && rnd.IntN(5) == 0 {
			edges[n-1] = math.MaxFloat64
		}
		slices.Sort(edges)
		bins := NewBins(edges)
		if bins.Len() != n {
			t.Fatalf("Len = %d, want %d", bins.Len(), n)
		}
		check := func(v float64) {
			want := sort.SearchFloat64s(edges, v)
			if got := BinIndex(edges, v); got != want {
				t.Fatalf("edges %v: BinIndex(%v) = %d, want %d", edges, v, got, want)
			}
			if got := bins.Index(v); got != want {
				t.Fatalf("edges %v: Bins.Index(%v) = %d, want %d", edges, v, got, want)
			}
		}
		for _, v := range specials {
			check(v)
		}
		for k := 0; k < 100; k++ {
			v := math.Round(rnd.NormFloat64()*16) / 8
			switch {
			case n > 0 && k%3 == 0:
				v = edges[rnd.IntN(n)]
			case n > 0 && k%3 == 1:
				v = math.Nextafter(edges[rnd.IntN(n)], math.Inf(2*rnd.IntN(2)-1))
			}
			check(v)
		}
	}
}

func TestPanics(t *testing.T) {
	two, three := []float64{0.5, 0.5}, []float64{0.2, 0.3, 0.5}
	for _, test := range []struct {
		name string
		fn   func()
		msg  string
	}{
		{"PSI", func() { PSI(two, three) }, "length mismatch"},
		{"KL", func() { KL(two, three) }, "length mismatch"},
		{"JensenShannon", func() { JensenShannon(two, three) }, "length mismatch"},
		{"Hellinger", func() { Hellinger(two, three) }, "length mismatch"},
		{"LInf", func() { LInf(two, three) }, "length mismatch"},
		{"Proportions", func() { Proportions([]int64{1, -1}) }, "negative count"},
		{"KSStatisticCounts", func() { KSStatisticCounts([]int64{1}, []int64{1, 2}) }, "length mismatch"},
		{"ChiSquaredHomogeneity", func() { ChiSquaredHomogeneity([]int64{1, 2}, []int64{1}) }, "length mismatch"},
		{"ChiSquaredHomogeneity negative", func() { ChiSquaredHomogeneity([]int64{1, 2}, []int64{1, -2}) }, "negative count"},
		{"ChiSquaredGoodnessOfFit", func() { ChiSquaredGoodnessOfFit([]int64{1, 2}, []int64{1}) }, "length mismatch"},
		{"ChiSquaredGoodnessOfFit negative", func() { ChiSquaredGoodnessOfFit([]int64{1, 2}, []int64{1, -2}) }, "negative count"},
		{"WassersteinBinned counts", func() { WassersteinBinned([]float64{1}, 0, 2, []int64{1}, []int64{1}) }, "len(counts)"},
		{"WassersteinBinned unsorted", func() { WassersteinBinned([]float64{2, 1}, 0, 3, []int64{1, 1, 1}, []int64{1, 1, 1}) }, "not sorted"},
		{"WassersteinBinned lo", func() { WassersteinBinned([]float64{1}, 1.5, 3, []int64{1, 1}, []int64{1, 1}) }, "not sorted"},
		{"WassersteinBinned hi", func() { WassersteinBinned([]float64{1}, 0, 0.5, []int64{1, 1}, []int64{1, 1}) }, "not sorted"},
		{"WassersteinBinnedBound", func() { WassersteinBinnedBound([]float64{1}, 0, 2, []int64{1, 1}, []int64{1}) }, "length mismatch"},
		{"BenjaminiHochberg", func() { BenjaminiHochberg([]float64{0.1, 1.5}) }, "outside [0, 1]"},
		{"BenjaminiHochberg NaN", func() { BenjaminiHochberg([]float64{nan}) }, "outside [0, 1]"},
		{"Quantile empty", func() { Quantile(nil, 0.5) }, "zero-length"},
		{"Quantile prob", func() { Quantile([]float64{1}, 1.5) }, "outside [0, 1]"},
		{"Quantile NaN", func() { Quantile([]float64{1}, nan) }, "outside [0, 1]"},
		{"NewBins", func() { NewBins([]float64{1, 0}) }, "not sorted"},
		{"NewBins NaN", func() { NewBins([]float64{0, nan}) }, "not sorted"},
	} {
		func() {
			defer func() {
				r := recover()
				s, _ := r.(string)
				if !strings.HasPrefix(s, "stats: ") || !strings.Contains(s, test.msg) {
					t.Errorf("%s: panic %v, want \"stats: …%s…\"", test.name, r, test.msg)
				}
			}()
			test.fn()
		}()
	}
}
