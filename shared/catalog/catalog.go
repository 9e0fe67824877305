package catalog

import "strings"

// DefaultNamespace is the CloudWatch namespace of modelwatch's metrics.
const DefaultNamespace = "ModelWatch"

// Dimension names.
const (
	DimModel   = "Model"
	DimFeature = "Feature"
	DimClass   = "Class"
)

// Units, as CloudWatch names them.
const (
	UnitNone         = "None"
	UnitCount        = "Count"
	UnitPercent      = "Percent"
	UnitMilliseconds = "Milliseconds"
)

// Metric names.
const (
	FeaturePSI          = "FeaturePSI"
	MaxFeaturePSI       = "MaxFeaturePSI"
	DriftedFeatureShare = "DriftedFeatureShare"
	PredictionPSI       = "PredictionPSI"
	ClassShare          = "ClassShare"
	Accuracy            = "Accuracy"
	// LabelledAccuracy is the accuracy of the predictions whose labels
	// arrived in the window, whenever the predictions were made: the fresh
	// signal the accuracy alarm watches (Accuracy is attributed to the
	// predictions' own window, so late labels land at old timestamps that an
	// alarm no longer evaluates).
	LabelledAccuracy  = "LabelledAccuracy"
	F1                = "F1"
	AUC               = "AUC"
	LogLoss           = "LogLoss"
	MAE               = "MAE"
	RMSE              = "RMSE"
	LabelCoverage     = "LabelCoverage"
	MeanConfidence    = "MeanConfidence"
	EstimatedAccuracy = "EstimatedAccuracy"
	PredictionCount   = "PredictionCount"
	RecordsRejected   = "RecordsRejected"
	ErrorRate         = "ErrorRate"
	LatencyP50        = "LatencyP50"
	LatencyP95        = "LatencyP95"
	LatencyP99        = "LatencyP99"

	// Opt-in per-feature statistics beside FeaturePSI (each is a custom
	// metric per feature, so the drift function publishes them only when
	// configured).
	FeatureKL          = "FeatureKL"
	FeatureJS          = "FeatureJS"
	FeatureHellinger   = "FeatureHellinger"
	FeatureWasserstein = "FeatureWasserstein"
	FeatureKS          = "FeatureKS"

	// Per-request system metrics of the ingest function, as Embedded Metric
	// Format log lines (RecordsRejected above is one of them).
	RecordsAccepted   = "RecordsAccepted"
	ModelErrors       = "ModelErrors"
	ModelLatency      = "ModelLatency"
	LabelsAccepted    = "LabelsAccepted"
	LabelsRejected    = "LabelsRejected"
	DuplicateRequests = "DuplicateRequests"

	// MonitoringErrors is published by the drift function per window: per
	// model whose run failed (1) or whose window had unreadable batch
	// profiles moved to quarantine (their number), and the total without a
	// dimension, which the stack's monitoring-errors alarm watches.
	MonitoringErrors = "MonitoringErrors"

	// Multivariate drift (published when the reference has a multivariate
	// model): the window's mean PCA reconstruction error, its thresholds for
	// the window's size (reference mean ∓ 3 standard errors) and how many
	// standard errors the mean lies above the reference mean, which is
	// compared with a fixed 3 whatever the window size.
	ReconstructionError      = "ReconstructionError"
	ReconstructionErrorUpper = "ReconstructionErrorUpper"
	ReconstructionErrorLower = "ReconstructionErrorLower"
	ReconstructionErrorSigma = "ReconstructionErrorSigmas"
)

// Metric describes one metric: its unit and the dimension it adds to Model
// ("" when it has only Model).
type Metric struct {
	Name  string
	Unit  string
	Extra string
}

// Metrics lists every metric modelwatch publishes.
var Metrics = []Metric{
	{FeaturePSI, UnitNone, DimFeature},
	{MaxFeaturePSI, UnitNone, ""},
	{DriftedFeatureShare, UnitNone, ""},
	{PredictionPSI, UnitNone, ""},
	{ClassShare, UnitNone, DimClass},
	{Accuracy, UnitNone, ""},
	{LabelledAccuracy, UnitNone, ""},
	{F1, UnitNone, ""},
	{AUC, UnitNone, ""},
	{LogLoss, UnitNone, ""},
	{MAE, UnitNone, ""},
	{RMSE, UnitNone, ""},
	{LabelCoverage, UnitNone, ""},
	{MeanConfidence, UnitNone, ""},
	{EstimatedAccuracy, UnitNone, ""},
	{PredictionCount, UnitCount, ""},
	{RecordsRejected, UnitCount, ""},
	{ErrorRate, UnitPercent, ""},
	{LatencyP50, UnitMilliseconds, ""},
	{LatencyP95, UnitMilliseconds, ""},
	{LatencyP99, UnitMilliseconds, ""},
	{FeatureKL, UnitNone, DimFeature},
	{FeatureJS, UnitNone, DimFeature},
	{FeatureHellinger, UnitNone, DimFeature},
	{FeatureWasserstein, UnitNone, DimFeature},
	{FeatureKS, UnitNone, DimFeature},
	{RecordsAccepted, UnitCount, ""},
	{ModelErrors, UnitCount, ""},
	{ModelLatency, UnitMilliseconds, ""},
	{LabelsAccepted, UnitCount, ""},
	{LabelsRejected, UnitCount, ""},
	{DuplicateRequests, UnitCount, ""},
	{MonitoringErrors, UnitCount, ""},
	{ReconstructionError, UnitNone, ""},
	{ReconstructionErrorUpper, UnitNone, ""},
	{ReconstructionErrorLower, UnitNone, ""},
	{ReconstructionErrorSigma, UnitNone, ""},
}

// Lookup returns the metric named name.
func Lookup(name string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Comparison operators, as CloudWatch names them.
const (
	GreaterThanOrEqual = "GreaterThanOrEqualToThreshold"
	GreaterThan        = "GreaterThanThreshold"
	LessThan           = "LessThanThreshold"
)

// Alarm is one alarm kind. The stack has one alarm of each kind over every
// model, {prefix}{Kind} (KindAlarmName), on a Metrics Insights query
// (Query) in which each model is a contributor; the prefix is the stack
// name and a hyphen. Per-model alarms a user creates are named
// {prefix}{model}-{Kind} (PrefixedAlarmName).
type Alarm struct {
	// Kind names the alarm after the model name.
	Kind string
	// Metric is the metric it watches (dimension Model only).
	Metric string
	// Comparison and DefaultThreshold decide it; ThresholdParameter is the
	// template parameter that sets the threshold.
	Comparison         string
	DefaultThreshold   float64
	ThresholdParameter string
	// Statistic, period (seconds) and evaluation periods of the alarm.
	Statistic         string
	Period            int
	EvaluationPeriods int
	// TreatMissingData: drift and performance metrics are published once a
	// window and missing means "no data", not breaching.
	TreatMissingData string
	// RetrainTrigger says whether the alarm requests retraining (the drift
	// kinds and accuracy) or only notifies people.
	RetrainTrigger bool
}

// Alarms are the alarms of every monitored model, in template order.
var Alarms = []Alarm{
	{Kind: "feature-drift", Metric: MaxFeaturePSI, Comparison: GreaterThanOrEqual, DefaultThreshold: 0.25, ThresholdParameter: "FeaturePSIThreshold", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: true},
	{Kind: "dataset-drift", Metric: DriftedFeatureShare, Comparison: GreaterThanOrEqual, DefaultThreshold: 0.5, ThresholdParameter: "DriftedShareThreshold", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: true},
	{Kind: "prediction-drift", Metric: PredictionPSI, Comparison: GreaterThanOrEqual, DefaultThreshold: 0.25, ThresholdParameter: "PredictionPSIThreshold", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: true},
	{Kind: "accuracy", Metric: LabelledAccuracy, Comparison: LessThan, DefaultThreshold: 0.8, ThresholdParameter: "AccuracyThreshold", Statistic: "Minimum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: true},
	{Kind: "latency", Metric: LatencyP99, Comparison: GreaterThan, DefaultThreshold: 500, ThresholdParameter: "LatencyP99ThresholdMs", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: false},
	{Kind: "error-rate", Metric: ErrorRate, Comparison: GreaterThan, DefaultThreshold: 5, ThresholdParameter: "ErrorRateThresholdPercent", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: false},
	// Multivariate drift notifies; it requests retraining when the stack's
	// RetrainMetrics names ReconstructionErrorSigmas (a relation between
	// features that changed while each feature stayed is worth a look
	// before a retraining).
	{Kind: "multivariate-drift", Metric: ReconstructionErrorSigma, Comparison: GreaterThanOrEqual, DefaultThreshold: 3, ThresholdParameter: "ReconstructionSigmaThreshold", Statistic: "Maximum", Period: 3600, EvaluationPeriods: 1, TreatMissingData: "notBreaching", RetrainTrigger: false},
}

// DefaultAlarmNamePrefix starts the alarm names of a stack with the default
// name, modelwatch: template.yaml names a model's alarms
// ${AWS::StackName}-{model}-{kind}, so every stack has its own names.
const DefaultAlarmNamePrefix = "modelwatch-"

// AlarmName is the name of a model's alarm of the given kind in a stack named
// modelwatch: PrefixedAlarmName(DefaultAlarmNamePrefix, model, kind).
func AlarmName(model, kind string) string {
	return PrefixedAlarmName(DefaultAlarmNamePrefix, model, kind)
}

// PrefixedAlarmName is the name of a model's alarm of the given kind when the
// alarm names start with prefix (the stack name and a hyphen):
// {prefix}{model}-{kind}.
func PrefixedAlarmName(prefix, model, kind string) string { return prefix + model + "-" + kind }

// AlarmKind returns the catalog alarm whose kind ends name after a hyphen,
// with something before the hyphen; when several kinds fit (kinds may
// contain '-'), the longest. It does not look at the prefix.
func AlarmKind(name string) (Alarm, bool) {
	var kind Alarm
	for _, a := range Alarms {
		rest, found := strings.CutSuffix(name, "-"+a.Kind)
		if found && rest != "" && len(a.Kind) > len(kind.Kind) {
			kind = a
		}
	}
	return kind, kind.Kind != ""
}

// ParseAlarmName splits an alarm name {prefix}{model}-{kind} for a kind of
// the catalog (the longest that fits, since kinds and model names may contain
// '-'). ok is false when name does not start with prefix, ends in no kind, or
// leaves no model between the two. The model is not validated.
func ParseAlarmName(prefix, name string) (model string, kind Alarm, ok bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return "", Alarm{}, false
	}
	kind, ok = AlarmKind(rest)
	if !ok {
		return "", Alarm{}, false
	}
	return strings.TrimSuffix(rest, "-"+kind.Kind), kind, true
}

// Breaches reports whether value breaches alarm a at threshold t.
func (a Alarm) Breaches(value, t float64) bool {
	switch a.Comparison {
	case GreaterThanOrEqual:
		return value >= t
	case GreaterThan:
		return value > t
	case LessThan:
		return value < t
	}
	return false
}

// RetrainMetrics are the metrics whose alarms request retraining by default:
// those of the retrain-trigger alarms, and Accuracy, for an alarm a user sets
// on the accuracy by prediction window.
func RetrainMetrics() []string {
	var out []string
	for _, a := range Alarms {
		if a.RetrainTrigger {
			out = append(out, a.Metric)
		}
	}
	return append(out, Accuracy)
}

// KindAlarmName is the name of the stack's alarm of a kind over every model:
// {prefix}{kind}, e.g. modelwatch-feature-drift. Each model is a contributor
// of that alarm (a Metrics Insights query grouped by Model).
func KindAlarmName(prefix, kind string) string { return prefix + kind }

// ParseKindAlarmName returns the catalog alarm of a name {prefix}{kind}; ok
// is false when name is not one.
func ParseKindAlarmName(prefix, name string) (Alarm, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return Alarm{}, false
	}
	for _, a := range Alarms {
		if a.Kind == rest {
			return a, true
		}
	}
	return Alarm{}, false
}

// Aggregate is the Metrics Insights function of the alarm's statistic: MAX
// for Maximum, MIN for Minimum, AVG otherwise.
func (a Alarm) Aggregate() string {
	switch a.Statistic {
	case "Maximum":
		return "MAX"
	case "Minimum":
		return "MIN"
	}
	return "AVG"
}

// Query is the Metrics Insights query of the alarm over every model of the
// namespace: one time series (contributor) per Model, the worst first (a
// query returns at most 500 series, so the ORDER BY keeps the worst when
// there are more).
//
//	SELECT MAX(MaxFeaturePSI) FROM SCHEMA("ModelWatch", Model) GROUP BY Model ORDER BY MAX() DESC
func (a Alarm) Query(namespace string) string {
	order := "DESC"
	if a.Comparison == LessThan {
		order = "ASC"
	}
	f := a.Aggregate()
	return "SELECT " + f + "(" + a.Metric + `) FROM SCHEMA("` + namespace + `", ` + DimModel + ") GROUP BY " + DimModel +
		" ORDER BY " + f + "() " + order
}
