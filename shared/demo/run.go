package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Sizes of the generated training and reference data.
const (
	trainingRows  = 20_000
	referenceRows = 20_000
	// slots is how many batches the model service sends an hour.
	slots = 4
)

// Files and directories a run writes under Options.Out.
const (
	MarkerFile          = ".modelwatch-demo"
	BucketDir           = "bucket"
	IndexFile           = "index.html"
	SummaryFile         = "summary.json"
	MetricsFile         = "metrics.jsonl"
	NotificationsFile   = "notifications.jsonl"
	RetrainRequestsFile = "retrain-requests.json"
	ReferenceDataFile   = "reference.csv"
	LogsDir             = "logs"
)

// Result is what a run produced.
type Result struct {
	Summary *Summary
	// Dir is the output directory (absolute), Index the dashboard page.
	Dir, Index string
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Sink holds every datapoint; Windows the final report of each window.
	Sink    *MetricSink
	Windows []*monitor.Report
}

// simClock is the simulated time every component reads.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Run plays the story and writes its output. The ingest, drift and
// alarm-handler logic is the Lambdas' own (packages ingest, monitor and
// alarm); only the backends are local: a directory as the bucket, a metric
// sink for CloudWatch, CloudWatch's alarm evaluation over the sink
// (AlarmEvaluator) and a recorder for the retraining workflow.
func Run(ctx context.Context, opts Options) (*Result, error) {
	began := time.Now()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	dir, err := prepareOut(opts.Out)
	if err != nil {
		return nil, err
	}
	r := &runner{opts: opts, dir: dir, clock: &simClock{t: opts.Start}}
	defer r.closeLogs()
	if err := r.setUp(ctx); err != nil {
		return nil, err
	}
	for h := range opts.Hours {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("the story stopped at hour %d: %w", h, err)
		}
		if err := r.playHour(ctx, h); err != nil {
			return nil, fmt.Errorf("hour %d of the story: %w", h, err)
		}
	}
	res, err := r.finish(ctx)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

// prepareOut makes dir ready: created when absent, emptied when it holds
// an earlier run's output (it has the marker file), refused when it holds
// anything else.
func prepareOut(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("output directory %s: %w", dir, err)
	}
	entries, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("output directory %s: %w", abs, err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(abs, MarkerFile)); err != nil {
			return "", fmt.Errorf("output directory %s is not empty and holds no earlier demo output (no %s): choose another --out or empty it", abs, MarkerFile)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(abs, e.Name())); err != nil {
				return "", fmt.Errorf("clear the earlier demo output: %w", err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(abs, LogsDir), 0o755); err != nil {
		return "", fmt.Errorf("output directory: %w", err)
	}
	marker := "This directory is the output of `modelwatch demo`; the next run replaces it.\n"
	if err := os.WriteFile(filepath.Join(abs, MarkerFile), []byte(marker), 0o644); err != nil {
		return "", fmt.Errorf("output directory: %w", err)
	}
	return abs, nil
}

// runner holds one run's components.
type runner struct {
	opts  Options
	dir   string
	clock *simClock

	logFiles []*os.File
	bucket   store.Store
	service  *service
	ingest   *ingest.Handler
	monitor  *monitor.Monitor
	sink     *MetricSink
	alarms   *AlarmEvaluator
	handler  *alarm.Handler
	retrain  *RetrainRecorder
	// capture is the capture bucket and importer of SourceSageMakerCapture.
	capture *captureSource

	pending       map[int][]label // labels by the hour they become known
	notifications bytes.Buffer
	summary       Summary
	open          map[string]int // alarm kind -> index in summary.Alarms while in ALARM
	rejected      int
}

func (r *runner) logger(name string) (*slog.Logger, error) {
	f, err := os.Create(filepath.Join(r.dir, LogsDir, name+".jsonl"))
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	r.logFiles = append(r.logFiles, f)
	return slog.New(slog.NewJSONHandler(f, nil)), nil
}

func (r *runner) closeLogs() {
	for _, f := range r.logFiles {
		f.Close()
	}
}

func (r *runner) setUp(ctx context.Context) error {
	o := r.opts
	bucket, err := store.NewLocal(filepath.Join(r.dir, BucketDir))
	if err != nil {
		return err
	}
	r.bucket = bucket

	// The model is trained on one sample of the world and profiled on
	// another, as `modelwatch profile build` would profile a validation
	// set with the model's predictions and the outcomes.
	apps, defaulted := drawTraining(o.Seed, streamTraining, trainingRows)
	model, err := Fit(apps, defaulted)
	if err != nil {
		return err
	}
	r.service = &service{opts: o, model: model}
	refApps, refDefaulted := drawTraining(o.Seed, streamReference, referenceRows)
	csv := trainingCSV(refApps, refDefaulted, model)
	if err := os.WriteFile(filepath.Join(r.dir, ReferenceDataFile), csv, 0o644); err != nil {
		return fmt.Errorf("write the reference data: %w", err)
	}
	rd, err := dataset.NewReader(bytes.NewReader(csv), ReferenceDataFile, dataset.FormatCSV)
	if err != nil {
		return fmt.Errorf("read the reference data: %w", err)
	}
	defer rd.Close()
	built := o.Start.Add(-24 * time.Hour)
	// with its multivariate reconstruction model, as `modelwatch profile
	// build` fits it
	reopen := func(context.Context) (dataset.Reader, error) {
		return dataset.NewReader(bytes.NewReader(csv), ReferenceDataFile, dataset.FormatCSV)
	}
	prof, err := profile.Build(ctx, rd, ReferenceDataFile, profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: ModelName, Version: ModelVersion,
		Now:          func() time.Time { return built },
		Multivariate: &profile.MultivariateOptions{Reopen: reopen},
	})
	if err != nil {
		return err
	}
	if prof.Multivariate == nil {
		return fmt.Errorf("fit the reference's multivariate model: %s", strings.Join(prof.Notes, "; "))
	}
	if _, err := reference.Publish(ctx, bucket, prof, built); err != nil {
		return err
	}

	ingestLog, err := r.logger("ingest")
	if err != nil {
		return err
	}
	driftLog, err := r.logger("drift")
	if err != nil {
		return err
	}
	alarmLog, err := r.logger("alarmhandler")
	if err != nil {
		return err
	}

	r.sink = NewMetricSink(catalog.DefaultNamespace, r.clock.Now)
	// The ingest function's EMF lines go to the sink, as CloudWatch Logs
	// would extract them, and to its log, as Lambda would print them.
	emfLog, err := os.Create(filepath.Join(r.dir, LogsDir, "ingest-emf.jsonl"))
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	r.logFiles = append(r.logFiles, emfLog)
	emf, err := metrics.NewEMFWriter(io.MultiWriter(r.sink.EMF(), emfLog), catalog.DefaultNamespace)
	if err != nil {
		return err
	}
	cfg := ingest.DefaultConfig()
	cfg.Bucket = BucketDir
	r.ingest = ingest.New(cfg, bucket, ingest.NewReferenceCache(bucket, cfg.ReferenceTTL, ingestLog), emf,
		ingest.WithClock(r.clock.Now), ingest.WithLogger(ingestLog))

	if o.Source == SourceSageMakerCapture {
		importLog, err := r.logger("captureimport")
		if err != nil {
			return err
		}
		r.capture, err = newCaptureSource(ctx, filepath.Join(r.dir, CaptureBucketDir), bucket, r.ingest, bucket,
			captureimport.WithClock(r.clock.Now), captureimport.WithLogger(importLog))
		if err != nil {
			return err
		}
	}

	r.monitor, err = monitor.New(bucket, r.sink, monitor.Config{
		Models: []string{ModelName}, PositiveClass: ClassDefault, Now: r.clock.Now, Logger: driftLog,
	})
	if err != nil {
		return err
	}
	r.alarms = NewAlarmEvaluator(r.sink, catalog.DefaultNamespace, ModelName)
	r.retrain = NewRetrainRecorder(r.clock.Now)
	r.handler, err = alarm.New(alarm.Config{Store: bucket, Starter: r.retrain, Logger: alarmLog, Now: r.clock.Now})
	if err != nil {
		return err
	}
	r.pending = map[int][]label{}
	r.open = map[string]int{}
	r.summary = Summary{
		Model: ModelName, ModelVersion: ModelVersion, Seed: o.Seed, Hours: o.Hours, DriftAt: o.DriftAt, Rate: o.Rate,
		LabelShare: o.LabelShare, LabelDelay: o.LabelDelay.String(), Start: o.Start, Events: o.Events(),
		Alarms: []AlarmRecord{}, RetrainRequests: []RetrainRecord{}, DriftedFeatures: HourFeatures{},
	}
	return nil
}

// playHour plays hour h: the model service's traffic and the labels that
// become known, in batches through the ingest function; then, at the top of
// the next hour, the drift function's run and the alarms' evaluation, and
// the alarm handler for every notification.
func (r *runner) playHour(ctx context.Context, h int) error {
	o := r.opts
	preds := r.service.hour(h)
	for i := range preds {
		if p := &preds[i]; !p.LabelAt.IsZero() {
			at := o.hourOf(p.LabelAt)
			r.pending[at] = append(r.pending[at], p.label())
		}
	}
	labels := r.pending[h]
	delete(r.pending, h)
	sort.SliceStable(labels, func(i, j int) bool { return labels[i].Time.Before(labels[j].Time) })

	start := o.hourTime(h)
	for s := range slots {
		// The service sends what it has a second before each quarter
		// hour, so a batch is counted in the hour of its records.
		end := start.Add(time.Duration(s+1) * time.Hour / slots)
		r.clock.Set(end.Add(-time.Second))
		var batch []prediction
		batch, preds = splitBefore(preds, end, func(p prediction) time.Time { return p.Time })
		if err := r.deliverPredictions(ctx, h, s, end, batch); err != nil {
			return err
		}
		var known []label
		known, labels = splitBefore(labels, end, func(l label) time.Time { return l.Time })
		if err := r.deliverLabels(ctx, h, s, end, known); err != nil {
			return err
		}
	}

	// The scheduler runs the drift function five minutes past the hour;
	// CloudWatch evaluates the alarms a minute later.
	tick := start.Add(time.Hour)
	r.clock.Set(tick.Add(5 * time.Minute))
	res, err := r.monitor.Run(ctx, driftevent.Event{WindowEnd: tick.Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("drift run: %w", err)
	}
	if res.Failed > 0 || len(res.Models) != 1 || res.Models[0].Status != string(monitor.StatusOK) {
		return fmt.Errorf("drift run of window %s: %+v", tick.Format(time.RFC3339), res.Models)
	}
	if err := r.noteWindow(ctx, h+1, res.Models[0].Report); err != nil {
		return err
	}
	var notes []Note
	for _, e := range o.Events() {
		if e.From == h {
			notes = append(notes, Note{Hour: h, Text: e.Title})
		}
	}
	alarms, err := r.evaluateAlarms(ctx, tick.Add(6*time.Minute))
	if err != nil {
		return err
	}
	if o.Progress != nil {
		o.Progress(Progress{Hour: h + 1, Hours: o.Hours, Notes: append(notes, alarms...)})
	}
	return nil
}

// splitBefore splits items, in time order, into those before end and the
// rest.
func splitBefore[T any](items []T, end time.Time, at func(T) time.Time) (before, rest []T) {
	i := 0
	for i < len(items) && at(items[i]).Before(end) {
		i++
	}
	return items[:i:i], items[i:]
}

// deliverPredictions delivers the predictions of slot s of hour h, sent
// at end: written to Data Capture and imported when the run captures, else
// sent to the ingest function.
func (r *runner) deliverPredictions(ctx context.Context, h, s int, end time.Time, batch []prediction) error {
	switch {
	case len(batch) == 0:
		return nil
	case r.capture != nil:
		return r.captureBatch(ctx, end, s, batch)
	}
	body, err := predictionsBody(fmt.Sprintf("p-%04d-%d", h, s), batch)
	if err != nil {
		return err
	}
	malformed := 0
	for _, p := range batch {
		if p.Malformed {
			malformed++
		}
	}
	return r.send(ctx, body, len(batch), malformed)
}

// deliverLabels delivers the labels known by end, in slot s of hour h: as
// a ground-truth file when the run captures, else to the ingest function.
func (r *runner) deliverLabels(ctx context.Context, h, s int, end time.Time, known []label) error {
	switch {
	case len(known) == 0:
		return nil
	case r.capture != nil:
		return r.captureLabels(ctx, end, s, known)
	}
	body, err := labelsBody(fmt.Sprintf("l-%04d-%d", h, s), known)
	if err != nil {
		return err
	}
	return r.send(ctx, body, len(known), 0)
}

// send invokes the ingest function directly, as the SDK would, and checks
// that every record but the malformed ones was accepted.
func (r *runner) send(ctx context.Context, body []byte, records, malformed int) error {
	out, err := r.ingest.Invoke(ctx, body)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	var resp ingest.Response
	if err := json.Unmarshal(out, &resp); err != nil {
		return fmt.Errorf("ingest response: %w", err)
	}
	if resp.Accepted != records-malformed || resp.RejectedCount != malformed {
		first := ""
		if len(resp.Rejected) > 0 {
			first = fmt.Sprintf("; record %d: %s", resp.Rejected[0].Index, resp.Rejected[0].Reason)
		}
		return fmt.Errorf("ingest batch %s accepted %d of %d records, want %d (%d malformed)%s", resp.BatchID, resp.Accepted, records, records-malformed, malformed, first)
	}
	r.rejected += resp.RejectedCount
	return nil
}

// captureBatch writes the Data Capture file of a batch of requests (the
// capture of slot s of the hour, flushed at end) and imports it; every
// captured record but the malformed ones must be accepted.
func (r *runner) captureBatch(ctx context.Context, end time.Time, s int, batch []prediction) error {
	data, lines, err := captureFile(batch)
	if err != nil || lines == 0 {
		return err
	}
	malformed := 0
	for _, p := range batch {
		if p.Malformed && p.Error == "" {
			malformed++
		}
	}
	at := end.Add(-time.Second)
	res, err := r.capture.put(ctx, captureKey(at, fmt.Sprintf("%s-%d.jsonl", at.Format("15-04-05"), s)), data, at)
	if err != nil {
		return err
	}
	if res.Accepted != lines-malformed || res.Rejected != malformed || res.Unreadable != 0 {
		return fmt.Errorf("capture batch %s: %d of %d lines accepted, %d rejected, %d unreadable; want %d accepted (%d malformed)",
			res.BatchID, res.Accepted, lines, res.Rejected, res.Unreadable, lines-malformed, malformed)
	}
	r.rejected += res.Rejected
	return nil
}

// captureLabels uploads the outcomes known by end as a ground-truth file
// and imports it.
func (r *runner) captureLabels(ctx context.Context, end time.Time, s int, known []label) error {
	data, err := groundTruthFile(known)
	if err != nil {
		return err
	}
	at := end.Add(-time.Second)
	key := path.Join(groundTruthPrefix, at.UTC().Format("2006/01/02/15"), fmt.Sprintf("labels-%d.jsonl", s))
	res, err := r.capture.put(ctx, key, data, at)
	if err != nil {
		return err
	}
	if res.Accepted != len(known) {
		return fmt.Errorf("ground truth %s: %d of %d outcomes accepted", key, res.Accepted, len(known))
	}
	return nil
}

// noteWindow records the drifted features of the window the drift run just
// reported on.
func (r *runner) noteWindow(ctx context.Context, hour int, key string) error {
	rep, err := r.report(ctx, key)
	if err != nil {
		return err
	}
	drifted := []string{}
	for _, f := range rep.Features {
		if f.Severity == drift.Drift {
			drifted = append(drifted, f.Name)
		}
	}
	sort.Strings(drifted)
	r.summary.DriftedFeatures[hour] = drifted
	return nil
}

func (r *runner) report(ctx context.Context, key string) (*monitor.Report, error) {
	data, err := r.bucket.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	rep, err := monitor.DecodeReport(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return rep, nil
}

// evaluateAlarms evaluates the alarms at time at and delivers each
// notification to the alarm handler, as the alerts topic would.
func (r *runner) evaluateAlarms(ctx context.Context, at time.Time) ([]Note, error) {
	r.clock.Set(at)
	var notes []Note
	for _, tr := range r.alarms.Evaluate(at) {
		msg, err := r.alarms.Notification(tr)
		if err != nil {
			return nil, err
		}
		hour := r.opts.hourOf(at)
		id := fmt.Sprintf("demo-%04d-%s-%s", hour, tr.Alarm.Kind, tr.New)
		ev := SNSEvent(id, tr, msg)
		line, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("encode SNS event: %w", err)
		}
		r.notifications.Write(append(line, '\n'))
		r.clock.Set(at.Add(time.Second))
		sum, err := r.handler.Handle(ctx, ev)
		if err != nil {
			return nil, fmt.Errorf("alarm handler: %w", err)
		}
		outcome := handlerOutcome(sum)
		switch tr.New {
		case StateAlarm:
			rec := AlarmRecord{Name: tr.Name, Kind: tr.Alarm.Kind, Metric: tr.Alarm.Metric, Hour: hour,
				Threshold: tr.Alarm.DefaultThreshold, Comparison: tr.Alarm.Comparison, Handler: outcome}
			if v, ok := tr.Value(); ok {
				rec.Value = &v
			}
			r.open[tr.Alarm.Kind] = len(r.summary.Alarms)
			r.summary.Alarms = append(r.summary.Alarms, rec)
			notes = append(notes, Note{Hour: hour, Text: fmt.Sprintf("ALARM %s (contributor %s): %s", tr.Name, ModelName, outcomeText[outcome].short)})
		case StateOK:
			if i, ok := r.open[tr.Alarm.Kind]; ok {
				h := hour
				r.summary.Alarms[i].ResolvedHour = &h
				delete(r.open, tr.Alarm.Kind)
			}
		}
		r.clock.Set(at)
	}
	return notes, nil
}

// handlerOutcome names what the alarm handler did with one notification.
func handlerOutcome(s alarm.Summary) alarm.Outcome {
	switch {
	case s.RetrainRequested > 0:
		return alarm.Requested
	case s.Duplicates > 0:
		return alarm.Duplicate
	case s.NotifyOnly > 0:
		return alarm.NotifyOnly
	case s.NoTarget > 0:
		return alarm.NoTarget
	case s.Dropped > 0:
		return alarm.Dropped
	case s.Failed > 0:
		return alarm.Failed
	}
	return alarm.StateChange
}

// finish reads the final reports, writes summary.json, the sink's
// datapoints, the notifications, the retraining requests and the dashboard.
func (r *runner) finish(ctx context.Context) (*Result, error) {
	o := r.opts
	res := &Result{Summary: &r.summary, Dir: r.dir, Index: filepath.Join(r.dir, IndexFile), Sink: r.sink}
	for h := 1; h <= o.Hours; h++ {
		rep, err := r.report(ctx, layout.Report(ModelName, o.hourTime(h), "json"))
		if err != nil {
			return nil, err
		}
		res.Windows = append(res.Windows, rep)
	}
	r.summary.RecordsRejected = r.rejected
	for _, q := range r.retrain.Requests() {
		rec := RetrainRecord{Hour: o.hourOf(q.StartedAt), Reason: q.Request.Reason, AlarmName: q.Request.AlarmName,
			Metric: q.Request.Metric, Value: q.Request.Value, ExecutionName: q.ExecutionName}
		r.summary.RetrainRequests = append(r.summary.RetrainRequests, rec)
	}
	doc, err := json.MarshalIndent(&r.summary, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode summary: %w", err)
	}
	if err := r.write(SummaryFile, append(doc, '\n')); err != nil {
		return nil, err
	}
	var pts bytes.Buffer
	enc := json.NewEncoder(&pts)
	for _, p := range r.sink.Points() {
		if p.Source != SourcePutMetricData {
			continue // in logs/ingest-emf.jsonl as the function printed them
		}
		if err := enc.Encode(p); err != nil {
			return nil, fmt.Errorf("encode datapoint: %w", err)
		}
	}
	if err := r.write(MetricsFile, pts.Bytes()); err != nil {
		return nil, err
	}
	if err := r.write(NotificationsFile, r.notifications.Bytes()); err != nil {
		return nil, err
	}
	reqs, err := json.MarshalIndent(r.retrain.Requests(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode retraining requests: %w", err)
	}
	if err := r.write(RetrainRequestsFile, append(reqs, '\n')); err != nil {
		return nil, err
	}
	var page bytes.Buffer
	if err := Dashboard(&page, res); err != nil {
		return nil, err
	}
	if err := r.write(IndexFile, page.Bytes()); err != nil {
		return nil, err
	}
	return res, nil
}

func (r *runner) write(name string, data []byte) error {
	if err := os.WriteFile(filepath.Join(r.dir, name), data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
