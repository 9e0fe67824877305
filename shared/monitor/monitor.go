package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/perf"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Monitor runs the drift function's job.
type Monitor struct {
	store     store.Store
	publisher Publisher
	cfg       Config
	log       *slog.Logger
}

// New returns a Monitor over the bucket st, publishing with pub.
func New(st store.Store, pub Publisher, cfg Config) (*Monitor, error) {
	if st == nil || pub == nil {
		return nil, errors.New("new monitor: need a store and a publisher")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new monitor: %w", err)
	}
	return &Monitor{store: st, publisher: pub, cfg: cfg, log: cfg.Logger}, nil
}

// Result is what an invocation returns: one entry per model.
type Result struct {
	WindowStart time.Time     `json:"window_start"`
	WindowEnd   time.Time     `json:"window_end"`
	Models      []ModelResult `json:"models"`
	// Failed counts the models whose run failed (missing references
	// included).
	Failed int `json:"failed"`
	// Quarantined counts the batch profiles moved aside because they could
	// not be read.
	Quarantined int `json:"quarantined,omitempty"`
}

// ModelResult is the outcome of one model's run.
type ModelResult struct {
	Model  string `json:"model"`
	Status string `json:"status"` // ok, no_data or error
	Error  string `json:"error,omitempty"`
	// Retryable says that the error may go away when the invocation is
	// retried (throttling, a 5xx); only such errors fail the invocation.
	Retryable bool `json:"retryable,omitempty"`
	// Quarantined lists the batch profiles of the window that could not be
	// read, by their new keys under quarantine/.
	Quarantined []string `json:"quarantined,omitempty"`
	// Report is the key of the window's JSON report.
	Report          string `json:"report,omitempty"`
	Batches         int    `json:"batches"`
	Records         int64  `json:"records"`
	DriftedFeatures int    `json:"drifted_features"`
	DatasetDrift    bool   `json:"dataset_drift"`
	Labelled        int64  `json:"labelled"`
	// EarlierWindows are the ends of earlier windows whose performance late
	// labels changed (their reports were rewritten).
	EarlierWindows []time.Time `json:"earlier_windows_updated,omitempty"`
	// UnmatchedLabels counts labels of this window whose prediction was not
	// found in the lookback.
	UnmatchedLabels  int    `json:"unmatched_labels,omitempty"`
	PerformanceError string `json:"performance_error,omitempty"`
	Metrics          int    `json:"metrics_published"`
}

// ErrPublish is wrapped when metrics could not be published (the reports
// were written).
var ErrPublish = errors.New("publish metrics")

// Run runs the job for the event's window and models. One model's failure
// never stops the others: it is reported in the result, logged, and
// counted in the MonitoringErrors metric (per model, and in total without
// a dimension, which the stack's alarm watches). A batch profile that does
// not decode or does not fit the reference is moved under quarantine/ and
// left out of its window, which is computed without it. The run returns an
// error, after every model has been tried, only when a retry of the
// invocation can help: a model failed with throttling, a 5xx or a timeout
// (see Retryable), or the failure metrics could not be published.
func (m *Monitor) Run(ctx context.Context, ev driftevent.Event) (Result, error) {
	w, err := eventWindow(ev, m.cfg, m.cfg.Now())
	if err != nil {
		return Result{}, err
	}
	models, err := eventModels(ev, m.cfg)
	if err != nil {
		return Result{}, err
	}
	if len(models) == 0 {
		if models, err = reference.Models(ctx, m.store); err != nil {
			return Result{}, fmt.Errorf("discover models: %w", err)
		}
		if len(models) == 0 {
			m.log.WarnContext(ctx, "no models to monitor: no reference under reference/ and none configured")
		}
	}
	res := Result{WindowStart: w.Start, WindowEnd: w.End, Models: []ModelResult{}}
	var failures []error
	for _, model := range models {
		start := time.Now()
		mr, err := m.runModel(ctx, model, w)
		res.Quarantined += len(mr.Quarantined)
		if err != nil {
			mr.Status, mr.Error, mr.Retryable = "error", err.Error(), Retryable(err)
			res.Failed++
			switch {
			case errors.Is(err, reference.ErrUnknownModel):
				m.log.ErrorContext(ctx, "model has no reference profile; skipped", "model", model, "window_end", w.End, "error", err.Error())
			case mr.Retryable:
				m.log.ErrorContext(ctx, "model run failed; the invocation fails so that it is retried", "model", model, "window_end", w.End, "error", err.Error())
				failures = append(failures, fmt.Errorf("model %s: %w", model, err))
			default:
				m.log.ErrorContext(ctx, "model run failed; a retry would fail the same way, so the other models' results stand",
					"model", model, "window_end", w.End, "error", err.Error())
			}
		} else {
			m.log.InfoContext(ctx, "model window done", "model", model, "window_start", w.Start, "window_end", w.End,
				"status", mr.Status, "batches", mr.Batches, "records", mr.Records, "drifted_features", mr.DriftedFeatures,
				"dataset_drift", mr.DatasetDrift, "labelled", mr.Labelled, "earlier_windows_updated", len(mr.EarlierWindows),
				"unmatched_labels", mr.UnmatchedLabels, "metrics", mr.Metrics, "report", mr.Report,
				"duration_ms", time.Since(start).Milliseconds())
			if mr.PerformanceError != "" {
				m.log.ErrorContext(ctx, "performance not computed", "model", model, "window_end", w.End, "error", mr.PerformanceError)
			}
		}
		res.Models = append(res.Models, mr)
	}
	if err := m.publishFailures(ctx, w, res); err != nil {
		failures = append(failures, err)
	}
	if len(failures) > 0 {
		return res, fmt.Errorf("drift run of window %s: %w", w, errors.Join(failures...))
	}
	return res, nil
}

// publishFailures publishes MonitoringErrors for the window when something
// failed: per model that failed or had batch profiles quarantined (1 for a
// failed run, else the number quarantined), and the total without a
// dimension. A run without failures publishes nothing (the alarm treats
// missing data as not breaching).
func (m *Monitor) publishFailures(ctx context.Context, w Window, res Result) error {
	total := 0
	var data []types.MetricDatum
	for _, mr := range res.Models {
		n := len(mr.Quarantined)
		if mr.Status == "error" {
			n = 1
		}
		if n == 0 {
			continue
		}
		total += n
		if dimensionValueOK(mr.Model) {
			data = append(data, failureDatum(w.End, float64(n), mr.Model))
		}
	}
	if total == 0 {
		return nil
	}
	data = append(data, failureDatum(w.End, float64(total), ""))
	if data = m.recentOnly(ctx, "", data); len(data) == 0 {
		return nil
	}
	if err := m.publisher.Publish(ctx, data); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrPublish, catalog.MonitoringErrors, err)
	}
	return nil
}

// modelRun is what every step of one model's run needs.
type modelRun struct {
	model     string
	ref       *profile.Profile
	refKey    string
	drift     drift.Config
	driftFrom string
}

func (m *Monitor) runModel(ctx context.Context, model string, w Window) (ModelResult, error) {
	mr := ModelResult{Model: model}
	ref, ptr, err := reference.Load(ctx, m.store, model)
	if err != nil {
		return mr, err
	}
	cfg, from, err := driftConfig(ctx, m.store, model, m.cfg.Drift)
	if err != nil {
		return mr, err
	}
	mc := &modelRun{model: model, ref: ref, refKey: ptr.Key, drift: cfg, driftFrom: from}

	rep, batches, err := m.windowReport(ctx, mc, w)
	if rep != nil {
		mr.Quarantined = rep.quarantined
	}
	if err != nil {
		return mr, err
	}
	pr, err := m.performance(ctx, mc, w, batches)
	if err != nil {
		rep.PerformanceError = err.Error()
		mr.PerformanceError = err.Error()
	} else {
		rep.Performance = pr.current
		rep.LabelsArrived = pr.arrived
		rep.Warnings = append(rep.Warnings, pr.warnings...)
		mr.UnmatchedLabels = pr.unmatched
		mr.Labelled = pr.current.Labelled
	}
	set := windowMetrics(rep, m.cfg.FeatureMetrics)
	m.noteSkipped(rep, set)
	rep.Metrics = set.rows
	if err := m.writeReport(ctx, rep, true); err != nil {
		return mr, err
	}
	mr.Status = string(rep.Status)
	mr.Report = layout.Report(model, w.End, "json")
	mr.Batches, mr.Records = rep.System.Batches, rep.System.Records
	mr.DriftedFeatures, mr.DatasetDrift = rep.DatasetDrift.Drifted, rep.DatasetDrift.Detected

	data := set.data
	if pr != nil {
		for _, wp := range pr.earlier {
			pset, changed, err := m.updateEarlier(ctx, mc, wp)
			if err != nil {
				return mr, fmt.Errorf("update earlier window %s: %w", wp.w, err)
			}
			if changed {
				mr.EarlierWindows = append(mr.EarlierWindows, wp.w.End)
				data = append(data, pset.data...)
			}
		}
	}
	data = m.recentOnly(ctx, model, data)
	if err := m.publisher.Publish(ctx, data); err != nil {
		return mr, fmt.Errorf("%w: %w", ErrPublish, err)
	}
	mr.Metrics = len(data)
	return mr, nil
}

// windowReport reads and merges the window's batch profiles and compares
// them with the reference: everything of the report but performance.
func (m *Monitor) windowReport(ctx context.Context, mc *modelRun, w Window) (*Report, []layout.PartitionKey, error) {
	batches, keys, err := listHours(ctx, m.store, layout.Profiles, mc.model, w.Hours(), m.cfg.Concurrency)
	if err != nil {
		return nil, nil, err
	}
	merge := newWindowMerge(mc.ref)
	// A batch profile that does not decode, or does not fit the
	// reference, is moved aside: it would fail every run of its window.
	type fetched struct {
		b   *profile.Sparse
		bad error
	}
	var quarantined []string
	var bad []string
	err = fetchOrdered(ctx, keys, m.cfg.Concurrency, func(ctx context.Context, key string) (fetched, error) {
		data, err := m.store.Get(ctx, key)
		if err != nil {
			return fetched{}, fmt.Errorf("get %s: %w", key, err)
		}
		b, err := decodeBatch(data)
		if err != nil {
			return fetched{bad: err}, nil
		}
		return fetched{b: b}, nil
	}, func(key string, f fetched) error {
		if f.bad == nil {
			if f.bad = merge.add(f.b); f.bad == nil {
				return nil
			}
		}
		to, err := m.quarantine(ctx, key)
		if err != nil {
			return fmt.Errorf("%s: %w; moving it to quarantine failed: %w", key, f.bad, err)
		}
		m.log.ErrorContext(ctx, "batch profile cannot be read; moved to quarantine and left out of the window",
			"model", mc.model, "window_end", w.End, "key", key, "quarantine_key", to, "error", f.bad.Error())
		quarantined = append(quarantined, to)
		bad = append(bad, fmt.Sprintf("%s could not be read (%v); moved to %s and left out of this window", key, f.bad, to))
		return nil
	})
	if err != nil {
		return &Report{quarantined: quarantined}, nil, err
	}
	if len(quarantined) > 0 {
		kept := batches[:0:0]
		for i, k := range keys {
			if !slices.Contains(quarantined, layout.Quarantine(k)) {
				kept = append(kept, batches[i])
			}
		}
		batches = kept
	}
	rep := &Report{
		Window:       WindowInfo{Start: w.Start, End: w.End, Length: fmt.Sprintf("%dh", w.Length()/time.Hour)},
		System:       systemOf(merge.sys),
		ReferenceKey: mc.refKey,
		ConfigSource: mc.driftFrom,
		GeneratedAt:  m.cfg.Now().UTC(),
	}
	rep.quarantined = quarantined
	warnings := bad
	for _, o := range rep.System.OtherReference {
		warnings = append(warnings, fmt.Sprintf("%d batches (%d records) were profiled against another reference (%s) and are not compared", o.Batches, o.Records, o.Fingerprint))
	}
	merged := merge.profile()
	if merged == nil {
		rep.Report = noDataReport(mc.ref)
		rep.Report.Warnings = append(rep.Report.Warnings, warnings...)
		rep.Status = StatusNoData
		return rep, batches, nil
	}
	dr, err := drift.Compare(mc.ref, merged, mc.drift, warnings...)
	if err != nil {
		return nil, nil, err
	}
	rep.Report = *dr
	rep.Status = StatusOK
	var est *perf.Estimate
	if taskOf(mc.ref) == perf.TaskClassification {
		e, ok, err := perf.EstimateAccuracy(mc.ref.Confidence, merged.Confidence, mc.ref.Calibration)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			est = &e
		}
	}
	if dr.Prediction != nil || est != nil {
		rep.Prediction = &Prediction{PredictionResult: dr.Prediction, EstimatedAccuracy: est}
		rep.Report.Prediction = nil
	}
	return rep, batches, nil
}

// quarantine moves a batch profile that cannot be read to
// layout.Quarantine(key) and returns the new key.
func (m *Monitor) quarantine(ctx context.Context, key string) (string, error) {
	to := layout.Quarantine(key)
	data, err := m.store.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("get %s: %w", key, err)
	}
	if err := m.store.Put(ctx, to, data, store.WithContentType("application/json")); err != nil {
		return "", fmt.Errorf("write %s: %w", to, err)
	}
	if err := m.store.Delete(ctx, key); err != nil {
		return "", fmt.Errorf("delete %s: %w", key, err)
	}
	return to, nil
}

// noteSkipped warns in the report about features or classes whose names
// cannot be CloudWatch dimension values.
func (m *Monitor) noteSkipped(rep *Report, set *metricSet) {
	for _, name := range set.skipped {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%q is not a valid CloudWatch dimension value (printable ASCII, 1-1024 characters); its metric is in this report only", name))
	}
}

// writeReport writes the JSON and HTML of a report; latest also updates
// latest.json unless it holds a later window.
func (m *Monitor) writeReport(ctx context.Context, rep *Report, latest bool) error {
	model, end := rep.Report.Reference.Model, rep.Window.End
	doc, err := rep.EncodeJSON()
	if err != nil {
		return err
	}
	page, err := rep.EncodeHTML()
	if err != nil {
		return err
	}
	jsonKey, htmlKey := layout.Report(model, end, "json"), layout.Report(model, end, "html")
	if err := m.store.Put(ctx, jsonKey, doc, store.WithContentType("application/json")); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := m.store.Put(ctx, htmlKey, page, store.WithContentType("text/html; charset=utf-8")); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if !latest {
		return nil
	}
	key := layout.LatestReport(model)
	old, err := getOptional(ctx, m.store, key)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if old != nil {
		var head struct {
			Window WindowInfo `json:"window"`
		}
		if json.Unmarshal(old, &head) == nil && head.Window.End.After(end) {
			return nil // a backfill does not replace the latest report
		}
	}
	if err := m.store.Put(ctx, key, doc, store.WithContentType("application/json")); err != nil {
		return fmt.Errorf("write latest report: %w", err)
	}
	return nil
}

// updateEarlier rewrites an earlier window's report with its new
// performance and returns the performance metrics to re-publish; changed is
// false when the performance is what the report already says. A window
// without a report (before the function ran, or deleted) gets a full one.
func (m *Monitor) updateEarlier(ctx context.Context, mc *modelRun, wp windowPerf) (*metricSet, bool, error) {
	key := layout.Report(mc.model, wp.w.End, "json")
	data, err := getOptional(ctx, m.store, key)
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", key, err)
	}
	if data == nil {
		rep, _, err := m.windowReport(ctx, mc, wp.w)
		if err != nil {
			return nil, false, err
		}
		rep.Performance = &wp.summary
		set := windowMetrics(rep, m.cfg.FeatureMetrics)
		m.noteSkipped(rep, set)
		rep.Metrics = set.rows
		return set, true, m.writeReport(ctx, rep, false)
	}
	rep, err := DecodeReport(data)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", key, err)
	}
	if samePerformance(rep.Performance, &wp.summary) && rep.PerformanceError == "" {
		return nil, false, nil
	}
	rep.Performance, rep.PerformanceError = &wp.summary, ""
	rep.GeneratedAt = m.cfg.Now().UTC()
	rep.Metrics = windowMetrics(rep, m.cfg.FeatureMetrics).rows
	if err := m.writeReport(ctx, rep, false); err != nil {
		return nil, false, err
	}
	return performanceMetrics(mc.model, wp.w.End, &wp.summary), true, nil
}

// samePerformance compares two summaries but for when labels were read.
func samePerformance(a, b *perf.Summary) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.LabelsUntil, y.LabelsUntil = time.Time{}, time.Time{}
	ja, err1 := json.Marshal(x)
	jb, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// recentOnly drops data older than CloudWatch accepts (two weeks; a
// backfill of an old window writes its report only).
func (m *Monitor) recentOnly(ctx context.Context, model string, data []types.MetricDatum) []types.MetricDatum {
	limit := m.cfg.Now().Add(-cloudWatchMaxAge + time.Hour)
	out := data[:0]
	dropped := 0
	for _, d := range data {
		if d.Timestamp != nil && d.Timestamp.Before(limit) {
			dropped++
			continue
		}
		out = append(out, d)
	}
	if dropped > 0 {
		m.log.WarnContext(ctx, "metrics older than CloudWatch accepts were not published; the reports have them", "model", model, "dropped", dropped)
	}
	return out
}
