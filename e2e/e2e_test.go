package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/reference"
)

const model = "card-fraud"

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end test starts moto and the Lambda emulator; not under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
	defer cancel()
	started := time.Now()

	st := newStack(t, ctx, model)
	ingest := lambdarie.Start(t, lambdarie.Build(t, "./functions/ingest"), st.functionEnv(t, "IngestFunction")...)
	driftFn := lambdarie.Start(t, lambdarie.Build(t, "./functions/drift"), st.functionEnv(t, "DriftFunction")...)
	handler := lambdarie.Start(t, lambdarie.Build(t, "./functions/alarmhandler"), st.functionEnv(t, "AlarmHandlerFunction")...)
	t.Logf("stack and functions up after %v", time.Since(started).Round(time.Millisecond))

	ptr, err := reference.Publish(ctx, st.store, referenceProfile(t, ctx, model, 20_000), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	// Two whole hours before the current one: baseline, then drifted traffic.
	baselineHour := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	driftedHour := baselineHour.Add(time.Hour)
	rng := rand.New(rand.NewPCG(2, 2))

	// Baseline: no alarm would fire.
	for i := range 2 {
		post(t, ctx, ingest, st.model, fmt.Sprintf("baseline-%d", i), batch(rng, baselineHour, 1500, false, fmt.Sprintf("b%d", i)))
	}
	invoke(t, ctx, driftFn, st.driftEvent(t, baselineHour.Add(time.Hour)))
	baseline := st.readMetrics(t, ctx, baselineHour.Add(time.Hour))
	if len(baseline) == 0 {
		t.Fatal("the drift run of the baseline hour published none of the alarmed metrics")
	}
	for _, a := range st.alarms(t) {
		if v, ok := baseline[a.metric]; ok && a.breaches(v) {
			t.Errorf("baseline traffic: %s = %v would set off %s (threshold %v)", a.metric, v, a.name, a.threshold)
		}
	}

	// Drifted traffic: the drift alarms breach.
	for i := range 2 {
		post(t, ctx, ingest, st.model, fmt.Sprintf("drifted-%d", i), batch(rng, driftedHour, 1500, true, fmt.Sprintf("d%d", i)))
	}
	windowEnd := driftedHour.Add(time.Hour)
	invoke(t, ctx, driftFn, st.driftEvent(t, windowEnd))
	drifted := st.readMetrics(t, ctx, windowEnd)
	var firing []alarmDef
	for _, a := range st.alarms(t) {
		if v, ok := drifted[a.metric]; ok && a.breaches(v) {
			firing = append(firing, a)
		}
	}
	if len(firing) == 0 || firing[0].kind != "feature-drift" {
		t.Fatalf("drifted traffic: metrics %v set off %v; want the feature-drift alarm first", drifted, names(firing))
	}
	t.Logf("drifted window: %v; alarms firing: %v", drifted, names(firing))

	// CloudWatch would publish a notification per alarm to the alerts topic;
	// deliver each to the alarm handler the way its SNS subscription would.
	for _, a := range firing {
		st.publishAlarm(t, ctx, a, drifted[a.metric], windowEnd)
	}
	delivered := st.receive(t, ctx, st.alertsQueue, len(firing), 20*time.Second)
	if len(delivered) != len(firing) {
		t.Fatalf("%d alarm notifications arrived on the alerts topic, want %d", len(delivered), len(firing))
	}
	for _, env := range delivered {
		invoke(t, ctx, handler, snsEvent(env))
	}

	// One retraining execution; what it recorded and announced on the retrain
	// topic is the request, with the right input.
	execs := st.waitExecutions(t, ctx)
	if len(execs) != 1 {
		t.Fatalf("%d retraining executions, want 1: %v", len(execs), execs)
	}
	if execs[0].Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("the retraining execution ended %s", execs[0].Status)
	}
	announced := map[string]snsEnvelope{}
	for _, env := range st.receive(t, ctx, st.retrainQueue, 2, 20*time.Second) {
		announced[env.MessageAttributes["event"].Value] = env
	}
	if _, ok := announced["retrain.requested"]; !ok {
		t.Errorf("the alarm handler did not publish the request to the retrain topic; got %v", announced)
	}
	recorded, ok := announced["retrain.recorded"]
	if !ok {
		t.Fatalf("the state machine did not announce the recorded request on the retrain topic; got %v", announced)
	}
	var record struct {
		Request       retrainRequest `json:"request"`
		ExecutionName string         `json:"execution_name"`
		Bucket        string         `json:"bucket"`
	}
	if err := json.Unmarshal([]byte(recorded.Message), &record); err != nil {
		t.Fatalf("the recorded request %s: %v", recorded.Message, err)
	}
	if record.ExecutionName != aws.ToString(execs[0].Name) || record.Bucket != st.bucket {
		t.Errorf("the record names execution %q and bucket %q, want %q and %q", record.ExecutionName, record.Bucket, aws.ToString(execs[0].Name), st.bucket)
	}
	req := record.Request
	want := firing[0]
	switch {
	case req.Model != model:
		t.Errorf("request model %q, want %q", req.Model, model)
	case req.ModelVersion != ptr.Version:
		t.Errorf("request model_version %q, want %q", req.ModelVersion, ptr.Version)
	case req.AlarmName != want.name:
		t.Errorf("request alarm_name %q, want %q", req.AlarmName, want.name)
	case req.Metric != want.metric:
		t.Errorf("request metric %q, want %q", req.Metric, want.metric)
	case req.Value == nil || math.Abs(*req.Value-drifted[want.metric]) > 1e-9:
		t.Errorf("request value %v, want %v", req.Value, drifted[want.metric])
	case req.Threshold == nil || *req.Threshold != want.threshold:
		t.Errorf("request threshold %v, want %v", req.Threshold, want.threshold)
	case req.ReportKey != layout.Report(model, windowEnd, "json"):
		t.Errorf("request report_key %q, want the drifted window's report %q", req.ReportKey, layout.Report(model, windowEnd, "json"))
	case req.RequestedAt.IsZero() || !strings.Contains(req.Reason, "Threshold Crossed"):
		t.Errorf("request requested_at %v, reason %q", req.RequestedAt, req.Reason)
	}

	// The report the request points at is in the bucket, and says drift.
	for _, key := range []string{req.ReportKey, layout.Report(model, windowEnd, "json"), layout.Report(model, windowEnd, "html")} {
		if _, err := st.store.Get(ctx, key); err != nil {
			t.Errorf("report %s: %v", key, err)
		}
	}
	data, err := st.store.Get(ctx, layout.Report(model, windowEnd, "json"))
	if err == nil {
		var rep drift.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Errorf("report: %v", err)
		} else if !rep.DatasetDrift.Detected || rep.Reference.Version != ptr.Version || rep.Current.Rows != 3000 {
			t.Errorf("report of the drifted window: dataset drift %+v, reference %+v, rows %d", rep.DatasetDrift, rep.Reference, rep.Current.Rows)
		}
	}

	// A second delivery of the same notifications starts nothing new.
	for _, env := range delivered {
		invoke(t, ctx, handler, snsEvent(env))
	}
	if n := len(st.waitExecutions(t, ctx)); n != 1 {
		t.Errorf("after a repeated delivery: %d executions, want 1", n)
	}
	t.Logf("end to end in %v", time.Since(started).Round(time.Millisecond))
}

func invoke(t *testing.T, ctx context.Context, fn *lambdarie.Function, payload []byte) []byte {
	t.Helper()
	out, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("%v\n--- function output ---\n%s", err, fn.Output())
	}
	var fnErr struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(out, &fnErr) == nil && fnErr.ErrorMessage != "" {
		t.Fatalf("function error %s: %s\n--- function output ---\n%s", fnErr.ErrorType, fnErr.ErrorMessage, fn.Output())
	}
	return out
}

// post sends a batch through the ingest function as the HTTP API would and
// checks every record was accepted.
func post(t *testing.T, ctx context.Context, fn *lambdarie.Function, model, batchID string, body []byte) {
	t.Helper()
	out := invoke(t, ctx, fn, httpEvent(model, batchID, body))
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("ingest response %s: %v", out, err)
	}
	var res struct {
		Accepted int               `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(resp.Body), &res) != nil || len(res.Rejected) != 0 || res.Accepted == 0 {
		t.Fatalf("ingest of %s: HTTP %d %s", batchID, resp.StatusCode, resp.Body)
	}
}

// alarmDef is one of the model's alarms as template.yaml defines it.
type alarmDef struct {
	kind, name, metric, statistic, comparison, namespace, treatMissing, description string
	threshold                                                                       float64
	period, evaluationPeriods                                                       int
}

func (a alarmDef) breaches(v float64) bool {
	return catalog.Alarm{Comparison: a.comparison}.Breaches(v, a.threshold)
}

func names(as []alarmDef) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.name)
	}
	return out
}

// alarms returns the model's alarms from template.yaml, in the catalog's
// order, with thresholds at the parameters' defaults.
func (st *stack) alarms(t *testing.T) []alarmDef {
	t.Helper()
	byName := map[string]cfntemplate.Resource{}
	for _, r := range st.res {
		if r.Type == "AWS::CloudWatch::Alarm" {
			if name, err := cfntemplate.Resolve(r.Properties["AlarmName"], st.vars); err == nil {
				byName[name] = r
			}
		}
	}
	var out []alarmDef
	for _, c := range catalog.Alarms {
		name := catalog.AlarmName(st.model, c.Kind)
		r, ok := byName[name]
		if !ok {
			t.Fatalf("template.yaml defines no alarm %s", name)
		}
		get := func(field string) string {
			v, err := cfntemplate.Resolve(r.Properties[field], st.vars)
			if err != nil {
				t.Fatalf("alarm %s: %s: %v", name, field, err)
			}
			return v
		}
		a := alarmDef{kind: c.Kind, name: name, metric: get("MetricName"), statistic: get("Statistic"),
			comparison: get("ComparisonOperator"), namespace: get("Namespace"), treatMissing: get("TreatMissingData"),
			description: get("AlarmDescription")}
		var err error
		if a.threshold, err = strconv.ParseFloat(get("Threshold"), 64); err != nil {
			t.Fatalf("alarm %s: threshold: %v", name, err)
		}
		if a.period, err = strconv.Atoi(get("Period")); err != nil {
			t.Fatalf("alarm %s: period: %v", name, err)
		}
		if a.evaluationPeriods, err = strconv.Atoi(get("EvaluationPeriods")); err != nil {
			t.Fatalf("alarm %s: evaluation periods: %v", name, err)
		}
		out = append(out, a)
	}
	return out
}

// readMetrics reads back, with GetMetricData, the value at windowEnd of
// every metric the model's alarms watch, with each alarm's statistic and
// period. Metrics without a datapoint are left out.
func (st *stack) readMetrics(t *testing.T, ctx context.Context, windowEnd time.Time) map[string]float64 {
	t.Helper()
	alarms := st.alarms(t)
	var queries []cwtypes.MetricDataQuery
	for i, a := range alarms {
		queries = append(queries, cwtypes.MetricDataQuery{
			Id: aws.String(fmt.Sprintf("m%d", i)),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String(a.namespace),
					MetricName: aws.String(a.metric),
					Dimensions: []cwtypes.Dimension{{Name: aws.String(catalog.DimModel), Value: aws.String(st.model)}},
				},
				Period: aws.Int32(int32(a.period)),
				Stat:   aws.String(a.statistic),
			},
		})
	}
	out, err := st.cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		MetricDataQueries: queries,
		StartTime:         aws.Time(windowEnd),
		EndTime:           aws.Time(windowEnd.Add(time.Hour)),
	})
	if err != nil {
		t.Fatalf("GetMetricData: %v", err)
	}
	values := map[string]float64{}
	for _, r := range out.MetricDataResults {
		i, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.Id), "m"))
		// The one period that starts at the window end holds the window's datapoint.
		for j, ts := range r.Timestamps {
			if !ts.Before(windowEnd) && ts.Before(windowEnd.Add(time.Duration(alarms[i].period)*time.Second)) {
				values[alarms[i].metric] = r.Values[j]
			}
		}
	}
	return values
}

// comparisonWords are how CloudWatch words a comparison in a state reason.
var comparisonWords = map[string]string{
	catalog.GreaterThanOrEqual:   "greater than or equal to",
	catalog.GreaterThan:          "greater than",
	catalog.LessThan:             "less than",
	"LessThanOrEqualToThreshold": "less than or equal to",
}

// publishAlarm publishes to the alerts topic the notification CloudWatch
// sends when alarm a goes from OK to ALARM on the datapoint value at
// windowEnd.
func (st *stack) publishAlarm(t *testing.T, ctx context.Context, a alarmDef, value float64, windowEnd time.Time) {
	t.Helper()
	now := time.Now().UTC()
	type dimension struct {
		Value string `json:"value"`
		Name  string `json:"name"`
	}
	msg := map[string]any{
		"AlarmName":                          a.name,
		"AlarmDescription":                   a.description,
		"AWSAccountId":                       st.account,
		"AlarmConfigurationUpdatedTimestamp": now.Add(-time.Hour).Format("2006-01-02T15:04:05.000-0700"),
		"NewStateValue":                      "ALARM",
		"NewStateReason": fmt.Sprintf("Threshold Crossed: 1 out of the last %d datapoints [%s (%s)] was %s the threshold (%s) (minimum 1 datapoint for OK -> ALARM transition).",
			a.evaluationPeriods, strconv.FormatFloat(value, 'f', -1, 64), windowEnd.Format("02/01/06 15:04:05"),
			comparisonWords[a.comparison], strconv.FormatFloat(a.threshold, 'f', -1, 64)),
		"StateChangeTime":         now.Format("2006-01-02T15:04:05.000-0700"),
		"Region":                  "US East (N. Virginia)",
		"AlarmArn":                fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, st.account, a.name),
		"OldStateValue":           "OK",
		"OKActions":               []string{st.alertsTopic},
		"AlarmActions":            []string{st.alertsTopic},
		"InsufficientDataActions": []string{},
		"Trigger": map[string]any{
			"MetricName":                       a.metric,
			"Namespace":                        a.namespace,
			"StatisticType":                    "Statistic",
			"Statistic":                        strings.ToUpper(a.statistic),
			"Unit":                             nil,
			"Dimensions":                       []dimension{{Value: st.model, Name: catalog.DimModel}},
			"Period":                           a.period,
			"EvaluationPeriods":                a.evaluationPeriods,
			"DatapointsToAlarm":                1,
			"ComparisonOperator":               a.comparison,
			"Threshold":                        a.threshold,
			"TreatMissingData":                 a.treatMissing,
			"EvaluateLowSampleCountPercentile": "",
		},
	}
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.sns.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(st.alertsTopic),
		Subject:  aws.String(fmt.Sprintf("ALARM: %q in US East (N. Virginia)", a.name)),
		Message:  aws.String(string(body)),
	}); err != nil {
		t.Fatalf("publish the notification of %s: %v", a.name, err)
	}
}

// snsEvent is the Lambda event of an SNS subscription for a message that
// arrived on the alerts queue.
func snsEvent(env snsEnvelope) []byte {
	ts, _ := time.Parse(time.RFC3339Nano, env.Timestamp)
	ev := events.SNSEvent{Records: []events.SNSEventRecord{{
		EventSource:          "aws:sns",
		EventVersion:         "1.0",
		EventSubscriptionArn: env.TopicArn + ":e2e-subscription",
		SNS: events.SNSEntity{
			Type:      env.Type,
			MessageID: env.MessageID,
			TopicArn:  env.TopicArn,
			Subject:   env.Subject,
			Message:   env.Message,
			Timestamp: ts,
		},
	}}}
	out, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return out
}

// retrainRequest is the retraining request (docs/alarms.md).
type retrainRequest struct {
	Model        string    `json:"model"`
	ModelVersion string    `json:"model_version"`
	Reason       string    `json:"reason"`
	AlarmName    string    `json:"alarm_name"`
	Metric       string    `json:"metric"`
	Value        *float64  `json:"value"`
	Threshold    *float64  `json:"threshold"`
	ReportKey    string    `json:"report_key"`
	RequestedAt  time.Time `json:"requested_at"`
}

// waitExecutions lists the state machine's executions once none is running
// (bounded). ListExecutions, not DescribeExecution: moto 5.2 cannot encode
// the description of an execution whose context has a start time.
func (st *stack) waitExecutions(t *testing.T, ctx context.Context) []sfntypes.ExecutionListItem {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := st.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(st.stateMachine)})
		if err != nil {
			t.Fatalf("list executions: %v", err)
		}
		running := false
		for _, e := range out.Executions {
			running = running || e.Status == sfntypes.ExecutionStatusRunning
		}
		if !running || time.Now().After(deadline) {
			return out.Executions
		}
		time.Sleep(200 * time.Millisecond)
	}
}
