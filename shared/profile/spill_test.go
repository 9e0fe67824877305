package profile

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortCases are shapes of numeric columns.
var sortCases = []struct {
	name string
	gen  func(r *rand.Rand) float64
}{
	{"normal", func(r *rand.Rand) float64 { return r.NormFloat64() }},
	{"ties", func(r *rand.Rand) float64 { return float64(r.IntN(7) - 3) }},
	{"signed zeros", func(r *rand.Rand) float64 {
		return []float64{math.Copysign(0, -1), 0, 1, -1, 5e-324, -5e-324}[r.IntN(6)]
	}},
	{"huge magnitudes", func(r *rand.Rand) float64 { return math.Copysign(MaxMagnitude*r.Float64(), r.Float64()-0.5) }},
	{"constant", func(*rand.Rand) float64 { return 42.5 }},
	{"rounded", func(r *rand.Rand) float64 { return math.Round(r.ExpFloat64()*1e4) / 1e4 }},
}

// oldEdges is the sort-based path the radix sort replaced: every value in
// memory (−0 stored as +0), slices.Sort, then the quantiles.
func oldEdges(values []float64, bins int) []float64 {
	sorted := slices.Clone(values)
	for i, v := range sorted {
		if v == 0 {
			sorted[i] = 0
		}
	}
	slices.Sort(sorted)
	return quantileEdges(sorted, bins)
}

// TestSpillSortedEdgesEqualOldPath: the edges computed from the spilled and
// radix-sorted column are bit for bit those of the old path, including
// columns that spill to disk and reuse the buffers of a previous column.
func TestSpillSortedEdgesEqualOldPath(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	var bufs sortBuffers
	for _, tc := range sortCases {
		for _, n := range []int{1, 3, 999, 5000, spillChunk + 1234} {
			values := make([]float64, n)
			for i := range values {
				values[i] = tc.gen(r)
			}
			s := newSpill(t.TempDir())
			for _, v := range values {
				if v == 0 {
					v = 0
				}
				if err := s.add(v); err != nil {
					t.Fatal(err)
				}
			}
			sorted, err := s.sorted(&bufs)
			s.close()
			if err != nil {
				t.Fatal(err)
			}
			for _, bins := range []int{10, 1000} {
				if got, want := quantileEdges(sorted, bins), oldEdges(values, bins); !slices.EqualFunc(got, want, func(x, y float64) bool {
					return math.Float64bits(x) == math.Float64bits(y)
				}) {
					t.Errorf("%s, n=%d, %d bins: edges differ from the sort-based path", tc.name, n, bins)
				}
			}
		}
	}
}
