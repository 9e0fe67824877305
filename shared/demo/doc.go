// Package demo plays a production story of a monitored model end to end on
// this machine: `modelwatch demo` and `make demo`.
//
// A simulated model service, a logistic credit-default model fitted on
// generated training data (13 numeric and categorical features, class
// probabilities, latencies), serves loan applications for --hours simulated
// hours. Its predictions, and the outcomes that become known hours later for
// part of the traffic, go through the ingest function's handler
// (ingest.Handler.Invoke, the Lambda's direct-invocation entry point); the
// drift function's job (monitor.Monitor.Run) runs at the top of every hour;
// the alarms of catalog.Alarms, the ones template.yaml creates, are evaluated
// on what it would have published; and every alarm notification goes to the
// alarm handler (alarm.Handler.Handle), which requests retraining at most
// once per model and cooldown slot.
//
// The logic is the Lambdas'; only the backends are local, small adapters
// behind the interfaces the Lambdas use:
//
//   - the bucket is a directory (store.NewLocal) with the same keys as S3;
//   - MetricSink is the drift job's monitor.Publisher and the ingest
//     function's EMF log writer, and keeps every datapoint CloudWatch would
//     have received;
//   - AlarmEvaluator evaluates catalog.Alarms over the sink as CloudWatch
//     does (statistic per period, evaluation range, missing data not
//     breaching) and turns each change of state into the notification
//     CloudWatch publishes to SNS;
//   - RetrainRecorder is the alarm handler's alarm.Starter: it records the
//     retraining workflow's executions.
//
// The story (Options.Events): a baseline day; at --drift-at a covariate
// shift in two features (loan_amount grows, and channel gets a category the
// training data never saw); six hours later a concept change that lowers
// accuracy, which only the delayed labels reveal; a latency spike; a burst
// of model errors and malformed records. Run writes the bucket, the hourly
// HTML reports (by the drift job), summary.json, the metrics, the
// notifications, the functions' logs and index.html, a self-contained
// dashboard (Dashboard). The same options give the same output, byte for
// byte.
package demo
