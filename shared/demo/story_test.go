package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/demo"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The default story is played once for every test that reads it.
var (
	storyOnce sync.Once
	storyRes  *demo.Result
	storyErr  error
	storyDir  string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if storyDir != "" {
		os.RemoveAll(storyDir)
	}
	os.Exit(code)
}

// story returns the default story's result (48 hours, seed 1).
func story(t *testing.T) *demo.Result {
	t.Helper()
	storyOnce.Do(func() {
		storyDir, storyErr = os.MkdirTemp("", "modelwatch-demo-")
		if storyErr != nil {
			return
		}
		o := demo.DefaultOptions()
		o.Out = filepath.Join(storyDir, "demo-output")
		storyRes, storyErr = demo.Run(context.Background(), o)
	})
	if storyErr != nil {
		t.Fatalf("the default story: %v", storyErr)
	}
	return storyRes
}

func alarmsOf(s *demo.Summary, kind string) []demo.AlarmRecord {
	var out []demo.AlarmRecord
	for _, a := range s.Alarms {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

func event(t *testing.T, s *demo.Summary, kind string) demo.Event {
	t.Helper()
	for _, e := range s.Events {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatalf("the story has no %s event", kind)
	return demo.Event{}
}

// Before the shift only the relation change happens, and only the
// multivariate-drift alarm sees it: it fires in the hours of that event and
// notifies, without a retraining request.
func TestBaselineDayHasNoAlarm(t *testing.T) {
	s := story(t).Summary
	var relation demo.Event
	for _, e := range s.Events {
		if e.Kind == demo.EventRelationChange {
			relation = e
		}
	}
	multivariate := 0
	for _, a := range s.Alarms {
		if a.Hour > s.DriftAt {
			continue
		}
		if a.Metric == catalog.ReconstructionErrorSigma && a.Hour > relation.From && a.Hour <= relation.Until+1 {
			multivariate++
			if a.Handler != alarm.NotifyOnly {
				t.Errorf("the multivariate-drift alarm at hour %d: handler %s, want notify_only", a.Hour, a.Handler)
			}
			continue
		}
		t.Errorf("alarm %s at hour %d, in the baseline day (before the shift at %d)", a.Name, a.Hour, s.DriftAt)
	}
	if multivariate == 0 {
		t.Errorf("the relation change of hours %d-%d set off no multivariate-drift alarm; alarms %+v", relation.From, relation.Until, s.Alarms)
	}
	for h := 1; h <= s.DriftAt; h++ {
		if len(s.DriftedFeatures[h]) > 0 {
			t.Errorf("hour %d of the baseline: drifted features %v", h, s.DriftedFeatures[h])
		}
	}
}

func TestShiftedFeaturesAndOnlyTheyDrift(t *testing.T) {
	s := story(t).Summary
	want := []string{demo.FeatChannel, demo.FeatLoanAmount}
	// The window [drift-at, drift-at+1) is reported at hour drift-at+1.
	if got := s.DriftedFeatures[s.DriftAt+1]; !slices.Equal(got, want) {
		t.Errorf("first window after the shift: drifted %v, want %v", got, want)
	}
	for h := s.DriftAt + 1; h <= s.Hours; h++ {
		if got := s.DriftedFeatures[h]; !slices.Equal(got, want) {
			t.Errorf("hour %d: drifted %v, want only %v", h, got, want)
		}
	}
	fd := alarmsOf(s, "feature-drift")
	if len(fd) != 1 || fd[0].Hour != s.DriftAt+1 {
		t.Errorf("feature-drift alarms %+v, want one at hour %d", fd, s.DriftAt+1)
	}
	if ds := alarmsOf(s, "dataset-drift"); len(ds) != 0 {
		t.Errorf("dataset-drift alarmed (%+v): two of 13 features is not dataset drift", ds)
	}
}

func TestOneRetrainRequest(t *testing.T) {
	res := story(t)
	s := res.Summary
	if len(s.RetrainRequests) != 1 {
		t.Fatalf("%d retraining requests, want 1: %+v", len(s.RetrainRequests), s.RetrainRequests)
	}
	r := s.RetrainRequests[0]
	if r.Hour != s.DriftAt+1 || r.Metric != catalog.MaxFeaturePSI || r.AlarmName != catalog.KindAlarmName(catalog.DefaultAlarmNamePrefix, "feature-drift") {
		t.Errorf("retraining request %+v, want the feature-drift alarm's at hour %d", r, s.DriftAt+1)
	}
	if !strings.Contains(r.Reason, "greater than or equal to the threshold (0.25)") {
		t.Errorf("reason %q is not CloudWatch's", r.Reason)
	}
	// Every other retrain trigger that fired was a duplicate of it, and the
	// other alarms only notified.
	triggers := 0
	for _, a := range s.Alarms {
		trigger := slices.Contains(catalog.RetrainMetrics(), a.Metric)
		switch {
		case trigger:
			triggers++
			if triggers > 1 && a.Handler != alarm.Duplicate {
				t.Errorf("alarm %s at hour %d: handler %s, want duplicate", a.Name, a.Hour, a.Handler)
			}
		case a.Handler != alarm.NotifyOnly:
			t.Errorf("alarm %s: handler %s, want notify_only", a.Name, a.Handler)
		}
	}
	if triggers < 2 {
		t.Errorf("%d retrain-trigger alarms; the story has two (feature drift, accuracy)", triggers)
	}
	// The alarm handler's dedup marker is in the bucket: one for the slot.
	st, err := store.NewLocal(filepath.Join(res.Dir, demo.BucketDir))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := st.List(context.Background(), "retrain/model="+demo.ModelName+"/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Errorf("retrain markers %v, want one", objs)
	}
}

func TestAccuracyAlarmOnlyAfterLabelsArrive(t *testing.T) {
	res := story(t)
	s := res.Summary
	concept := event(t, s, demo.EventConceptChange)
	acc := alarmsOf(s, "accuracy")
	if len(acc) != 1 {
		t.Fatalf("accuracy alarms %+v, want one", acc)
	}
	longest, err := time.ParseDuration(s.LabelDelay)
	if err != nil {
		t.Fatal(err)
	}
	minDelay := int(longest / 6 / time.Hour)
	// The first labels of the changed world arrive at concept+minDelay;
	// the drift run after that hour publishes their accuracy.
	if acc[0].Hour <= concept.From+minDelay {
		t.Errorf("accuracy alarm at hour %d, before any label of the changed world (concept change at %d, labels ≥ %d h late)",
			acc[0].Hour, concept.From, minDelay)
	}
	if acc[0].Value == nil || *acc[0].Value >= 0.8 {
		t.Errorf("accuracy alarm value %v, want < 0.8", acc[0].Value)
	}
	// The alarm watches the accuracy of the labels that arrived in each
	// window: it fires within the labels' longest delay after the change, and
	// no such datapoint below the threshold was published before it fired.
	if last := concept.From + int(longest/time.Hour) + 1; acc[0].Hour > last {
		t.Errorf("accuracy alarm at hour %d, after every label of the first changed hour had arrived (hour %d)", acc[0].Hour, last)
	}
	for _, p := range res.Sink.Points() {
		if p.Metric == catalog.LabelledAccuracy && p.Value < 0.8 && int(p.PublishedAt.Sub(s.Start).Hours()) < acc[0].Hour {
			t.Errorf("LabelledAccuracy %g published at %s, before the alarm at hour %d", p.Value, p.PublishedAt, acc[0].Hour)
		}
	}
	// What needs no labels did not see it: the predictions' distribution and
	// the confidence-based estimate stay put.
	if pd := alarmsOf(s, "prediction-drift"); len(pd) != 0 {
		t.Errorf("prediction-drift alarmed: %+v", pd)
	}
	for i, w := range res.Windows {
		if w.Prediction == nil || w.Prediction.EstimatedAccuracy == nil {
			t.Errorf("window %d has no estimated accuracy", i+1)
			continue
		}
		if e := w.Prediction.EstimatedAccuracy.Accuracy; e < 0.8 {
			t.Errorf("window %d: estimated accuracy %.3f; a confidence estimate cannot see a concept change", i+1, e)
		}
	}
}

func TestSystemIncidentsNotifyAndResolve(t *testing.T) {
	s := story(t).Summary
	for _, c := range []struct{ kind, event string }{{"latency", demo.EventLatencySpike}, {"error-rate", demo.EventErrorBurst}} {
		e := event(t, s, c.event)
		got := alarmsOf(s, c.kind)
		if len(got) != 1 {
			t.Errorf("%s alarms %+v, want one", c.kind, got)
			continue
		}
		a := got[0]
		if a.Hour != e.From+1 || a.ResolvedHour == nil || *a.ResolvedHour != e.Until+1 {
			t.Errorf("%s alarm %+v, want ALARM at hour %d and OK at %d", c.kind, a, e.From+1, e.Until+1)
		}
		if a.Handler != alarm.NotifyOnly {
			t.Errorf("%s alarm: handler %s, want notify_only", c.kind, a.Handler)
		}
	}
	if s.RecordsRejected == 0 {
		t.Error("the malformed records of the error burst were not rejected")
	}
}

// TestAlarmDefinitionsAreTheTemplates: the demo evaluates catalog.Alarms
// itself, the list template.yaml is checked against
// (infra/templatetest), not a copy of it.
func TestAlarmDefinitionsAreTheTemplates(t *testing.T) {
	e := demo.NewAlarmEvaluator(demo.NewMetricSink(catalog.DefaultNamespace, time.Now), catalog.DefaultNamespace, demo.ModelName)
	got := e.Alarms()
	if len(got) != len(catalog.Alarms) || &got[0] != &catalog.Alarms[0] {
		t.Fatal("the evaluator does not use catalog.Alarms itself")
	}
	if !reflect.DeepEqual(got, catalog.Alarms) {
		t.Error("the evaluator's alarms differ from catalog.Alarms")
	}
	for _, a := range story(t).Summary.Alarms {
		def := slices.IndexFunc(catalog.Alarms, func(c catalog.Alarm) bool { return c.Kind == a.Kind })
		if def < 0 {
			t.Errorf("alarm %s has kind %s, not in the catalog", a.Name, a.Kind)
			continue
		}
		c := catalog.Alarms[def]
		if a.Name != catalog.KindAlarmName(catalog.DefaultAlarmNamePrefix, c.Kind) || a.Metric != c.Metric || a.Threshold != c.DefaultThreshold || a.Comparison != c.Comparison {
			t.Errorf("alarm %+v does not follow its catalog definition %+v", a, c)
		}
		if a.Value == nil || !c.Breaches(*a.Value, c.DefaultThreshold) {
			t.Errorf("alarm %s fired on %v, which does not breach %s %g", a.Name, a.Value, c.Comparison, c.DefaultThreshold)
		}
	}
}

func TestOutput(t *testing.T) {
	res := story(t)
	s := res.Summary
	for _, name := range []string{demo.IndexFile, demo.SummaryFile, demo.MetricsFile, demo.NotificationsFile,
		demo.RetrainRequestsFile, demo.ReferenceDataFile, "logs/ingest.jsonl", "logs/drift.jsonl", "logs/alarmhandler.jsonl", "logs/ingest-emf.jsonl"} {
		if fi, err := os.Stat(filepath.Join(res.Dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", name, err)
		}
	}
	for h := 1; h <= s.Hours; h++ {
		for _, ext := range []string{"json", "html"} {
			key := layout.Report(demo.ModelName, s.Start.Add(time.Duration(h)*time.Hour), ext)
			if _, err := os.Stat(filepath.Join(res.Dir, demo.BucketDir, filepath.FromSlash(key))); err != nil {
				t.Errorf("report of hour %d: %v", h, err)
			}
		}
	}
	// summary.json has the documented shape.
	data, err := os.ReadFile(filepath.Join(res.Dir, demo.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Hours  *int `json:"hours"`
		Alarms []struct {
			Name   *string  `json:"name"`
			Metric *string  `json:"metric"`
			Hour   *int     `json:"hour"`
			Value  *float64 `json:"value"`
		} `json:"alarms"`
		RetrainRequests []struct {
			Hour   *int    `json:"hour"`
			Reason *string `json:"reason"`
		} `json:"retrain_requests"`
		DriftedFeatures map[string][]string `json:"drifted_features"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Hours == nil || *doc.Hours != s.Hours || len(doc.Alarms) != len(s.Alarms) || len(doc.RetrainRequests) != 1 || len(doc.DriftedFeatures) != s.Hours {
		t.Errorf("summary.json: %s", data)
	}
	for _, a := range doc.Alarms {
		if a.Name == nil || a.Metric == nil || a.Hour == nil || a.Value == nil {
			t.Errorf("summary.json alarm lacks name, metric, hour or value: %s", data)
		}
	}
	for _, r := range doc.RetrainRequests {
		if r.Hour == nil || r.Reason == nil || *r.Reason == "" {
			t.Errorf("summary.json retrain request lacks hour or reason: %s", data)
		}
	}
	if i, j := bytes.Index(data, []byte(`"2": [`)), bytes.Index(data, []byte(`"10": [`)); i < 0 || j < i {
		t.Errorf("drifted_features is not keyed by hour in order: %s", data)
	}
	// Every notification is one the alarm handler reads as an alarm of the
	// model.
	lines, err := os.ReadFile(filepath.Join(res.Dir, demo.NotificationsFile))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(lines), []byte("\n")) {
		var ev struct {
			Records []struct {
				Sns struct{ Message string } `json:"Sns"`
			} `json:"Records"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || len(ev.Records) != 1 {
			t.Fatalf("notifications.jsonl: %v: %s", err, line)
		}
		note, err := alarm.DecodeNotification([]byte(ev.Records[0].Sns.Message))
		if err != nil {
			t.Fatal(err)
		}
		if m, _, err := note.Model(alarm.AlarmNamePrefix); err != nil || m != demo.ModelName {
			t.Errorf("notification %s: model %q, %v", note.AlarmName, m, err)
		}
		n++
	}
	// One notification per transition: into ALARM, and back to OK.
	want := 0
	for _, a := range s.Alarms {
		want++
		if a.ResolvedHour != nil {
			want++
		}
	}
	if n != want {
		t.Errorf("%d notifications, want %d", n, want)
	}
}

func TestSummaryText(t *testing.T) {
	var b bytes.Buffer
	if err := demo.WriteText(&b, story(t), "demo-output/index.html"); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.golden.txt", b.Bytes())
}

// TestDeterministic: the same options give the same output, byte for byte
// (every file but the functions' logs, profiles included: the demo's clock
// is the simulated one), and a second run replaces the first's output.
func TestDeterministic(t *testing.T) {
	o := demo.DefaultOptions()
	o.Hours, o.DriftAt, o.Rate = 4, 2, 300
	dir := t.TempDir()
	// Every file of the output but the logs (which time the real calls):
	// the bucket's profiles, reports and markers too.
	read := func() map[string][]byte {
		files := map[string][]byte{}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			if strings.HasPrefix(filepath.ToSlash(rel), "logs/") {
				return nil
			}
			data, err := os.ReadFile(path)
			files[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{demo.IndexFile, demo.SummaryFile, demo.MetricsFile, demo.NotificationsFile} {
			if files[name] == nil {
				t.Fatalf("no %s", name)
			}
		}
		return files
	}
	var runs []map[string][]byte
	for range 2 {
		o.Out = dir
		if _, err := demo.Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, read())
	}
	if len(runs[0]) != len(runs[1]) {
		t.Errorf("%d files, then %d", len(runs[0]), len(runs[1]))
	}
	for name, data := range runs[0] {
		if !bytes.Equal(data, runs[1][name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	o.Seed = 2
	if _, err := demo.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(read()[demo.MetricsFile], runs[0][demo.MetricsFile]) {
		t.Error("another seed gave the same metrics")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./shared/demo -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./shared/demo -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestDashboardChartsTheAccuracyAlarm pins issue 14 item 7: the dashboard
// charts LabelledAccuracy, the metric the accuracy alarm watches, with its
// threshold, and the Accuracy chart's caption no longer claims the alarm
// evaluates it.
func TestDashboardChartsTheAccuracyAlarm(t *testing.T) {
	res := story(t)
	data, err := os.ReadFile(filepath.Join(res.Dir, demo.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if !strings.Contains(page, "<b>LabelledAccuracy</b>") {
		t.Error("no LabelledAccuracy chart")
	}
	if i := strings.Index(page, "Not published in this story:"); i >= 0 {
		if end := strings.Index(page[i:], "</p>"); end > 0 && strings.Contains(page[i:i+end], "LabelledAccuracy") {
			t.Error("LabelledAccuracy is listed as not published")
		}
	}
	if !strings.Contains(page, "Alarm modelwatch-accuracy (contributor "+demo.ModelName+"): Minimum per hour &lt; 0.8") {
		t.Error("the LabelledAccuracy chart does not state the accuracy alarm")
	}
	if strings.Contains(page, "which the alarm evaluates.</p>") && !strings.Contains(page, "the fresh signal the accuracy alarm evaluates") {
		t.Error("the Accuracy caption still says the alarm evaluates it")
	}
	if strings.Count(page, "alarm on LabelledAccuracy &lt; 0.8") < 1 {
		t.Error("the Accuracy chart has no 0.8 reference line")
	}
}

// TestLateLabelsStillAlarm pins the README's --label-delay tip (issue 14
// item 8): with labels up to 24 h late the accuracy alarm still fires, only
// later than with the default delay, because it watches LabelledAccuracy,
// published at the hour the labels arrive.
func TestLateLabelsStillAlarm(t *testing.T) {
	o := demo.DefaultOptions()
	o.LabelDelay = 24 * time.Hour
	o.Hours = 42 // the error burst at hour 43 plays no part
	o.Out = filepath.Join(t.TempDir(), "demo-output")
	res, err := demo.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	late, early := alarmsOf(res.Summary, "accuracy"), alarmsOf(story(t).Summary, "accuracy")
	if len(late) != 1 || len(early) != 1 {
		t.Fatalf("accuracy alarms with 24 h delays %+v, with the default %+v: want one each", late, early)
	}
	if concept := event(t, res.Summary, demo.EventConceptChange); late[0].Hour <= early[0].Hour || late[0].Hour <= concept.From+4 {
		t.Errorf("accuracy alarm at hour %d with 24 h delays, %d with the default: want it later", late[0].Hour, early[0].Hour)
	}
	t.Logf("accuracy alarm at hour %d with labels up to 24 h late (hour %d by default)", late[0].Hour, early[0].Hour)
}

// TestRelationChangeIsSeenOnlyByTheReconstructionError: while the employment
// records are migrated (employment years fall with age instead of rising),
// every feature keeps its distribution: no feature drifts, and only the
// multivariate reconstruction error leaves its thresholds; before and after
// it, in the baseline, it stays inside them.
func TestRelationChangeIsSeenOnlyByTheReconstructionError(t *testing.T) {
	res := story(t)
	s := res.Summary
	e := event(t, s, demo.EventRelationChange)
	if e.From >= e.Until || e.Until > s.DriftAt {
		t.Fatalf("relation change %+v: want it inside the baseline day (before hour %d)", e, s.DriftAt)
	}
	seen := 0
	for _, r := range res.Windows {
		h := int(r.Window.End.Sub(s.Start) / time.Hour) // the window [h-1, h)
		if h > s.DriftAt || r.Multivariate == nil {
			if h <= s.DriftAt {
				t.Errorf("window ending at hour %d has no multivariate comparison", h)
			}
			continue
		}
		inEvent := h-1 >= e.From && h-1 < e.Until
		mv := r.Multivariate
		if mv.Drift != inEvent {
			t.Errorf("window ending at hour %d: multivariate drift %v (mean %.3f, thresholds %.3f–%.3f), want %v",
				h, mv.Drift, mv.Mean, mv.Lower, mv.Upper, inEvent)
		}
		for _, f := range r.Features {
			if f.Severity != "ok" {
				t.Errorf("window ending at hour %d: feature %s is %s", h, f.Name, f.Severity)
			}
		}
		if inEvent {
			seen++
			top := []string{mv.Contributions[0].Feature, mv.Contributions[1].Feature}
			if !slices.Contains(top, demo.FeatAge) || !slices.Contains(top, demo.FeatEmploymentYears) {
				t.Errorf("window ending at hour %d: the features reconstructed worst are %v, want age and employment_years", h, top)
			}
		}
	}
	if seen != e.Until-e.From {
		t.Errorf("%d windows of the relation change, want %d", seen, e.Until-e.From)
	}
}
