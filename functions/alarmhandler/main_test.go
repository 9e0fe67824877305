package main

// These tests run the real bootstrap under aws-lambda-rie against moto's
// server: see internal/motoserver and internal/lambdarie for what they need
// (moto_server on PATH or python3 -m moto.server; aws-lambda-rie in
// $(go env GOPATH)/bin). `go test -short` skips them.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
}

func newStack(t *testing.T) *stack {
	t.Helper()
	srv := motoserver.Shared(t)
	// Before the state machine is created: moto then runs its executions.
	if err := srv.EnableStepFunctionsExecution(); err != nil {
		t.Fatal(err)
	}
	s := &stack{srv: srv, bootstrap: lambdarie.Build(t, "./functions/alarmhandler")}
	s.bucket = srv.NewBucket(t)
	s.store = store.NewS3(srv.S3Client(), s.bucket)
	s.retrain = srv.NewTopicQueue(t, "retrain")
	s.stateMachine = s.createStateMachine(t)
	return s
}

// createStateMachine renders infra/retrain.asl.json with the
// DefinitionSubstitutions template.yaml gives it, SageMaker training off.
func (s *stack) createStateMachine(t *testing.T) string {
	t.Helper()
	asl, err := os.ReadFile(filepath.Join("..", "..", "infra", "retrain.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	def := string(asl)
	for k, v := range map[string]string{
		"RetrainTopicArn": s.retrain.TopicARN, "BucketName": s.bucket, "SageMakerTrainingEnabled": "false",
		"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:latest", "TrainingRoleArn": "arn:aws:iam::123456789012:role/training",
		"TrainingInstanceType": "ml.m5.large",
	} {
		def = strings.ReplaceAll(def, "${"+k+"}", v)
	}
	if strings.Contains(def, "${") {
		t.Fatalf("infra/retrain.asl.json has a substitution the test does not know:\n%s", def)
	}
	out, err := s.srv.SFNClient().CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(fmt.Sprintf("retrain-%d", time.Now().UnixNano())), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/retrain"), Type: sfntypes.StateMachineTypeStandard,
	})
	if err != nil {
		t.Fatalf("create state machine: %v", err)
	}
	return aws.ToString(out.StateMachineArn)
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

// executions waits until every execution of the state machine has ended
// and returns them by name with their input.
func (s *stack) executions(t *testing.T) map[string]*sfn.DescribeExecutionOutput {
	t.Helper()
	ctx := context.Background()
	client := s.srv.SFNClient()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(s.stateMachine)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*sfn.DescribeExecutionOutput{}
		running := 0
		for _, e := range list.Executions {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			out[aws.ToString(e.Name)] = d
			if d.Status == sfntypes.ExecutionStatusRunning {
				running++
			}
		}
		if running == 0 {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d executions still running", running)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func attr(m sqstypes.Message, name string) string {
	if v, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(v.StringValue)
	}
	return ""
}

func TestAlarmHandlerOnMoto(t *testing.T) {
	s := newStack(t)
	s.put(t, "reports/model=credit-default/latest.json", `{"schema_version":1,"reference":{"model":"credit-default","version":"v3","rows":1000,"fingerprint":"f"},"current":{"rows":100},"dataset_drift":{"drifted":4,"features":5,"share":0.8,"threshold":0.5,"detected":true},"features":[]}`)
	s.put(t, "reference/churn/current.json", `{"model":"churn","version":"v7","key":"reference/churn/v7/profile.json","updated_at":"2026-11-01T00:00:00Z"}`)
	s.put(t, "config/alarm-policy.json", `{"models": {"churn": {"cooldown": "1h"}}}`)
	env := s.env("RETRAIN_STATE_MACHINE_ARN="+s.stateMachine, "RETRAIN_TOPIC_ARN="+s.retrain.TopicARN,
		"ALARM_POLICY_URL=s3://"+s.bucket+"/config/alarm-policy.json")
	// Three execution environments, as Lambda runs concurrent deliveries.
	var fns [3]*lambdarie.Function
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
	requested := alarm.Summary{Records: 1, Alarm: 1, RetrainRequested: 1}
	duplicate := alarm.Summary{Records: 1, Alarm: 1, Duplicates: 1}
	alarmEvent := event(t, "alarm-alarm.json", nil)

	// The same alarm delivered concurrently to three environments: one
	// requests retraining, two find it done.
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
	// Three more deliveries of the same alarm, one after the other.
	for range 3 {
		mustInvoke(t, fns[0], alarmEvent, duplicate)
	}
	// Another trigger of the model inside the cooldown.
	mustInvoke(t, fns[1], event(t, "alarm-alarm.json", map[string]any{
		"MessageId": "second-alarm", "AlarmName": "modelwatch-credit-default-dataset-drift", "MetricName": "DriftedFeatureShare",
		"StateChangeTime": "2026-11-26T23:05:00.000+0000"}), duplicate)
	// Transitions out of ALARM, a notify-only alarm, and a stranger.
	mustInvoke(t, fns[2], event(t, "alarm-ok.json", nil), alarm.Summary{Records: 1, OK: 1})
	mustInvoke(t, fns[2], event(t, "alarm-insufficient-data.json", nil), alarm.Summary{Records: 1, InsufficientData: 1})
	mustInvoke(t, fns[2], event(t, "alarm-latency.json", nil), alarm.Summary{Records: 1, Alarm: 1, NotifyOnly: 1})
	mustInvoke(t, fns[2], event(t, "alarm-malformed.json", nil), alarm.Summary{Records: 1, Dropped: 1})
	// The next slot: one more request.
	mustInvoke(t, fns[0], event(t, "alarm-alarm.json", map[string]any{"MessageId": "next-day", "StateChangeTime": "2026-11-27T08:00:00.000+0000"}), requested)
	// churn has a 1h cooldown in the policy document.
	churn := func(id, at string) []byte {
		return event(t, "alarm-alarm.json", map[string]any{"MessageId": id, "Model": "churn", "AlarmName": "modelwatch-churn-accuracy",
			"MetricName": "Accuracy", "StateChangeTime": at, "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [0.71 (26/11/26 20:00:00)] was less than the threshold (0.8)."})
	}
	mustInvoke(t, fns[1], churn("churn-1", "2026-11-26T20:10:00.000+0000"), requested)
	mustInvoke(t, fns[1], churn("churn-2", "2026-11-26T20:50:00.000+0000"), duplicate)
	mustInvoke(t, fns[1], churn("churn-3", "2026-11-26T21:05:00.000+0000"), requested)

	execs := s.executions(t)
	var names []string
	for name := range execs {
		names = append(names, name)
	}
	sort.Strings(names)
	want := []string{"churn-20261126T200000Z", "churn-20261126T210000Z", "credit-default-20261126T000000Z", "credit-default-20261127T000000Z"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("executions %v, want %v", names, want)
	}
	inputs := map[string]alarm.Request{}
	for name, d := range execs {
		if d.Status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("execution %s: %s (%s %s)", name, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		var req alarm.Request
		if err := json.Unmarshal([]byte(aws.ToString(d.Input)), &req); err != nil {
			t.Fatalf("input of %s: %v", name, err)
		}
		inputs[name] = req
	}
	first := inputs["credit-default-20261126T000000Z"]
	value, threshold := 0.4127, 0.25
	wantFirst := alarm.Request{
		Model: "credit-default", ModelVersion: "v3", AlarmName: "modelwatch-credit-default-feature-drift", Metric: "MaxFeaturePSI",
		Reason:      "Threshold Crossed: 1 out of the last 1 datapoints [0.4127 (26/11/26 20:00:00)] was greater than or equal to the threshold (0.25) (minimum 1 datapoint for OK -> ALARM transition).",
		Value:       &value, Threshold: &threshold, ReportKey: "reports/model=credit-default/latest.json", RequestedAt: first.RequestedAt,
	}
	if !sameRequest(first, wantFirst) || time.Since(first.RequestedAt) > 5*time.Minute {
		t.Errorf("input %+v, want %+v", first, wantFirst)
	}
	if c := inputs["churn-20261126T200000Z"]; c.Model != "churn" || c.ModelVersion != "v7" || c.ReportKey != "" || c.Metric != "Accuracy" || c.Value == nil || *c.Value != 0.71 {
		t.Errorf("churn input %+v", c)
	}

	// The retrain topic: per execution one request from the handler (the
	// execution's input) and one record from the workflow.
	msgs := s.retrain.Drain(t, 2*time.Second)
	byEvent := map[string]map[string]int{}
	for _, m := range msgs {
		ev, name := attr(m, "event"), attr(m, "execution_name")
		if byEvent[ev] == nil {
			byEvent[ev] = map[string]int{}
		}
		byEvent[ev][name]++
		switch ev {
		case alarm.RequestedEvent:
			if aws.ToString(m.Body) != aws.ToString(execs[name].Input) {
				t.Errorf("requested message for %s:\n%s\nwant the execution input\n%s", name, aws.ToString(m.Body), aws.ToString(execs[name].Input))
			}
		case "retrain.recorded":
			var rec struct {
				Request       alarm.Request `json:"request"`
				ExecutionName string        `json:"execution_name"`
				ExecutionARN  string        `json:"execution_arn"`
				Bucket        string        `json:"bucket"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
				t.Fatalf("recorded message %s: %v", aws.ToString(m.Body), err)
			}
			if !sameRequest(rec.Request, inputs[name]) || rec.ExecutionName != name || rec.Bucket != s.bucket || !strings.HasSuffix(rec.ExecutionARN, ":"+name) {
				t.Errorf("recorded message for %s: %+v", name, rec)
			}
		default:
			t.Errorf("message with event %q: %s", ev, aws.ToString(m.Body))
		}
	}
	for _, ev := range []string{alarm.RequestedEvent, "retrain.recorded"} {
		for _, name := range want {
			if byEvent[ev][name] != 1 {
				t.Errorf("%d %s messages for %s, want 1", byEvent[ev][name], ev, name)
			}
		}
	}
	if len(msgs) != 2*len(want) {
		t.Errorf("%d messages on the retrain topic, want %d", len(msgs), 2*len(want))
	}

	// Every marker says started.
	objs, err := s.store.List(context.Background(), "retrain/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(want) {
		t.Errorf("retrain/ holds %d objects, want %d markers", len(objs), len(want))
	}
	for _, o := range objs {
		data, _ := s.store.Get(context.Background(), o.Key)
		m, err := alarm.DecodeMarker(data)
		if err != nil || m.State != alarm.MarkerStarted || !m.ExecutionStarted || !m.Published {
			t.Errorf("marker %s: %+v %v", o.Key, m, err)
		}
	}
	for i, f := range fns {
		if strings.Contains(f.Output(), "lost the race") || strings.Contains(f.Output(), "retraining already requested") {
			continue
		}
		if i > 0 {
			t.Logf("function %d logged no duplicate", i)
		}
	}
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
	s := newStack(t)
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
	if execs := s.executions(t); len(execs) != 1 || execs["credit-default-20261126T000000Z"] == nil {
		t.Errorf("executions %v, want credit-default-20261126T000000Z", execs)
	}
	requests := 0
	for _, m := range s.retrain.Drain(t, time.Second) {
		if attr(m, "event") == alarm.RequestedEvent {
			requests++
		}
	}
	if requests != 1 {
		t.Errorf("%d requests published, want 1", requests)
	}
	if t.Failed() {
		t.Logf("broken function:\n%s\nfixed function:\n%s", broken.Output(), fixed.Output())
	}
}
