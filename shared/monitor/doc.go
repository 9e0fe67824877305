// Package monitor is the logic of the scheduled drift function: for every
// monitored model it reads the batch profiles of a window of live traffic,
// merges them and compares them with the model's reference profile, measures
// performance from the labels that arrived, summarises system health, writes
// the window's report (JSON and HTML) to the bucket and publishes the
// metrics.
//
// A window is [end−length, end), its end aligned to the schedule's grid (the
// top of the hour by default), so a re-run of a window reads the same
// partitions and writes the same report keys and metric timestamps. Batch
// profiles are listed by hour partition and fetched with a bounded number of
// concurrent GETs; they are merged in key order, so a re-run gives the same
// numbers to the last bit.
//
// Labels arrive late. Each run joins, by request_id, the labels that arrived
// for predictions of the lookback (default 7 days) and attributes the
// metrics to the prediction's window: the run of window W re-evaluates W and
// every earlier window that a label of W's label partitions points at,
// rewrites those windows' reports and re-publishes their performance
// metrics at their own timestamps.
//
// Handler is the drift function's Lambda handler: a message of the drift
// queue runs the one model it names, a direct event (the schedule's, a
// backfill) every model it names, or all.
//
// The package talks to the bucket through store.Store and to CloudWatch
// through the Publisher interface, so it is tested without AWS.
package monitor
