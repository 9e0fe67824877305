package stats

import "math"

// Quantile returns the prob-quantile of the data in sorted by linear
// interpolation between order statistics, NumPy's default method
// ('linear', type 7 of Hyndman & Fan):
//
//	h = (n−1)·prob,  j = ⌊h⌋,  g = h − j,
//	Q = lerp(sorted[j], sorted[j+1], g),
//
// with Q = sorted[n−1] for h ≥ n−1. The interpolation is evaluated exactly as
// numpy's _lerp does, d = b − a, Q = a + d·g, or Q = b − d·(1−g) when
// g ≥ 0.5, which keeps Q monotone in prob and exact at the order
// statistics. The result is bit-for-bit equal to numpy.quantile(x, prob)
// for the sorted x (up to the sign of a zero result when −0 and +0 both
// occur in the data, since numpy may order them either way).
//
// sorted must be sorted in increasing order and contain no NaN; this is not
// checked. Quantile panics if sorted is empty or prob is outside [0, 1] or
// NaN.
func Quantile(sorted []float64, prob float64) float64 {
	n := len(sorted)
	if n == 0 {
		panic("stats: zero-length data")
	}
	if !(prob >= 0 && prob <= 1) {
		panic("stats: quantile probability outside [0, 1]")
	}
	h := float64(n-1) * prob
	// numpy sets both neighbours to the last element, and the previous index
	// to −1, when h ≥ n−1; g is then h+1.
	j, next := int(math.Floor(h)), 0
	prev := float64(j)
	if h >= float64(n-1) {
		j, next, prev = n-1, n-1, -1
	} else {
		next = j + 1
	}
	a, b := sorted[j], sorted[next]
	g := h - prev
	d := b - a
	// The explicit conversions forbid fusing into FMA, which would change
	// the rounding.
	if g >= 0.5 {
		return b - float64(d*(1-g))
	}
	return a + float64(d*g)
}

// Quantiles returns Quantile(sorted, p) for each p in probs.
func Quantiles(sorted []float64, probs []float64) []float64 {
	q := make([]float64, len(probs))
	for i, p := range probs {
		q[i] = Quantile(sorted, p)
	}
	return q
}
