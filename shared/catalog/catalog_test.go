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
	if catalog.AlarmName("fraud", "accuracy") != "modelwatch-fraud-accuracy" {
		t.Error("alarm name scheme")
	}
}
