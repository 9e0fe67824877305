package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/reference"
)

// TestDeployedStack deploys template.yaml with the SAM CLI onto MiniStack
// (or uses the stack MODELWATCH_E2E_STACK on MODELWATCH_E2E_ENDPOINT), checks
// that every resource of the template was created, and drives the deployed
// stack from prediction batches to one retraining request on the deployed
// retrain topic. See doc.go for the story and the emulator's gaps.
func TestDeployedStack(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys the stack on a local emulator; not under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	started := time.Now()
	d := deploy(t, ctx)

	checkResources(t, ctx, d)
	t.Logf("%d resources of %s checked after %v", len(d.resources), d.stack, time.Since(started).Round(time.Second))

	models := strings.Split(d.parameters["Models"], ",")
	model := strings.TrimSpace(models[0])
	if model == "" {
		t.Fatalf("the stack monitors no model (Models = %q)", d.parameters["Models"])
	}

	// The consumers a user would attach: a queue on the retrain topic (what a
	// retraining pipeline reads) and one on the alerts topic (where e-mail
	// subscribers get the same notifications the alarm handler gets).
	retrainQueue := d.subscribeQueue(t, ctx, d.output(t, "RetrainTopicArn"), "retrain")
	alertsQueue := d.subscribeQueue(t, ctx, d.output(t, "AlertsTopicArn"), "alerts")

	ptr, err := reference.Publish(ctx, d.store, referenceProfile(t, ctx, model, 20_000), time.Now())
	if err != nil {
		t.Fatalf("publish the reference profile: %v", err)
	}

	// Two whole hours before the current one: baseline, then drifted traffic.
	// The drifted window ends at the top of the current hour, so its
	// datapoints are within the alarms' evaluation period when published.
	windowEnd := time.Now().UTC().Truncate(time.Hour)
	baselineHour, driftedHour := windowEnd.Add(-2*time.Hour), windowEnd.Add(-time.Hour)
	rng := rand.New(rand.NewPCG(2, 2))
	api := d.openIngestAPI(t, ctx)
	for i := range 2 {
		api.postPredictions(t, ctx, model, fmt.Sprintf("baseline-%d", i), batch(rng, baselineHour, 1500, false, fmt.Sprintf("b%d", i)))
	}
	d.runSchedule(t, ctx, baselineHour.Add(time.Hour))
	if states := d.alarmStates(t, ctx, model); slices.Contains(states, cwtypes.StateValueAlarm) {
		t.Fatalf("baseline traffic set off an alarm: %v", states)
	}

	for i := range 2 {
		api.postPredictions(t, ctx, model, fmt.Sprintf("drifted-%d", i), batch(rng, driftedHour, 1500, true, fmt.Sprintf("d%d", i)))
	}
	d.runSchedule(t, ctx, windowEnd)
	t.Logf("traffic ingested and two windows run after %v", time.Since(started).Round(time.Second))

	// The emulator evaluates the deployed alarms when the drift run's
	// datapoints arrive, and notifies the alerts topic; its subscription
	// invokes the deployed alarm handler, which starts the deployed state
	// machine, which announces the recorded request on the retrain topic.
	alarmName := catalog.PrefixedAlarmName(d.stack+"-", model, "feature-drift")
	if state := d.waitAlarm(t, ctx, alarmName, cwtypes.StateValueAlarm, 30*time.Second); state != cwtypes.StateValueAlarm {
		t.Fatalf("alarm %s is %s after the drifted window, want ALARM", alarmName, state)
	}
	notifications := receive(t, ctx, d.sqs, alertsQueue, 1, 20*time.Second)
	if len(notifications) == 0 {
		t.Fatal("no alarm notification arrived on the alerts topic")
	}

	execs := d.waitExecutions(t, ctx, 1, 60*time.Second)
	if len(execs) != 1 {
		t.Fatalf("%d retraining executions, want exactly 1: %v", len(execs), execs)
	}
	if execs[0].Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("the retraining execution ended %s", execs[0].Status)
	}
	messages := receive(t, ctx, d.sqs, retrainQueue, 2, 30*time.Second)
	requested, recorded := splitRetrainMessages(t, messages)
	if len(requested) != 1 || len(recorded) != 1 {
		t.Fatalf("on the retrain topic: %d requests and %d records, want one of each; messages: %v", len(requested), len(recorded), messages)
	}
	req := requested[0]
	if rec := recorded[0]; rec.ExecutionName != aws.ToString(execs[0].Name) || rec.Request.Model != model {
		t.Errorf("the record names execution %q and model %q, want %q and %q", rec.ExecutionName, rec.Request.Model, aws.ToString(execs[0].Name), model)
	}
	switch {
	case req.Model != model:
		t.Errorf("request model %q, want %q", req.Model, model)
	case req.ModelVersion != ptr.Version:
		t.Errorf("request model_version %q, want %q", req.ModelVersion, ptr.Version)
	case !strings.HasSuffix(req.AlarmName, "drift"):
		t.Errorf("request alarm_name %q, want a drift alarm", req.AlarmName)
	case req.ReportKey != layout.Report(model, windowEnd, "json"):
		t.Errorf("request report_key %q, want the drifted window's report %q", req.ReportKey, layout.Report(model, windowEnd, "json"))
	case req.RequestedAt.IsZero():
		t.Errorf("request has no requested_at: %+v", req)
	}

	// The report of the window is in the deployed bucket and says drift.
	for _, key := range []string{layout.Report(model, windowEnd, "json"), layout.Report(model, windowEnd, "html")} {
		if _, err := d.store.Get(ctx, key); err != nil {
			t.Errorf("report %s: %v", key, err)
		}
	}
	if data, err := d.store.Get(ctx, layout.Report(model, windowEnd, "json")); err == nil {
		var rep drift.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Errorf("report: %v", err)
		} else if !rep.DatasetDrift.Detected || rep.Reference.Version != ptr.Version || rep.Current.Rows != 3000 {
			t.Errorf("report of the drifted window: dataset drift %+v, reference %+v, rows %d", rep.DatasetDrift, rep.Reference, rep.Current.Rows)
		}
	}

	// SNS delivers at least once: the same notifications delivered again to
	// the deployed alarm handler start nothing and announce nothing.
	handlerFn := d.output(t, "AlarmHandlerFunctionName")
	for _, n := range notifications {
		d.invoke(t, ctx, handlerFn, snsEvent(n))
	}
	if n := len(d.waitExecutions(t, ctx, 1, 5*time.Second)); n != 1 {
		t.Errorf("after a repeated delivery: %d executions, want 1", n)
	}
	if again := receive(t, ctx, d.sqs, retrainQueue, 1, 5*time.Second); len(again) != 0 {
		t.Errorf("after a repeated delivery: %d more messages on the retrain topic: %v", len(again), again)
	}

	// Nothing failed on the way: the failure queue of the stack is empty.
	if failed := receive(t, ctx, d.sqs, d.output(t, "FailureQueueUrl"), 1, 2*time.Second); len(failed) != 0 {
		t.Errorf("the failure queue holds %d messages: %v", len(failed), failed)
	}
	t.Logf("end to end on the deployed stack in %v", time.Since(started).Round(time.Second))
}

// invoke calls a deployed function synchronously and fails the test on a
// function error.
func (d *deployment) invoke(t *testing.T, ctx context.Context, fn string, payload []byte) []byte {
	t.Helper()
	out, err := d.lam.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: payload})
	if err != nil {
		t.Fatalf("invoke %s: %v", fn, err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function %s failed (%s): %s", fn, aws.ToString(out.FunctionError), out.Payload)
	}
	return out.Payload
}

// runSchedule does what the deployed drift schedule does at its next run
// after windowEnd: it reads the schedule back and invokes its target with its
// input, the scheduled time filled in (the schedule's own cron would fire at
// minute 5 of a real hour).
func (d *deployment) runSchedule(t *testing.T, ctx context.Context, windowEnd time.Time) {
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
	if target != d.functionArn(t, ctx, d.output(t, "DriftFunctionName")) {
		t.Fatalf("the drift schedule targets %s, not the drift function", target)
	}
	d.invoke(t, ctx, target, []byte(input))
}

func (d *deployment) functionArn(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	out, err := d.lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatalf("get function %s: %v", name, err)
	}
	return aws.ToString(out.Configuration.FunctionArn)
}

// resourceOfType returns the physical id of the stack's only resource of
// type typ.
func (d *deployment) resourceOfType(t *testing.T, typ string) string {
	t.Helper()
	var ids []string
	for _, r := range d.resources {
		if aws.ToString(r.ResourceType) == typ {
			ids = append(ids, aws.ToString(r.PhysicalResourceId))
		}
	}
	if len(ids) != 1 {
		t.Fatalf("stack %s has %d resources of type %s, want 1", d.stack, len(ids), typ)
	}
	return ids[0]
}

// alarmStates returns the states of the model's alarms.
func (d *deployment) alarmStates(t *testing.T, ctx context.Context, model string) []cwtypes.StateValue {
	t.Helper()
	var names []string
	for _, a := range catalog.Alarms {
		names = append(names, catalog.PrefixedAlarmName(d.stack+"-", model, a.Kind))
	}
	out, err := d.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil {
		t.Fatalf("describe alarms: %v", err)
	}
	if len(out.MetricAlarms) != len(names) {
		t.Fatalf("%d of the alarms %v are deployed", len(out.MetricAlarms), names)
	}
	var states []cwtypes.StateValue
	for _, a := range out.MetricAlarms {
		states = append(states, a.StateValue)
	}
	return states
}

// waitAlarm waits until the alarm is in state want, and returns its state.
func (d *deployment) waitAlarm(t *testing.T, ctx context.Context, name string, want cwtypes.StateValue, within time.Duration) cwtypes.StateValue {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := d.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("describe alarm %s: %v", name, err)
		}
		if s := out.MetricAlarms[0].StateValue; s == want || time.Now().After(deadline) {
			return s
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitExecutions lists the deployed state machine's executions once at least
// want have started and none is running, or the time is up.
func (d *deployment) waitExecutions(t *testing.T, ctx context.Context, want int, within time.Duration) []sfntypes.ExecutionListItem {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out, err := d.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(d.output(t, "RetrainStateMachineArn"))})
		if err != nil {
			t.Fatalf("list executions: %v", err)
		}
		running := false
		for _, e := range out.Executions {
			running = running || e.Status == sfntypes.ExecutionStatusRunning
		}
		if (len(out.Executions) >= want && !running) || time.Now().After(deadline) {
			return out.Executions
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// subscribeQueue creates a queue that the topic may send to and subscribes it.
func (d *deployment) subscribeQueue(t *testing.T, ctx context.Context, topic, purpose string) string {
	t.Helper()
	name := fmt.Sprintf("%s-e2e-%s-%d", d.stack, purpose, time.Now().UnixNano()%1_000_000)
	q, err := d.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	attrs, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue %s: %v", name, err)
	}
	queueArn := attrs.Attributes["QueueArn"]
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q,"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, queueArn, topic)
	if _, err := d.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": policy},
	}); err != nil {
		t.Fatalf("queue %s policy: %v", name, err)
	}
	if _, err := d.sns.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueArn),
		Attributes: map[string]string{"RawMessageDelivery": "false"},
	}); err != nil {
		t.Fatalf("subscribe %s to %s: %v", name, topic, err)
	}
	t.Cleanup(func() {
		_, _ = d.sqs.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl})
	})
	return aws.ToString(q.QueueUrl)
}

// retrainRecord is what the state machine announces on the retrain topic.
type retrainRecord struct {
	Request       retrainRequest `json:"request"`
	ExecutionName string         `json:"execution_name"`
	Bucket        string         `json:"bucket"`
}

// splitRetrainMessages sorts the messages of the retrain topic into the
// alarm handler's requests and the state machine's records, by their shape:
// the emulator's Step Functions drops message attributes (see doc.go).
func splitRetrainMessages(t *testing.T, messages []snsEnvelope) (requests []retrainRequest, records []retrainRecord) {
	t.Helper()
	for _, m := range messages {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal([]byte(m.Message), &probe); err != nil {
			t.Fatalf("a message on the retrain topic is not JSON: %v: %s", err, m.Message)
		}
		if _, ok := probe["execution_name"]; ok {
			var r retrainRecord
			if err := json.Unmarshal([]byte(m.Message), &r); err != nil {
				t.Fatalf("record %s: %v", m.Message, err)
			}
			records = append(records, r)
			continue
		}
		var r retrainRequest
		if err := json.Unmarshal([]byte(m.Message), &r); err != nil {
			t.Fatalf("request %s: %v", m.Message, err)
		}
		requests = append(requests, r)
	}
	return requests, records
}
