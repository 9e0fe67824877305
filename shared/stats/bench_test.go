package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

var (
	sinkInt   int
	sinkFloat float64
)

// benchData returns 999 sorted normal quantile-like edges (1000 bins) and
// 2¹⁶ lookup values drawn from a slightly wider normal.
func benchData() (edges, values []float64) {
	rnd := rand.New(rand.NewPCG(1, 2))
	edges = make([]float64, 999)
	for i := range edges {
		edges[i] = rnd.NormFloat64()
	}
	slices.Sort(edges)
	values = make([]float64, 1<<16)
	for i := range values {
		values[i] = 1.2 * rnd.NormFloat64()
	}
	return edges, values
}

func reportLookups(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func BenchmarkBinIndex1000(b *testing.B) {
	edges, values := benchData()
	s, i := 0, 0
	for b.Loop() {
		s += BinIndex(edges, values[i&(len(values)-1)])
		i++
	}
	sinkInt = s
	reportLookups(b)
}

func BenchmarkBinsIndex1000(b *testing.B) {
	edges, values := benchData()
	bins := NewBins(edges)
	s, i := 0, 0
	for b.Loop() {
		s += bins.Index(values[i&(len(values)-1)])
		i++
	}
	sinkInt = s
	reportLookups(b)
}

// BenchmarkBinsIndex1000Lognormal uses skewed edges, where the grid of Bins
// is less even.
func BenchmarkBinsIndex1000Lognormal(b *testing.B) {
	edges, values := benchData()
	for i := range edges {
		edges[i] = math.Exp(edges[i])
	}
	for i := range values {
		values[i] = math.Exp(values[i])
	}
	bins := NewBins(edges)
	s, i := 0, 0
	for b.Loop() {
		s += bins.Index(values[i&(len(values)-1)])
		i++
	}
	sinkInt = s
	reportLookups(b)
}

// BenchmarkSearchFloat64s1000 is the baseline of the standard library.
func BenchmarkSearchFloat64s1000(b *testing.B) {
	edges, values := benchData()
	s, i := 0, 0
	for b.Loop() {
		s += sort.SearchFloat64s(edges, values[i&(len(values)-1)])
		i++
	}
	sinkInt = s
	reportLookups(b)
}

func BenchmarkPSI10(b *testing.B) {
	p := Proportions([]int64{10, 80, 120, 90, 0, 300, 150, 150, 70, 30})
	q := Proportions([]int64{12, 70, 130, 85, 3, 310, 140, 160, 60, 30})
	for b.Loop() {
		sinkFloat = PSI(p, q)
	}
}

// binnedPair returns 1000-bin counts of a normal and a shifted normal
// sample with their edges and range.
func binnedPair() (edges []float64, lo, hi float64, ref, cur []int64) {
	edges, _ = benchData()
	rnd := rand.New(rand.NewPCG(5, 6))
	ref = make([]int64, len(edges)+1)
	cur = make([]int64, len(edges)+1)
	lo, hi = math.Inf(1), math.Inf(-1)
	for range 100000 {
		a, c := rnd.NormFloat64(), rnd.NormFloat64()+0.05
		ref[BinIndex(edges, a)]++
		cur[BinIndex(edges, c)]++
		lo, hi = math.Min(lo, math.Min(a, c)), math.Max(hi, math.Max(a, c))
	}
	return edges, lo, hi, ref, cur
}

func BenchmarkKSStatisticCounts1000(b *testing.B) {
	_, _, _, ref, cur := binnedPair()
	for b.Loop() {
		sinkFloat = KSStatisticCounts(ref, cur)
	}
}

func BenchmarkWassersteinBinned1000(b *testing.B) {
	edges, lo, hi, ref, cur := binnedPair()
	for b.Loop() {
		sinkFloat = WassersteinBinned(edges, lo, hi, ref, cur)
	}
}

func BenchmarkChiSquaredHomogeneity1000(b *testing.B) {
	_, _, _, ref, cur := binnedPair()
	for b.Loop() {
		sinkFloat = ChiSquaredHomogeneity(ref, cur).PValue
	}
}

// BenchmarkKolmogorovSF covers the large-n branches. The exact Smirnov sum
// at n = 10⁶ just above n·d² = 2.2 is the most expensive case.
func BenchmarkKolmogorovSF(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		nd2  float64
	}{
		{"n=1e5/durbin", 100000, 0.0337}, // largest Durbin matrix, 117×117
		{"n=1e5/pelz-good", 100000, 1.5},
		{"n=1e5/smirnov", 100000, 2.2},
		{"n=1e6/pelz-good", 1000000, 1.5},
		{"n=1e6/smirnov", 1000000, 2.2},
		{"n=1e6/smirnov-tail", 1000000, 50},
		{"n=1e7/smirnov-asymptotic", 10000000, 2.2},
	} {
		d := math.Sqrt(bc.nd2 / float64(bc.n))
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				sinkFloat = KolmogorovSF(bc.n, d)
			}
		})
	}
}
