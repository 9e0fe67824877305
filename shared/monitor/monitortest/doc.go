// Package monitortest generates a monitored model's data for the tests of
// the drift function: a reference profile built with profile.Build from
// generated training data, and batches of live traffic written the way the
// ingest function writes them (predictions as gzip JSON Lines, batch
// profiles counted with profile.NewAccumulator, labels as gzip JSON Lines).
package monitortest
