package monitor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/perf"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/report"
)

// Status says whether a window had data.
type Status string

// The statuses of a window report.
const (
	// StatusOK: the window had traffic and was compared.
	StatusOK Status = "ok"
	// StatusNoData: no batch profile in the window; nothing was compared.
	StatusNoData Status = "no_data"
)

// Report is the document the drift function writes for a window: the
// drift report of `modelwatch compare --json` (same schema, same keys),
// extended with the window, its status, the prediction section's
// confidence-based accuracy estimate, performance and system health.
type Report struct {
	drift.Report
	Window WindowInfo `json:"window"`
	Status Status     `json:"status"`
	// Prediction replaces the drift report's prediction section with the
	// same keys plus the estimated accuracy.
	Prediction  *Prediction   `json:"prediction,omitempty"`
	Performance *perf.Summary `json:"performance,omitempty"`
	// LabelsArrived is the performance of the predictions whose labels
	// arrived in this window, whichever window the predictions were made in:
	// the fresh signal the accuracy alarm watches (LabelledAccuracy), since
	// Performance of a past window is re-published at that window's old
	// timestamp, which an alarm no longer evaluates.
	LabelsArrived *perf.Summary `json:"labels_arrived,omitempty"`
	// PerformanceError says why performance could not be computed, when it
	// could not (for example a corrupt label object).
	PerformanceError string `json:"performance_error,omitempty"`
	System           System `json:"system"`
	// ReferenceKey is the key of the reference profile compared with.
	ReferenceKey string `json:"reference_key"`
	// ConfigSource is where the drift decision settings came from: a
	// config object's key, "env" or "default".
	ConfigSource string    `json:"config_source"`
	GeneratedAt  time.Time `json:"generated_at"`
	// Metrics are the metrics published for the window, so that a reader
	// sees what the alarms saw.
	Metrics []MetricRow `json:"metrics,omitempty"`

	// quarantined are the keys under quarantine/ of the window's batch
	// profiles that were moved aside while the report was made.
	quarantined []string
}

// WindowInfo is the window a report covers.
type WindowInfo struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Length string    `json:"length"`
}

// MetricRow is one metric published for a window.
type MetricRow struct {
	Name      string  `json:"name"`
	Dimension string  `json:"dimension,omitempty"` // Feature=x or Class=y
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
}

// Prediction is the drift report's prediction section plus the
// confidence-based estimate of accuracy.
type Prediction struct {
	*drift.PredictionResult
	// EstimatedAccuracy is an estimate, not a measurement (see
	// perf.EstimateAccuracy).
	EstimatedAccuracy *perf.Estimate `json:"estimated_accuracy,omitempty"`
}

// System is the health of the service in the window, from every batch
// profile of the window (whichever reference it was counted against).
type System struct {
	Batches int   `json:"batches"`
	Records int64 `json:"records"`
	Errors  int64 `json:"errors"`
	// ErrorRate is Errors / Records (0 without records); the ErrorRate
	// metric is the same in percent.
	ErrorRate  float64    `json:"error_rate"`
	Latency    *Latency   `json:"latency_ms,omitempty"`
	FirstEvent *time.Time `json:"first_event,omitempty"`
	LastEvent  *time.Time `json:"last_event,omitempty"`
	// OtherReference lists batches counted against another reference
	// version (the reference changed during the window): they count here
	// but are not compared.
	OtherReference []OtherReference `json:"other_reference,omitempty"`
}

// Latency summarises the merged latency histogram (percentiles within
// 4.5 % of the exact ones; see profile.LatencyHistogram).
type Latency struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

// OtherReference counts the batches of one other reference fingerprint.
type OtherReference struct {
	Fingerprint string `json:"fingerprint"`
	Batches     int64  `json:"batches"`
	Records     int64  `json:"records"`
}

func systemOf(s systemTotals) System {
	out := System{Batches: s.batches, Records: s.rows, Errors: s.errors, FirstEvent: s.first, LastEvent: s.last}
	if s.rows > 0 {
		out.ErrorRate = float64(s.errors) / float64(s.rows)
	}
	if h := s.latency; h != nil && h.Count() > 0 {
		out.Latency = &Latency{Count: h.Count(), Mean: h.Mean(), P50: h.Quantile(0.5), P95: h.Quantile(0.95), P99: h.Quantile(0.99), Max: h.Max}
	}
	for fp, c := range s.other {
		out.OtherReference = append(out.OtherReference, OtherReference{Fingerprint: fp, Batches: c[0], Records: c[1]})
	}
	sort.Slice(out.OtherReference, func(i, j int) bool { return out.OtherReference[i].Fingerprint < out.OtherReference[j].Fingerprint })
	return out
}

// driftReport returns the drift report with its prediction section
// restored (after decoding, it lives in Prediction).
func (r *Report) driftReport() *drift.Report {
	d := r.Report
	if r.Prediction != nil {
		d.Prediction = r.Prediction.PredictionResult
	}
	return &d
}

// EncodeJSON writes the report as indented JSON.
func (r *Report) EncodeJSON() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return append(data, '\n'), nil
}

// DecodeReport reads a report written by EncodeJSON.
func DecodeReport(data []byte) (*Report, error) {
	var r Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if r.SchemaVersion != drift.ReportSchemaVersion {
		return nil, fmt.Errorf("decode report: schema_version %d, want %d", r.SchemaVersion, drift.ReportSchemaVersion)
	}
	return &r, nil
}

// EncodeHTML renders the report's page.
func (r *Report) EncodeHTML() ([]byte, error) {
	var buf bytes.Buffer
	m := &report.Monitoring{
		Start:       r.Window.Start,
		End:         r.Window.End,
		NoData:      r.Status == StatusNoData,
		Performance: r.Performance,
		PerfError:   r.PerformanceError,
		System: &report.System{
			Batches: r.System.Batches, Records: r.System.Records, Errors: r.System.Errors, ErrorRate: r.System.ErrorRate,
		},
	}
	if l := r.System.Latency; l != nil {
		m.System.Latency = &report.Latency{Count: l.Count, Mean: l.Mean, P50: l.P50, P95: l.P95, P99: l.P99, Max: l.Max}
	}
	for _, o := range r.System.OtherReference {
		m.System.OtherReferenceBatches += o.Batches
		m.System.OtherReferenceRecords += o.Records
	}
	if r.Prediction != nil {
		m.Estimate = r.Prediction.EstimatedAccuracy
	}
	m.Crossed = crossedAlarms(r.Metrics)
	title := fmt.Sprintf("Window report: %s, %s to %s", r.Report.Reference.Model,
		r.Window.Start.Format("2006-01-02 15:04"), r.Window.End.Format("2006-01-02 15:04 UTC"))
	if err := report.HTML(&buf, r.driftReport(), report.Options{Title: title, Generated: r.GeneratedAt, Monitoring: m}); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return buf.Bytes(), nil
}

// crossedAlarms lists the alarms whose metric, as published for the window,
// crosses the alarm's default threshold (catalog.Alarms, the template's
// parameter defaults): what the page's headline says fired.
func crossedAlarms(rows []MetricRow) []report.Crossing {
	ops := map[string]string{catalog.GreaterThanOrEqual: "≥", catalog.GreaterThan: ">", catalog.LessThan: "<"}
	var out []report.Crossing
	for _, a := range catalog.Alarms {
		for _, row := range rows {
			if row.Name == a.Metric && row.Dimension == "" && a.Breaches(row.Value, a.DefaultThreshold) {
				out = append(out, report.Crossing{Alarm: a.Kind, Metric: a.Metric, Value: row.Value, Op: ops[a.Comparison], Threshold: a.DefaultThreshold})
				break
			}
		}
	}
	return out
}

// noDataReport is the drift part of a window without traffic.
func noDataReport(ref *profile.Profile) drift.Report {
	return drift.Report{
		SchemaVersion: drift.ReportSchemaVersion,
		Reference:     drift.ReferenceInfo{Model: ref.Model, Version: ref.Version, Rows: ref.Rows, Fingerprint: ref.Fingerprint},
		Features:      []drift.FeatureResult{},
		DatasetDrift:  drift.DatasetDrift{},
		Warnings:      []string{"no data: no batch profile in this window, so nothing was compared"},
	}
}
