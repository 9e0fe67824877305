// Package drift compares a batch profile of live data with the reference
// profile it was counted against, and decides, per feature and for the
// dataset, whether the data drifted.
//
// For every feature it computes the population stability index, KL
// divergence, Jensen-Shannon distance, Hellinger distance, the two-sample
// Kolmogorov-Smirnov statistic and p-value, the normalised Wasserstein
// distance, the chi-squared test, L-infinity, the missing-rate change and the
// unseen-category share, as defined in the stats package. One configurable
// method per feature decides its severity (default PSI: warn at 0.1, drift at
// 0.25); a change of the missing rate is a drift signal of its own; the
// dataset drifted when the share of drifted features reaches a threshold
// (default 0.5). The Report is the stable JSON document (schema_version 1)
// that `modelwatch compare --json` prints and the drift function stores.
package drift
