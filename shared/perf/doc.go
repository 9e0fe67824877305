// Package perf measures how right a model is once the true outcomes (labels)
// arrive, and estimates it while they have not.
//
// Labels arrive late and separately from predictions; they are joined to the
// predictions by request_id (Join). For classifiers it computes accuracy,
// precision, recall and F1 per class and macro-averaged, ROC AUC (binary, and
// macro one-vs-rest for more classes) and log loss; for regressors MAE, RMSE
// and MAPE; for both the label coverage (the share of predictions that have a
// label). Definitions follow scikit-learn's (accuracy_score,
// precision_recall_fscore_support with zero_division=0, roc_auc_score,
// log_loss, mean_absolute_error, root_mean_squared_error) except where a doc
// comment says otherwise, and are checked against it on committed vectors.
//
// Without labels, EstimateAccuracy gives the confidence-based estimate of
// accuracy (the idea of NannyML's CBPE): the expected share of correct
// predictions given the distribution of the highest class score, through a
// calibration table of the reference when there is one, or taking the scores
// as calibrated probabilities when there is none. It is an estimate and is
// labelled as one wherever it is shown.
//
// ReadPredictions and ReadLabels decode the gzip JSON Lines objects that the
// ingest function writes under predictions/ and labels/.
package perf
