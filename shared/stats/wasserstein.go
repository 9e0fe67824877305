package stats

import (
	"math"
	"slices"
)

// Wasserstein returns the exact first Wasserstein (earth mover's) distance
// between the empirical distributions of the samples a and b,
//
//	W₁ = ∫ |F_a(x) − F_b(x)| dx,
//
// F_a and F_b being the empirical CDFs. It sorts copies of a and b and
// integrates the step functions over the merged sample in
// O((n+m)·log(n+m)) time; it equals scipy.stats.wasserstein_distance(a, b).
// a and b are not modified.
//
// If either sample is empty Wasserstein returns 0 (see the package
// documentation). NaN values give a NaN result.
func Wasserstein(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if slices.ContainsFunc(a, math.IsNaN) || slices.ContainsFunc(b, math.IsNaN) {
		return math.NaN()
	}
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	na, nb := float64(len(sa)), float64(len(sb))
	var i, j int
	// x is the current point of the merged sample; F_a(x) = i/na and
	// F_b(x) = j/nb once all values ≤ x have been consumed.
	x := math.Min(sa[0], sb[0])
	var w float64
	for i < len(sa) || j < len(sb) {
		for i < len(sa) && sa[i] <= x {
			i++
		}
		for j < len(sb) && sb[j] <= x {
			j++
		}
		if i == len(sa) && j == len(sb) {
			break
		}
		var next float64
		switch {
		case i == len(sa):
			next = sb[j]
		case j == len(sb):
			next = sa[i]
		default:
			next = math.Min(sa[i], sb[j])
		}
		w += math.Abs(float64(i)/na-float64(j)/nb) * (next - x)
		x = next
	}
	return w
}

// WassersteinBinned returns the first Wasserstein distance between two
// samples summarised as counts on the same bins, assuming the mass of each
// bin is spread uniformly over it.
//
// The bins are delimited by the observed minimum lo, the sorted edges and the
// observed maximum hi of the two samples together: bin 0 is [lo, edges[0]],
// bin i is (edges[i−1], edges[i]] and the last bin is (edges[len−1], hi], so
// len(ref) = len(cur) = len(edges)+1, with boundaries
// b_0 = lo ≤ b_1 = edges[0] ≤ … ≤ b_K = edges[K−1] ≤ b_{K+1} = hi.
// With R_i and C_i the cumulative reference and current proportions below
// b_i, the CDFs are taken linear between boundaries, so
// D(x) = F_ref(x) − F_cur(x) is piecewise linear and
//
//	W = Σ_i ∫_{b_i}^{b_{i+1}} |D(x)| dx
//
// is integrated exactly: w·(|D_i|+|D_{i+1}|)/2 on a segment of width w where
// D keeps its sign, and w·(D_i²+D_{i+1}²)/(2(|D_i|+|D_{i+1}|)) where it
// changes sign.
//
// Error bound: the true empirical CDF of either sample and its linear
// interpolation agree at every boundary and both increase monotonically
// across a bin, so on bin i they differ by at most the bin's proportion and
// the area between them is at most w_i·p_i/2. Hence the distance W₁ of the
// raw samples (see Wasserstein) satisfies
//
//	|W − W₁| ≤ ½·Σ_i w_i·(p_i + q_i) ≤ Σ_i w_i·max(p_i, q_i),
//
// where w_i = b_{i+1} − b_i and p_i, q_i are the reference and current
// proportions of bin i; WassersteinBinnedBound returns ½·Σ_i w_i·(p_i + q_i).
// Values outside [lo, hi] would violate the bound.
//
// If either side has no observations WassersteinBinned returns 0 (see the
// package documentation) without looking at lo, hi and edges. It panics if
// the lengths do not match, a count is negative or, with both sides
// non-empty, the boundaries are not non-decreasing (a NaN boundary
// included).
func WassersteinBinned(edges []float64, lo, hi float64, ref, cur []int64) float64 {
	return wassersteinBinned(edges, lo, hi, ref, cur, nil)
}

// Tails are the sums of the values that fell in the first bin [lo, edges[0]]
// (Low) and in the last bin (edges[last], hi] (High) of one sample.
type Tails struct {
	Low, High float64
}

// WassersteinBinnedTails is WassersteinBinned with the sums of the values in
// the two open-ended bins of each sample. The open bins are where a shifted
// distribution piles up far from the reference's quantile grid, and where the
// uniform assumption is worst; with the sums, the signed integral of
// F_ref − F_cur over such a bin is exact:
//
//	∫_L^R (F_ref − F_cur) dx = (R−L)·D(L) + p·(R − μ_p) − q·(R − μ_q),
//
// μ_p and μ_q being the means of the values in the bin (p·μ_p = the tail sum
// over the sample size). Where D keeps its sign across the bin (the usual
// case: D is 0 at lo and at hi) |∫ D| is exactly ∫ |D|; where it changes
// sign the uniform estimate of WassersteinBinned is used for the bin.
func WassersteinBinnedTails(edges []float64, lo, hi float64, ref, cur []int64, refTails, curTails Tails) float64 {
	return wassersteinBinned(edges, lo, hi, ref, cur, &[2]Tails{refTails, curTails})
}

func wassersteinBinned(edges []float64, lo, hi float64, ref, cur []int64, tails *[2]Tails) float64 {
	fr, fc, ok := binnedSizes(edges, lo, hi, ref, cur)
	if !ok {
		return 0
	}
	var cr, cc int64
	var w, d0 float64 // d0 = D at the left boundary of the current bin
	left := lo
	for i := range ref {
		right := binUpper(edges, hi, i)
		cr += ref[i]
		cc += cur[i]
		d1 := float64(cr)/fr - float64(cc)/fc
		seg := segmentAbsIntegral(right-left, d0, d1)
		if tails != nil && (i == 0 || i == len(ref)-1) {
			seg = tailIntegral(right-left, right, d0, d1, float64(ref[i])/fr, float64(cur[i])/fc, tailSum(tails[0], i == 0)/fr, tailSum(tails[1], i == 0)/fc, seg)
		}
		w += seg
		d0, left = d1, right
	}
	return w
}

func tailSum(t Tails, low bool) float64 {
	if low {
		return t.Low
	}
	return t.High
}

// tailIntegral returns ∫|D| over an open-ended bin of width w ending at
// right, from the proportions p, q of each sample in the bin and their
// per-sample-size sums sp = p·μ_p, sq = q·μ_q; uniform is the estimate to
// fall back on when D changes sign in the bin.
func tailIntegral(w, right, d0, d1, p, q, sp, sq, uniform float64) float64 {
	if w == 0 {
		return 0
	}
	signed := w*d0 + (p*right - sp) - (q*right - sq)
	if (d0 >= 0 && d1 >= 0 && signed >= 0) || (d0 <= 0 && d1 <= 0 && signed <= 0) {
		return math.Abs(signed)
	}
	return uniform
}

// segmentAbsIntegral returns ∫_0^w |d0 + (d1−d0)·x/w| dx.
func segmentAbsIntegral(w, d0, d1 float64) float64 {
	if w == 0 {
		return 0
	}
	a0, a1 := math.Abs(d0), math.Abs(d1)
	if (d0 >= 0) == (d1 >= 0) || d0 == 0 || d1 == 0 {
		return w * (a0 + a1) / 2
	}
	return w * (d0*d0 + d1*d1) / (2 * (a0 + a1))
}

// WassersteinBinnedBound returns ½·Σ_i w_i·(p_i + q_i), the bound on
// |WassersteinBinned(edges, lo, hi, ref, cur) − W₁| documented at
// WassersteinBinned, where W₁ is the exact distance between the raw samples.
// It returns 0 when either side has no observations and panics under the
// same conditions as WassersteinBinned.
func WassersteinBinnedBound(edges []float64, lo, hi float64, ref, cur []int64) float64 {
	fr, fc, ok := binnedSizes(edges, lo, hi, ref, cur)
	if !ok {
		return 0
	}
	var b float64
	left := lo
	for i := range ref {
		right := binUpper(edges, hi, i)
		b += (right - left) * (float64(ref[i])/fr + float64(cur[i])/fc)
		left = right
	}
	return b / 2
}

// binnedSizes checks the arguments of the binned Wasserstein functions and
// returns the sizes of the two samples. ok is false when either side has no
// observations; lo, hi and edges are then not looked at. It panics if the
// lengths do not match, a count is negative or, with both sides non-empty,
// the boundaries are not non-decreasing.
func binnedSizes(edges []float64, lo, hi float64, ref, cur []int64) (fr, fc float64, ok bool) {
	checkLen(len(ref), len(cur))
	if len(ref) != len(edges)+1 {
		panic("stats: len(counts) != len(edges)+1")
	}
	nr, nc := sumCounts(ref), sumCounts(cur)
	if nr == 0 || nc == 0 {
		return 0, 0, false
	}
	checkSorted(edges, lo, hi)
	return float64(nr), float64(nc), true
}

// binUpper returns the upper boundary of bin i: edges[i], or hi for the
// last bin.
func binUpper(edges []float64, hi float64, i int) float64 {
	if i < len(edges) {
		return edges[i]
	}
	return hi
}

// checkSorted panics unless lo ≤ edges[0] ≤ … ≤ edges[len−1] ≤ hi.
func checkSorted(edges []float64, lo, hi float64) {
	prev := lo
	for _, e := range edges {
		if !(e >= prev) {
			panic("stats: bin boundaries not sorted")
		}
		prev = e
	}
	if !(hi >= prev) {
		panic("stats: bin boundaries not sorted")
	}
}
