package main

// These tests run the real bootstrap under aws-lambda-rie against moto's
// server: see internal/motoserver and internal/lambdarie for what they need
// (moto_server on PATH or python3 -m moto.server; aws-lambda-rie in
// $(go env GOPATH)/bin). `go test -short` skips them.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// stack is what the function needs on moto: a bucket, the retrain topic
// with a queue to read it, and the retraining state machine from
// infra/retrain.asl.json.
type stack struct {
	srv          *motoserver.Server
	bucket       string
	store        *store.S3
	retrain      *motoserver.TopicQueue
	stateMachine string
	bootstrap    string
	execute      bool
}

// newStack prepares srv. With execute, moto runs the state machine's
// executions; otherwise it only records them (name, input), which is all
// the dedup tests need. moto 5.2.1 can run only one execution per account
// and region (a later StartExecution fails deep-copying the first one's
// worker, fixed in 5.2.5), so a test that runs executions has a server of its
// own and starts one execution on it.
func newStack(t *testing.T, srv *motoserver.Server, execute bool) *stack {
	t.Helper()
	if execute {
		// Before the state machine is created: moto then runs its executions.
		if err := srv.EnableStepFunctionsExecution(); err != nil {
			t.Fatal(err)
		}
	}
	s := &stack{srv: srv, bootstrap: lambdarie.Build(t, "./functions/alarmhandler"), execute: execute}
	s.bucket = srv.NewBucket(t)
	s.store = store.NewS3(srv.S3Client(), s.bucket)
	s.retrain = srv.NewTopicQueue(t, "retrain")
	s.stateMachine = s.createStateMachine(t)
	return s
}

// createStateMachine creates infra/retrain.asl.json with the
// DefinitionSubstitutions template.yaml gives it, SageMaker training off.
func (s *stack) createStateMachine(t *testing.T) string {
	t.Helper()
	return s.srv.NewStateMachine(t, filepath.Join("..", "..", "infra", "retrain.asl.json"), map[string]string{
		"RetrainTopicArn": s.retrain.TopicARN, "BucketName": s.bucket, "SageMakerTrainingEnabled": "false",
		"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:latest", "TrainingRoleArn": "arn:aws:iam::123456789012:role/training",
		"TrainingInstanceType": "ml.m5.large",
	})
}

func (s *stack) env(extra ...string) []string {
	return append([]string{
		"AWS_ENDPOINT_URL=" + s.srv.URL, "AWS_ACCESS_KEY_ID=" + motoserver.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + motoserver.SecretAccessKey, "AWS_REGION=" + motoserver.Region,
		"AWS_EC2_METADATA_DISABLED=true", "BUCKET=" + s.bucket, "METRICS_NAMESPACE=ModelWatch",
	}, extra...)
}

func (s *stack) put(t *testing.T, key, doc string) {
	t.Helper()
	if err := s.store.Put(context.Background(), key, []byte(doc)); err != nil {
		t.Fatal(err)
	}
}

// event is an events/ fixture with the alarm's fields replaced.
func event(t *testing.T, file string, set map[string]any) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	if err != nil {
		t.Fatal(err)
	}
	if set == nil {
		return data
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	rec := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	var msg map[string]any
	if err := json.Unmarshal([]byte(rec["Message"].(string)), &msg); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		switch k {
		case "MessageId":
			rec[k] = v
		case "Model":
			msg["Trigger"].(map[string]any)["Dimensions"] = []map[string]string{{"name": "Model", "value": v.(string)}}
		case "MetricName":
			msg["Trigger"].(map[string]any)[k] = v
		default:
			msg[k] = v
		}
	}
	m, _ := json.Marshal(msg)
	rec["Message"] = string(m)
	out, _ := json.Marshal(ev)
	return out
}

// invoke delivers an event and decodes the function's summary.
func invoke(t *testing.T, f *lambdarie.Function, ev []byte) (alarm.Summary, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := f.Invoke(ctx, ev)
	if err != nil {
		return alarm.Summary{}, err.Error()
	}
	var res struct {
		alarm.Summary
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return res.Summary, res.ErrorMessage
}

func mustInvoke(t *testing.T, f *lambdarie.Function, ev []byte, want alarm.Summary) {
	t.Helper()
	got, errMsg := invoke(t, f, ev)
	if errMsg != "" || got != want {
		t.Errorf("summary %+v (error %q), want %+v", got, errMsg, want)
	}
}

// execution is what the tests read of an execution.
type execution struct {
	ARN, Status, Input string
	// Events lists the history's event types (executing mode only).
	Events []string
}

// executions returns the state machine's executions by name. When moto
// runs them it first waits until each has ended, and reads the input from
// the execution history (moto 5.2.1's DescribeExecution fails for executed
// executions); when it only records them DescribeExecution has the input.
func (s *stack) executions(t *testing.T) map[string]execution {
	t.Helper()
	ctx := context.Background()
	client := s.srv.SFNClient()
	deadline := time.Now().Add(30 * time.Second)
	var list *sfn.ListExecutionsOutput
	for {
		var err error
		list, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(s.stateMachine)})
		if err != nil {
			t.Fatal(err)
		}
		running := 0
		for _, e := range list.Executions {
			if e.Status == sfntypes.ExecutionStatusRunning {
				running++
			}
		}
		if running == 0 || !s.execute {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d executions still running", running)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out := map[string]execution{}
	for _, e := range list.Executions {
		x := execution{ARN: aws.ToString(e.ExecutionArn), Status: string(e.Status)}
		if s.execute {
			h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range h.Events {
				x.Events = append(x.Events, string(ev.Type))
				if ev.ExecutionStartedEventDetails != nil {
					x.Input = aws.ToString(ev.ExecutionStartedEventDetails.Input)
				}
			}
		} else {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			x.Input = aws.ToString(d.Input)
		}
		out[aws.ToString(e.Name)] = x
	}
	return out
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(a, b string) bool {
	var va, vb any
	return json.Unmarshal([]byte(a), &va) == nil && json.Unmarshal([]byte(b), &vb) == nil && reflect.DeepEqual(va, vb)
}

func attr(m sqstypes.Message, name string) string {
	if v, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(v.StringValue)
	}
	return ""
}

// startFunctions runs n execution environments of the bootstrap, as Lambda
// does for concurrent deliveries, and logs their output if the test fails.
func (s *stack) startFunctions(t *testing.T, n int, env []string) []*lambdarie.Function {
	t.Helper()
	fns := make([]*lambdarie.Function, n)
	for i := range fns {
		fns[i] = lambdarie.Start(t, s.bootstrap, env...)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i, f := range fns {
				t.Logf("function %d output:\n%s", i, f.Output())
			}
		}
	})
	return fns
}

func (s *stack) seedModels(t *testing.T) {
	t.Helper()
	s.put(t, "reports/model=credit-default/latest.json", `{"schema_version":1,"reference":{"model":"credit-default","version":"v3","rows":1000,"fingerprint":"f"},"current":{"rows":100},"dataset_drift":{"drifted":4,"features":5,"share":0.8,"threshold":0.5,"detected":true},"features":[]}`)
	s.put(t, "reference/churn/current.json", `{"model":"churn","version":"v7","key":"reference/churn/v7/profile.json","updated_at":"2026-11-01T00:00:00Z"}`)
}

// inputs decodes the executions' inputs, checking there is one execution per
// wanted name and nothing else.
func inputs(t *testing.T, execs map[string]execution, want ...string) map[string]alarm.Request {
	t.Helper()
	var names []string
	for name := range execs {
		names = append(names, name)
	}
	sort.Strings(names)
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("executions %v, want %v", names, want)
	}
	out := map[string]alarm.Request{}
	for name, d := range execs {
		var req alarm.Request
		if err := json.Unmarshal([]byte(d.Input), &req); err != nil {
			t.Fatalf("input of %s: %v", name, err)
		}
		out[name] = req
	}
	return out
}

// checkRequestsPublished checks that the retrain topic got, per execution,
// exactly one retrain.requested message whose body is the execution's input,
// and returns the other messages.
func (s *stack) checkRequestsPublished(t *testing.T, execs map[string]execution) []sqstypes.Message {
	t.Helper()
	var others []sqstypes.Message
	count := map[string]int{}
	for _, m := range s.retrain.Drain(t, time.Second) {
		if attr(m, "event") != alarm.RequestedEvent {
			others = append(others, m)
			continue
		}
		name := attr(m, "execution_name")
		count[name]++
		if e, ok := execs[name]; !ok || !sameJSON(aws.ToString(m.Body), e.Input) {
			t.Errorf("request published for %s:\n%s\nwant the input of execution %s", name, aws.ToString(m.Body), name)
		}
	}
	for name := range execs {
		if count[name] != 1 {
			t.Errorf("%d requests published for %s, want 1", count[name], name)
		}
	}
	if len(count) != len(execs) {
		t.Errorf("requests published for %v, want one per execution", count)
	}
	return others
}

// checkMarkers checks that retrain/ holds n markers, all started, and
// claims claim objects of takeovers.
func (s *stack) checkMarkers(t *testing.T, n, claims int) {
	t.Helper()
	objs, err := s.store.List(context.Background(), "retrain/")
	if err != nil {
		t.Fatal(err)
	}
	markers := objs[:0]
	for _, o := range objs {
		if strings.Contains(o.Key, ".attempt-") {
			claims--
			continue
		}
		markers = append(markers, o)
	}
	if len(markers) != n || claims != 0 {
		t.Errorf("retrain/ holds %v, want %d markers and the claims", objs, n)
	}
	for _, o := range markers {
		data, _ := s.store.Get(context.Background(), o.Key)
		m, err := alarm.DecodeMarker(data)
		if err != nil || m.State != alarm.MarkerStarted || !m.ExecutionStarted || !m.Published {
			t.Errorf("marker %s: %+v %v", o.Key, m, err)
		}
	}
}

var (
	requested = alarm.Summary{Records: 1, Alarm: 1, RetrainRequested: 1}
	duplicate = alarm.Summary{Records: 1, Alarm: 1, Duplicates: 1}
)

// TestDuplicateAlarmsRunTheWorkflowOnce: the same alarm delivered three
// times at once and three times more, another trigger inside the cooldown,
// and the transitions that only notify: one execution of the real state
// machine, which records the request and announces it on the retrain topic,
// and one request published by the handler.
func TestDuplicateAlarmsRunTheWorkflowOnce(t *testing.T) {
	s := newStack(t, motoserver.Start(t), true)
	s.seedModels(t)
	fns := s.startFunctions(t, 3, s.env("RETRAIN_STATE_MACHINE_ARN="+s.stateMachine, "RETRAIN_TOPIC_ARN="+s.retrain.TopicARN))
	alarmEvent := event(t, "alarm-alarm.json", nil)

	var wg sync.WaitGroup
	sums := make([]alarm.Summary, len(fns))
	errs := make([]string, len(fns))
	for i, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = invoke(t, f, alarmEvent)
		}()
	}
	wg.Wait()
	var total alarm.Summary
	for i := range fns {
		if errs[i] != "" {
			t.Errorf("concurrent delivery %d: %s", i, errs[i])
		}
		total.RetrainRequested += sums[i].RetrainRequested
		total.Duplicates += sums[i].Duplicates
	}
	if total.RetrainRequested != 1 || total.Duplicates != 2 {
		t.Errorf("concurrent deliveries: %+v, want 1 request and 2 duplicates", sums)
	}
	for i := range 3 {
		mustInvoke(t, fns[i], alarmEvent, duplicate)
	}
	mustInvoke(t, fns[1], event(t, "alarm-alarm.json", map[string]any{
		"MessageId": "second-alarm", "AlarmName": "modelwatch-credit-default-dataset-drift", "MetricName": "DriftedFeatureShare",
		"StateChangeTime": "2026-11-26T23:05:00.000+0000"}), duplicate)
	mustInvoke(t, fns[2], event(t, "alarm-ok.json", nil), alarm.Summary{Records: 1, OK: 1})
	mustInvoke(t, fns[2], event(t, "alarm-insufficient-data.json", nil), alarm.Summary{Records: 1, InsufficientData: 1})
	mustInvoke(t, fns[2], event(t, "alarm-latency.json", nil), alarm.Summary{Records: 1, Alarm: 1, NotifyOnly: 1})
	mustInvoke(t, fns[2], event(t, "alarm-malformed.json", nil), alarm.Summary{Records: 1, Dropped: 1})

	const name = "credit-default-20261126T000000Z"
	execs := s.executions(t)
	got := inputs(t, execs, name)[name]
	value, threshold := 0.4127, 0.25
	want := alarm.Request{
		Model: "credit-default", ModelVersion: "v3", AlarmName: "modelwatch-credit-default-feature-drift", Metric: "MaxFeaturePSI",
		Reason: "Threshold Crossed: 1 out of the last 1 datapoints [0.4127 (26/11/26 20:00:00)] was greater than or equal to the threshold (0.25) (minimum 1 datapoint for OK -> ALARM transition).",
		Value:  &value, Threshold: &threshold, ReportKey: "reports/model=credit-default/latest.json", RequestedAt: got.RequestedAt,
	}
	if !sameRequest(got, want) || time.Since(got.RequestedAt) > 5*time.Minute {
		t.Errorf("input %+v, want %+v", got, want)
	}
	if d := execs[name]; d.Status != string(sfntypes.ExecutionStatusSucceeded) {
		t.Errorf("execution %s: %s after %v", name, d.Status, d.Events)
	}
	// The workflow's own announcement: the request, recorded.
	others := s.checkRequestsPublished(t, execs)
	if len(others) != 1 || attr(others[0], "event") != "retrain.recorded" || attr(others[0], "execution_name") != name {
		t.Fatalf("workflow messages %+v, want one retrain.recorded", others)
	}
	var rec struct {
		Request           alarm.Request `json:"request"`
		ExecutionName     string        `json:"execution_name"`
		ExecutionARN      string        `json:"execution_arn"`
		Bucket            string        `json:"bucket"`
		SageMakerTraining string        `json:"sagemaker_training"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(others[0].Body)), &rec); err != nil {
		t.Fatalf("recorded message %s: %v", aws.ToString(others[0].Body), err)
	}
	if !sameRequest(rec.Request, got) || rec.ExecutionName != name || rec.Bucket != s.bucket || rec.SageMakerTraining != "false" ||
		rec.ExecutionARN != execs[name].ARN {
		t.Errorf("recorded message %+v", rec)
	}
	s.checkMarkers(t, 1, 0)
	lost := 0
	for _, f := range fns {
		lost += strings.Count(f.Output(), "retraining already requested for this model and slot")
	}
	if lost != 6 {
		t.Errorf("%d duplicate log lines, want 6", lost)
	}
}

// TestCooldownSlotsOnMoto: a trigger after the model's slot requests
// retraining again; the cooldown comes from the policy document in S3 for
// one model and from the environment for the other.
func TestCooldownSlotsOnMoto(t *testing.T) {
	s := newStack(t, motoserver.Shared(t), false)
	s.seedModels(t)
	s.put(t, "config/alarm-policy.json", `{"models": {"churn": {"cooldown": "1h"}}}`)
	fns := s.startFunctions(t, 1, s.env("RETRAIN_STATE_MACHINE_ARN="+s.stateMachine, "RETRAIN_TOPIC_ARN="+s.retrain.TopicARN,
		"ALARM_POLICY_URL=s3://"+s.bucket+"/config/alarm-policy.json", "RETRAIN_COOLDOWN=12h"))
	f := fns[0]
	credit := func(id, at string) []byte {
		return event(t, "alarm-alarm.json", map[string]any{"MessageId": id, "StateChangeTime": at})
	}
	churn := func(id, at string) []byte {
		return event(t, "alarm-alarm.json", map[string]any{"MessageId": id, "Model": "churn", "AlarmName": "modelwatch-churn-accuracy",
			"MetricName": "Accuracy", "StateChangeTime": at, "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [0.71 (26/11/26 20:00:00)] was less than the threshold (0.8)."})
	}
	mustInvoke(t, f, credit("c1", "2026-11-26T08:00:00.000+0000"), requested)
	mustInvoke(t, f, credit("c2", "2026-11-26T11:59:59.999+0000"), duplicate)
	mustInvoke(t, f, credit("c3", "2026-11-26T12:00:00.000+0000"), requested)
	mustInvoke(t, f, credit("c4", "2026-11-26T20:05:12.345+0000"), duplicate)
	mustInvoke(t, f, churn("h1", "2026-11-26T20:10:00.000+0000"), requested)
	mustInvoke(t, f, churn("h2", "2026-11-26T20:50:00.000+0000"), duplicate)
	mustInvoke(t, f, churn("h3", "2026-11-26T21:05:00.000+0000"), requested)

	execs := s.executions(t)
	in := inputs(t, execs, "credit-default-20261126T000000Z", "credit-default-20261126T120000Z", "churn-20261126T200000Z", "churn-20261126T210000Z")
	if c := in["churn-20261126T200000Z"]; c.Model != "churn" || c.ModelVersion != "v7" || c.ReportKey != "" || c.Metric != "Accuracy" || c.Value == nil || *c.Value != 0.71 {
		t.Errorf("churn input %+v", c)
	}
	if c := in["credit-default-20261126T120000Z"]; c.ModelVersion != "v3" || c.AlarmName != "modelwatch-credit-default-feature-drift" {
		t.Errorf("credit-default input %+v", c)
	}
	if others := s.checkRequestsPublished(t, execs); len(others) != 0 {
		t.Errorf("unexpected messages %+v", others)
	}
	s.checkMarkers(t, 4, 0)
}

func sameRequest(a, b alarm.Request) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestFailedStartIsNotLostBehindTheCooldown: a start that fails (here: the
// state machine does not exist) returns an error for Lambda to retry; the
// retry, once the state machine is there, starts it exactly once.
func TestFailedStartIsNotLostBehindTheCooldown(t *testing.T) {
	s := newStack(t, motoserver.Shared(t), false)
	missing := strings.Replace(s.stateMachine, ":stateMachine:", ":stateMachine:missing-", 1)
	broken := lambdarie.Start(t, s.bootstrap, s.env("RETRAIN_STATE_MACHINE_ARN="+missing, "RETRAIN_TOPIC_ARN="+s.retrain.TopicARN)...)
	ev := event(t, "alarm-alarm.json", nil)
	sum, errMsg := invoke(t, broken, ev)
	if !strings.Contains(errMsg, "StateMachineDoesNotExist") {
		t.Fatalf("summary %+v, error %q: want the failed start", sum, errMsg)
	}
	data, err := s.store.Get(context.Background(), "retrain/model=credit-default/20261126T000000Z.json")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := alarm.DecodeMarker(data); err != nil || m.State != alarm.MarkerPending || m.LastError == "" {
		t.Fatalf("marker after the failure %+v %v", m, err)
	}
	fixed := lambdarie.Start(t, s.bootstrap, s.env("RETRAIN_STATE_MACHINE_ARN="+s.stateMachine, "RETRAIN_TOPIC_ARN="+s.retrain.TopicARN)...)
	mustInvoke(t, fixed, ev, alarm.Summary{Records: 1, Alarm: 1, RetrainRequested: 1})
	mustInvoke(t, fixed, ev, alarm.Summary{Records: 1, Alarm: 1, Duplicates: 1})
	execs := s.executions(t)
	inputs(t, execs, "credit-default-20261126T000000Z")
	s.checkRequestsPublished(t, execs)
	s.checkMarkers(t, 1, 1) // the retry's claim of attempt 1
	if t.Failed() {
		t.Logf("broken function:\n%s\nfixed function:\n%s", broken.Output(), fixed.Output())
	}
}
