package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// fakePublisher records what would be published, and fails when told to.
type fakePublisher struct {
	mu    sync.Mutex
	calls [][]types.MetricDatum
	fail  error
}

func (f *fakePublisher) Publish(_ context.Context, data []types.MetricDatum) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.calls = append(f.calls, slices.Clone(data))
	return nil
}

func (f *fakePublisher) last() []types.MetricDatum {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return nil
	}
	return f.calls[len(f.calls)-1]
}

// find returns the values of metric name (with the extra dimension value
// dim, "" for none) at time at.
func find(data []types.MetricDatum, name, dim string, at time.Time) []float64 {
	var out []float64
	for _, d := range data {
		if aws.ToString(d.MetricName) != name || !d.Timestamp.Equal(at) {
			continue
		}
		extra := ""
		if len(d.Dimensions) > 1 {
			extra = aws.ToString(d.Dimensions[1].Value)
		}
		if extra == dim {
			out = append(out, *d.Value)
		}
	}
	return out
}

var (
	// hour0 is the start of the first window of the tests.
	hour0 = time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	// testNow is the clock of the tests: shortly after the second window.
	testNow = time.Date(2026, 11, 26, 21, 5, 0, 0, time.UTC)
)

// fixture is a bucket with a published reference for model "credit".
type fixture struct {
	st  *store.Memory
	ref *profile.Profile
	pub *fakePublisher
	mon *Monitor
}

var (
	refOnce sync.Once
	refData []byte
)

// sharedReference builds the reference once per test binary.
func sharedReference(t testing.TB) *profile.Profile {
	refOnce.Do(func() {
		p := monitortest.Reference(t, "credit", "v1", 20000, 1)
		var err error
		if refData, err = p.Encode(); err != nil {
			t.Fatal(err)
		}
	})
	p, err := profile.Decode(refData)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	f := &fixture{st: store.NewMemory(), ref: sharedReference(t), pub: &fakePublisher{}}
	if _, err := reference.Publish(context.Background(), f.st, f.ref, hour0); err != nil {
		t.Fatal(err)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	var err error
	if f.mon, err = New(f.st, f.pub, cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

// traffic writes batches of n records each over the hour starting at
// hour, and returns the records.
func (f *fixture) traffic(t testing.TB, hour time.Time, batches, n int, shift monitortest.Shift, seed uint64) []monitortest.Record {
	t.Helper()
	var all []monitortest.Record
	step := time.Hour / time.Duration(batches*n)
	for b := range batches {
		recs := monitortest.Generate(n, hour.Add(time.Duration(b*n)*step), step, shift, seed+uint64(b), hour.Format("15")+"-b"+string(rune('a'+b)))
		monitortest.WriteBatch(t, f.st, f.ref, "batch-"+hour.Format("1504")+"-"+string(rune('a'+b)), recs)
		all = append(all, recs...)
	}
	return all
}

func (f *fixture) report(t testing.TB, end time.Time) *Report {
	t.Helper()
	data, err := f.st.Get(context.Background(), layout.Report("credit", end, "json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := DecodeReport(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func run(t testing.TB, m *Monitor, ev driftevent.Event) Result {
	t.Helper()
	res, err := m.Run(context.Background(), ev)
	if err != nil {
		t.Fatalf("run: %v (result %+v)", err, res)
	}
	return res
}

func TestRunBaselineWindow(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 3, 400, monitortest.Shift{}, 10)
	failed := monitortest.Generate(50, hour0.Add(59*time.Minute), time.Millisecond, monitortest.Shift{}, 11, "failing")
	failed[3].Error, failed[7].Error = "model timed out", "model timed out"
	monitortest.WriteBatch(t, f.st, f.ref, "batch-failing", failed)
	end := hour0.Add(time.Hour)
	res := run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	if len(res.Models) != 1 || res.Models[0].Status != "ok" || res.Models[0].Batches != 4 || res.Models[0].Records != 1250 {
		t.Fatalf("result %+v", res)
	}
	r := f.report(t, end)
	if r.Status != StatusOK || r.Window.Start != hour0 || r.Window.End != end || r.Window.Length != "1h" {
		t.Errorf("window %+v status %s", r.Window, r.Status)
	}
	if r.DatasetDrift.Drifted != 0 || len(r.Features) != 10 {
		t.Errorf("baseline drifted: %+v, %d features", r.DatasetDrift, len(r.Features))
	}
	if r.System.Records != 1250 || r.System.Errors != 2 || r.System.Batches != 4 || r.System.Latency == nil || r.System.Latency.P99 < r.System.Latency.P50 {
		t.Errorf("system %+v", r.System)
	}
	if r.Prediction == nil || r.Prediction.EstimatedAccuracy == nil || r.Prediction.EstimatedAccuracy.Method != "reference-calibration" {
		t.Errorf("prediction section %+v", r.Prediction)
	}
	data := f.pub.last()
	if got := find(data, "PredictionCount", "", end); len(got) != 1 || got[0] != 1250 {
		t.Errorf("PredictionCount %v", got)
	}
	if got := find(data, "ErrorRate", "", end); len(got) != 1 || got[0] != 100*2.0/1250 {
		t.Errorf("ErrorRate %v", got)
	}
	if p := r.Performance; p == nil || p.Predictions != 1248 || p.Failed != 2 {
		t.Errorf("performance %+v", p)
	}
	for _, name := range []string{"f0", "f7", "c0", "c1"} {
		if got := find(data, "FeaturePSI", name, end); len(got) != 1 || got[0] > 0.05 {
			t.Errorf("FeaturePSI %s = %v", name, got)
		}
	}
	for _, name := range []string{"MaxFeaturePSI", "DriftedFeatureShare", "PredictionPSI", "ErrorRate", "LatencyP50", "LatencyP95", "LatencyP99", "MeanConfidence", "EstimatedAccuracy", "LabelCoverage"} {
		if got := find(data, name, "", end); len(got) != 1 {
			t.Errorf("%s: %v", name, got)
		}
	}
	if got := find(data, "ClassShare", "yes", end); len(got) != 1 || got[0] < 0.2 || got[0] > 0.8 {
		t.Errorf("ClassShare yes %v", got)
	}
	if got := find(data, "Accuracy", "", end); len(got) != 0 {
		t.Errorf("Accuracy without labels: %v", got)
	}
	for _, d := range data {
		if !d.Timestamp.Equal(end) || aws.ToString(d.Dimensions[0].Value) != "credit" {
			t.Fatalf("datum %s at %v with %v", aws.ToString(d.MetricName), d.Timestamp, d.Dimensions)
		}
	}
	if len(r.Metrics) != len(data) {
		t.Errorf("report lists %d metrics, %d published", len(r.Metrics), len(data))
	}
	for _, key := range []string{layout.Report("credit", end, "html"), layout.LatestReport("credit")} {
		if _, err := f.st.Get(context.Background(), key); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}

// TestKnownAnswer injects drift into 2 of the 10 features and expects it
// detected in those and only those.
func TestKnownAnswer(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 4, 500, monitortest.Shift{Mean: map[string]float64{"f3": 0.8}, Skew: map[string]float64{"c1": 0.6}}, 20)
	end := hour0.Add(time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	r := f.report(t, end)
	var drifted []string
	for _, ft := range r.Features {
		if ft.Severity == "drift" {
			drifted = append(drifted, ft.Name)
		} else if ft.PSI != nil && *ft.PSI > 0.1 {
			t.Errorf("feature %s not drifted but PSI %g", ft.Name, *ft.PSI)
		}
	}
	slices.Sort(drifted)
	if strings.Join(drifted, ",") != "c1,f3" {
		t.Errorf("drifted features %v, want c1 and f3", drifted)
	}
	if r.DatasetDrift.Drifted != 2 || r.DatasetDrift.Share != 0.2 || r.DatasetDrift.Detected {
		t.Errorf("dataset drift %+v", r.DatasetDrift)
	}
	data := f.pub.last()
	if got := find(data, "DriftedFeatureShare", "", end); len(got) != 1 || got[0] != 0.2 {
		t.Errorf("DriftedFeatureShare %v", got)
	}
	if got := find(data, "MaxFeaturePSI", "", end); len(got) != 1 || got[0] < 0.25 {
		t.Errorf("MaxFeaturePSI %v", got)
	}
}

func TestEmptyWindow(t *testing.T) {
	f := newFixture(t, Config{})
	end := hour0.Add(time.Hour)
	res := run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	if res.Models[0].Status != "no_data" {
		t.Fatalf("result %+v", res)
	}
	data := f.pub.last()
	if len(data) != 1 || aws.ToString(data[0].MetricName) != "PredictionCount" || *data[0].Value != 0 || !data[0].Timestamp.Equal(end) {
		t.Fatalf("published %v", data)
	}
	r := f.report(t, end)
	if r.Status != StatusNoData || len(r.Features) != 0 || r.Prediction != nil {
		t.Errorf("report %+v", r)
	}
	page, err := f.st.Get(context.Background(), layout.Report("credit", end, "html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "NO DATA") || !strings.Contains(string(page), "No data in this window") {
		t.Error("the page does not say there was no data")
	}
}

func TestMissingReferenceIsThatModelsError(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 1, 200, monitortest.Shift{}, 30)
	end := hour0.Add(time.Hour)
	res, err := f.mon.Run(context.Background(), driftevent.Event{Models: []string{"ghost", "credit"}, WindowEnd: end.Format(time.RFC3339)})
	if err != nil {
		t.Fatalf("a missing reference failed the run: %v", err)
	}
	if res.Failed != 1 || res.Models[0].Status != "error" || !strings.Contains(res.Models[0].Error, "no reference profile") || res.Models[1].Status != "ok" {
		t.Errorf("result %+v", res)
	}
}

func TestRerunIsIdempotent(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 2, 300, monitortest.Shift{Mean: map[string]float64{"f1": 0.5}}, 40)
	// Two events of the same slot: the scheduler's and a retry later.
	run(t, f.mon, driftevent.Event{ScheduledTime: "2026-11-26T20:05:00Z"})
	first, _ := f.st.Get(context.Background(), layout.Report("credit", hour0.Add(time.Hour), "json"))
	keys := f.st.Keys()
	data1 := f.pub.last()
	run(t, f.mon, driftevent.Event{Time: "2026-11-26T20:59:59Z"})
	second, _ := f.st.Get(context.Background(), layout.Report("credit", hour0.Add(time.Hour), "json"))
	if !slices.Equal(keys, f.st.Keys()) {
		t.Errorf("keys changed: %v → %v", keys, f.st.Keys())
	}
	if string(first) != string(second) {
		t.Error("the re-run wrote a different report")
	}
	data2 := f.pub.last()
	if len(data1) != len(data2) {
		t.Fatalf("%d then %d metrics", len(data1), len(data2))
	}
	for i := range data1 {
		a, b := data1[i], data2[i]
		if aws.ToString(a.MetricName) != aws.ToString(b.MetricName) || *a.Value != *b.Value || !a.Timestamp.Equal(*b.Timestamp) {
			t.Errorf("datum %d: %s %g %v then %s %g %v", i, aws.ToString(a.MetricName), *a.Value, a.Timestamp, aws.ToString(b.MetricName), *b.Value, b.Timestamp)
		}
	}
}

// TestLateLabels runs a window without labels, then the next window, in
// whose hour the labels of the first window's predictions arrive: the
// first window's report and metrics get its performance.
func TestLateLabels(t *testing.T) {
	f := newFixture(t, Config{})
	w1 := f.traffic(t, hour0, 2, 250, monitortest.Shift{}, 50)
	end1, end2 := hour0.Add(time.Hour), hour0.Add(2*time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: end1.Format(time.RFC3339)})
	if p := f.report(t, end1).Performance; p == nil || p.Labelled != 0 || p.Predictions != 500 || p.LabelCoverage != 0 {
		t.Fatalf("first window before labels: %+v", p)
	}
	w2 := f.traffic(t, end1, 1, 100, monitortest.Shift{}, 60)
	// Labels for 300 of the first window's predictions and 50 of the
	// second's arrive in the second hour.
	monitortest.WriteLabels(t, f.st, "credit", "labels-a", end1.Add(10*time.Minute), w1[:300])
	monitortest.WriteLabels(t, f.st, "credit", "labels-b", end1.Add(50*time.Minute), w2[:50])
	res := run(t, f.mon, driftevent.Event{WindowEnd: end2.Format(time.RFC3339)})
	if mr := res.Models[0]; len(mr.EarlierWindows) != 1 || !mr.EarlierWindows[0].Equal(end1) || mr.Labelled != 50 || mr.UnmatchedLabels != 0 {
		t.Fatalf("result %+v", mr)
	}
	p1 := f.report(t, end1).Performance
	if p1 == nil || p1.Labelled != 300 || p1.LabelCoverage != 0.6 || p1.Classification == nil ||
		math.Abs(p1.Classification.Accuracy-monitortest.Accuracy(w1[:300])) > 1e-12 {
		t.Fatalf("first window after labels: %+v", p1)
	}
	data := f.pub.last()
	if got := find(data, "Accuracy", "", end1); len(got) != 1 || got[0] != p1.Classification.Accuracy {
		t.Errorf("Accuracy of the first window %v", got)
	}
	if got := find(data, "LabelCoverage", "", end1); len(got) != 1 || got[0] != 0.6 {
		t.Errorf("LabelCoverage of the first window %v", got)
	}
	if got := find(data, "PredictionCount", "", end1); len(got) != 0 {
		t.Errorf("re-published the first window's drift metrics: %v", got)
	}
	if got := find(data, "Accuracy", "", end2); len(got) != 1 || got[0] != monitortest.Accuracy(w2[:50]) {
		t.Errorf("Accuracy of the second window %v", got)
	}
	// A re-run of the second window changes nothing in the first.
	before, _ := f.st.Get(context.Background(), layout.Report("credit", end1, "json"))
	res = run(t, f.mon, driftevent.Event{WindowEnd: end2.Format(time.RFC3339)})
	after, _ := f.st.Get(context.Background(), layout.Report("credit", end1, "json"))
	if len(res.Models[0].EarlierWindows) != 0 || string(before) != string(after) {
		t.Errorf("the re-run rewrote the first window: %+v", res.Models[0])
	}
}

func TestPublishFailureWritesReportFirst(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 1, 100, monitortest.Shift{}, 70)
	f.pub.fail = &smithy.GenericAPIError{Code: "Throttling", Message: "throttled after 4 attempts"}
	end := hour0.Add(time.Hour)
	res, err := f.mon.Run(context.Background(), driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	if !errors.Is(err, ErrPublish) || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("error %v", err)
	}
	if res.Models[0].Status != "error" {
		t.Errorf("result %+v", res)
	}
	if _, err := f.st.Get(context.Background(), layout.Report("credit", end, "json")); err != nil {
		t.Errorf("report not written before the failed publish: %v", err)
	}
}

func TestBackfillKeepsLatest(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 1, 100, monitortest.Shift{}, 80)
	run(t, f.mon, driftevent.Event{WindowEnd: hour0.Add(2 * time.Hour).Format(time.RFC3339)})
	run(t, f.mon, driftevent.Event{WindowEnd: hour0.Add(time.Hour).Format(time.RFC3339)})
	data, err := f.st.Get(context.Background(), layout.LatestReport("credit"))
	if err != nil {
		t.Fatal(err)
	}
	var head struct{ Window WindowInfo }
	if err := json.Unmarshal(data, &head); err != nil || !head.Window.End.Equal(hour0.Add(2*time.Hour)) {
		t.Errorf("latest.json is of %v (%v)", head.Window.End, err)
	}
}

func TestOtherReferenceBatchesCountInSystemOnly(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 1, 100, monitortest.Shift{}, 90)
	old := monitortest.Reference(t, "credit", "v0", 3000, 7)
	monitortest.WriteBatch(t, f.st, old, "batch-old", monitortest.Generate(40, hour0.Add(30*time.Minute), time.Second, monitortest.Shift{}, 91, "old"))
	end := hour0.Add(time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	r := f.report(t, end)
	if r.System.Records != 140 || r.Current.Rows != 100 || len(r.System.OtherReference) != 1 || r.System.OtherReference[0].Records != 40 {
		t.Errorf("system %+v, compared rows %d", r.System, r.Current.Rows)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "another reference") {
		t.Errorf("warnings %v", r.Warnings)
	}
}

// failingGets fails the GETs of keys with prefix with err.
type failingGets struct {
	*store.Memory
	prefix string
	err    error
}

func (f failingGets) Get(ctx context.Context, key string) ([]byte, error) {
	if strings.HasPrefix(key, f.prefix) {
		return nil, f.err
	}
	return f.Memory.Get(ctx, key)
}

// statusError is an AWS error answer with an HTTP status.
type statusError struct {
	code int
	smithy.GenericAPIError
}

func (e *statusError) HTTPStatusCode() int { return e.code }

// brokenModel publishes a reference for model and breaks it with edit.
func brokenModel(t *testing.T, st *store.Memory, model string, edit func(profileKey string)) {
	t.Helper()
	p := monitortest.Reference(t, model, "v1", 2000, 3)
	if _, err := reference.Publish(context.Background(), st, p, hour0); err != nil {
		t.Fatal(err)
	}
	edit(layout.ReferenceProfile(model, "v1"))
}

// failures returns the MonitoringErrors data published, by model ("" for
// the total).
func failures(pub *fakePublisher) map[string]float64 {
	pub.mu.Lock()
	defer pub.mu.Unlock()
	out := map[string]float64{}
	for _, call := range pub.calls {
		for _, d := range call {
			if aws.ToString(d.MetricName) != catalog.MonitoringErrors {
				continue
			}
			model := ""
			if len(d.Dimensions) == 1 {
				model = aws.ToString(d.Dimensions[0].Value)
			}
			out[model] += *d.Value
		}
	}
	return out
}

// TestBrokenModelsDoNotFailTheOthers: a pointer to a missing profile, a
// corrupt reference and a corrupt batch profile each affect their own model
// only; the invocation succeeds (a retry could not help), the failures are
// published as MonitoringErrors, and the corrupt batch profile is moved to
// quarantine/ so that it no longer blocks its window.
func TestBrokenModelsDoNotFailTheOthers(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	f.traffic(t, hour0, 2, 200, monitortest.Shift{}, 110)
	brokenModel(t, f.st, "pointer", func(key string) { f.st.Delete(ctx, key) })
	brokenModel(t, f.st, "corrupt", func(key string) { f.st.Put(ctx, key, []byte(`{"schema_version":1,"features":[{]}`)) })
	bad := map[string][]byte{
		layout.DataObject(layout.Profiles, "credit", hour0, "broken-json"):  []byte(`{"schema_version":1,"type":"batch","rows":`),
		layout.DataObject(layout.Profiles, "credit", hour0, "broken-shape"): []byte(`{"schema_version":1,"type":"batch","fingerprint":"` + f.ref.Fingerprint + `","features":[]}`),
	}
	for k, v := range bad {
		f.st.Put(ctx, k, v)
	}
	end := hour0.Add(time.Hour)
	ev := driftevent.Event{Models: []string{"pointer", "corrupt", "credit"}, WindowEnd: end.Format(time.RFC3339)}
	res, err := f.mon.Run(ctx, ev)
	if err != nil {
		t.Fatalf("broken models failed the invocation: %v", err)
	}
	if res.Failed != 2 || res.Quarantined != 2 || res.Models[0].Status != "error" || res.Models[1].Status != "error" ||
		res.Models[0].Retryable || res.Models[2].Status != "ok" || res.Models[2].Records != 400 || len(res.Models[2].Quarantined) != 2 {
		t.Fatalf("result %+v", res)
	}
	for k, v := range bad {
		if _, err := f.st.Get(ctx, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s is still in place: %v", k, err)
		}
		if got, err := f.st.Get(ctx, layout.Quarantine(k)); err != nil || string(got) != string(v) {
			t.Errorf("%s was not moved to quarantine: %v", k, err)
		}
	}
	r := f.report(t, end)
	if w := strings.Join(r.Warnings, "\n"); strings.Count(w, "moved to quarantine/") != 2 || r.System.Batches != 2 {
		t.Errorf("report: %d batches, warnings %v", r.System.Batches, r.Warnings)
	}
	want := map[string]float64{"pointer": 1, "corrupt": 1, "credit": 2, "": 4}
	if got := failures(f.pub); !maps.Equal(got, want) {
		t.Errorf("MonitoringErrors %v, want %v", got, want)
	}
	// The window is no longer blocked: its re-run quarantines nothing and
	// reports no failure.
	f.pub.calls = nil
	res = run(t, f.mon, driftevent.Event{Models: []string{"credit"}, WindowEnd: end.Format(time.RFC3339)})
	if res.Failed != 0 || res.Quarantined != 0 || len(failures(f.pub)) != 0 {
		t.Errorf("re-run %+v, failures %v", res, failures(f.pub))
	}
}

// TestOnlyRetryableFailuresFailTheInvocation: throttling and 5xx fail the
// invocation (after every model ran), so that Lambda retries it.
func TestOnlyRetryableFailuresFailTheInvocation(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		retryable bool
	}{
		{"503", &statusError{503, smithy.GenericAPIError{Code: "ServiceUnavailable"}}, true},
		{"throttled", &smithy.GenericAPIError{Code: "SlowDown", Message: "reduce your request rate"}, true},
		{"timeout", context.DeadlineExceeded, true},
		{"403", &statusError{403, smithy.GenericAPIError{Code: "AccessDenied"}}, false},
		{"not found", store.ErrNotFound, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := store.NewMemory()
			pub := &fakePublisher{}
			ref := sharedReference(t)
			if _, err := reference.Publish(context.Background(), mem, ref, hour0); err != nil {
				t.Fatal(err)
			}
			brokenModel(t, mem, "flaky", func(string) {})
			mon, err := New(failingGets{mem, "reference/flaky/", tc.err}, pub, Config{Now: func() time.Time { return testNow },
				Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			end := hour0.Add(time.Hour)
			res, err := mon.Run(context.Background(), driftevent.Event{Models: []string{"flaky", "credit"}, WindowEnd: end.Format(time.RFC3339)})
			if (err != nil) != tc.retryable || res.Models[0].Retryable != tc.retryable {
				t.Errorf("error %v, result %+v; want a failed invocation: %v", err, res.Models[0], tc.retryable)
			}
			if res.Models[1].Status != "no_data" {
				t.Errorf("the healthy model: %+v", res.Models[1])
			}
			if got := failures(pub); got["flaky"] != 1 || got[""] != 1 {
				t.Errorf("MonitoringErrors %v", got)
			}
		})
	}
}

func TestDriftConfigFromBucket(t *testing.T) {
	f := newFixture(t, Config{})
	f.traffic(t, hour0, 1, 300, monitortest.Shift{}, 100)
	f.st.Put(context.Background(), "config/credit/drift.yaml", []byte("method: js\nfeatures:\n  f0: {ignore: true}\n"))
	end := hour0.Add(time.Hour)
	run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	r := f.report(t, end)
	if r.ConfigSource != "config/credit/drift.yaml" || len(r.Features) != 9 || r.Features[0].Method != "js" {
		t.Errorf("config %s, %d features, method %s", r.ConfigSource, len(r.Features), r.Features[0].Method)
	}
	// A bad config fails the model's run (not the invocation: a retry
	// would fail the same way) and is published as a monitoring error.
	f.st.Put(context.Background(), "config/credit/drift.yaml", []byte("method: nope\n"))
	res, err := f.mon.Run(context.Background(), driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
	if err != nil || res.Models[0].Status != "error" || !strings.Contains(res.Models[0].Error, "config/credit/drift.yaml") {
		t.Errorf("bad config: %v %+v", err, res)
	}
	if got := failures(f.pub); got["credit"] != 1 {
		t.Errorf("MonitoringErrors %v", got)
	}
}
