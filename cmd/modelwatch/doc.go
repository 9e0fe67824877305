// Command modelwatch builds reference profiles, compares data with them, and
// calibrates drift thresholds.
//
//	modelwatch profile build --input train.csv --out reference.json [--model M --version V ...]
//	modelwatch profile publish --profile reference.json --bucket s3://BUCKET|DIR
//	modelwatch compare --reference reference.json --current live.csv [--config drift.yaml] [--json] [--html report.html]
//	modelwatch calibrate --reference reference.json --window-size N --out drift.yaml
//
// compare exits with 0 when there is no dataset drift, 1 on an error and 2
// when dataset drift is detected.
package main
