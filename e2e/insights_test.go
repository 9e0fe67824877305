package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/modelwatch/modelwatch/shared/catalog"
)

// insightsQuery reads the deployed alarms' Metrics Insights queries, the
// form template.yaml writes (catalog.Alarm.Query).
var insightsQuery = regexp.MustCompile(`^SELECT (MAX|MIN|AVG)\((\w+)\) FROM SCHEMA\("([^"]+)", Model\) GROUP BY Model ORDER BY (?:MAX|MIN|AVG)\(\) (?:ASC|DESC)$`)

// insightsAlarm is a deployed multi-time-series alarm, read back with
// DescribeAlarms, and its query.
type insightsAlarm struct {
	def                   cwtypes.MetricAlarm
	fn, metric, namespace string
	period                int32
}

// alarmEvaluator evaluates the deployed Metrics Insights alarms on the
// published datapoints, as CloudWatch would, and publishes the notification
// CloudWatch sends for a contributor's change of state to the alarms'
// topic: MiniStack stores such alarms (with tools/ministack_launch.py) but
// does not evaluate them (e2e/doc.go). Contributors start in OK.
type alarmEvaluator struct {
	d      *deployment
	alarms []insightsAlarm
	// state[alarm][model] is the contributor's state.
	state map[string]map[string]cwtypes.StateValue
}

func newAlarmEvaluator(t *testing.T, ctx context.Context, d *deployment) *alarmEvaluator {
	t.Helper()
	out, err := d.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(d.stack + "-")})
	if err != nil {
		t.Fatalf("describe the stack's alarms: %v", err)
	}
	e := &alarmEvaluator{d: d, state: map[string]map[string]cwtypes.StateValue{}}
	var kinds []string
	for _, a := range out.MetricAlarms {
		if len(a.Metrics) == 0 {
			continue
		}
		if len(a.Metrics) != 1 {
			t.Fatalf("alarm %s has %d queries, want one Metrics Insights query", aws.ToString(a.AlarmName), len(a.Metrics))
		}
		q := a.Metrics[0]
		m := insightsQuery.FindStringSubmatch(aws.ToString(q.Expression))
		if m == nil {
			t.Fatalf("alarm %s: query %q is not SELECT FN(metric) FROM SCHEMA(\"ns\", Model) GROUP BY Model ORDER BY ...", aws.ToString(a.AlarmName), aws.ToString(q.Expression))
		}
		if a.Threshold == nil || !aws.ToBool(q.ReturnData) || aws.ToInt32(q.Period) <= 0 {
			t.Fatalf("alarm %s: threshold %v, query %+v", aws.ToString(a.AlarmName), a.Threshold, q)
		}
		e.alarms = append(e.alarms, insightsAlarm{def: a, fn: m[1], metric: m[2], namespace: m[3], period: aws.ToInt32(q.Period)})
		e.state[aws.ToString(a.AlarmName)] = map[string]cwtypes.StateValue{}
		kinds = append(kinds, strings.TrimPrefix(aws.ToString(a.AlarmName), d.stack+"-"))
	}
	for _, a := range catalog.Alarms {
		if !slices.Contains(kinds, a.Kind) {
			t.Fatalf("the deployed stack has no Metrics Insights alarm %s (it has %v)", catalog.KindAlarmName(d.stack+"-", a.Kind), kinds)
		}
	}
	return e
}

// statistic is the GetMetricStatistics statistic of a query's function.
var statistic = map[string]cwtypes.Statistic{"MAX": cwtypes.StatisticMaximum, "MIN": cwtypes.StatisticMinimum, "AVG": cwtypes.StatisticAverage}

// evaluate evaluates every alarm at now: each contributor (a Model whose
// metric has datapoints in the last 3 hours, the most Metrics Insights
// alarms read) is decided by its most recent period, as with one
// evaluation period; a change publishes the contributor's notification.
// It returns the states that changed, "alarm/model:STATE".
func (e *alarmEvaluator) evaluate(t *testing.T, ctx context.Context, now time.Time) []string {
	t.Helper()
	var changed []string
	for _, a := range e.alarms {
		name := aws.ToString(a.def.AlarmName)
		for model, v := range e.latest(t, ctx, a, now) {
			breaching := map[cwtypes.ComparisonOperator]bool{
				cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold: v >= *a.def.Threshold,
				cwtypes.ComparisonOperatorGreaterThanThreshold:          v > *a.def.Threshold,
				cwtypes.ComparisonOperatorLessThanThreshold:             v < *a.def.Threshold,
				cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:    v <= *a.def.Threshold,
			}[a.def.ComparisonOperator]
			state := cwtypes.StateValueOk
			if breaching {
				state = cwtypes.StateValueAlarm
			}
			old, ok := e.state[name][model]
			if !ok {
				old = cwtypes.StateValueOk
			}
			e.state[name][model] = state
			if state == old {
				continue
			}
			changed = append(changed, name+"/"+model+":"+string(state))
			e.notify(t, ctx, a, model, old, state, v, now)
		}
	}
	slices.Sort(changed)
	return changed
}

// latest returns each contributor's most recent datapoint of the last 3
// hours, by the query's function.
func (e *alarmEvaluator) latest(t *testing.T, ctx context.Context, a insightsAlarm, now time.Time) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	pages := cloudwatch.NewListMetricsPaginator(e.d.cw, &cloudwatch.ListMetricsInput{Namespace: aws.String(a.namespace), MetricName: aws.String(a.metric)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("list metrics %s/%s: %v", a.namespace, a.metric, err)
		}
		for _, m := range page.Metrics {
			// SCHEMA("ns", Model): the series with exactly the Model dimension.
			if len(m.Dimensions) != 1 || aws.ToString(m.Dimensions[0].Name) != catalog.DimModel {
				continue
			}
			model := aws.ToString(m.Dimensions[0].Value)
			st, err := e.d.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String(a.namespace), MetricName: aws.String(a.metric), Dimensions: m.Dimensions,
				StartTime: aws.Time(now.Add(-3 * time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
				Period: aws.Int32(a.period), Statistics: []cwtypes.Statistic{statistic[a.fn]},
			})
			if err != nil {
				t.Fatalf("statistics of %s/%s Model=%s: %v", a.namespace, a.metric, model, err)
			}
			var at time.Time
			for _, dp := range st.Datapoints {
				ts := aws.ToTime(dp.Timestamp)
				if ts.Before(at) {
					continue
				}
				var v *float64
				switch a.fn {
				case "MAX":
					v = dp.Maximum
				case "MIN":
					v = dp.Minimum
				default:
					v = dp.Average
				}
				if v != nil {
					at, out[model] = ts, *v
				}
			}
		}
	}
	return out
}

// comparisonWords is how CloudWatch words a comparison in a state reason.
var comparisonWords = map[cwtypes.ComparisonOperator]string{
	cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold: "greater than or equal to",
	cwtypes.ComparisonOperatorGreaterThanThreshold:          "greater than",
	cwtypes.ComparisonOperatorLessThanThreshold:             "less than",
	cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:    "less than or equal to",
}

// notify publishes, to each topic of the alarm's actions for the new state,
// the notification of one contributor's change: the alarm's own fields
// (read back from the deployed alarm) and the contributor, named with
// AlarmContributorId and AlarmContributorAttributes.
func (e *alarmEvaluator) notify(t *testing.T, ctx context.Context, a insightsAlarm, model string, old, state cwtypes.StateValue, v float64, now time.Time) {
	t.Helper()
	name := aws.ToString(a.def.AlarmName)
	not := ""
	if state == cwtypes.StateValueOk {
		not = "not "
	}
	sum := sha256.Sum256([]byte(name + "/" + model))
	type query struct {
		ID         string `json:"Id"`
		Expression string `json:"Expression"`
		Period     int32  `json:"Period"`
		ReturnData bool   `json:"ReturnData"`
	}
	msg := map[string]any{
		"AlarmName":        name,
		"AlarmDescription": aws.ToString(a.def.AlarmDescription),
		"AWSAccountId":     "000000000000",
		"NewStateValue":    string(state),
		"NewStateReason": fmt.Sprintf("Threshold Crossed: 1 datapoint was %s%s the threshold (%v). The most recent datapoint: [%v (%s)].",
			not, comparisonWords[a.def.ComparisonOperator], *a.def.Threshold, v, now.UTC().Truncate(time.Hour).Format("02/01/06 15:04:05")),
		"StateChangeTime":            now.UTC().Format("2006-01-02T15:04:05.000-0700"),
		"Region":                     region,
		"AlarmArn":                   aws.ToString(a.def.AlarmArn),
		"OldStateValue":              string(old),
		"AlarmContributorId":         hex.EncodeToString(sum[:8]),
		"AlarmContributorAttributes": map[string]string{catalog.DimModel: model},
		"Trigger": map[string]any{
			"Metrics":            []query{{ID: aws.ToString(a.def.Metrics[0].Id), Expression: aws.ToString(a.def.Metrics[0].Expression), Period: a.period, ReturnData: true}},
			"Period":             a.period,
			"EvaluationPeriods":  aws.ToInt32(a.def.EvaluationPeriods),
			"ComparisonOperator": string(a.def.ComparisonOperator),
			"Threshold":          *a.def.Threshold,
			"TreatMissingData":   aws.ToString(a.def.TreatMissingData),
		},
	}
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	actions := a.def.AlarmActions
	if state == cwtypes.StateValueOk {
		actions = a.def.OKActions
	}
	for _, topic := range actions {
		if _, err := e.d.sns.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(topic), Message: aws.String(string(body)),
			Subject: aws.String(fmt.Sprintf("%s: %q in %s", state, name, region)),
		}); err != nil {
			t.Fatalf("publish the notification of %s/%s to %s: %v", name, model, topic, err)
		}
	}
}
