package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/fanout"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/reference"
)

// fleetSize is how many models the fan-out part runs through the deployed
// drift queue: fleetSize-1 good reference profiles and one broken.
const fleetSize = 1000

// runSchedule does what the deployed drift schedule does at its next run
// after windowEnd: it reads the schedule back, checks that it targets the
// dispatch function, and invokes that with the schedule's input, the
// scheduled time filled in (the schedule's own cron would fire at minute 5
// of a real hour). It returns what the dispatch did.
func (d *deployment) runSchedule(t *testing.T, ctx context.Context, windowEnd time.Time) fanout.Result {
	t.Helper()
	name := d.resourceOfType(t, "AWS::Scheduler::Schedule")
	s, err := d.sched.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("get schedule %s: %v", name, err)
	}
	if s.Target == nil {
		t.Fatalf("schedule %s has no target", name)
	}
	input := aws.ToString(s.Target.Input)
	if !strings.Contains(input, schedulerTimePlaceholder) {
		t.Fatalf("the drift schedule's input %q does not carry %s", input, schedulerTimePlaceholder)
	}
	input = strings.ReplaceAll(input, schedulerTimePlaceholder, windowEnd.Add(5*time.Minute).Format(time.RFC3339))
	target := aws.ToString(s.Target.Arn)
	if target != d.functionArn(t, ctx, d.output(t, "DispatchFunctionName")) {
		t.Fatalf("the drift schedule targets %s, not the dispatch function", target)
	}
	var res fanout.Result
	if err := json.Unmarshal(d.invoke(t, ctx, target, []byte(input)), &res); err != nil {
		t.Fatalf("the dispatch function's answer: %v", err)
	}
	return res
}

// runDriftDirectly invokes the drift function itself, as a backfill or a
// manual re-run does: every model with a reference, in one invocation.
func (d *deployment) runDriftDirectly(t *testing.T, ctx context.Context, windowEnd time.Time) monitor.Result {
	t.Helper()
	var res monitor.Result
	ev := fmt.Sprintf(`{"window_end": %q}`, windowEnd.Format(time.RFC3339))
	if err := json.Unmarshal(d.invoke(t, ctx, d.output(t, "DriftFunctionName"), []byte(ev)), &res); err != nil {
		t.Fatalf("the drift function's answer: %v", err)
	}
	if len(res.Models) == 0 || !res.WindowEnd.Equal(windowEnd) {
		t.Fatalf("direct drift run: %+v, want the window ending %s of every model", res, windowEnd)
	}
	return res
}

// queueDepth is how many messages the queue holds, visible or being run.
func (d *deployment) queueDepth(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	out, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
	}})
	if err != nil {
		t.Fatalf("queue %s: %v", url, err)
	}
	n := 0
	for _, v := range out.Attributes {
		i, _ := strconv.Atoi(v)
		n += i
	}
	return n
}

// waitDriftRuns waits until the drift queue is empty and the window's
// report of every model is in the bucket, and returns the models that have
// none when the time is up.
func (d *deployment) waitDriftRuns(t *testing.T, ctx context.Context, models []string, windowEnd time.Time, within time.Duration) {
	t.Helper()
	queue := d.output(t, "DriftQueueUrl")
	deadline := time.Now().Add(within)
	for d.queueDepth(t, ctx, queue) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the drift queue still holds %d messages after %v", d.queueDepth(t, ctx, queue), within)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if missing := d.missingReports(t, ctx, models, windowEnd); len(missing) > 0 {
		t.Fatalf("the drift queue is empty, but %d models have no report of the window ending %s: %v", len(missing), windowEnd, head(missing, 10))
	}
}

// missingReports returns the models without the window's JSON report.
func (d *deployment) missingReports(t *testing.T, ctx context.Context, models []string, windowEnd time.Time) []string {
	t.Helper()
	objs, err := d.store.List(ctx, "reports/")
	if err != nil {
		t.Fatalf("list reports: %v", err)
	}
	have := map[string]bool{}
	for _, o := range objs {
		have[o.Key] = true
	}
	var missing []string
	for _, m := range models {
		if !have[layout.Report(m, windowEnd, "json")] {
			missing = append(missing, m)
		}
	}
	return missing
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

// fleet publishes n-1 small reference profiles (copies of one, under other
// model names) and one broken (a pointer to a profile that is not JSON),
// and returns the good models and the broken one.
func (d *deployment) fleet(t *testing.T, ctx context.Context, n int) (good []string, broken string) {
	t.Helper()
	ref := referenceProfile(t, ctx, "fleet", 200)
	broken = "fleet-broken"
	for i := range n - 1 {
		good = append(good, fmt.Sprintf("fleet-%04d", i))
	}
	jobs := make(chan string)
	errs := make(chan error, len(good))
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				p := *ref
				p.Model = m
				if _, err := reference.Publish(ctx, d.store, &p, time.Now()); err != nil {
					errs <- fmt.Errorf("publish the reference of %s: %w", m, err)
				}
			}
		}()
	}
	for _, m := range good {
		jobs <- m
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	key := layout.ReferenceProfile(broken, "v1")
	if err := d.store.Put(ctx, key, []byte(`{"schema_version": 1, "type": "reference", "features": [`)); err != nil {
		t.Fatal(err)
	}
	ptr, _ := json.Marshal(reference.Pointer{Model: broken, Version: "v1", Key: key, UpdatedAt: time.Now().UTC()})
	if err := d.store.Put(ctx, layout.ReferencePointer(broken), ptr); err != nil {
		t.Fatal(err)
	}
	return good, broken
}

// testFleet is the fan-out part of TestDeployedStack: fleetSize models
// added by publishing their reference profiles (no change to the stack),
// one of them broken; one dispatch by the schedule's target; one drift run
// per model through the deployed drift queue; every good model reported,
// the broken one counted in MonitoringErrors, nothing in the failure queue.
//
// It runs on the test's own stack only (always in make test and CI): on a
// stack deployed by hand (make local-e2e) it would leave a thousand models
// in that stack's bucket for every later drift run.
func (d *deployment) testFleet(t *testing.T, ctx context.Context, windowEnd time.Time, others []string) {
	if !d.ownEmulator {
		t.Skipf("the fleet of %d models runs on the test's own stack only, not on %s", fleetSize, d.stack)
	}
	started := time.Now()
	good, broken := d.fleet(t, ctx, fleetSize)
	t.Logf("%d reference profiles published (one broken) in %v", fleetSize, time.Since(started).Round(time.Millisecond))

	dispatched := time.Now()
	res := d.runSchedule(t, ctx, windowEnd)
	if want := fleetSize + len(others); res.Models != want || res.Sent != want {
		t.Fatalf("the dispatch found %d models and sent %d messages, want %d", res.Models, res.Sent, want)
	}
	sent := time.Since(dispatched)
	// MiniStack also fires the schedule itself at minute 5 of a real hour: a
	// run of the current window for every model then shares the queue.
	d.waitDriftRuns(t, ctx, append(good, others...), windowEnd, 5*time.Minute)
	wall := time.Since(dispatched)
	t.Logf("%d drift runs (one model each) through the deployed drift queue in %v (dispatch %v; DriftConcurrency %s): %.1f ms a model",
		res.Sent, wall.Round(time.Millisecond), sent.Round(time.Millisecond), d.parameters["DriftConcurrency"], float64(wall.Milliseconds())/float64(res.Sent))

	if missing := d.missingReports(t, ctx, []string{broken}, windowEnd); len(missing) != 1 {
		t.Errorf("the broken model %s has a report", broken)
	}
	ns := d.parameters["Namespace"]
	st, err := d.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String(ns), MetricName: aws.String(catalog.MonitoringErrors),
		Dimensions: []cwtypes.Dimension{{Name: aws.String(catalog.DimModel), Value: aws.String(broken)}},
		StartTime:  aws.Time(windowEnd.Add(-time.Hour)), EndTime: aws.Time(windowEnd.Add(time.Minute)),
		Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum},
	})
	if err != nil || len(st.Datapoints) == 0 || aws.ToFloat64(st.Datapoints[0].Maximum) != 1 {
		t.Errorf("MonitoringErrors of %s: %+v %v; want 1 for the window", broken, st, err)
	}
	if failed := receive(t, ctx, d.sqs, d.output(t, "FailureQueueUrl"), 1, 2*time.Second); len(failed) != 0 {
		t.Errorf("the failure queue holds %d messages: %v", len(failed), failed)
	}
}
