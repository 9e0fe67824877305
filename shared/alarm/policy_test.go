package alarm_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestDefaultPolicy(t *testing.T) {
	p := alarm.DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"MaxFeaturePSI", "DriftedFeatureShare", "PredictionPSI", "Accuracy"} {
		if !p.IsRetrainTrigger("fraud", "ModelWatch", m) || !p.IsRetrainTrigger("fraud", "Other", m) {
			t.Errorf("%s is not a default trigger", m)
		}
	}
	for _, m := range []string{"LatencyP99", "ErrorRate", "FeaturePSI", "accuracy", ""} {
		if p.IsRetrainTrigger("fraud", "ModelWatch", m) {
			t.Errorf("%q is a default trigger", m)
		}
	}
	if p.CooldownFor("fraud") != 24*time.Hour {
		t.Errorf("cooldown %v", p.CooldownFor("fraud"))
	}
}

func TestParsePolicy(t *testing.T) {
	doc := `{"retrain_metrics": ["MaxFeaturePSI", "Accuracy"], "cooldown": "12h", "namespace": "ModelWatch",
		"models": {"fraud": {"retrain_metrics": ["Accuracy"], "cooldown": "6h"}, "churn": {"retrain_metrics": []}, "quiet": {}}}`
	p, err := alarm.ParsePolicy([]byte(doc), alarm.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		model, namespace, metric string
		want                     bool
	}{
		{"credit", "ModelWatch", "MaxFeaturePSI", true},
		{"credit", "ModelWatch", "PredictionPSI", false},
		{"credit", "Custom", "MaxFeaturePSI", false},
		{"credit", "", "MaxFeaturePSI", true},
		{"fraud", "ModelWatch", "MaxFeaturePSI", false},
		{"fraud", "ModelWatch", "Accuracy", true},
		{"churn", "ModelWatch", "Accuracy", false},
		{"quiet", "ModelWatch", "Accuracy", true},
	}
	for _, tc := range tests {
		if got := p.IsRetrainTrigger(tc.model, tc.namespace, tc.metric); got != tc.want {
			t.Errorf("IsRetrainTrigger(%s, %s, %s) = %v", tc.model, tc.namespace, tc.metric, got)
		}
	}
	for model, want := range map[string]time.Duration{"credit": 12 * time.Hour, "fraud": 6 * time.Hour, "quiet": 12 * time.Hour} {
		if got := p.CooldownFor(model); got != want {
			t.Errorf("cooldown of %s = %v, want %v", model, got, want)
		}
	}
	// An empty document keeps the base.
	base := alarm.DefaultPolicy()
	base.Cooldown = time.Hour
	q, err := alarm.ParsePolicy([]byte(`{}`), base)
	if err != nil || q.Cooldown != time.Hour || !slices.Equal(q.RetrainMetrics, alarm.DefaultRetrainMetrics) {
		t.Errorf("empty document: %+v %v", q, err)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{``, "EOF"},
		{`[]`, "cannot unmarshal"},
		{`{"cooldown": "a day"}`, `cooldown: "a day" is not a duration`},
		{`{"cooldown": "500ms"}`, "at least 1s"},
		{`{"cooldown": "1.5s"}`, "whole seconds"},
		{`{"cooldown": "-1h"}`, "at least 1s"},
		{`{"retrain_metrics": ["ok", ""]}`, `retrain_metrics: metric name ""`},
		{`{"retrain_metrics": "Accuracy"}`, "cannot unmarshal"},
		{`{"retrain_metric": ["Accuracy"]}`, `unknown field "retrain_metric"`},
		{`{"models": {"a/b": {}}}`, `model name "a/b"`},
		{`{"models": {"fraud": {"cooldown": "soon"}}}`, "models.fraud.cooldown"},
		{`{"models": {"fraud": {"retrain_metrics": [" Accuracy"]}}}`, "models.fraud.retrain_metrics"},
		{`{"models": {"fraud": {"cooldwn": "1h"}}}`, `unknown field "cooldwn"`},
		{`{} {}`, "data after the JSON object"},
	}
	for _, tc := range tests {
		_, err := alarm.ParsePolicy([]byte(tc.doc), alarm.DefaultPolicy())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.doc, err, tc.want)
		}
	}
}

func TestPolicyFromEnv(t *testing.T) {
	tests := []struct {
		env      map[string]string
		metrics  []string
		cooldown time.Duration
		err      string
	}{
		{nil, alarm.DefaultRetrainMetrics, 24 * time.Hour, ""},
		{map[string]string{"RETRAIN_METRICS": " Accuracy, PredictionPSI ,", "RETRAIN_COOLDOWN": "2h", "METRICS_NAMESPACE": "Custom"}, []string{"Accuracy", "PredictionPSI"}, 2 * time.Hour, ""},
		{map[string]string{"RETRAIN_METRICS": "none"}, []string{}, 24 * time.Hour, ""},
		{map[string]string{"RETRAIN_COOLDOWN": "2 hours"}, nil, 0, "RETRAIN_COOLDOWN"},
		{map[string]string{"RETRAIN_COOLDOWN": "0s"}, nil, 0, "at least 1s"},
	}
	for _, tc := range tests {
		p, err := alarm.PolicyFromEnv(func(k string) string { return tc.env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(p.RetrainMetrics, tc.metrics) || p.Cooldown != tc.cooldown || p.Namespace != tc.env["METRICS_NAMESPACE"] {
			t.Errorf("%v: %+v %v", tc.env, p, err)
		}
	}
}

func TestStoredPolicy(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	src := alarm.NewStoredPolicy(st, "config/alarm-policy.json", alarm.DefaultPolicy(), time.Hour)
	if _, err := src.Policy(ctx); !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "config/alarm-policy.json") {
		t.Fatalf("missing document: %v", err)
	}
	st.Put(ctx, "config/alarm-policy.json", []byte(`{"cooldown": "1h"}`))
	p, err := src.Policy(ctx)
	if err != nil || p.Cooldown != time.Hour {
		t.Fatalf("%+v %v", p, err)
	}
	// Cached within the TTL: a broken document is not read yet.
	st.Put(ctx, "config/alarm-policy.json", []byte(`{"cooldown": "never"}`))
	if p, err := src.Policy(ctx); err != nil || p.Cooldown != time.Hour {
		t.Fatalf("cached: %+v %v", p, err)
	}
	src = alarm.NewStoredPolicy(st, "config/alarm-policy.json", alarm.DefaultPolicy(), 0)
	if _, err := src.Policy(ctx); err == nil || !strings.Contains(err.Error(), "config/alarm-policy.json") {
		t.Fatalf("invalid document: %v", err)
	}
}
