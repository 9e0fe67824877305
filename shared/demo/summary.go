package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

// Summary is summary.json: what the story did, hour by hour. An hour is
// counted from the start of the story; the window [h−1, h) is reported, and
// its alarms evaluated, at hour h.
type Summary struct {
	Model        string    `json:"model"`
	ModelVersion string    `json:"model_version"`
	Seed         uint64    `json:"seed"`
	Hours        int       `json:"hours"`
	DriftAt      int       `json:"drift_at"`
	Rate         int       `json:"rate"`
	LabelShare   float64   `json:"label_share"`
	LabelDelay   string    `json:"label_delay"`
	Start        time.Time `json:"start"`
	Events       []Event   `json:"events"`
	// Alarms are the transitions into ALARM, in order.
	Alarms []AlarmRecord `json:"alarms"`
	// RetrainRequests are the retraining workflow's executions.
	RetrainRequests []RetrainRecord `json:"retrain_requests"`
	// DriftedFeatures are the features whose severity was drift, by the
	// hour their window was reported.
	DriftedFeatures HourFeatures `json:"drifted_features"`
	// RecordsRejected counts the records the ingest function rejected.
	RecordsRejected int `json:"records_rejected"`
}

// AlarmRecord is one transition of an alarm into ALARM.
type AlarmRecord struct {
	Name   string `json:"name"`
	Metric string `json:"metric"`
	Hour   int    `json:"hour"`
	// Value is the datapoint that breached the threshold.
	Value      *float64 `json:"value"`
	Kind       string   `json:"kind"`
	Comparison string   `json:"comparison"`
	Threshold  float64  `json:"threshold"`
	// Handler is what the alarm handler did with the notification.
	Handler alarm.Outcome `json:"handler"`
	// ResolvedHour is when the alarm went back to OK, if it did.
	ResolvedHour *int `json:"resolved_hour,omitempty"`
}

// outcomeText says in words what the alarm handler did with a
// notification: short for the text summary and the run's notes, long for
// the dashboard's timeline.
var outcomeText = map[alarm.Outcome]struct{ short, long string }{
	alarm.Requested:   {"retraining requested", "retraining requested."},
	alarm.Duplicate:   {"retraining already requested (cooldown)", "retraining already requested in this cooldown slot; nothing new."},
	alarm.NotifyOnly:  {"notification only", "not a retrain trigger; people are notified."},
	alarm.NoTarget:    {"no retraining target", "no retraining target configured."},
	alarm.StateChange: {"state change", "state change only."},
	alarm.Dropped:     {"dropped", "dropped."},
	alarm.Failed:      {"failed", "failed."},
}

// RetrainRecord is one retraining request.
type RetrainRecord struct {
	Hour          int      `json:"hour"`
	Reason        string   `json:"reason"`
	AlarmName     string   `json:"alarm_name"`
	Metric        string   `json:"metric"`
	Value         *float64 `json:"value"`
	ExecutionName string   `json:"execution_name"`
}

// HourFeatures maps an hour to feature names. Its JSON is an object keyed
// by the hour, in hour order.
type HourFeatures map[int][]string

// MarshalJSON writes the hours in numeric order.
func (m HourFeatures) MarshalJSON() ([]byte, error) {
	hours := make([]int, 0, len(m))
	for h := range m {
		hours = append(hours, h)
	}
	sort.Ints(hours)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, h := range hours {
		if i > 0 {
			b.WriteByte(',')
		}
		names := m[h]
		if names == nil {
			names = []string{}
		}
		v, err := json.Marshal(names)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q:%s", strconv.Itoa(h), v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *HourFeatures) UnmarshalJSON(data []byte) error {
	var raw map[string][]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*m = HourFeatures{}
	for k, v := range raw {
		h, err := strconv.Atoi(k)
		if err != nil {
			return fmt.Errorf("drifted_features: key %q is not an hour", k)
		}
		(*m)[h] = v
	}
	return nil
}
