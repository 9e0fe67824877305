package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/catalog"
)

// Alarm states, as CloudWatch names them.
const (
	StateOK    = "OK"
	StateAlarm = "ALARM"
)

// evaluationRangeExtra is how many periods beyond EvaluationPeriods an
// alarm looks back for datapoints when the most recent periods have none.
// CloudWatch calls this the evaluation range and does not publish its
// exact length; two extra periods is the demo's assumption. A datapoint
// published later than that for an old timestamp (a late label's
// accuracy, say) is never evaluated, as in CloudWatch.
const evaluationRangeExtra = 2

// AlarmEvaluator evaluates a model's alarms over the sink's series the way
// CloudWatch evaluates a multi-time-series alarm's contributor, from the
// definitions of catalog.Alarms (the ones template.yaml creates, one per
// kind over every model, with their default thresholds; the model is the
// contributor of each): each period's datapoint is the alarm's statistic of the
// samples published for it; the most recent EvaluationPeriods datapoints of
// the evaluation range decide; missing data is not breaching. Alarms start
// in OK. A change of state is a Transition, which Notification turns into
// the message CloudWatch publishes to the alerts topic.
type AlarmEvaluator struct {
	sink      *MetricSink
	model     string
	namespace string
	alarms    []catalog.Alarm
	state     map[string]string
}

// NewAlarmEvaluator returns an evaluator of model's alarms in namespace.
func NewAlarmEvaluator(sink *MetricSink, namespace, model string) *AlarmEvaluator {
	e := &AlarmEvaluator{sink: sink, model: model, namespace: namespace, alarms: catalog.Alarms, state: map[string]string{}}
	for _, a := range e.alarms {
		e.state[a.Kind] = StateOK
	}
	return e
}

// Alarms returns the alarm definitions the evaluator uses.
func (e *AlarmEvaluator) Alarms() []catalog.Alarm { return e.alarms }

// State returns the state of the alarm of the given kind.
func (e *AlarmEvaluator) State(kind string) string { return e.state[kind] }

// Transition is one alarm's change of state.
type Transition struct {
	Alarm    catalog.Alarm
	Name     string
	Old, New string
	At       time.Time
	// Datapoints are the values that decided, most recent first, with
	// their period starts; empty when missing data decided.
	Datapoints []PeriodValue
	Reason     string
}

// PeriodValue is one period's datapoint.
type PeriodValue struct {
	Start time.Time
	Value float64
}

// Value is the most recent datapoint that decided, if any.
func (t Transition) Value() (float64, bool) {
	if len(t.Datapoints) == 0 {
		return 0, false
	}
	return t.Datapoints[0].Value, true
}

// Evaluate evaluates every alarm at time at, with the data published by
// then, and returns the transitions, in catalog order.
func (e *AlarmEvaluator) Evaluate(at time.Time) []Transition {
	var out []Transition
	for _, a := range e.alarms {
		period := time.Duration(a.Period) * time.Second
		key := SeriesKey{Metric: a.Metric, Dimensions: catalog.DimModel + "=" + e.model}
		latest := at.UTC().Truncate(period)
		var points []PeriodValue
		for k := 0; k < a.EvaluationPeriods+evaluationRangeExtra && len(points) < a.EvaluationPeriods; k++ {
			start := latest.Add(-time.Duration(k) * period)
			if v, ok := Statistic(a.Statistic, e.sink.Samples(e.namespace, key, start, period, at)); ok {
				points = append(points, PeriodValue{Start: start, Value: v})
			}
		}
		// With fewer datapoints than needed, the missing ones are not
		// breaching (TreatMissingData: notBreaching), so the alarm is OK.
		breaching := len(points) == a.EvaluationPeriods
		for _, p := range points {
			breaching = breaching && a.Breaches(p.Value, a.DefaultThreshold)
		}
		state := StateOK
		if breaching {
			state = StateAlarm
		}
		if state == e.state[a.Kind] {
			continue
		}
		tr := Transition{Alarm: a, Name: catalog.KindAlarmName(catalog.DefaultAlarmNamePrefix, a.Kind), Old: e.state[a.Kind], New: state, At: at.UTC(), Datapoints: points}
		tr.Reason = reason(a, tr)
		e.state[a.Kind] = state
		out = append(out, tr)
	}
	return out
}

// comparisonText is how CloudWatch words a comparison in a state reason.
var comparisonText = map[string]string{
	catalog.GreaterThanOrEqual: "greater than or equal to",
	catalog.GreaterThan:        "greater than",
	catalog.LessThan:           "less than",
}

// reason is the NewStateReason CloudWatch writes for the transition.
func reason(a catalog.Alarm, t Transition) string {
	if len(t.Datapoints) == 0 {
		return fmt.Sprintf("Threshold Crossed: no datapoints were received for %d period%s and %d missing datapoint%s %s treated as [NonBreaching].",
			a.EvaluationPeriods, plural(a.EvaluationPeriods), a.EvaluationPeriods, plural(a.EvaluationPeriods), wasWere(a.EvaluationPeriods))
	}
	var dps []string
	for _, p := range t.Datapoints {
		dps = append(dps, fmt.Sprintf("%s (%s)", formatValue(p.Value), p.Start.Format("02/01/06 15:04:05")))
	}
	not := ""
	if t.New == StateOK {
		not = "not "
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s%s the threshold (%s) (minimum %d datapoint for %s -> %s transition).",
		len(t.Datapoints), a.EvaluationPeriods, strings.Join(dps, ", "), wasWere(len(t.Datapoints)),
		not, comparisonText[a.Comparison], formatValue(a.DefaultThreshold), a.EvaluationPeriods, t.Old, t.New)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// The demo's stand-ins for the account, region and topic of a deployment.
const (
	demoAccount     = "000000000000"
	demoRegion      = "us-east-1"
	demoRegionName  = "US East (N. Virginia)"
	alertsTopicName = "modelwatch-alerts"
)

func alertsTopicARN() string {
	return "arn:aws:sns:" + demoRegion + ":" + demoAccount + ":" + alertsTopicName
}

// Notification is the JSON message CloudWatch publishes to the alarm's
// SNS topic for t, a change of the model's contributor: the document the
// alarm handler decodes. It names the contributor with
// AlarmContributorId and AlarmContributorAttributes ({"Model": model}).
func (e *AlarmEvaluator) Notification(t Transition) ([]byte, error) {
	type query struct {
		ID         string `json:"Id"`
		Expression string `json:"Expression"`
		Period     int    `json:"Period"`
		ReturnData bool   `json:"ReturnData"`
	}
	type trigger struct {
		Metrics                          []query `json:"Metrics"`
		Period                           int     `json:"Period"`
		EvaluationPeriods                int     `json:"EvaluationPeriods"`
		DatapointsToAlarm                int     `json:"DatapointsToAlarm"`
		ComparisonOperator               string  `json:"ComparisonOperator"`
		Threshold                        float64 `json:"Threshold"`
		TreatMissingData                 string  `json:"TreatMissingData"`
		EvaluateLowSampleCountPercentile string  `json:"EvaluateLowSampleCountPercentile"`
	}
	a := t.Alarm
	msg := struct {
		AlarmName                          string            `json:"AlarmName"`
		AlarmDescription                   string            `json:"AlarmDescription"`
		AWSAccountID                       string            `json:"AWSAccountId"`
		AlarmConfigurationUpdatedTimestamp string            `json:"AlarmConfigurationUpdatedTimestamp"`
		NewStateValue                      string            `json:"NewStateValue"`
		NewStateReason                     string            `json:"NewStateReason"`
		StateChangeTime                    string            `json:"StateChangeTime"`
		Region                             string            `json:"Region"`
		AlarmArn                           string            `json:"AlarmArn"`
		OldStateValue                      string            `json:"OldStateValue"`
		OKActions                          []string          `json:"OKActions"`
		AlarmActions                       []string          `json:"AlarmActions"`
		InsufficientDataActions            []string          `json:"InsufficientDataActions"`
		AlarmContributorID                 string            `json:"AlarmContributorId"`
		AlarmContributorAttributes         map[string]string `json:"AlarmContributorAttributes"`
		Trigger                            trigger           `json:"Trigger"`
	}{
		AlarmName:                          t.Name,
		AlarmDescription:                   fmt.Sprintf("%s of a model (the contributor) %s %s.", a.Metric, comparisonText[a.Comparison], formatValue(a.DefaultThreshold)),
		AWSAccountID:                       demoAccount,
		AlarmConfigurationUpdatedTimestamp: cloudWatchTime(t.At.Add(-24 * time.Hour)),
		NewStateValue:                      t.New,
		NewStateReason:                     t.Reason,
		StateChangeTime:                    cloudWatchTime(t.At),
		Region:                             demoRegionName,
		AlarmArn:                           "arn:aws:cloudwatch:" + demoRegion + ":" + demoAccount + ":alarm:" + t.Name,
		OldStateValue:                      t.Old,
		OKActions:                          []string{alertsTopicARN()},
		AlarmActions:                       []string{alertsTopicARN()},
		InsufficientDataActions:            []string{},
		AlarmContributorID:                 contributorID(e.model),
		AlarmContributorAttributes:         map[string]string{catalog.DimModel: e.model},
		Trigger: trigger{
			Metrics: []query{{ID: "q", Expression: a.Query(e.namespace), Period: a.Period, ReturnData: true}},
			Period:  a.Period, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.EvaluationPeriods,
			ComparisonOperator: a.Comparison, Threshold: a.DefaultThreshold, TreatMissingData: a.TreatMissingData,
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, fmt.Errorf("encode notification of %s: %w", t.Name, err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// contributorID is a stand-in for CloudWatch's contributor id: 16 hex
// digits, the same for a model every time.
func contributorID(model string) string {
	sum := sha256.Sum256([]byte(model))
	return hex.EncodeToString(sum[:8])
}

// cloudWatchTime formats t as CloudWatch's notifications do:
// 2026-11-26T20:05:12.345+0000.
func cloudWatchTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// SNSEvent wraps a notification as SNS delivers it to the alarm handler.
func SNSEvent(messageID string, t Transition, message []byte) events.SNSEvent {
	return events.SNSEvent{Records: []events.SNSEventRecord{{
		EventSource:          "aws:sns",
		EventVersion:         "1.0",
		EventSubscriptionArn: alertsTopicARN() + ":demo-alarm-handler",
		SNS: events.SNSEntity{
			Type:      "Notification",
			MessageID: messageID,
			TopicArn:  alertsTopicARN(),
			Subject:   fmt.Sprintf("%s: %q in %s", t.New, t.Name, demoRegionName),
			Message:   string(message),
			Timestamp: t.At.Add(70 * time.Millisecond),
		},
	}}}
}
