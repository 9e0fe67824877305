package drift

import (
	"github.com/modelwatch/modelwatch/shared/multivariate"

	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ReportSchemaVersion is the version of the Report JSON document.
const ReportSchemaVersion = 1

// Severity grades a feature: ok, warn or drift.
type Severity string

// The severities, from best to worst.
const (
	OK    Severity = "ok"
	Warn  Severity = "warn"
	Drift Severity = "drift"
)

func (s Severity) rank() int {
	switch s {
	case Warn:
		return 1
	case Drift:
		return 2
	}
	return 0
}

func worse(a, b Severity) Severity {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Report is the result of comparing current data with a reference: the
// document `modelwatch compare --json` prints (schema_version 1). Statistics
// that cannot be computed (no values on one side, or not defined for the
// feature's kind) are omitted.
type Report struct {
	SchemaVersion int               `json:"schema_version"`
	Reference     ReferenceInfo     `json:"reference"`
	Current       CurrentInfo       `json:"current"`
	DatasetDrift  DatasetDrift      `json:"dataset_drift"`
	Features      []FeatureResult   `json:"features"`
	Prediction    *PredictionResult `json:"prediction,omitempty"`
	Warnings      []string          `json:"warnings,omitempty"`
	// Notes say what was left out and why (date-time columns, for one).
	Notes []string `json:"notes,omitempty"`
	// Multivariate compares the mean reconstruction error of the current
	// data with the reference's, when the reference has a multivariate
	// model and the current data has rows.
	Multivariate *multivariate.Result `json:"multivariate,omitempty"`
}

// ReferenceInfo identifies the reference profile.
type ReferenceInfo struct {
	Model       string `json:"model,omitempty"`
	Version     string `json:"version,omitempty"`
	Rows        int64  `json:"rows"`
	Fingerprint string `json:"fingerprint"`
}

// CurrentInfo describes the current data.
type CurrentInfo struct {
	Rows   int64 `json:"rows"`
	Errors int64 `json:"errors,omitempty"`
}

// DatasetDrift says whether enough features drifted.
type DatasetDrift struct {
	Drifted   int     `json:"drifted"`
	Features  int     `json:"features"`
	Share     float64 `json:"share"`
	Threshold float64 `json:"threshold"`
	Detected  bool    `json:"detected"`
}

// FeatureResult is the comparison of one feature.
type FeatureResult struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Method decided Severity with Thresholds; Value is its statistic (a
	// p-value for ks and chi2, adjusted when a correction is on).
	Method     Method     `json:"method"`
	Value      *float64   `json:"value,omitempty"`
	Thresholds Thresholds `json:"thresholds"`
	Severity   Severity   `json:"severity"`
	// MethodSeverity is the method's own verdict, before the missing rate.
	MethodSeverity Severity `json:"method_severity"`
	// With a calibration: the verdict of the fixed thresholds, the
	// calibrated thresholds and their verdict, and which decided MethodSeverity
	// (fixed, calibrated, or both: drift only when both agree).
	FixedSeverity        Severity    `json:"fixed_severity,omitempty"`
	CalibratedThresholds *Thresholds `json:"calibrated_thresholds,omitempty"`
	CalibratedSeverity   Severity    `json:"calibrated_severity,omitempty"`
	DecidedBy            Decide      `json:"decided_by,omitempty"`
	Bins                 Bins        `json:"bins"`
	// Grid is the number of fine bins KS and Wasserstein were computed on.
	Grid        int         `json:"grid,omitempty"`
	PSI         *float64    `json:"psi,omitempty"`
	KL          *float64    `json:"kl,omitempty"`
	JS          *float64    `json:"js,omitempty"`
	Hellinger   *float64    `json:"hellinger,omitempty"`
	KS          *KSResult   `json:"ks,omitempty"`
	Wasserstein *float64    `json:"wasserstein,omitempty"`
	Chi2        *Chi2Result `json:"chi2,omitempty"`
	LInf        *float64    `json:"linf,omitempty"`
	Missing     Missing     `json:"missing"`
	Unseen      *Unseen     `json:"unseen,omitempty"`
	Mean        *Pair       `json:"mean,omitempty"`
	Std         *Pair       `json:"std,omitempty"`
}

// Bins are the coarse bins (numeric edges or category names, the last being
// __other__) and the reference and current proportions over them.
type Bins struct {
	Edges      []float64 `json:"edges,omitempty"`
	Categories []string  `json:"categories,omitempty"`
	Reference  []float64 `json:"reference"`
	Current    []float64 `json:"current"`
}

// KSResult is the two-sample Kolmogorov-Smirnov test.
type KSResult struct {
	Statistic float64  `json:"statistic"`
	PValue    float64  `json:"p_value"`
	Adjusted  *float64 `json:"p_adjusted,omitempty"`
}

// Chi2Result is the two-sample chi-squared test of homogeneity of the
// reference and current counts (scipy.stats.chi2_contingency without
// continuity correction), bins empty on both sides dropped.
type Chi2Result struct {
	Statistic float64  `json:"statistic"`
	DOF       int      `json:"dof"`
	PValue    float64  `json:"p_value"`
	Adjusted  *float64 `json:"p_adjusted,omitempty"`
}

// Missing are the missing rates of each side and the severity of their change.
type Missing struct {
	Reference float64  `json:"reference"`
	Current   float64  `json:"current"`
	Severity  Severity `json:"severity"`
}

// Unseen is the share of current values the reference never saw and the
// most frequent of them. Values of rare reference categories, pooled in
// __other__, are not unseen. UpperBound is set when the reference pooled
// more categories than it remembers (profile.MaxPooledHashes), so that some
// values counted here may be rare reference categories.
type Unseen struct {
	Share      float64   `json:"share"`
	UpperBound bool      `json:"upper_bound,omitempty"`
	Top        []NameCnt `json:"top,omitempty"`
}

// NameCnt is a category and its count.
type NameCnt struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Pair is a reference and a current value.
type Pair struct {
	Reference float64 `json:"reference"`
	Current   float64 `json:"current"`
}

// PredictionResult compares the model's outputs.
type PredictionResult struct {
	// Drift compares the prediction column like a feature (PredictionPSI).
	Drift FeatureResult `json:"drift"`
	// ClassShares are the share of each predicted class.
	ClassShares []ClassShare `json:"class_shares,omitempty"`
	// MeanConfidence is the mean highest class score.
	MeanConfidence *Pair `json:"mean_confidence,omitempty"`
	// Confidence compares the distribution of the highest class score.
	Confidence *FeatureResult `json:"confidence,omitempty"`
}

// ClassShare is one class's share of predictions.
type ClassShare struct {
	Class     string  `json:"class"`
	Reference float64 `json:"reference"`
	Current   float64 `json:"current"`
}

// WorstFirst returns the features ordered from the most to the least
// drifted: by severity, then by how far the deciding statistic is past its
// thresholds (larger distances and smaller p-values first), then by name.
func WorstFirst(features []FeatureResult) []FeatureResult {
	out := slices.Clone(features)
	slices.SortStableFunc(out, func(a, b FeatureResult) int {
		if c := cmp.Compare(b.Severity.rank(), a.Severity.rank()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.badness(), a.badness()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// Reason says why the feature got its severity: the deciding statistic
// against the threshold it crossed and, when the missing rate changed enough
// to matter, the missing rates. It is empty for an ok feature.
func (f FeatureResult) Reason() string {
	var parts []string
	if f.MethodSeverity.rank() > 0 && f.Value != nil {
		t := f.Thresholds
		if f.DecidedBy == DecideCalibrated && f.CalibratedThresholds != nil {
			t = *f.CalibratedThresholds
		}
		limit, op, what := t.Drift, ">=", string(f.Method)
		if f.MethodSeverity == Warn {
			limit = t.Warn
		}
		if f.Method.PValue() {
			op, what = "<", string(f.Method)+" p"
		}
		if f.DecidedBy == DecideCalibrated {
			what += " (calibrated)"
		}
		parts = append(parts, fmt.Sprintf("%s %.4g %s %.4g", what, *f.Value, op, limit))
	}
	if f.Missing.Severity.rank() > 0 {
		parts = append(parts, fmt.Sprintf("missing %.1f%% -> %.1f%%", 100*f.Missing.Reference, 100*f.Missing.Current))
	}
	return strings.Join(parts, "; ")
}

// badness is the deciding statistic scaled by its drift threshold, so that
// features decided by different methods can be ranked together.
func (f FeatureResult) badness() float64 {
	if f.Value == nil {
		return 0
	}
	v := *f.Value
	if f.Method.PValue() {
		if v <= 0 {
			return math.Inf(1)
		}
		return f.Thresholds.Drift / v
	}
	if f.Thresholds.Drift <= 0 {
		return v
	}
	return v / f.Thresholds.Drift
}
