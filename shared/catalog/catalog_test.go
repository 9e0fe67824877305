package catalog_test

import (
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/catalog"
)

func TestAlarmsWatchKnownModelMetrics(t *testing.T) {
	kinds := map[string]bool{}
	for _, a := range catalog.Alarms {
		m, ok := catalog.Lookup(a.Metric)
		if !ok {
			t.Errorf("alarm %s watches unknown metric %s", a.Kind, a.Metric)
		}
		if m.Extra != "" {
			t.Errorf("alarm %s watches %s, which has a %s dimension", a.Kind, a.Metric, m.Extra)
		}
		if kinds[a.Kind] {
			t.Errorf("alarm kind %s twice", a.Kind)
		}
		kinds[a.Kind] = true
		if !a.Breaches(a.DefaultThreshold+1, a.DefaultThreshold) && !a.Breaches(a.DefaultThreshold-1, a.DefaultThreshold) {
			t.Errorf("alarm %s never breaches", a.Kind)
		}
	}
	if got := strings.Join(catalog.RetrainMetrics(), ","); got != "MaxFeaturePSI,DriftedFeatureShare,PredictionPSI,LabelledAccuracy,Accuracy" {
		t.Errorf("retrain metrics %s", got)
	}
}

func TestAlarmNames(t *testing.T) {
	tests := []struct {
		prefix, model, kind, want string
	}{
		{catalog.DefaultAlarmNamePrefix, "fraud", "accuracy", "modelwatch-fraud-accuracy"},
		{"modelwatch-", "credit-default", "feature-drift", "modelwatch-credit-default-feature-drift"},
		{"mw-eu-2-", "credit-default", "error-rate", "mw-eu-2-credit-default-error-rate"},
		{"modelwatch-prod-", "fraud_v2.eu", "latency", "modelwatch-prod-fraud_v2.eu-latency"},
	}
	for _, tc := range tests {
		got := catalog.PrefixedAlarmName(tc.prefix, tc.model, tc.kind)
		if got != tc.want {
			t.Errorf("PrefixedAlarmName(%q, %q, %q) = %q, want %q", tc.prefix, tc.model, tc.kind, got, tc.want)
		}
		model, a, ok := catalog.ParseAlarmName(tc.prefix, got)
		if !ok || model != tc.model || a.Kind != tc.kind {
			t.Errorf("ParseAlarmName(%q, %q) = %q, %q, %v; want %q, %q", tc.prefix, got, model, a.Kind, ok, tc.model, tc.kind)
		}
	}
	if got := catalog.AlarmName("fraud", "accuracy"); got != "modelwatch-fraud-accuracy" {
		t.Errorf("AlarmName in the default stack: %q", got)
	}
}

func TestParseAlarmName(t *testing.T) {
	tests := []struct {
		name, prefix, alarm string
		model, kind         string
		ok                  bool
	}{
		{"default stack", "modelwatch-", "modelwatch-credit-default-prediction-drift", "credit-default", "prediction-drift", true},
		{"other stack", "mw-eu-", "mw-eu-credit-default-prediction-drift", "credit-default", "prediction-drift", true},
		{"stack name with hyphens", "modelwatch-prod-", "modelwatch-prod-m-accuracy", "m", "accuracy", true},
		{"kind inside the model", "modelwatch-", "modelwatch-accuracy-accuracy", "accuracy", "accuracy", true},
		{"longest kind", "modelwatch-", "modelwatch-m-error-rate", "m", "error-rate", true},
		{"another stack's prefix", "mw-eu-", "modelwatch-credit-default-accuracy", "", "", false},
		{"no kind", "modelwatch-", "modelwatch-fraud-composite", "", "", false},
		{"no model", "modelwatch-", "modelwatch-accuracy", "", "", false},
		{"empty model", "modelwatch-", "modelwatch--accuracy", "", "", false},
		{"foreign", "modelwatch-", "web-cpu-high", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			model, a, ok := catalog.ParseAlarmName(tc.prefix, tc.alarm)
			if model != tc.model || a.Kind != tc.kind || ok != tc.ok {
				t.Errorf("ParseAlarmName(%q, %q) = %q, %q, %v; want %q, %q, %v", tc.prefix, tc.alarm, model, a.Kind, ok, tc.model, tc.kind, tc.ok)
			}
		})
	}
}

func TestAlarmKind(t *testing.T) {
	tests := []struct {
		alarm, kind, metric string
		ok                  bool
	}{
		{"any-stack-fraud-dataset-drift", "dataset-drift", catalog.DriftedFeatureShare, true},
		{"x-error-rate", "error-rate", catalog.ErrorRate, true},
		{"x-latency", "latency", catalog.LatencyP99, true},
		{"latency", "", "", false},
		{"-latency", "", "", false},
		{"web-cpu-high", "", "", false},
	}
	for _, tc := range tests {
		a, ok := catalog.AlarmKind(tc.alarm)
		if a.Kind != tc.kind || a.Metric != tc.metric || ok != tc.ok {
			t.Errorf("AlarmKind(%q) = %q (%s), %v; want %q (%s), %v", tc.alarm, a.Kind, a.Metric, ok, tc.kind, tc.metric, tc.ok)
		}
	}
}
