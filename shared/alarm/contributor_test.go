package alarm_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

// lister is a ContributorLister that answers from a list, or fails.
type lister struct {
	contributors []alarm.Contributor
	err          error
	calls        int
}

func (l *lister) AlarmContributors(_ context.Context, name string) ([]alarm.Contributor, error) {
	l.calls++
	if name != "modelwatch-feature-drift" {
		return nil, errors.New("unknown alarm " + name)
	}
	return l.contributors, l.err
}

func contributor(id, model string, at time.Time, value string) alarm.Contributor {
	return alarm.Contributor{ID: id, Attributes: map[string]string{"Model": model}, At: at,
		Reason: "Threshold Crossed: 1 datapoint was greater than or equal to the threshold (0.25). The most recent datapoint which crossed the threshold: [" + value + " (26/11/26 20:00:00)]."}
}

// TestContributorsRequestRetrainingOncePerModel: the per-kind alarms are
// multi-time-series alarms whose contributors are the models. Each case
// delivers notifications in order, each delivery twice (SNS delivers at
// least once), and says what each delivery did and which executions exist
// at the end.
func TestContributorsRequestRetrainingOncePerModel(t *testing.T) {
	at := time.Date(2026, 11, 26, 20, 5, 12, 0, time.UTC)
	three := []alarm.Contributor{contributor("c1", "credit-default", at, "0.41"), contributor("c2", "fraud", at, "0.37"), contributor("c3", "churn", at.Add(-26*time.Hour), "0.3")}
	tests := []struct {
		name       string
		events     []string
		list       *lister
		want       []alarm.Summary // per delivery
		wantExecs  []string
		wantValues map[string]float64
	}{
		{
			name:       "one contributor names its model",
			events:     []string{"alarm-contributor.json", "alarm-contributor.json"},
			want:       []alarm.Summary{{Records: 1, Alarm: 1, RetrainRequested: 1}, {Records: 1, Alarm: 1, Duplicates: 1}},
			wantExecs:  []string{"credit-default-20261126T000000Z"},
			wantValues: map[string]float64{"credit-default": 0.4127},
		},
		{
			name:   "the alarm-level notification: each contributor in ALARM, from DescribeAlarmContributors",
			events: []string{"alarm-insights.json", "alarm-insights.json"},
			list:   &lister{contributors: three},
			want: []alarm.Summary{
				{Records: 3, Alarm: 3, RetrainRequested: 3},
				{Records: 3, Alarm: 3, Duplicates: 3},
			},
			// churn entered ALARM a day earlier: its slot is that day's.
			wantExecs:  []string{"churn-20261125T000000Z", "credit-default-20261126T000000Z", "fraud-20261126T000000Z"},
			wantValues: map[string]float64{"credit-default": 0.41, "fraud": 0.37, "churn": 0.3},
		},
		{
			name:   "the contributor's own notification and the alarm's are one request",
			events: []string{"alarm-contributor.json", "alarm-insights.json"},
			list:   &lister{contributors: three[:2]},
			want: []alarm.Summary{
				{Records: 1, Alarm: 1, RetrainRequested: 1},
				{Records: 2, Alarm: 2, RetrainRequested: 1, Duplicates: 1},
			},
			wantExecs: []string{"credit-default-20261126T000000Z", "fraud-20261126T000000Z"},
		},
		{
			name:   "a contributor returning to OK requests nothing",
			events: []string{"alarm-contributor-ok.json"},
			want:   []alarm.Summary{{Records: 1, OK: 1}},
		},
		{
			name:      "a contributor that returns to OK and breaches again in the slot",
			events:    []string{"alarm-contributor.json", "alarm-contributor-ok.json", "alarm-contributor.json"},
			want:      []alarm.Summary{{Records: 1, Alarm: 1, RetrainRequested: 1}, {Records: 1, OK: 1}, {Records: 1, Alarm: 1, Duplicates: 1}},
			wantExecs: []string{"credit-default-20261126T000000Z"},
		},
		{
			name:   "no contributor in ALARM any more",
			events: []string{"alarm-insights.json"},
			list:   &lister{},
			want:   []alarm.Summary{{Records: 1, Alarm: 1}},
		},
		{
			name:   "no lister: the alarm-level notification is dropped",
			events: []string{"alarm-insights.json"},
			want:   []alarm.Summary{{Records: 1, Alarm: 1, Dropped: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *alarm.Config) {
				if tt.list != nil {
					c.Contributors = tt.list
				}
			})
			for i, name := range tt.events {
				ev := readEvent(t, name)
				for copyNo := range 2 {
					sum, err := e.h.Handle(context.Background(), ev)
					want := tt.want[i]
					if copyNo == 1 { // the second copy of a delivery is a duplicate of what the first requested
						want.Duplicates += want.RetrainRequested
						want.RetrainRequested = 0
					}
					if err != nil || sum != want {
						t.Fatalf("delivery %d (%s), copy %d: %+v %v, want %+v", i+1, name, copyNo+1, sum, err, want)
					}
				}
			}
			var names []string
			for _, x := range e.starter.Executions() {
				names = append(names, x.Name)
				var req alarm.Request
				if err := json.Unmarshal(x.Input, &req); err != nil {
					t.Fatal(err)
				}
				if req.AlarmName != "modelwatch-feature-drift" || req.Metric != "MaxFeaturePSI" || req.Threshold == nil || *req.Threshold != 0.25 {
					t.Errorf("request %+v: want alarm modelwatch-feature-drift, metric MaxFeaturePSI, threshold 0.25", req)
				}
				if want, ok := tt.wantValues[req.Model]; ok && (req.Value == nil || *req.Value != want) {
					t.Errorf("request of %s: value %v, want %v (the contributor's datapoint)", req.Model, req.Value, want)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.wantExecs) || len(e.publisher.Messages()) != len(tt.wantExecs) {
				t.Errorf("executions %v and %d messages, want %v and one message each", names, len(e.publisher.Messages()), tt.wantExecs)
			}
		})
	}
}

func TestContributorListFailureIsRetried(t *testing.T) {
	e := newEnv(t, func(c *alarm.Config) { c.Contributors = &lister{err: errors.New("throttled")} })
	sum, err := e.h.Handle(context.Background(), readEvent(t, "alarm-insights.json"))
	if err == nil || sum.Failed != 1 {
		t.Fatalf("%+v %v: want a failed record and an error, so that Lambda retries", sum, err)
	}
	if len(e.starter.Executions()) != 0 {
		t.Error("an execution started")
	}
}

// TestContributorSpellings: a contributor's notification may name it in
// any of the forms CloudWatch writes a contributor in.
func TestContributorSpellings(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
		want string
	}{
		{"history item fields", map[string]any{"AlarmContributorId": "c1", "AlarmContributorAttributes": map[string]string{"Model": "a"}}, "a"},
		{"an object", map[string]any{"AlarmContributor": map[string]any{"Id": "c1", "Attributes": map[string]string{"Model": "b"}}}, "b"},
		{"EventBridge's spelling", map[string]any{"alarmContributor": map[string]any{"id": "c1", "attributes": map[string]string{"Model": "c"}}}, "c"},
		{"DescribeAlarmContributors' spelling", map[string]any{"AlarmContributor": map[string]any{"ContributorId": "c1", "ContributorAttributes": map[string]string{"Model": "d"}}}, "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(message(t, "alarm-insights.json")), &doc); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.set {
				doc[k] = v
			}
			b, _ := json.Marshal(doc)
			n, err := alarm.DecodeNotification(b)
			if err != nil {
				t.Fatal(err)
			}
			model, from, err := n.Model("")
			if err != nil || model != tt.want || from != alarm.FromContributor {
				t.Errorf("model %q from %s (%v), want %q from the contributor", model, from, err, tt.want)
			}
			if ns, metric := n.Metric(""); ns != "ModelWatch" || metric != "MaxFeaturePSI" {
				t.Errorf("metric %s/%s, want ModelWatch/MaxFeaturePSI from the query", ns, metric)
			}
		})
	}
	n, err := alarm.DecodeNotification([]byte(message(t, "alarm-insights.json")))
	if err != nil || n.Contributor != nil || !n.MultiSeries() {
		t.Errorf("the alarm-level notification: contributor %v, multi-series %v (%v); want none and true", n.Contributor, n.MultiSeries(), err)
	}
}
