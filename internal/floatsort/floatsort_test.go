package floatsort

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// radixCase generates n values of one shape of data.
type radixCase struct {
	name string
	gen  func(r *rand.Rand, n int) []float64
}

var radixCases = []radixCase{
	{"normal", func(r *rand.Rand, n int) []float64 {
		return fill(n, func() float64 { return r.NormFloat64() })
	}},
	{"ties", func(r *rand.Rand, n int) []float64 {
		return fill(n, func() float64 { return float64(r.IntN(7) - 3) })
	}},
	{"signed zeros", func(r *rand.Rand, n int) []float64 {
		vals := []float64{math.Copysign(0, -1), 0, 1, -1, 5e-324, -5e-324}
		return fill(n, func() float64 { return vals[r.IntN(len(vals))] })
	}},
	{"huge magnitudes", func(r *rand.Rand, n int) []float64 {
		return fill(n, func() float64 {
			return math.Copysign(maxMagnitude*r.Float64(), r.Float64()-0.5)
		})
	}},
	{"every exponent", func(r *rand.Rand, n int) []float64 {
		return fill(n, func() float64 {
			v := math.Float64frombits(r.Uint64())
			for v != v || math.IsInf(v, 0) || math.Abs(v) > maxMagnitude {
				v = math.Float64frombits(r.Uint64())
			}
			return v
		})
	}},
	{"constant", func(_ *rand.Rand, n int) []float64 {
		return fill(n, func() float64 { return 42.5 })
	}},
	{"rounded", func(r *rand.Rand, n int) []float64 {
		return fill(n, func() float64 { return math.Round(r.ExpFloat64()*1e4) / 1e4 })
	}},
}

// maxMagnitude is the largest magnitude a profile accepts.
const maxMagnitude = 1e150

func fill(n int, f func() float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

// normalised returns values with −0 replaced by +0, as callers store them.
func normalised(values []float64) []float64 {
	out := slices.Clone(values)
	for i, v := range out {
		if v == 0 {
			out[i] = 0
		}
	}
	return out
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func TestSortEqualsSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	for _, tc := range radixCases {
		for _, n := range []int{0, 1, 2, radixMin - 1, radixMin, radixMin + 1, 20_000} {
			values := normalised(tc.gen(r, n))
			want := slices.Clone(values)
			slices.Sort(want)
			got := Sort(slices.Clone(values), make([]float64, n))
			if !sameBits(got, want) {
				t.Errorf("%s, n=%d: radix sort differs from slices.Sort", tc.name, n)
			}
		}
	}
}

// BenchmarkSort1M sorts 1M normal doubles rounded to 4 decimals, the
// values of one benchmark column, with the radix sort and with slices.Sort.
func BenchmarkSort1M(b *testing.B) {
	r := rand.New(rand.NewPCG(15, 3))
	values := fill(1_000_000, func() float64 { return math.Round(r.NormFloat64()*1e4) / 1e4 })
	work, tmp := make([]float64, len(values)), make([]float64, len(values))
	b.Run("radix", func(b *testing.B) {
		for range b.N {
			copy(work, values)
			Sort(work, tmp)
		}
	})
	b.Run("pdqsort", func(b *testing.B) {
		for range b.N {
			copy(work, values)
			slices.Sort(work)
		}
	})
}
