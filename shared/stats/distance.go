package stats

import "math"

// Epsilon is the proportion substituted for an empty bin by PSI and KL, so
// that their logarithms stay finite. The proportions are not renormalised
// after the substitution.
const Epsilon = 1e-4

// Proportions returns counts[i]/Σcounts, the proportion of observations in
// each bin. If the counts sum to zero every proportion is 0.
// Negative counts are a programming error and cause a panic.
func Proportions(counts []int64) []float64 {
	p := make([]float64, len(counts))
	total := sumCounts(counts)
	if total == 0 {
		return p
	}
	t := float64(total)
	for i, c := range counts {
		p[i] = float64(c) / t
	}
	return p
}

// sumCounts returns Σcounts and panics on a negative count.
func sumCounts(counts []int64) int64 {
	var total int64
	for _, c := range counts {
		if c < 0 {
			panic("stats: negative count")
		}
		total += c
	}
	return total
}

// sampleSizes returns the sizes of two samples counted over the same bins.
// It panics if the lengths differ or a count is negative.
func sampleSizes(ref, cur []int64) (nr, nc int64) {
	checkLen(len(ref), len(cur))
	return sumCounts(ref), sumCounts(cur)
}

func checkLen(n, m int) {
	if n != m {
		panic("stats: slice length mismatch")
	}
}

// orEpsilon returns p, or Epsilon if p is zero.
func orEpsilon(p float64) float64 {
	if p == 0 {
		return Epsilon
	}
	return p
}

// PSI returns the population stability index of the current proportions q
// against the reference proportions p,
//
//	PSI = Σ_i (q_i − p_i)·ln(q_i/p_i),
//
// where a zero p_i or q_i is replaced by Epsilon (without renormalising).
// p and q are proportions over the same ordered bins, typically from
// Proportions; they must be non-negative. PSI is 0 for identical inputs and
// for empty slices. PSI panics if len(p) != len(q).
func PSI(p, q []float64) float64 {
	checkLen(len(p), len(q))
	var s float64
	for i, pi := range p {
		pi, qi := orEpsilon(pi), orEpsilon(q[i])
		s += (qi - pi) * math.Log(qi/pi)
	}
	return s
}

// KL returns the Kullback-Leibler divergence of p from q in nats,
//
//	KL(p‖q) = Σ_i p_i·ln(p_i/q_i),
//
// where a zero p_i or q_i is replaced by Epsilon (without renormalising, so
// a zero p_i contributes Epsilon·ln(Epsilon/q_i)). p and q are
// non-negative proportions over the same bins. KL is 0 for identical inputs.
// KL panics if len(p) != len(q).
func KL(p, q []float64) float64 {
	checkLen(len(p), len(q))
	var s float64
	for i, pi := range p {
		pi, qi := orEpsilon(pi), orEpsilon(q[i])
		s += pi * math.Log(pi/qi)
	}
	return s
}

// JensenShannon returns the Jensen-Shannon distance in base 2, the square
// root of the Jensen-Shannon divergence,
//
//	JS(p, q) = √(½·KL₂(p̂‖m) + ½·KL₂(q̂‖m)),  m = (p̂ + q̂)/2,
//
// where p̂ = p/Σp and q̂ = q/Σq are the normalised inputs and KL₂ is the
// Kullback-Leibler divergence in bits with 0·log(0/x) = 0; no smoothing is
// applied. The result lies in [0, 1] and equals
// scipy.spatial.distance.jensenshannon(p, q, base=2).
//
// p and q must be non-negative; they need not be normalised. JensenShannon
// returns 0 when p̂ and q̂ are identical (rounding that would make the
// divergence slightly negative is clamped to 0) and NaN when Σp or Σq is
// zero. It panics if len(p) != len(q).
func JensenShannon(p, q []float64) float64 {
	checkLen(len(p), len(q))
	var sp, sq float64
	for i := range p {
		sp += p[i]
		sq += q[i]
	}
	var left, right float64
	for i := range p {
		pi, qi := p[i]/sp, q[i]/sq
		m := (pi + qi) / 2
		left += relEntr(pi, m)
		right += relEntr(qi, m)
	}
	js := (left + right) / math.Ln2
	return math.Sqrt(math.Max(js/2, 0))
}

// relEntr returns x·ln(x/y) with the conventions of scipy.special.rel_entr:
// 0 for x = 0, y ≥ 0 and +Inf for x > 0, y = 0.
func relEntr(x, y float64) float64 {
	switch {
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	case x == 0 && y >= 0:
		return 0
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	default:
		return math.Inf(1)
	}
}

// Hellinger returns the Hellinger distance between proportions p and q,
//
//	H(p, q) = √(max(0, 1 − Σ_i √(p_i·q_i))),
//
// which lies in [0, 1] for proportions that sum to 1; 1 − Σ√(p_i·q_i) is
// clamped at 0 against rounding. p and q must be non-negative and are not
// renormalised. Hellinger panics if len(p) != len(q).
func Hellinger(p, q []float64) float64 {
	checkLen(len(p), len(q))
	var bc float64
	for i, pi := range p {
		bc += math.Sqrt(pi * q[i])
	}
	return math.Sqrt(math.Max(0, 1-bc))
}

// LInf returns the L∞ (Chebyshev) distance max_i |p_i − q_i|, 0 for empty
// slices. A NaN element makes the result NaN. LInf panics if
// len(p) != len(q).
func LInf(p, q []float64) float64 {
	checkLen(len(p), len(q))
	var m float64
	for i, pi := range p {
		d := math.Abs(pi - q[i])
		if d > m || math.IsNaN(d) {
			m = d
		}
	}
	return m
}
