package report

import (
	"fmt"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch/shared/perf"
)

// Monitoring are the sections a window report of the drift function adds to
// the drift comparison: the window, whether it had data, the model's
// performance (measured from labels, and estimated) and the service's health.
// Options.Monitoring nil renders the plain comparison page.
type Monitoring struct {
	Start, End time.Time
	// NoData marks a window without traffic: the page says so instead of a
	// verdict.
	NoData bool
	// Performance is nil when it was not computed; PerfError says why, when
	// it failed.
	Performance *perf.Summary
	PerfError   string
	// Estimate is the confidence-based estimate of accuracy.
	Estimate *perf.Estimate
	System   *System
	// Crossed are the alarm thresholds the window's published metrics
	// crossed; the page's headline names them.
	Crossed []Crossing
}

// Crossing is one alarm threshold a window's metric crossed.
type Crossing struct {
	// Alarm is the alarm's kind (feature-drift, accuracy, ...).
	Alarm  string
	Metric string
	Value  float64
	// Op is how the value compares with Threshold: ">=", ">" or "<".
	Op        string
	Threshold float64
}

// System is the service's health in the window.
type System struct {
	Batches   int
	Records   int64
	Errors    int64
	ErrorRate float64
	Latency   *Latency
	// OtherReferenceBatches and OtherReferenceRecords count batches that
	// were counted against another reference version and not compared.
	OtherReferenceBatches, OtherReferenceRecords int64
}

// Latency are model latencies in milliseconds.
type Latency struct {
	Count                    int64
	Mean, P50, P95, P99, Max float64
}

// monitoringView is what the template shows of Monitoring.
type monitoringView struct {
	Window      string
	NoData      bool
	System      []stat
	SystemNote  string
	Perf        *perfView
	PerfError   string
	NoPerfLabel string
	Estimate    *estimateView
}

type perfView struct {
	Task     string
	Summary  []stat
	Metrics  []stat
	Classes  []classRow
	Note     string
	Unlabled bool
}

type classRow struct {
	Class, Support, Predicted, Precision, Recall, F1, AUC string
}

type estimateView struct {
	Value, Method, Note, Over string
}

func newMonitoringView(m *Monitoring) *monitoringView {
	v := &monitoringView{
		Window:    m.Start.UTC().Format("2006-01-02 15:04") + " to " + m.End.UTC().Format("2006-01-02 15:04") + " UTC",
		NoData:    m.NoData,
		PerfError: clean(m.PerfError),
	}
	if s := m.System; s != nil {
		v.System = []stat{
			{Name: "Records", Value: count(s.Records)},
			{Name: "Batches", Value: strconv.Itoa(s.Batches)},
			{Name: "Errors", Value: count(s.Errors) + " (" + pct(s.ErrorRate) + ")"},
		}
		if l := s.Latency; l != nil {
			ms := func(x float64) string { return num(x) + " ms" }
			v.System = append(v.System,
				stat{Name: "Latency p50", Value: ms(l.P50)}, stat{Name: "Latency p95", Value: ms(l.P95)},
				stat{Name: "Latency p99", Value: ms(l.P99)}, stat{Name: "Latency max", Value: ms(l.Max)},
				stat{Name: "Latency mean", Value: ms(l.Mean)})
		} else {
			v.System = append(v.System, stat{Name: "Latency", Value: dash})
		}
		if s.OtherReferenceBatches > 0 {
			v.SystemNote = fmt.Sprintf("%s records in %d batches were counted against another reference version: they count here, but are not compared.",
				count(s.OtherReferenceRecords), s.OtherReferenceBatches)
		}
	}
	if e := m.Estimate; e != nil {
		v.Estimate = &estimateView{Value: pct(e.Accuracy), Method: clean(e.Method), Note: clean(e.Note), Over: count(e.Predictions)}
	}
	if p := m.Performance; p != nil {
		v.Perf = newPerfView(p)
	}
	return v
}

func newPerfView(p *perf.Summary) *perfView {
	v := &perfView{Task: clean(string(p.Task))}
	if v.Task == "" {
		v.Task = dash
	}
	v.Summary = []stat{
		{Name: "Predictions", Value: count(p.Predictions)},
		{Name: "Labelled", Value: count(p.Labelled)},
		{Name: "Label coverage", Value: pct(p.LabelCoverage)},
		{Name: "Labels read until", Value: p.LabelsUntil.UTC().Format("2006-01-02 15:04 UTC")},
	}
	if p.Failed > 0 {
		v.Summary = append(v.Summary, stat{Name: "Failed calls", Value: count(p.Failed)})
	}
	if p.Duplicates > 0 {
		v.Summary = append(v.Summary, stat{Name: "Repeated request ids", Value: count(p.Duplicates)})
	}
	opt := func(x *float64) string {
		if x == nil {
			return dash
		}
		return num(*x)
	}
	switch {
	case p.Classification != nil:
		c := p.Classification
		auc := opt(c.AUC)
		if c.AUC != nil && c.PositiveClass != "" {
			auc += " (positive class " + clean(c.PositiveClass) + ")"
		} else if c.AUC != nil {
			auc += " (macro one-vs-rest)"
		}
		v.Metrics = []stat{
			{Name: "Accuracy", Value: pct(c.Accuracy)},
			{Name: "Macro precision", Value: num(c.MacroPrecision)},
			{Name: "Macro recall", Value: num(c.MacroRecall)},
			{Name: "Macro F1", Value: num(c.MacroF1)},
			{Name: "ROC AUC", Value: auc},
			{Name: "Log loss", Value: opt(c.LogLoss)},
		}
		for _, k := range c.Classes {
			v.Classes = append(v.Classes, classRow{
				Class: clean(k.Class), Support: count(k.Support), Predicted: count(k.Predicted),
				Precision: num(k.Precision), Recall: num(k.Recall), F1: num(k.F1), AUC: opt(k.AUC),
			})
		}
	case p.Regression != nil:
		r := p.Regression
		v.Metrics = []stat{
			{Name: "MAE", Value: num(r.MAE)},
			{Name: "RMSE", Value: num(r.RMSE)},
			{Name: "MAPE", Value: opt(r.MAPE)},
		}
		if r.ZeroLabels > 0 {
			v.Note = fmt.Sprintf("MAPE leaves out the %s labels that are 0.", count(r.ZeroLabels))
		}
	default:
		v.Unlabled = true
		v.Note = "No labels have arrived yet for this window's predictions; the metrics appear when they do."
	}
	return v
}
