package alarm_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/modelwatch/modelwatch/shared/alarm"
)

// readEvent decodes a fixture of the repository's events/ directory, the
// files `sam local invoke -e` uses.
func readEvent(t testing.TB, name string) events.SNSEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(ev.Records) != 1 {
		t.Fatalf("%s: %d records, want 1", name, len(ev.Records))
	}
	return ev
}

func message(t testing.TB, name string) string {
	t.Helper()
	return readEvent(t, name).Records[0].SNS.Message
}

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file      string
		state     alarm.State
		old       alarm.State
		at        time.Time
		metric    string
		value     float64
		hasValue  bool
		threshold float64
	}{
		{"alarm-alarm.json", alarm.StateAlarm, alarm.StateOK, time.Date(2026, 11, 26, 20, 5, 12, 345e6, time.UTC), "MaxFeaturePSI", 0.4127, true, 0.25},
		{"alarm-ok.json", alarm.StateOK, alarm.StateAlarm, time.Date(2026, 11, 27, 2, 5, 9, 871e6, time.UTC), "MaxFeaturePSI", 0.0813, true, 0.25},
		{"alarm-insufficient-data.json", alarm.StateInsufficientData, alarm.StateOK, time.Date(2026, 11, 27, 5, 5, 11, 2e6, time.UTC), "MaxFeaturePSI", 0, false, 0.25},
		{"alarm-latency.json", alarm.StateAlarm, alarm.StateOK, time.Date(2026, 11, 26, 21, 5, 3, 118e6, time.UTC), "LatencyP99", 712.5, true, 500},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			n, err := alarm.DecodeNotification([]byte(message(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if n.NewState != tc.state || n.OldState != tc.old || !n.StateChangeTime.Equal(tc.at) {
				t.Errorf("state %s<-%s at %s, want %s<-%s at %s", n.NewState, n.OldState, n.StateChangeTime, tc.state, tc.old, tc.at)
			}
			ns, metric := n.Metric(alarm.AlarmNamePrefix)
			if ns != "ModelWatch" || metric != tc.metric {
				t.Errorf("metric %s/%s, want ModelWatch/%s", ns, metric, tc.metric)
			}
			model, src, err := n.Model(alarm.AlarmNamePrefix)
			if err != nil || model != "credit-default" || src != alarm.FromDimension {
				t.Errorf("model %q from %s (%v)", model, src, err)
			}
			v, ok := n.Value()
			if ok != tc.hasValue || v != tc.value {
				t.Errorf("value %v %v, want %v %v", v, ok, tc.value, tc.hasValue)
			}
			if n.Trigger.Threshold == nil || *n.Trigger.Threshold != tc.threshold {
				t.Errorf("threshold %v, want %v", n.Trigger.Threshold, tc.threshold)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, message, want string
	}{
		{"fixture", message(t, "alarm-malformed.json"), "not a JSON object"},
		{"empty", "", "not a JSON object"},
		{"array", `[{"AlarmName":"a"}]`, "not a JSON object"},
		{"truncated", `{"AlarmName":"a","NewStateValue":"ALA`, "unexpected end"},
		{"no name", `{"NewStateValue":"ALARM","StateChangeTime":"2026-11-26T20:05:12.345+0000"}`, "no AlarmName"},
		{"no state", `{"AlarmName":"a","StateChangeTime":"2026-11-26T20:05:12.345+0000"}`, "no NewStateValue"},
		{"bad state", `{"AlarmName":"a","NewStateValue":"alarm","StateChangeTime":"2026-11-26T20:05:12.345+0000"}`, `NewStateValue "alarm"`},
		{"no time", `{"AlarmName":"a","NewStateValue":"ALARM"}`, "no StateChangeTime"},
		{"bad time", `{"AlarmName":"a","NewStateValue":"ALARM","StateChangeTime":"yesterday"}`, `StateChangeTime "yesterday"`},
		{"wrong type", `{"AlarmName":"a","NewStateValue":"ALARM","StateChangeTime":"2026-11-26T20:05:12Z","Trigger":{"Threshold":"high"}}`, "cannot unmarshal"},
		{"s3 event", `{"Records":[{"eventSource":"aws:s3"}]}`, "no AlarmName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alarm.DecodeNotification([]byte(tc.message))
			if !errors.Is(err, alarm.ErrNotAlarm) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrNotAlarm saying %q", err, tc.want)
			}
		})
	}
}

func TestStateChangeTimeForms(t *testing.T) {
	want := time.Date(2026, 11, 26, 20, 5, 12, 0, time.UTC)
	for _, s := range []string{"2026-11-26T20:05:12.000+0000", "2026-11-26T20:05:12+0000", "2026-11-26T21:05:12+0100", "2026-11-26T20:05:12Z", "2026-11-26T22:05:12+02:00"} {
		n, err := alarm.DecodeNotification([]byte(`{"AlarmName":"a","NewStateValue":"OK","StateChangeTime":"` + s + `"}`))
		if err != nil || !n.StateChangeTime.Equal(want) || n.StateChangeTime.Location() != time.UTC {
			t.Errorf("%s: %v %v", s, n, err)
		}
	}
}

func TestModelAndMetric(t *testing.T) {
	tests := []struct {
		name, prefix, trigger, alarmName string
		model                            string
		source                           alarm.ModelSource
		metric                           string
		err                              string
	}{
		{"dimension", "", `{"MetricName":"Accuracy","Namespace":"ModelWatch","Dimensions":[{"name":"Model","value":"fraud"}]}`, "anything", "fraud", alarm.FromDimension, "Accuracy", ""},
		{"dimension wins over name", "", `{"MetricName":"Accuracy","Dimensions":[{"name":"Feature","value":"x"},{"name":"Model","value":"fraud"}]}`, "modelwatch-other-accuracy", "fraud", alarm.FromDimension, "Accuracy", ""},
		{"name scheme", "", `{"MetricName":"PredictionPSI"}`, "modelwatch-credit-default-prediction-drift", "credit-default", alarm.FromAlarmName, "PredictionPSI", ""},
		{"name scheme, default prefix given", alarm.AlarmNamePrefix, `{"MetricName":"PredictionPSI"}`, "modelwatch-credit-default-prediction-drift", "credit-default", alarm.FromAlarmName, "PredictionPSI", ""},
		{"name scheme, kind inside the model", "", `{"MetricName":"Accuracy"}`, "modelwatch-accuracy-accuracy", "accuracy", alarm.FromAlarmName, "Accuracy", ""},
		{"name scheme, longest kind", "", `{"MetricName":"ErrorRate"}`, "modelwatch-m-error-rate", "m", alarm.FromAlarmName, "ErrorRate", ""},
		{"another stack", "mw-eu-", `{"MetricName":"PredictionPSI"}`, "mw-eu-credit-default-prediction-drift", "credit-default", alarm.FromAlarmName, "PredictionPSI", ""},
		{"another stack with a hyphenated name", "modelwatch-prod-", `{"MetricName":"Accuracy"}`, "modelwatch-prod-fraud_v2.eu-accuracy", "fraud_v2.eu", alarm.FromAlarmName, "Accuracy", ""},
		{"another stack's alarm", "mw-eu-", `{"MetricName":"Accuracy"}`, "modelwatch-fraud-accuracy", "", alarm.FromAlarmName, "Accuracy", "is not mw-eu-{model}-{kind}"},
		{"metric from the kind", "", `{}`, "modelwatch-fraud-dataset-drift", "fraud", alarm.FromAlarmName, "DriftedFeatureShare", ""},
		{"metric from the kind, another stack", "mw-eu-", `{}`, "mw-eu-fraud-dataset-drift", "fraud", alarm.FromAlarmName, "DriftedFeatureShare", ""},
		{"metric math", "", `{"Metrics":[{"Id":"e1","Expression":"m1*100","ReturnData":true},{"Id":"m0","MetricStat":{"Metric":{"MetricName":"Other","Namespace":"X"}}},{"Id":"m1","MetricStat":{"Metric":{"MetricName":"DriftedFeatureShare","Namespace":"ModelWatch","Dimensions":[{"name":"Model","value":"churn"}]},"Period":3600,"Stat":"Maximum"}}]}`, "x", "churn", alarm.FromDimension, "DriftedFeatureShare", ""},
		{"metric math without model", "", `{"Metrics":[{"Id":"m1","MetricStat":{"Metric":{"MetricName":"LatencyP99","Namespace":"ModelWatch"}}}]}`, "modelwatch-ingest-latency", "ingest", alarm.FromAlarmName, "LatencyP99", ""},
		{"composite", "", `{}`, "modelwatch-fraud-composite", "", alarm.FromAlarmName, "", "with a kind of the catalog"},
		{"bad dimension", "", `{"MetricName":"Accuracy","Dimensions":[{"name":"Model","value":"a/b"}]}`, "modelwatch-fraud-accuracy", "", alarm.FromDimension, "Accuracy", "a/b"},
		{"bad name", "", `{"MetricName":"Accuracy"}`, "modelwatch-a b-accuracy", "", alarm.FromAlarmName, "Accuracy", "a b"},
		{"foreign name", "", `{"MetricName":"CPUUtilization"}`, "web-cpu-high", "", alarm.FromAlarmName, "CPUUtilization", "is not modelwatch-{model}-{kind}"},
		{"name without model", "", `{"MetricName":"Accuracy"}`, "modelwatch-accuracy", "", alarm.FromAlarmName, "Accuracy", "is not modelwatch-{model}-{kind}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := alarm.DecodeNotification([]byte(`{"AlarmName":"` + tc.alarmName + `","NewStateValue":"ALARM","StateChangeTime":"2026-11-26T20:05:12Z","Trigger":` + tc.trigger + `}`))
			if err != nil {
				t.Fatal(err)
			}
			if _, metric := n.Metric(tc.prefix); metric != tc.metric {
				t.Errorf("metric %q, want %q", metric, tc.metric)
			}
			model, src, err := n.Model(tc.prefix)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("model %q, error %v, want an error saying %q", model, err, tc.err)
				}
				return
			}
			if err != nil || model != tc.model || src != tc.source {
				t.Errorf("model %q from %s (%v), want %q from %s", model, src, err, tc.model, tc.source)
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		reason string
		want   float64
		ok     bool
	}{
		{"Threshold Crossed: 1 datapoint [0.41 (26/11/26 20:00:00)] was greater than or equal to the threshold (0.25).", 0.41, true},
		{"Threshold Crossed: 2 out of the last 3 datapoints [0.31 (26/11/26 20:00:00), 0.29 (26/11/26 19:00:00)] were greater than or equal to the threshold (0.25).", 0.31, true},
		{"Threshold Crossed: 1 datapoint [-1.5E-3 (26/11/26 20:00:00)] was less than the threshold (0.0).", -0.0015, true},
		{"Threshold Crossed: 1 datapoint [1e999 (26/11/26 20:00:00)] was greater than the threshold (0.0).", 0, false},
		{"Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].", 0, false},
		{"Insufficient Data: 1 datapoint was unknown.", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		n := alarm.Notification{Reason: tc.reason}
		if v, ok := n.Value(); v != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.reason, v, ok, tc.want, tc.ok)
		}
	}
}

func TestExecutionName(t *testing.T) {
	if got := alarm.ExecutionName("credit-default", "20261126T000000Z"); got != "credit-default-20261126T000000Z" {
		t.Errorf("got %s", got)
	}
	long := strings.Repeat("m", 64)
	a := alarm.ExecutionName(long, "20261126T000000Z")
	b := alarm.ExecutionName(long[:63]+"n", "20261126T000000Z")
	if len(a) != 80 || len(b) != 80 || a == b || !strings.HasSuffix(a, "-20261126T000000Z") {
		t.Errorf("long names %s %s", a, b)
	}
	if a != alarm.ExecutionName(long, "20261126T000000Z") {
		t.Error("not deterministic")
	}
}
