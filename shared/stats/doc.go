// Package stats provides the numerical kernels of modelwatch's drift
// statistics: divergences between binned distributions (PSI, KL,
// Jensen-Shannon, Hellinger, L∞), two-sample tests computed from binned
// counts (Kolmogorov-Smirnov, chi-squared homogeneity and goodness of fit,
// Wasserstein-1),
// the exact distribution of the Kolmogorov-Smirnov statistic, multiple-testing
// adjustment, numpy-compatible quantiles and a fast bin lookup.
//
// All functions are pure and allocation-light. Each one states its formula,
// preconditions and special cases in its doc comment and is verified against
// NumPy/SciPy with the vectors in testdata/stats, produced by
// testdata/gen/stats_vectors.py. Violated preconditions that indicate a
// programming error (for example slices of different lengths) cause a panic
// whose message starts with "stats: ".
//
// Two-sample functions that take counts or samples use one convention for an
// empty side (a reference or current sample with no observations): the
// statistic is 0 and, where there is one, the p-value is 1, that is, "no
// evidence of drift". Callers that must distinguish an empty side check the
// totals themselves.
package stats
