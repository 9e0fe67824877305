package perf

import "time"

// Task is what a model predicts.
type Task string

// The tasks.
const (
	// TaskClassification: the prediction is a class label.
	TaskClassification Task = "classification"
	// TaskRegression: the prediction is a number.
	TaskRegression Task = "regression"
)

// InferTask says classification when any successful prediction is text (a
// string or a boolean), and regression when all are numbers; "" when there
// is no successful prediction.
func InferTask(preds []Prediction) Task {
	var task Task
	for _, p := range preds {
		if p.Failed {
			continue
		}
		if !p.Output.Numeric {
			return TaskClassification
		}
		task = TaskRegression
	}
	return task
}

// Summary is the performance of the predictions of one window: the
// performance section of a window report.
type Summary struct {
	Task Task `json:"task"`
	JoinStats
	// LabelCoverage is Labelled / Predictions (0 without predictions).
	LabelCoverage float64 `json:"label_coverage"`
	// LabelsUntil is the end of the label partitions read: labels that
	// arrive later update the summary when it is computed again.
	LabelsUntil    time.Time       `json:"labels_until"`
	Classification *Classification `json:"classification,omitempty"`
	Regression     *Regression     `json:"regression,omitempty"`
}

// Evaluate joins predictions with labels and computes the metrics of task
// (inferred from the predictions when empty). positive is the positive
// class of a binary classifier (see Classify).
func Evaluate(task Task, preds []Prediction, labels map[string]Label, positive string, labelsUntil time.Time) Summary {
	if task == "" {
		task = InferTask(preds)
	}
	pairs, st := Join(preds, labels)
	s := Summary{Task: task, JoinStats: st, LabelsUntil: labelsUntil.UTC()}
	if st.Predictions > 0 {
		s.LabelCoverage = float64(st.Labelled) / float64(st.Predictions)
	}
	switch task {
	case TaskClassification:
		s.Classification = Classify(pairs, positive)
	case TaskRegression:
		s.Regression = Regress(pairs)
	}
	return s
}
