package alarm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/layout"
)

// State is a CloudWatch alarm state.
type State string

// The alarm states.
const (
	StateAlarm            State = "ALARM"
	StateOK               State = "OK"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

func (s State) valid() bool {
	return s == StateAlarm || s == StateOK || s == StateInsufficientData
}

// ModelDimension is the CloudWatch dimension that names the model.
const ModelDimension = catalog.DimModel

// AlarmNamePrefix starts the names of modelwatch's alarms in a stack with
// the default name, modelwatch-{model}-{kind} (catalog.AlarmName). Another
// stack's alarms start with its name and a hyphen: the template gives the
// alarm handler that prefix in ALARM_NAME_PREFIX (Settings.AlarmNamePrefix).
const AlarmNamePrefix = catalog.DefaultAlarmNamePrefix

// ErrNotAlarm is wrapped by DecodeNotification when a message is not a
// CloudWatch alarm notification.
var ErrNotAlarm = errors.New("not a CloudWatch alarm notification")

// Notification is the JSON message CloudWatch publishes to SNS when an alarm
// changes state.
type Notification struct {
	AlarmName        string `json:"AlarmName"`
	AlarmDescription string `json:"AlarmDescription,omitempty"`
	AlarmARN         string `json:"AlarmArn,omitempty"`
	AccountID        string `json:"AWSAccountId,omitempty"`
	Region           string `json:"Region,omitempty"`
	NewState         State  `json:"NewStateValue"`
	OldState         State  `json:"OldStateValue,omitempty"`
	Reason           string `json:"NewStateReason,omitempty"`
	// StateChangeTime is when the alarm changed state; CloudWatch writes it
	// as 2026-11-26T20:05:12.345+0000.
	StateChangeTime time.Time `json:"-"`
	Trigger         Trigger   `json:"Trigger"`
}

// Trigger describes the alarm's metric and threshold. A single-metric alarm
// sets MetricName, Namespace and Dimensions; a metric-math alarm sets
// Metrics.
type Trigger struct {
	MetricName         string        `json:"MetricName,omitempty"`
	Namespace          string        `json:"Namespace,omitempty"`
	Statistic          string        `json:"Statistic,omitempty"`
	Dimensions         []Dimension   `json:"Dimensions,omitempty"`
	Metrics            []MetricQuery `json:"Metrics,omitempty"`
	Period             int64         `json:"Period,omitempty"`
	EvaluationPeriods  int64         `json:"EvaluationPeriods,omitempty"`
	ComparisonOperator string        `json:"ComparisonOperator,omitempty"`
	// Threshold is absent for anomaly-detection alarms.
	Threshold *float64 `json:"Threshold,omitempty"`
}

// Dimension is a metric dimension; CloudWatch spells the keys in lower case.
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MetricQuery is one entry of a metric-math alarm's Metrics.
type MetricQuery struct {
	ID         string      `json:"Id"`
	Expression string      `json:"Expression,omitempty"`
	ReturnData bool        `json:"ReturnData,omitempty"`
	MetricStat *MetricStat `json:"MetricStat,omitempty"`
}

// MetricStat is the metric a MetricQuery reads.
type MetricStat struct {
	Metric struct {
		Namespace  string      `json:"Namespace,omitempty"`
		MetricName string      `json:"MetricName,omitempty"`
		Dimensions []Dimension `json:"Dimensions,omitempty"`
	} `json:"Metric"`
	Period int64  `json:"Period,omitempty"`
	Stat   string `json:"Stat,omitempty"`
}

// stateChangeLayouts are the forms of StateChangeTime accepted:
// CloudWatch's own, and RFC 3339.
var stateChangeLayouts = []string{"2006-01-02T15:04:05.999999999-0700", time.RFC3339Nano}

// DecodeNotification decodes a CloudWatch alarm notification. It returns an
// error wrapping ErrNotAlarm, saying what is wrong, when message is not one:
// not a JSON object, no AlarmName, an unknown NewStateValue, or a missing or
// unreadable StateChangeTime.
func DecodeNotification(message []byte) (*Notification, error) {
	var raw struct {
		Notification
		StateChangeTime *string `json:"StateChangeTime"`
	}
	trimmed := bytes.TrimSpace(message)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: the message is not a JSON object", ErrNotAlarm)
	}
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAlarm, err)
	}
	n := raw.Notification
	switch {
	case n.AlarmName == "":
		return nil, fmt.Errorf("%w: no AlarmName", ErrNotAlarm)
	case n.NewState == "":
		return nil, fmt.Errorf("%w: alarm %q: no NewStateValue", ErrNotAlarm, n.AlarmName)
	case !n.NewState.valid():
		return nil, fmt.Errorf("%w: alarm %q: NewStateValue %q is not ALARM, OK or INSUFFICIENT_DATA", ErrNotAlarm, n.AlarmName, n.NewState)
	case raw.StateChangeTime == nil || *raw.StateChangeTime == "":
		return nil, fmt.Errorf("%w: alarm %q: no StateChangeTime", ErrNotAlarm, n.AlarmName)
	}
	at, err := parseStateChangeTime(*raw.StateChangeTime)
	if err != nil {
		return nil, fmt.Errorf("%w: alarm %q: %v", ErrNotAlarm, n.AlarmName, err)
	}
	n.StateChangeTime = at
	return &n, nil
}

func parseStateChangeTime(s string) (time.Time, error) {
	for _, layout := range stateChangeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("StateChangeTime %q is not a time like 2026-11-26T20:05:12.345+0000", s)
}

// Metric returns the namespace and name of the alarm's metric: the
// Trigger's metric, or for a metric-math alarm the metric its queries read
// (the one with a Model dimension first), or else the metric of the
// catalog's alarm kind of a name {prefix}{model}-{kind} (namespace empty).
// An empty prefix means AlarmNamePrefix. It returns empty strings when none
// of these names a metric.
func (n *Notification) Metric(prefix string) (namespace, name string) {
	if n.Trigger.MetricName != "" {
		return n.Trigger.Namespace, n.Trigger.MetricName
	}
	var first *MetricStat
	for _, q := range n.Trigger.Metrics {
		if q.MetricStat == nil || q.MetricStat.Metric.MetricName == "" {
			continue
		}
		if dimension(q.MetricStat.Metric.Dimensions, ModelDimension) != "" {
			return q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName
		}
		if first == nil {
			first = q.MetricStat
		}
	}
	if first != nil {
		return first.Metric.Namespace, first.Metric.MetricName
	}
	if _, a, ok := catalog.ParseAlarmName(orDefault(prefix), n.AlarmName); ok {
		return "", a.Metric
	}
	return "", ""
}

// ModelSource says where Model found the model's name.
type ModelSource string

// Where a model name can come from.
const (
	FromDimension ModelSource = "dimension"
	FromAlarmName ModelSource = "alarm_name"
)

// Model returns the model the alarm is about: the value of the Model
// dimension of its metric (or of a metric-math query's metric), else the
// {model} part of an alarm name {prefix}{model}-{kind} where kind is one of
// the catalog's alarm kinds (catalog.ParseAlarmName). An empty prefix means
// AlarmNamePrefix, the default stack's. It returns an error when neither
// names a valid model.
func (n *Notification) Model(prefix string) (string, ModelSource, error) {
	model := dimension(n.Trigger.Dimensions, ModelDimension)
	if model == "" {
		for _, q := range n.Trigger.Metrics {
			if q.MetricStat != nil {
				if model = dimension(q.MetricStat.Metric.Dimensions, ModelDimension); model != "" {
					break
				}
			}
		}
	}
	if model != "" {
		if err := layout.CheckModel(model); err != nil {
			return "", FromDimension, fmt.Errorf("alarm %q: %s dimension: %w", n.AlarmName, ModelDimension, err)
		}
		return model, FromDimension, nil
	}
	prefix = orDefault(prefix)
	model, _, ok := catalog.ParseAlarmName(prefix, n.AlarmName)
	if !ok {
		return "", FromAlarmName, fmt.Errorf("alarm %q has no %s dimension and its name is not %s{model}-{kind} with a kind of the catalog", n.AlarmName, ModelDimension, prefix)
	}
	if err := layout.CheckModel(model); err != nil {
		return "", FromAlarmName, fmt.Errorf("alarm %q: name: %w", n.AlarmName, err)
	}
	return model, FromAlarmName, nil
}

// orDefault returns prefix, or AlarmNamePrefix when it is empty.
func orDefault(prefix string) string {
	if prefix == "" {
		return AlarmNamePrefix
	}
	return prefix
}

func dimension(dims []Dimension, name string) string {
	for _, d := range dims {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

// datapoint matches the first datapoint CloudWatch lists in a state reason,
// "... datapoints [0.41 (26/11/26 20:00:00), 0.3 (...)] was ...": the most
// recent one.
var datapoint = regexp.MustCompile(`\[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\(`)

// Value returns the metric value that moved the alarm, read from the most
// recent datapoint in NewStateReason; ok is false when the reason names
// none (e.g. missing data treated as breaching).
func (n *Notification) Value() (v float64, ok bool) {
	m := datapoint.FindStringSubmatch(n.Reason)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
