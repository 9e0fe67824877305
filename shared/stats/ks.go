package stats

import "math"

// KSStatisticCounts returns the two-sample Kolmogorov-Smirnov statistic of
// two samples binned on the same ordered bins,
//
//	D = max_i |R_i/N_R − C_i/N_C|,
//
// where R_i and C_i are the cumulative reference and current counts of bins
// 0..i and N_R, N_C the totals. It is the exact two-sample statistic
// evaluated at the bin boundaries only, hence never larger than the
// statistic of the raw samples; the difference is at most the largest
// proportion of either sample strictly inside a single bin (with bin edges
// at 1000 reference quantiles, typically under 1/1000).
//
// If either side has no observations KSStatisticCounts returns 0 (see the
// package documentation). It panics if len(ref) != len(cur) or a count is
// negative.
func KSStatisticCounts(ref, cur []int64) float64 {
	nr, nc := sampleSizes(ref, cur)
	if nr == 0 || nc == 0 {
		return 0
	}
	fr, fc := float64(nr), float64(nc)
	var cr, cc int64
	var d float64
	for i := range ref {
		cr += ref[i]
		cc += cur[i]
		if v := math.Abs(float64(cr)/fr - float64(cc)/fc); v > d {
			d = v
		}
	}
	return d
}

// KSPValue returns the asymptotic p-value of the two-sided two-sample
// Kolmogorov-Smirnov test with statistic d and sample sizes n and m,
//
//	p = KolmogorovSF(N, d),  N = round(n·m/(n+m)),
//
// rounding half to even. This is the convention of
// scipy.stats.ks_2samp(method='asymp'), which uses the distribution of the
// one-sample statistic at the effective sample size N; the one exception is
// n = m = 1, where N is taken as 1 instead of SciPy's 0 (a NaN p-value).
//
// If n or m is less than 1 KSPValue returns 1 (see the package
// documentation).
func KSPValue(d float64, n, m int64) float64 {
	if n < 1 || m < 1 {
		return 1
	}
	fn, fm := float64(n), float64(m)
	en := math.RoundToEven(fn * fm / (fn + fm))
	if en < 1 {
		en = 1
	}
	return KolmogorovSF(int(en), d)
}
