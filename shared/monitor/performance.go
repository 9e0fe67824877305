package monitor

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/perf"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// locateChunk is how many hours of predictions the search for late labels'
// windows reads at a time, newest first.
const locateChunk = 12

// windowPerf is the performance of one prediction window.
type windowPerf struct {
	w       Window
	summary perf.Summary
}

// perfResult is what a run learned about performance.
type perfResult struct {
	current *perf.Summary
	// arrived is the performance of the predictions whose labels arrived in
	// this window (nil when none did).
	arrived *perf.Summary
	// earlier are the earlier windows that labels of this window point at.
	earlier []windowPerf
	// unmatched counts this window's labels whose prediction was not found
	// in the lookback.
	unmatched int
	warnings  []string
}

// labelAt is a label and the hour partition it was read from.
type labelAt struct {
	perf.Label
	hour time.Time
}

func taskOf(ref *profile.Profile) perf.Task {
	switch {
	case ref.Prediction == nil:
		return "" // inferred from the predictions
	case ref.Prediction.Kind == profile.Numeric:
		return perf.TaskRegression
	}
	return perf.TaskClassification
}

// labelsEnd is where the label partitions read for window p end: labels
// can point at p's predictions until the lookback from p's start has
// passed, and have arrived at most until the current hour.
func (m *Monitor) labelsEnd(p Window) time.Time {
	end := p.Start.Add(m.cfg.Lookback)
	if now := m.cfg.Now().UTC().Truncate(time.Hour).Add(time.Hour); now.Before(end) {
		end = now
	}
	if end.Before(p.End) {
		end = p.End
	}
	return end
}

// performance evaluates window w (whose batches are known) and the earlier
// windows that w's labels point at.
func (m *Monitor) performance(ctx context.Context, mc *modelRun, w Window, batches []layout.PartitionKey) (*perfResult, error) {
	task := taskOf(mc.ref)
	res := &perfResult{}
	preds, warns, err := m.readPredictions(ctx, mc.model, batches)
	if err != nil {
		return nil, err
	}
	res.warnings = append(res.warnings, warns...)
	until := m.labelsEnd(w)
	labels, err := m.readLabels(ctx, mc.model, Window{Start: w.Start, End: until})
	if err != nil {
		return nil, err
	}
	s := perf.Evaluate(task, preds, latest(labels), m.cfg.PositiveClass, until)
	res.current = &s
	if m.cfg.Lookback == 0 {
		return res, nil
	}

	// The labels that arrived in this window, for predictions of earlier
	// windows.
	inWindow := make(map[string]struct{}, len(preds))
	for _, p := range preds {
		inWindow[p.RequestID] = struct{}{}
	}
	wanted := map[string]struct{}{}
	for _, l := range labels {
		if w.Contains(l.hour) {
			if _, ok := inWindow[l.RequestID]; !ok {
				wanted[l.RequestID] = struct{}{}
			}
		}
	}
	arrivedPreds := preds
	if len(wanted) > 0 {
		affected, err := m.locate(ctx, mc.model, w, wanted)
		if err != nil {
			return nil, err
		}
		res.unmatched = len(wanted)
		arrivedPreds = slices.Clone(preds)
		for _, p := range affected {
			wp, earlierPreds, warns, err := m.evaluateWindow(ctx, mc, p)
			if err != nil {
				return nil, fmt.Errorf("performance of earlier window %s: %w", p, err)
			}
			res.warnings = append(res.warnings, warns...)
			res.earlier = append(res.earlier, wp)
			arrivedPreds = append(arrivedPreds, earlierPreds...)
		}
	}
	res.arrived = arrivedPerformance(task, arrivedPreds, labels, w, m.cfg.PositiveClass, until)
	return res, nil
}

// arrivedPerformance evaluates the predictions whose labels arrived in w,
// nil when no label arrived for a known prediction.
func arrivedPerformance(task perf.Task, preds []perf.Prediction, labels []labelAt, w Window, positive string, until time.Time) *perf.Summary {
	var arrivedLabels []labelAt
	for _, l := range labels {
		if w.Contains(l.hour) {
			arrivedLabels = append(arrivedLabels, l)
		}
	}
	arrived := latest(arrivedLabels)
	var matched []perf.Prediction
	for _, p := range preds {
		if _, ok := arrived[p.RequestID]; ok {
			matched = append(matched, p)
		}
	}
	if len(matched) == 0 {
		return nil
	}
	s := perf.Evaluate(task, matched, arrived, positive, until)
	return &s
}

// evaluateWindow computes the performance of an earlier window p from its
// predictions and every label that has arrived for them.
func (m *Monitor) evaluateWindow(ctx context.Context, mc *modelRun, p Window) (windowPerf, []perf.Prediction, []string, error) {
	batches, _, err := listHours(ctx, m.store, layout.Profiles, mc.model, p.Hours(), m.cfg.Concurrency)
	if err != nil {
		return windowPerf{}, nil, nil, err
	}
	preds, warns, err := m.readPredictions(ctx, mc.model, batches)
	if err != nil {
		return windowPerf{}, nil, nil, err
	}
	until := m.labelsEnd(p)
	labels, err := m.readLabels(ctx, mc.model, Window{Start: p.Start, End: until})
	if err != nil {
		return windowPerf{}, nil, nil, err
	}
	s := perf.Evaluate(taskOf(mc.ref), preds, latest(labels), m.cfg.PositiveClass, until)
	return windowPerf{w: p, summary: s}, preds, warns, nil
}

// locate finds the windows (of w's length, on w's grid) whose predictions
// the wanted request ids belong to, reading the predictions of the
// lookback before w newest first and stopping when every id is found. The
// ids found are removed from wanted. Windows are returned oldest first.
func (m *Monitor) locate(ctx context.Context, model string, w Window, wanted map[string]struct{}) ([]Window, error) {
	oldest := w.End.Add(-m.cfg.Lookback).Truncate(time.Hour)
	found := map[time.Time]Window{}
	for hi := w.Start; hi.After(oldest) && len(wanted) > 0; {
		lo := hi.Add(-locateChunk * time.Hour)
		if lo.Before(oldest) {
			lo = oldest
		}
		batches, _, err := listHours(ctx, m.store, layout.Profiles, model, Window{Start: lo, End: hi}.Hours(), m.cfg.Concurrency)
		if err != nil {
			return nil, err
		}
		keys := predictionKeys(model, batches)
		err = fetchOrdered(ctx, keys, m.cfg.Concurrency, m.getPredictions, func(key string, o predObject) error {
			pk, err := layout.ParseDataObject(key)
			if err != nil {
				return err
			}
			for _, p := range o.preds {
				if _, ok := wanted[p.RequestID]; ok {
					delete(wanted, p.RequestID)
					pw := windowOf(pk.Hour, w.End, w.Length())
					found[pw.End] = pw
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		hi = lo
	}
	out := make([]Window, 0, len(found))
	for _, p := range found {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Window) int { return a.End.Compare(b.End) })
	return out, nil
}

func predictionKeys(model string, batches []layout.PartitionKey) []string {
	keys := make([]string, len(batches))
	for i, b := range batches {
		keys[i] = layout.DataObject(layout.Predictions, model, b.Hour, b.Batch)
	}
	return keys
}

// predObject is a predictions object as read; missing when it does not
// exist although its batch's profile does.
type predObject struct {
	preds   []perf.Prediction
	missing bool
}

func (m *Monitor) getPredictions(ctx context.Context, key string) (predObject, error) {
	data, err := getOptional(ctx, m.store, key)
	if err != nil {
		return predObject{}, fmt.Errorf("get %s: %w", key, err)
	}
	if data == nil {
		return predObject{missing: true}, nil
	}
	ps, err := perf.ReadPredictions(data, key)
	return predObject{preds: ps}, err
}

// readPredictions reads the predictions of the batches whose profiles were
// counted (a batch without a profile was not accepted and is not counted),
// in key order.
func (m *Monitor) readPredictions(ctx context.Context, model string, batches []layout.PartitionKey) ([]perf.Prediction, []string, error) {
	var out []perf.Prediction
	var warnings []string
	err := fetchOrdered(ctx, predictionKeys(model, batches), m.cfg.Concurrency, m.getPredictions, func(key string, o predObject) error {
		if o.missing {
			warnings = append(warnings, key+": the batch has a profile but no predictions object; its records are not in the performance metrics")
		}
		out = append(out, o.preds...)
		return nil
	})
	return out, warnings, err
}

// readLabels reads the label partitions of hours [span.Start, span.End), in
// key order.
func (m *Monitor) readLabels(ctx context.Context, model string, span Window) ([]labelAt, error) {
	parts, keys, err := listHours(ctx, m.store, layout.Labels, model, span.Hours(), m.cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	hourOf := make(map[string]time.Time, len(keys))
	for i, k := range keys {
		hourOf[k] = parts[i].Hour
	}
	var out []labelAt
	err = fetchOrdered(ctx, keys, m.cfg.Concurrency, func(ctx context.Context, key string) ([]perf.Label, error) {
		data, err := getOptional(ctx, m.store, key)
		if err != nil {
			return nil, fmt.Errorf("get %s: %w", key, err)
		}
		if data == nil {
			return nil, nil // deleted since listed
		}
		return perf.ReadLabels(data, key)
	}, func(key string, ls []perf.Label) error {
		for _, l := range ls {
			out = append(out, labelAt{Label: l, hour: hourOf[key]})
		}
		return nil
	})
	return out, err
}

func latest(labels []labelAt) map[string]perf.Label {
	ls := make([]perf.Label, len(labels))
	for i, l := range labels {
		ls[i] = l.Label
	}
	return perf.LatestLabels(ls)
}
