// Package metrics publishes modelwatch's metrics to CloudWatch: with
// PutMetricData from the scheduled drift function, and as Embedded Metric
// Format log lines from the ingest function (no API call in the hot path).
//
// Namespace ModelWatch (configurable), dimension Model plus Feature or Class
// where a metric is per feature or per class, timestamp = window end.
package metrics
