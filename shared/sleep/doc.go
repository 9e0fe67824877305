// Package sleep waits for a duration unless the context ends first: the one
// wait of every retry and poll loop (S3 conditional writes, CloudWatch
// PutMetricData, the alarm handler's lease, the Go client's resends).
package sleep
