package monitor

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/perf"
)

// Publisher sends metric data to CloudWatch (metrics.CloudWatchPublisher).
type Publisher interface {
	Publish(ctx context.Context, data []types.MetricDatum) error
}

// FeatureMetricNames are the per-feature metrics that can be published
// beside FeaturePSI (each is a custom metric per feature, so they are off by
// default), by the statistic that gives their value.
var FeatureMetricNames = map[drift.Method]string{
	drift.PSI:         catalog.FeaturePSI,
	drift.KL:          catalog.FeatureKL,
	drift.JS:          catalog.FeatureJS,
	drift.Hellinger:   catalog.FeatureHellinger,
	drift.Wasserstein: catalog.FeatureWasserstein,
	drift.KS:          catalog.FeatureKS,
}

// metricSet builds the data of one window: every datum has the dimension
// Model and the window's end as its timestamp.
type metricSet struct {
	model string
	at    time.Time
	data  []types.MetricDatum
	rows  []MetricRow
	// skipped names the features whose names cannot be a dimension value.
	skipped []string
}

func (s *metricSet) add(name string, v float64, extraDim, extraVal string) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	unit := catalog.UnitNone
	if m, ok := catalog.Lookup(name); ok {
		unit = m.Unit
	}
	dims := []types.Dimension{{Name: aws.String(catalog.DimModel), Value: aws.String(s.model)}}
	row := MetricRow{Name: name, Value: v, Unit: unit}
	if extraDim != "" {
		if !dimensionValueOK(extraVal) {
			s.skipped = append(s.skipped, extraVal)
			return
		}
		dims = append(dims, types.Dimension{Name: aws.String(extraDim), Value: aws.String(extraVal)})
		row.Dimension = extraDim + "=" + extraVal
	}
	s.data = append(s.data, types.MetricDatum{
		MetricName: aws.String(name),
		Dimensions: dims,
		Timestamp:  aws.Time(s.at),
		Value:      aws.Float64(v),
		Unit:       types.StandardUnit(unit),
	})
	s.rows = append(s.rows, row)
}

// dimensionValueOK: CloudWatch wants 1 to 1024 printable ASCII characters,
// not only blanks, and not starting with a colon.
func dimensionValueOK(v string) bool {
	if v == "" || len(v) > 1024 || strings.TrimSpace(v) == "" || v[0] == ':' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// windowMetrics are the metrics of a window report: system health always
// (PredictionCount 0 for an empty window), drift and prediction metrics
// when the window had data, and performance when labels exist.
func windowMetrics(r *Report, featureMetrics []drift.Method) *metricSet {
	s := &metricSet{model: r.Report.Reference.Model, at: r.Window.End}
	s.add(catalog.PredictionCount, float64(r.System.Records), "", "")
	if r.System.Records > 0 {
		s.add(catalog.ErrorRate, 100*r.System.ErrorRate, "", "")
	}
	if l := r.System.Latency; l != nil {
		s.add(catalog.LatencyP50, l.P50, "", "")
		s.add(catalog.LatencyP95, l.P95, "", "")
		s.add(catalog.LatencyP99, l.P99, "", "")
	}
	if r.Status == StatusOK && len(r.Features) > 0 {
		maxPSI, havePSI := 0.0, false
		for _, f := range r.Features {
			if f.PSI != nil {
				maxPSI, havePSI = math.Max(maxPSI, *f.PSI), true
			}
			for _, m := range featureMetrics {
				if v := featureStatistic(f, m); v != nil {
					s.add(FeatureMetricNames[m], *v, catalog.DimFeature, f.Name)
				}
			}
		}
		if havePSI {
			s.add(catalog.MaxFeaturePSI, maxPSI, "", "")
		}
		s.add(catalog.DriftedFeatureShare, r.DatasetDrift.Share, "", "")
	}
	if mv := r.Multivariate; mv != nil && r.Status == StatusOK {
		s.add(catalog.ReconstructionError, mv.Mean, "", "")
		s.add(catalog.ReconstructionErrorUpper, mv.Upper, "", "")
		s.add(catalog.ReconstructionErrorLower, mv.Lower, "", "")
		s.add(catalog.ReconstructionErrorSigma, mv.Sigmas, "", "")
	}
	if p := r.Prediction; p != nil && r.Status == StatusOK {
		if p.PredictionResult != nil {
			if p.Drift.PSI != nil {
				s.add(catalog.PredictionPSI, *p.Drift.PSI, "", "")
			}
			for _, c := range p.ClassShares {
				s.add(catalog.ClassShare, c.Current, catalog.DimClass, c.Class)
			}
			if p.MeanConfidence != nil {
				s.add(catalog.MeanConfidence, p.MeanConfidence.Current, "", "")
			}
		}
		if e := p.EstimatedAccuracy; e != nil {
			s.add(catalog.EstimatedAccuracy, e.Accuracy, "", "")
		}
	}
	addPerformance(s, r.Performance)
	addArrived(s, r.LabelsArrived)
	return s
}

// addPerformance adds the performance metrics: LabelCoverage whenever the
// window had predictions, the others when labels arrived.
// addArrived adds the accuracy of the predictions whose labels arrived in the
// window: the metric the accuracy alarm watches.
func addArrived(s *metricSet, p *perf.Summary) {
	if p == nil || p.Labelled == 0 || p.Classification == nil {
		return
	}
	s.add(catalog.LabelledAccuracy, p.Classification.Accuracy, "", "")
}

func addPerformance(s *metricSet, p *perf.Summary) {
	if p == nil || p.Predictions == 0 {
		return
	}
	s.add(catalog.LabelCoverage, p.LabelCoverage, "", "")
	if c := p.Classification; c != nil {
		s.add(catalog.Accuracy, c.Accuracy, "", "")
		s.add(catalog.F1, c.MacroF1, "", "")
		if c.AUC != nil {
			s.add(catalog.AUC, *c.AUC, "", "")
		}
		if c.LogLoss != nil {
			s.add(catalog.LogLoss, *c.LogLoss, "", "")
		}
	}
	if g := p.Regression; g != nil {
		s.add(catalog.MAE, g.MAE, "", "")
		s.add(catalog.RMSE, g.RMSE, "", "")
	}
}

// performanceMetrics are the performance metrics of an earlier window whose
// labels changed, at that window's timestamp.
func performanceMetrics(model string, end time.Time, p *perf.Summary) *metricSet {
	s := &metricSet{model: model, at: end}
	addPerformance(s, p)
	return s
}

func featureStatistic(f drift.FeatureResult, m drift.Method) *float64 {
	switch m {
	case drift.PSI:
		return f.PSI
	case drift.KL:
		return f.KL
	case drift.JS:
		return f.JS
	case drift.Hellinger:
		return f.Hellinger
	case drift.Wasserstein:
		return f.Wasserstein
	case drift.KS:
		if f.KS != nil {
			return &f.KS.Statistic
		}
	}
	return nil
}

// ParseFeatureMetrics reads a comma-separated list of statistics to publish
// per feature ("psi", "psi,js,ks", or "none").
func ParseFeatureMetrics(s string) ([]drift.Method, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []drift.Method{drift.PSI}, nil
	}
	if s == "none" {
		return nil, nil
	}
	var out []drift.Method
	for _, part := range strings.Split(s, ",") {
		m := drift.Method(strings.ToLower(strings.TrimSpace(part)))
		if _, ok := FeatureMetricNames[m]; !ok {
			return nil, fmt.Errorf("per-feature metric %q: want psi, kl, js, hellinger, wasserstein, ks or none", part)
		}
		out = append(out, m)
	}
	return out, nil
}

// failureDatum is a MonitoringErrors datum at window end at: for model, or
// without a dimension when model is "".
func failureDatum(at time.Time, n float64, model string) types.MetricDatum {
	var dims []types.Dimension
	if model != "" {
		dims = []types.Dimension{{Name: aws.String(catalog.DimModel), Value: aws.String(model)}}
	}
	return types.MetricDatum{
		MetricName: aws.String(catalog.MonitoringErrors),
		Dimensions: dims,
		Timestamp:  aws.Time(at),
		Value:      aws.Float64(n),
		Unit:       types.StandardUnitCount,
	}
}
