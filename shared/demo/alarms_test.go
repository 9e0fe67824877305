package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/demo"
	"github.com/modelwatch/modelwatch/shared/store"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// clock is a settable clock for the sink's PublishedAt.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func datum(metric string, at time.Time, v float64) types.MetricDatum {
	return types.MetricDatum{
		MetricName: aws.String(metric), Timestamp: aws.Time(at), Value: aws.Float64(v), Unit: types.StandardUnitNone,
		Dimensions: []types.Dimension{{Name: aws.String(catalog.DimModel), Value: aws.String(demo.ModelName)}},
	}
}

// publish sends one datum stamped ts, at time at.
func publish(t *testing.T, s *demo.MetricSink, c *clock, at time.Time, metric string, ts time.Time, v float64) {
	t.Helper()
	c.t = at
	if err := s.Publish(context.Background(), []types.MetricDatum{datum(metric, ts, v)}); err != nil {
		t.Fatal(err)
	}
}

func TestAlarmEvaluation(t *testing.T) {
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	type pub struct {
		at, ts int // hours
		metric string
		v      float64
	}
	tests := []struct {
		name string
		pubs []pub
		// evaluations at hour+6 min, and the transitions expected at each
		// ("" none, else kind:NEWSTATE).
		evals map[int]string
	}{
		{"threshold reached: GreaterThanOrEqual", []pub{{1, 1, catalog.MaxFeaturePSI, 0.25}}, map[int]string{1: "feature-drift:ALARM"}},
		{"just under: no alarm", []pub{{1, 1, catalog.MaxFeaturePSI, 0.2499}}, map[int]string{1: ""}},
		{"GreaterThan is strict", []pub{{1, 1, catalog.ErrorRate, 5}, {2, 2, catalog.ErrorRate, 5.01}}, map[int]string{1: "", 2: "error-rate:ALARM"}},
		{"LessThan", []pub{{1, 1, catalog.LabelledAccuracy, 0.8}, {2, 2, catalog.LabelledAccuracy, 0.79}}, map[int]string{1: "", 2: "accuracy:ALARM"}},
		{"back under: OK, then missing data stays OK",
			[]pub{{1, 1, catalog.LatencyP99, 900}, {2, 2, catalog.LatencyP99, 40}},
			map[int]string{1: "latency:ALARM", 2: "latency:OK", 3: ""}},
		{"missing data is not breaching: ALARM goes OK once the range is empty",
			[]pub{{1, 1, catalog.MaxFeaturePSI, 0.4}},
			map[int]string{1: "feature-drift:ALARM", 2: "", 3: "", 4: "feature-drift:OK"}},
		{"one transition, not one per breaching hour",
			[]pub{{1, 1, catalog.MaxFeaturePSI, 0.4}, {2, 2, catalog.MaxFeaturePSI, 0.5}, {3, 3, catalog.MaxFeaturePSI, 0.6}},
			map[int]string{1: "feature-drift:ALARM", 2: "", 3: ""}},
		{"Minimum over the samples of a period (a late label re-published)",
			[]pub{{2, 1, catalog.LabelledAccuracy, 0.7}, {3, 1, catalog.LabelledAccuracy, 0.9}},
			map[int]string{2: "accuracy:ALARM", 3: ""}},
		{"a late datapoint inside the evaluation range is evaluated",
			[]pub{{3, 1, catalog.LabelledAccuracy, 0.5}}, map[int]string{3: "accuracy:ALARM"}},
		{"a datapoint later than the evaluation range is never evaluated",
			[]pub{{4, 1, catalog.LabelledAccuracy, 0.5}}, map[int]string{4: ""}},
		{"data not yet published is not seen",
			[]pub{{2, 1, catalog.MaxFeaturePSI, 0.9}}, map[int]string{1: "", 2: "feature-drift:ALARM"}},
		{"the most recent datapoint decides",
			[]pub{{1, 1, catalog.MaxFeaturePSI, 0.9}, {1, 0, catalog.MaxFeaturePSI, 0.01}}, map[int]string{1: "feature-drift:ALARM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{}
			sink := demo.NewMetricSink(catalog.DefaultNamespace, c.Now)
			e := demo.NewAlarmEvaluator(sink, catalog.DefaultNamespace, demo.ModelName)
			last := 0
			for hour := range tt.evals {
				last = max(last, hour)
			}
			for hour := 0; hour <= last; hour++ {
				for _, p := range tt.pubs {
					if p.at == hour {
						publish(t, sink, c, h(p.at).Add(5*time.Minute), p.metric, h(p.ts), p.v)
					}
				}
				trs := e.Evaluate(h(hour).Add(6 * time.Minute))
				want, checked := tt.evals[hour]
				if !checked {
					continue
				}
				var got []string
				for _, tr := range trs {
					got = append(got, tr.Alarm.Kind+":"+tr.New)
				}
				if strings.Join(got, ",") != want {
					t.Errorf("hour %d: transitions %v, want %q", hour, got, want)
				}
			}
		})
	}
}

// TestNotificationIsWhatTheHandlerReads: the notification of a transition
// has CloudWatch's shape (golden file) and the alarm handler decodes the
// model, metric and value from it, and acts on it.
func TestNotificationIsWhatTheHandlerReads(t *testing.T) {
	c := &clock{}
	sink := demo.NewMetricSink(catalog.DefaultNamespace, c.Now)
	e := demo.NewAlarmEvaluator(sink, catalog.DefaultNamespace, demo.ModelName)
	publish(t, sink, c, t0.Add(25*time.Hour+5*time.Minute), catalog.MaxFeaturePSI, t0.Add(25*time.Hour), 0.4127)
	trs := e.Evaluate(t0.Add(25*time.Hour + 6*time.Minute))
	if len(trs) != 1 {
		t.Fatalf("transitions %+v", trs)
	}
	msg, err := e.Notification(trs[0])
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, msg, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "notification.golden.json", append(indented.Bytes(), '\n'))

	n, err := alarm.DecodeNotification(msg)
	if err != nil {
		t.Fatal(err)
	}
	if model, src, err := n.Model(alarm.AlarmNamePrefix); err != nil || model != demo.ModelName || src != alarm.FromDimension {
		t.Errorf("model %q from %s, %v", model, src, err)
	}
	if ns, metric := n.Metric(alarm.AlarmNamePrefix); ns != catalog.DefaultNamespace || metric != catalog.MaxFeaturePSI {
		t.Errorf("metric %s/%s", ns, metric)
	}
	if v, ok := n.Value(); !ok || v != 0.4127 {
		t.Errorf("value %v %v, want 0.4127", v, ok)
	}
	if n.NewState != alarm.StateAlarm || n.OldState != alarm.StateOK || !n.StateChangeTime.Equal(t0.Add(25*time.Hour+6*time.Minute)) {
		t.Errorf("notification %+v", n)
	}

	// The handler requests retraining once, whatever the deliveries.
	rec := demo.NewRetrainRecorder(func() time.Time { return t0.Add(25*time.Hour + 7*time.Minute) })
	h, err := alarm.New(alarm.Config{Store: store.NewMemory(), Starter: rec, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return t0.Add(25*time.Hour + 7*time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	ev := demo.SNSEvent("m-1", trs[0], msg)
	for i, want := range []int{1, 0} {
		sum, err := h.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if sum.RetrainRequested != want {
			t.Errorf("delivery %d: %+v", i+1, sum)
		}
	}
	reqs := rec.Requests()
	if len(reqs) != 1 || reqs[0].Request.Metric != catalog.MaxFeaturePSI || reqs[0].Request.Value == nil || *reqs[0].Request.Value != 0.4127 {
		t.Errorf("recorded requests %+v", reqs)
	}
}

func TestOKNotificationReason(t *testing.T) {
	c := &clock{}
	sink := demo.NewMetricSink(catalog.DefaultNamespace, c.Now)
	e := demo.NewAlarmEvaluator(sink, catalog.DefaultNamespace, demo.ModelName)
	publish(t, sink, c, t0.Add(5*time.Minute), catalog.LatencyP99, t0, 900)
	e.Evaluate(t0.Add(6 * time.Minute))
	trs := e.Evaluate(t0.Add(5*time.Hour + 6*time.Minute))
	if len(trs) != 1 || trs[0].New != demo.StateOK {
		t.Fatalf("transitions %+v", trs)
	}
	if want := "no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]"; !strings.Contains(trs[0].Reason, want) {
		t.Errorf("reason %q, want it to say %q", trs[0].Reason, want)
	}
	if _, ok := trs[0].Value(); ok {
		t.Error("an OK on missing data has no value")
	}
}

func TestRetrainRecorder(t *testing.T) {
	rec := demo.NewRetrainRecorder(func() time.Time { return t0 })
	input := []byte(`{"model":"m","model_version":"v1","reason":"r","alarm_name":"a","metric":"Accuracy","value":0.5,"threshold":0.8,"report_key":"","requested_at":"2026-03-02T00:00:00Z"}`)
	for i, want := range []bool{false, true} {
		existed, err := rec.StartExecution(context.Background(), "m-slot", input)
		if err != nil || existed != want {
			t.Errorf("start %d: existed %v, %v; want %v", i+1, existed, err, want)
		}
	}
	if _, err := rec.StartExecution(context.Background(), "other", []byte(`{"model":"m","bogus":1}`)); err == nil {
		t.Error("an input that is not a retraining request was accepted")
	}
	if got := rec.Requests(); len(got) != 1 || got[0].ExecutionName != "m-slot" || !got[0].StartedAt.Equal(t0) {
		t.Errorf("requests %+v", got)
	}
}
