// Package multivariate detects changes in how features move together, which
// per-feature drift statistics cannot see: it fits a PCA model of the
// reference data and watches the mean reconstruction error of live rows.
//
// The model follows NannyML's DataReconstructionDriftCalculator: numeric
// features are imputed with their reference mean, categorical features with
// their most frequent reference category and then frequency-encoded (each
// category replaced by its reference count, as category_encoders'
// CountEncoder); every feature is standardised (population standard
// deviation, as scikit-learn's StandardScaler); PCA keeps the fewest
// components that explain more than a configured share of the variance
// (default 0.65). A row's reconstruction error is the Euclidean distance, in
// standardised space, between the row and its projection on the kept
// components.
//
// Fit makes three passes over the reference (encoding statistics, the
// scatter matrix, the errors), the last two over a temporary file of the
// cells the first read, a block of rows per goroutine on every core, so its
// memory is bounded by the d×d scatter matrix, a fixed-size sample of errors
// and a few blocks, not by the number of rows; the model does not depend on
// the number of goroutines. A Collector is the first pass fed by another
// reader of the data: a profile build gives it each feature's values as it
// counts them, so the reference is read once. A Summary of the
// errors of a set of rows (count, sum, sum of squares, counts on the
// reference's error grid, per-feature sums of squared residuals) merges by
// addition, so the ingest function can summarise each batch and the drift
// function can merge a window exactly. Compare turns a window's Summary into
// the mean error, its thresholds (reference mean ± 3σ/√n) and the features
// whose residuals grew most.
//
// See https://nannyml.readthedocs.io/en/stable/how_it_works/multivariate_drift.html
package multivariate
