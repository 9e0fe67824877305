package templatetest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
	"github.com/modelwatch/modelwatch/shared/catalog"
)

func TestAlarmsAreTheCatalogs(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	params := tpl.Section("Parameters")
	vars := subValues(t, tpl)
	if got := tpl.ParameterDefaults()["Namespace"]; got != catalog.DefaultNamespace {
		t.Errorf("Namespace parameter defaults to %q, want %q", got, catalog.DefaultNamespace)
	}

	byName := map[string]cfntemplate.Resource{}
	for id, r := range res {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		name := cfntemplateSub(t, r.Properties["AlarmName"], vars)
		if _, dup := byName[name]; dup {
			t.Errorf("alarm %s twice", name)
		}
		byName[name] = r
		if ns, _ := cfntemplate.Ref(r.Properties["Namespace"]); ns == "Namespace" {
			if _, ok := catalog.Lookup(r.Properties["MetricName"].(string)); !ok {
				t.Errorf("alarm %s (%s) watches %v, which shared/catalog does not know", name, id, r.Properties["MetricName"])
			}
		}
	}

	for _, model := range testModels {
		seen := map[string]bool{}
		for _, a := range catalog.Alarms {
			name := catalog.AlarmName(model, a.Kind)
			seen[name] = true
			r, ok := byName[name]
			if !ok {
				t.Errorf("template.yaml has no alarm %s", name)
				continue
			}
			p := r.Properties
			check := func(field string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("alarm %s: %s is %v, want %v", name, field, got, want)
				}
			}
			check("Namespace", p["Namespace"], map[string]any{"Ref": "Namespace"})
			check("MetricName", p["MetricName"], a.Metric)
			check("Dimensions", p["Dimensions"], []any{map[string]any{"Name": catalog.DimModel, "Value": model}})
			check("ComparisonOperator", p["ComparisonOperator"], a.Comparison)
			check("Statistic", p["Statistic"], a.Statistic)
			check("Period", p["Period"], float64(a.Period))
			check("EvaluationPeriods", p["EvaluationPeriods"], float64(a.EvaluationPeriods))
			check("TreatMissingData", p["TreatMissingData"], a.TreatMissingData)
			check("Threshold", p["Threshold"], map[string]any{"Ref": a.ThresholdParameter})
			check("AlarmActions", p["AlarmActions"], []any{map[string]any{"Ref": "AlertsTopic"}})
			param, _ := params[a.ThresholdParameter].(map[string]any)
			if param == nil {
				t.Errorf("alarm %s: no parameter %s", name, a.ThresholdParameter)
				continue
			}
			check("the threshold parameter's type", param["Type"], "Number")
			check("the threshold parameter's default", param["Default"], a.DefaultThreshold)
		}
		for name := range byName {
			if strings.HasPrefix(name, "modelwatch-"+model+"-") && !seen[name] {
				t.Errorf("alarm %s is not in shared/catalog", name)
			}
		}
	}
}

func TestAlarmHandlerListensToTheAlertsTopic(t *testing.T) {
	res := resources(t)
	fn := resource(t, res, "AlarmHandlerFunction", "AWS::Serverless::Function")
	found := false
	for _, e := range fn.Properties["Events"].(map[string]any) {
		if path(e, "Type") == "SNS" {
			if ref, _ := cfntemplate.Ref(path(e, "Properties", "Topic")); ref == "AlertsTopic" {
				found = true
				if path(e, "Properties", "RedrivePolicy", "deadLetterTargetArn") == nil {
					t.Error("the alerts subscription of the alarm handler has no dead-letter queue")
				}
			}
		}
	}
	if !found {
		t.Error("AlarmHandlerFunction is not subscribed to AlertsTopic")
	}
}
