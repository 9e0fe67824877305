// Package calibrate learns each feature's normal drift from data, instead of
// guessing the conventional 0.1 / 0.25 PSI lines.
//
// FromReference measures the reference's own sampling noise: it draws many
// windows of the size a model really sees from the reference distribution
// (multinomial counts over the reference's bins, seeded), compares each with
// the reference exactly as the drift function would, and keeps per feature
// and statistic a high quantile (default the 99th for drift, the 95th for
// warn) of the values seen under no drift. With those thresholds a stable
// feature alarms in about 1 % of windows, whatever its number of bins, a
// large model's many features do not all fire, and a small shift in a quiet
// feature is still caught.
//
// FromHistory uses the statistics of past windows instead (NannyML's method):
// mean + k·σ per feature and statistic (k = 3), leaving out windows that were
// flagged as drifted.
//
// Both return a drift.Calibration, which the drift config carries; its Decide
// setting chooses whether the fixed, the calibrated or both thresholds decide.
package calibrate
