// Package profile summarises sets of records so that they can be compared
// without the raw data.
//
// A reference profile is built once from training or validation data: for each
// numeric feature a fine grid of reference quantile edges (default 1000 bins)
// and the coarse PSI bins (default 10, the reference deciles, a subset of the
// fine edges); for each low-cardinality numeric feature its distinct values; for
// each categorical feature its most frequent categories and an "__other__"
// bucket. A batch profile counts live records over the reference's own bins, so
// merging batch profiles is exact addition: associative and commutative.
//
// Missing values are counted, never dropped, and every profile is versioned
// JSON (SchemaVersion).
package profile
