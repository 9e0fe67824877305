// Package layout is the S3 key scheme of the modelwatch bucket: where
// reference profiles, prediction and label batches, batch profiles, rejected
// records, reports and retrain markers live.
//
// Data is partitioned Hive style by the hour of each record's event time
// (model=M/dt=YYYY-MM-DD/hour=HH), so Athena or Glue can query the bucket as
// it is, and the drift function lists one window by listing its hours.
package layout
