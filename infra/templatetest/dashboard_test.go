package templatetest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/infra/cfntemplate"
	"github.com/modelwatch/modelwatch/shared/catalog"
)

var update = flag.Bool("update", false, "copy infra/dashboard.json into template.yaml")

const dashboardMarker = "DashboardBody: !Sub |"

// spliceDashboard replaces the literal block after the DashboardBody line of
// the template with body, indented two spaces deeper than that line.
func spliceDashboard(tpl, body []byte) ([]byte, error) {
	lines := strings.Split(string(tpl), "\n")
	at := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == dashboardMarker {
			if at >= 0 {
				return nil, fmt.Errorf("template.yaml has %q twice", dashboardMarker)
			}
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("template.yaml has no line %q", dashboardMarker)
	}
	indent := len(lines[at]) - len(strings.TrimLeft(lines[at], " "))
	end := at + 1
	for end < len(lines) && (strings.TrimSpace(lines[end]) == "" || len(lines[end])-len(strings.TrimLeft(lines[end], " ")) > indent) {
		end++
	}
	for end > at+1 && strings.TrimSpace(lines[end-1]) == "" { // keep the blank lines after the block
		end--
	}
	pad := strings.Repeat(" ", indent+2)
	var block []string
	for _, l := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		if l == "" {
			block = append(block, "")
			continue
		}
		block = append(block, pad+l)
	}
	out := slices.Concat(lines[:at+1], block, lines[end:])
	return []byte(strings.Join(out, "\n")), nil
}

func TestDashboardBodyIsInfraFile(t *testing.T) {
	body := readFile(t, "infra/dashboard.json")
	tplPath := repoPath(t, "template.yaml")
	tpl, err := os.ReadFile(tplPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := spliceDashboard(tpl, body)
	if err != nil {
		t.Fatal(err)
	}
	if *update && !bytes.Equal(want, tpl) {
		if err := os.WriteFile(tplPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("copied infra/dashboard.json into template.yaml")
		return
	}
	if !bytes.Equal(want, tpl) {
		t.Fatal("template.yaml's DashboardBody differs from infra/dashboard.json; run: go test ./infra/templatetest -run Dashboard -update")
	}
	// And the decoded value is the file, byte for byte.
	for _, m := range testModels {
		r := resource(t, resources(t), "Dashboard"+alnum(m), "AWS::CloudWatch::Dashboard")
		s, ok := cfntemplate.SubString(r.Properties["DashboardBody"])
		if !ok {
			t.Fatalf("DashboardBody of %s is not an Fn::Sub string", m)
		}
		if got, want := s, strings.ReplaceAll(string(body), "${Model}", m); strings.TrimSpace(got) != strings.TrimSpace(want) {
			t.Errorf("DashboardBody of %s is not infra/dashboard.json with Model=%s", m, m)
		}
	}
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

func alnum(s string) string { return nonAlnum.ReplaceAllString(s, "") }

// subValues are the values the dashboard body is rendered with: the
// parameters' defaults, resource names and pseudo parameters.
func subValues(t *testing.T, tpl *cfntemplate.Template) map[string]string {
	vars := tpl.ParameterDefaults()
	vars["AWS::Region"] = "eu-west-1"
	vars["AWS::Partition"] = "aws"
	vars["AWS::AccountId"] = "123456789012"
	vars["AWS::URLSuffix"] = "amazonaws.com"
	vars["AWS::StackName"] = testStack
	vars["DataBucket"] = testStack + "-databucket-1"
	return vars
}

type dashboard struct {
	Widgets []struct {
		Type       string         `json:"type"`
		X          int            `json:"x"`
		Y          int            `json:"y"`
		Width      int            `json:"width"`
		Height     int            `json:"height"`
		Properties map[string]any `json:"properties"`
	} `json:"widgets"`
}

var searchMetric = regexp.MustCompile(`MetricName="([A-Za-z0-9]+)"`)

func TestDashboardShowsEveryModelsMetrics(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	vars := subValues(t, tpl)
	for _, model := range testModels {
		t.Run(model, func(t *testing.T) {
			r := resource(t, res, "Dashboard"+alnum(model), "AWS::CloudWatch::Dashboard")
			if got, want := dashboardName(t, r, vars), strings.ReplaceAll(testStack+"-"+model, ".", "_"); got != want {
				t.Errorf("DashboardName %q, want %s", got, want)
			}
			body := cfntemplateSub(t, r.Properties["DashboardBody"], vars)
			var d dashboard
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatalf("the rendered dashboard body is not JSON: %v\n%s", err, body)
			}
			metrics := map[string]bool{}
			var alarms []string
			for i, w := range d.Widgets {
				if w.Width <= 0 || w.Height <= 0 || w.X+w.Width > 24 {
					t.Errorf("widget %d: position x=%d width=%d height=%d outside the 24-column grid", i, w.X, w.Width, w.Height)
				}
				switch w.Type {
				case "alarm":
					for _, a := range w.Properties["alarms"].([]any) {
						alarms = append(alarms, a.(string))
					}
				case "metric":
					if w.Properties["region"] != "eu-west-1" {
						t.Errorf("widget %q: region %v", w.Properties["title"], w.Properties["region"])
					}
					for _, row := range w.Properties["metrics"].([]any) {
						cells := row.([]any)
						if expr, ok := path(cells[0], "expression").(string); ok {
							for _, m := range searchMetric.FindAllStringSubmatch(expr, -1) {
								metrics[m[1]] = true
							}
							if !strings.Contains(expr, `Model="`+model+`"`) || !strings.Contains(expr, `{"ModelWatch",`) {
								t.Errorf("expression %s does not select model %s in namespace ModelWatch", expr, model)
							}
							continue
						}
						if cells[0] != "ModelWatch" || len(cells) < 4 || cells[2] != catalog.DimModel || cells[3] != model {
							t.Errorf("widget %q: metric %v is not ModelWatch/.../Model=%s", w.Properties["title"], cells, model)
							continue
						}
						metrics[cells[1].(string)] = true
					}
				}
			}
			for name := range metrics {
				if _, ok := catalog.Lookup(name); !ok {
					t.Errorf("the dashboard shows metric %s, which shared/catalog does not know", name)
				}
			}
			for _, name := range []string{catalog.FeaturePSI, catalog.DriftedFeatureShare, catalog.ClassShare, catalog.Accuracy,
				catalog.F1, catalog.AUC, catalog.LabelCoverage, catalog.LatencyP50, catalog.LatencyP99, catalog.ErrorRate,
				catalog.PredictionCount, catalog.MaxFeaturePSI, catalog.PredictionPSI} {
				if !metrics[name] {
					t.Errorf("the dashboard does not show %s", name)
				}
			}
			var want []string
			for _, a := range catalog.Alarms {
				alarm := resource(t, res, alarmLogicalID(a.Kind, model), "AWS::CloudWatch::Alarm")
				want = append(want, "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:"+cfntemplateSub(t, alarm.Properties["AlarmName"], vars))
			}
			if !slices.Equal(alarms, want) {
				t.Errorf("alarm widget lists\n%v\nwant\n%v", alarms, want)
			}
		})
	}
}

// TestDashboardLinesFollowTheThresholds renders the dashboard with
// thresholds other than the defaults, each its own value: every alarm's
// threshold is a line on a widget that shows the alarm's metric (the
// largest feature PSI's also on the PSI of every feature), and the PSI
// widgets keep the warn line at 0.1.
func TestDashboardLinesFollowTheThresholds(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	settings := []map[string]string{
		{}, // the defaults
		{"FeaturePSIThreshold": "0.31", "PredictionPSIThreshold": "0.27", "DriftedShareThreshold": "0.45",
			"AccuracyThreshold": "0.85", "LatencyP99ThresholdMs": "750", "ErrorRateThresholdPercent": "2.5"},
	}
	for i, set := range settings {
		vars := subValues(t, tpl)
		for k, v := range set {
			vars[k] = v
		}
		r := resource(t, res, "Dashboard"+alnum(testModels[0]), "AWS::CloudWatch::Dashboard")
		body := cfntemplateSub(t, r.Properties["DashboardBody"], vars)
		var d dashboard
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatalf("settings %d: the rendered dashboard body is not JSON: %v\n%s", i, err, body)
		}
		// lines[metric] are the horizontal lines of the widgets that show metric.
		lines := map[string][]float64{}
		for _, w := range d.Widgets {
			if w.Type != "metric" {
				continue
			}
			var values []float64
			if h, ok := path(w.Properties, "annotations", "horizontal").([]any); ok {
				for _, a := range h {
					v, ok := path(a, "value").(float64)
					if !ok {
						t.Errorf("settings %d: widget %q: annotation %v has no number value", i, w.Properties["title"], a)
					}
					values = append(values, v)
				}
			}
			for _, row := range w.Properties["metrics"].([]any) {
				cells := row.([]any)
				if expr, ok := path(cells[0], "expression").(string); ok {
					for _, m := range searchMetric.FindAllStringSubmatch(expr, -1) {
						lines[m[1]] = append(lines[m[1]], values...)
					}
				} else if len(cells) > 1 {
					name, _ := cells[1].(string)
					lines[name] = append(lines[name], values...)
				}
			}
		}
		value := func(param string) float64 {
			v, err := strconv.ParseFloat(vars[param], 64)
			if err != nil {
				t.Fatalf("settings %d: %s = %q: %v", i, param, vars[param], err)
			}
			return v
		}
		for _, a := range catalog.Alarms {
			if want := value(a.ThresholdParameter); !slices.Contains(lines[a.Metric], want) {
				t.Errorf("settings %d: no line at the %s alarm's threshold %s = %v on a widget of %s (lines %v)",
					i, a.Kind, a.ThresholdParameter, want, a.Metric, lines[a.Metric])
			}
		}
		if want := value("FeaturePSIThreshold"); !slices.Contains(lines[catalog.FeaturePSI], want) {
			t.Errorf("settings %d: no line at FeaturePSIThreshold = %v on the PSI of every feature", i, want)
		}
		for _, m := range []string{catalog.FeaturePSI, catalog.MaxFeaturePSI, catalog.PredictionPSI} {
			if !slices.Contains(lines[m], 0.1) {
				t.Errorf("settings %d: no warn line at PSI 0.1 on the widget of %s", i, m)
			}
		}
	}
}

// validDashboardName is what CloudWatch takes as a dashboard's name.
var validDashboardName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// dashboardName renders a dashboard's name and checks that CloudWatch takes it.
func dashboardName(t *testing.T, r cfntemplate.Resource, vars map[string]string) string {
	t.Helper()
	name, err := cfntemplate.Resolve(r.Properties["DashboardName"], vars)
	if err != nil {
		t.Fatalf("DashboardName: %v", err)
	}
	if !validDashboardName.MatchString(name) {
		t.Errorf("DashboardName %q has characters other than letters, digits, '-' and '_'", name)
	}
	return name
}

// TestDashboardURLsNameTheDashboards: the stack's output for each model's
// dashboard opens that dashboard.
func TestDashboardURLsNameTheDashboards(t *testing.T) {
	tpl := loadTemplate(t)
	res := resources(t)
	vars := subValues(t, tpl)
	outputs, err := tpl.Expand("Outputs", map[string]string{"Models": strings.Join(testModels, ",")})
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range testModels {
		name := dashboardName(t, resource(t, res, "Dashboard"+alnum(model), "AWS::CloudWatch::Dashboard"), vars)
		url, err := cfntemplate.Resolve(path(outputs["Dashboard"+alnum(model)+"Url"], "Value"), vars)
		if err != nil {
			t.Fatalf("output Dashboard%sUrl: %v", alnum(model), err)
		}
		if want := "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=" + name; url != want {
			t.Errorf("output Dashboard%sUrl is %s, want %s", alnum(model), url, want)
		}
	}
}

func cfntemplateSub(t *testing.T, v any, vars map[string]string) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	s, ok := cfntemplate.SubString(v)
	if !ok {
		t.Fatalf("%v is not an Fn::Sub string", v)
	}
	out, err := cfntemplate.Sub(s, vars)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
