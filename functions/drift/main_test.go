package main

// The integration test needs moto's server (pip install 'moto[server]') and
// the Lambda Runtime Interface Emulator (go install
// github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@...);
// it starts both itself, and fails when they are missing, except under
// go test -short.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// TestDriftFunction runs the real bootstrap under aws-lambda-rie against
// moto's S3 and CloudWatch (query protocol): a baseline window and a drifted
// window, the drifted one twice, with labels for the baseline window's
// predictions arriving during the drifted one.
func TestDriftFunction(t *testing.T) {
	srv := motoserver.Shared(t)
	bootstrap := lambdarie.Build(t, "./functions/drift")
	ctx := context.Background()
	bucket := srv.NewBucket(t)
	st := store.NewS3(srv.S3Client(), bucket)
	ns := fmt.Sprintf("ModelWatchIT%d", time.Now().UnixNano()%1e9)

	end2 := time.Now().UTC().Truncate(time.Hour) // the drifted window [end2-1h, end2)
	end1 := end2.Add(-time.Hour)                 // the baseline window
	ref := monitortest.Reference(t, "credit", "v1", 20000, 1)
	if _, err := reference.Publish(ctx, st, ref, end1.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var baseline []monitortest.Record
	for b := range 2 {
		recs := monitortest.Generate(300, end1.Add(-time.Hour+time.Duration(b)*30*time.Minute), 5*time.Second, monitortest.Shift{}, uint64(10+b), fmt.Sprintf("base%d", b))
		monitortest.WriteBatch(t, st, ref, fmt.Sprintf("base-%d", b), recs)
		baseline = append(baseline, recs...)
	}
	drifted := monitortest.Shift{Mean: map[string]float64{"f3": 0.8}, Skew: map[string]float64{"c1": 0.6}}
	for b := range 2 {
		recs := monitortest.Generate(300, end2.Add(-time.Hour+time.Duration(b)*30*time.Minute), 5*time.Second, drifted, uint64(20+b), fmt.Sprintf("drift%d", b))
		monitortest.WriteBatch(t, st, ref, fmt.Sprintf("drift-%d", b), recs)
	}

	fn := lambdarie.Start(t, bootstrap,
		"BUCKET="+bucket, "METRICS_NAMESPACE="+ns, "CLOUDWATCH_PROTOCOL=query",
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+motoserver.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+motoserver.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	invoke := func(end time.Time) monitor.Result {
		t.Helper()
		ev := fmt.Sprintf(`{"models":["credit"],"window_end":%q}`, end.Format(time.RFC3339))
		out, err := fn.Invoke(ctx, []byte(ev))
		if err != nil {
			t.Fatalf("invoke %s: %v", ev, err)
		}
		var res monitor.Result
		if err := json.Unmarshal(out, &res); err != nil || len(res.Models) != 1 || res.Models[0].Status != "ok" {
			t.Fatalf("invoke %s: %s (%v)", ev, out, err)
		}
		return res
	}
	report := func(end time.Time) *monitor.Report {
		t.Helper()
		data, err := st.Get(ctx, layout.Report("credit", end, "json"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := monitor.DecodeReport(data)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	invoke(end1)
	if r := report(end1); r.DatasetDrift.Drifted != 0 || r.Performance == nil || r.Performance.Labelled != 0 {
		t.Fatalf("baseline window: drift %+v, performance %+v", r.DatasetDrift, r.Performance)
	}
	// Labels for 400 of the baseline's 600 predictions arrive in the second hour.
	monitortest.WriteLabels(t, st, "credit", "late-labels", end2.Add(-20*time.Minute), baseline[:400])

	res := invoke(end2)
	if mr := res.Models[0]; len(mr.EarlierWindows) != 1 || !mr.EarlierWindows[0].Equal(end1) {
		t.Errorf("earlier windows updated: %+v", mr)
	}
	keys1 := listKeys(t, st)
	first := report(end2)
	invoke(end2) // the same window again
	if keys2 := listKeys(t, st); !slices.Equal(keys1, keys2) {
		t.Errorf("re-run changed the keys:\n%v\n%v", keys1, keys2)
	}
	second := report(end2)
	first.GeneratedAt, second.GeneratedAt = time.Time{}, time.Time{}
	a, _ := first.EncodeJSON()
	b, _ := second.EncodeJSON()
	if string(a) != string(b) {
		t.Error("the re-run wrote a different report")
	}

	r2 := report(end2)
	var driftedNames []string
	for _, f := range r2.Features {
		if f.Severity == "drift" {
			driftedNames = append(driftedNames, f.Name)
		}
	}
	slices.Sort(driftedNames)
	if strings.Join(driftedNames, ",") != "c1,f3" || r2.System.Records != 600 || r2.Status != monitor.StatusOK {
		t.Errorf("drifted window: drifted %v, system %+v", driftedNames, r2.System)
	}
	r1 := report(end1)
	wantAcc := monitortest.Accuracy(baseline[:400])
	if p := r1.Performance; p == nil || p.Labelled != 400 || p.Classification == nil || math.Abs(p.Classification.Accuracy-wantAcc) > 1e-12 {
		t.Fatalf("baseline window after late labels: %+v", p)
	}
	for _, k := range []string{layout.Report("credit", end1, "html"), layout.Report("credit", end2, "html"), layout.LatestReport("credit")} {
		if _, err := st.Get(ctx, k); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}

	cw := srv.CloudWatchClient()
	for _, c := range []struct {
		name, dim, val string
		at             time.Time
		want           float64
		tol            float64
	}{
		{"PredictionCount", "", "", end1, 600, 0},
		{"PredictionCount", "", "", end2, 600, 0},
		{"DriftedFeatureShare", "", "", end1, 0, 0},
		{"DriftedFeatureShare", "", "", end2, 0.2, 0},
		{"FeaturePSI", "Feature", "f3", end2, 0.25, -1}, // at least
		{"Accuracy", "", "", end1, wantAcc, 1e-9},
		{"LabelCoverage", "", "", end1, 400.0 / 600, 1e-9},
	} {
		got := maxAt(t, cw, ns, c.name, c.dim, c.val, c.at)
		switch {
		case math.IsNaN(got):
			t.Errorf("%s %s at %v: no data", c.name, c.val, c.at)
		case c.tol < 0 && got < c.want:
			t.Errorf("%s %s at %v = %g, want at least %g", c.name, c.val, c.at, got, c.want)
		case c.tol >= 0 && math.Abs(got-c.want) > c.tol:
			t.Errorf("%s %s at %v = %g, want %g", c.name, c.val, c.at, got, c.want)
		}
	}
}

func listKeys(t *testing.T, st store.Store) []string {
	t.Helper()
	objs, err := st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

// maxAt reads the Maximum of a metric in the minute starting at at; NaN
// when there is none.
func maxAt(t *testing.T, cw *cloudwatch.Client, ns, name, dim, val string, at time.Time) float64 {
	t.Helper()
	dims := []types.Dimension{{Name: aws.String("Model"), Value: aws.String("credit")}}
	if dim != "" {
		dims = append(dims, types.Dimension{Name: aws.String(dim), Value: aws.String(val)})
	}
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims},
			Period: aws.Int32(60), Stat: aws.String("Maximum")}}},
	})
	if err != nil {
		t.Fatalf("GetMetricData %s: %v", name, err)
	}
	if len(out.MetricDataResults) == 0 || len(out.MetricDataResults[0].Values) == 0 {
		return math.NaN()
	}
	return slices.Max(out.MetricDataResults[0].Values)
}

// TestBrokenModelsDoNotFailTheInvocation runs the real bootstrap on moto
// with three models: one whose reference pointer names a missing profile,
// one with a corrupt reference, and one healthy model with a corrupt batch
// profile in its window. The invocation succeeds, the corrupt batch profile
// is moved to quarantine/, and MonitoringErrors reaches CloudWatch.
func TestBrokenModelsDoNotFailTheInvocation(t *testing.T) {
	srv := motoserver.Shared(t)
	bootstrap := lambdarie.Build(t, "./functions/drift")
	ctx := context.Background()
	bucket := srv.NewBucket(t)
	st := store.NewS3(srv.S3Client(), bucket)
	ns := fmt.Sprintf("ModelWatchIT%d", time.Now().UnixNano()%1e9)
	end := time.Now().UTC().Truncate(time.Hour)

	ref := monitortest.Reference(t, "credit", "v1", 5000, 1)
	for _, r := range []profileRef{{"credit", ref}, {"pointer", monitortest.Reference(t, "pointer", "v1", 2000, 2)}, {"corrupt", monitortest.Reference(t, "corrupt", "v1", 2000, 3)}} {
		if _, err := reference.Publish(ctx, st, r.p, end.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Delete(ctx, layout.ReferenceProfile("pointer", "v1")); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, layout.ReferenceProfile("corrupt", "v1"), []byte(`{"schema_version":1,"features":[{]}`)); err != nil {
		t.Fatal(err)
	}
	recs := monitortest.Generate(300, end.Add(-time.Hour), 5*time.Second, monitortest.Shift{}, 30, "good")
	monitortest.WriteBatch(t, st, ref, "good", recs)
	bad := layout.DataObject(layout.Profiles, "credit", end.Add(-time.Hour), "broken")
	if err := st.Put(ctx, bad, []byte(`{"schema_version":1,"type":"batch","rows":`)); err != nil {
		t.Fatal(err)
	}

	fn := lambdarie.Start(t, bootstrap,
		"BUCKET="+bucket, "METRICS_NAMESPACE="+ns, "CLOUDWATCH_PROTOCOL=query",
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+motoserver.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+motoserver.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	ev := fmt.Sprintf(`{"models":["pointer","corrupt","credit"],"window_end":%q}`, end.Format(time.RFC3339))
	out, err := fn.Invoke(ctx, []byte(ev))
	if err != nil {
		t.Fatalf("a broken model failed the invocation: %v\n%s", err, fn.Output())
	}
	var res monitor.Result
	if err := json.Unmarshal(out, &res); err != nil || len(res.Models) != 3 {
		t.Fatalf("result %s: %v", out, err)
	}
	if res.Failed != 2 || res.Quarantined != 1 || res.Models[2].Status != "ok" || res.Models[2].Records != 300 {
		t.Errorf("result %s", out)
	}
	if _, err := st.Get(ctx, layout.Quarantine(bad)); err != nil {
		t.Errorf("the corrupt batch profile is not in quarantine: %v", err)
	}
	if _, err := st.Get(ctx, bad); err == nil {
		t.Errorf("the corrupt batch profile is still at %s", bad)
	}
	if !strings.Contains(fn.Output(), "moved to quarantine") {
		t.Error("the log does not say that the batch profile was moved to quarantine")
	}

	cw := srv.CloudWatchClient()
	for model, want := range map[string]float64{"pointer": 1, "corrupt": 1, "credit": 1, "": 3} {
		if got := monitoringErrors(t, cw, ns, model, end); got != want {
			t.Errorf("MonitoringErrors of %q = %g, want %g", model, got, want)
		}
	}
}

type profileRef struct {
	model string
	p     *profile.Profile
}

// monitoringErrors reads the Maximum of MonitoringErrors for model ("" for
// the total without a dimension) in the minute starting at at; NaN when
// there is none.
func monitoringErrors(t *testing.T, cw *cloudwatch.Client, ns, model string, at time.Time) float64 {
	t.Helper()
	var dims []types.Dimension
	if model != "" {
		dims = []types.Dimension{{Name: aws.String("Model"), Value: aws.String(model)}}
	}
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("m"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String("MonitoringErrors"), Dimensions: dims},
			Period: aws.Int32(60), Stat: aws.String("Maximum")}}},
	})
	if err != nil {
		t.Fatalf("GetMetricData MonitoringErrors: %v", err)
	}
	if len(out.MetricDataResults) == 0 || len(out.MetricDataResults[0].Values) == 0 {
		return math.NaN()
	}
	return slices.Max(out.MetricDataResults[0].Values)
}
