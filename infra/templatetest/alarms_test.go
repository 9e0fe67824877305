package templatetest

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
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
			name := catalog.PrefixedAlarmName(testStack+"-", model, a.Kind)
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
			check("the threshold parameter's type", param["Type"], "String")
			if d, err := strconv.ParseFloat(cfntemplate.Scalar(param["Default"]), 64); err != nil || d != a.DefaultThreshold {
				t.Errorf("alarm %s: the threshold parameter's default is %v, want %v", name, param["Default"], a.DefaultThreshold)
			}
		}
		for name := range byName {
			if strings.HasPrefix(name, testStack+"-"+model+"-") && !seen[name] {
				t.Errorf("alarm %s is not in shared/catalog", name)
			}
		}
	}
}

// TestThresholdsAreJSONNumbers: the thresholds are pasted into the
// dashboard's JSON body, so each is a String parameter whose AllowedPattern
// admits JSON numbers only (a Number parameter takes .8 or 1e-1, which CloudFormation
// passes on as typed) and admits its default and the ordinary ways to write one.
func TestThresholdsAreJSONNumbers(t *testing.T) {
	params := loadTemplate(t).Section("Parameters")
	// Candidates: which the pattern accepts must decode as JSON numbers.
	candidates := []string{"0", "0.25", "1", "1.0", "0.8", "5", "2.5", "100", "500", "250.5", "12345",
		".8", "8.", "1e-1", "1E3", "-1", "+1", "08", "0x10", "NaN", "Infinity", "", " 1", "1 ", "1,5", "0.2.5", "1/2"}
	mustAccept := map[string][]string{
		"FeaturePSIThreshold":       {"0", "0.1", "0.25", "2"},
		"PredictionPSIThreshold":    {"0", "0.1", "0.25", "2"},
		"DriftedShareThreshold":     {"0", "0.5", "1", "1.0"},
		"AccuracyThreshold":         {"0", "0.8", "0.95", "1"},
		"LatencyP99ThresholdMs":     {"0", "500", "250.5", "12345"},
		"ErrorRateThresholdPercent": {"0", "5", "2.5", "100"},
	}
	mustReject := map[string][]string{
		"DriftedShareThreshold":     {"1.5", "2"},
		"AccuracyThreshold":         {"1.01", "80"},
		"ErrorRateThresholdPercent": {"100.5", "101"},
	}
	for _, a := range catalog.Alarms {
		t.Run(a.ThresholdParameter, func(t *testing.T) {
			p, _ := params[a.ThresholdParameter].(map[string]any)
			pattern, _ := p["AllowedPattern"].(string)
			if p["Type"] != "String" || pattern == "" {
				t.Fatalf("type %v, AllowedPattern %q: want a String with an AllowedPattern", p["Type"], pattern)
			}
			if d, _ := p["ConstraintDescription"].(string); d == "" {
				t.Error("no ConstraintDescription: CloudFormation would show the bare pattern")
			}
			re, err := regexp.Compile(pattern)
			if err != nil {
				t.Fatalf("AllowedPattern %q: %v", pattern, err)
			}
			// CloudFormation matches the whole value; the pattern anchors itself so that Go agrees.
			if !strings.HasPrefix(pattern, "^") || !strings.HasSuffix(pattern, "$") {
				t.Errorf("AllowedPattern %q is not anchored with ^...$", pattern)
			}
			for _, c := range candidates {
				var v float64
				if re.MatchString(c) && json.Unmarshal([]byte(c), &v) != nil {
					t.Errorf("AllowedPattern admits %q, which is not a JSON number", c)
				}
			}
			for _, c := range append([]string{cfntemplate.Scalar(p["Default"])}, mustAccept[a.ThresholdParameter]...) {
				if !re.MatchString(c) {
					t.Errorf("AllowedPattern rejects %q", c)
				}
			}
			for _, c := range mustReject[a.ThresholdParameter] {
				if re.MatchString(c) {
					t.Errorf("AllowedPattern admits %q, outside the metric's range", c)
				}
			}
		})
	}
}

// TestAlarmHandlerKnowsTheAlarmNames: the alarm handler reads a model from
// an alarm's name when the alarm has no Model dimension; ALARM_NAME_PREFIX
// is how it knows the stack's prefix, for every name the template gives.
func TestAlarmHandlerKnowsTheAlarmNames(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	vars := subValues(t, tpl)
	fn := resource(t, res, "AlarmHandlerFunction", "AWS::Serverless::Function")
	prefixValue := path(fn.Properties, "Environment", "Variables", "ALARM_NAME_PREFIX")
	if prefixValue == nil {
		t.Fatal("AlarmHandlerFunction has no ALARM_NAME_PREFIX")
	}
	prefix := cfntemplateSub(t, prefixValue, vars)
	if prefix != testStack+"-" {
		t.Errorf("ALARM_NAME_PREFIX is %q in stack %s, want %q", prefix, testStack, testStack+"-")
	}
	for _, model := range testModels {
		for _, a := range catalog.Alarms {
			r := resource(t, res, alarmLogicalID(a.Kind, model), "AWS::CloudWatch::Alarm")
			name := cfntemplateSub(t, r.Properties["AlarmName"], vars)
			got, kind, ok := catalog.ParseAlarmName(prefix, name)
			if !ok || got != model || kind.Kind != a.Kind {
				t.Errorf("alarm %s: the handler reads model %q, kind %q (%v); want %q, %q", name, got, kind.Kind, ok, model, a.Kind)
			}
		}
	}
}

// TestDefaultStackKeepsTheNames: in a stack named modelwatch (samconfig.toml's
// stack_name) the alarms and dashboards have the names they had before they
// were named from the stack (but a dashboard's '.' is now '_', which
// CloudWatch requires).
func TestDefaultStackKeepsTheNames(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	vars := subValues(t, tpl)
	vars["AWS::StackName"] = "modelwatch"
	for _, model := range testModels {
		for _, a := range catalog.Alarms {
			r := resource(t, res, alarmLogicalID(a.Kind, model), "AWS::CloudWatch::Alarm")
			if got, want := cfntemplateSub(t, r.Properties["AlarmName"], vars), catalog.AlarmName(model, a.Kind); got != want {
				t.Errorf("alarm name %q, want %q", got, want)
			}
		}
		d := resource(t, res, "Dashboard"+alnum(model), "AWS::CloudWatch::Dashboard")
		if got, want := dashboardName(t, d, vars), strings.ReplaceAll("modelwatch-"+model, ".", "_"); got != want {
			t.Errorf("dashboard name %q, want %s", got, want)
		}
	}
}

// alarmLogicalID is the logical id of a model's alarm of a kind:
// feature-drift -> FeatureDriftAlarm{model without punctuation}.
func alarmLogicalID(kind, model string) string {
	var b strings.Builder
	for _, w := range strings.Split(kind, "-") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String() + "Alarm" + alnum(model)
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
