package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/store"
)

// queue records what was sent; refuse makes it refuse the messages of those
// models, fail makes whole calls fail.
type queue struct {
	bodies []string
	calls  int
	refuse map[string]bool
	fail   bool
}

func (q *queue) SendBatch(_ context.Context, bodies []string) ([]int, error) {
	q.calls++
	if len(bodies) > MaxBatch {
		return nil, fmt.Errorf("batch of %d", len(bodies))
	}
	if q.fail {
		return nil, errors.New("queue unavailable")
	}
	var failed []int
	for i, b := range bodies {
		var ev monitor.Event
		if err := json.Unmarshal([]byte(b), &ev); err != nil {
			return nil, err
		}
		if q.refuse[ev.Models[0]] {
			failed = append(failed, i)
			continue
		}
		q.bodies = append(q.bodies, b)
	}
	return failed, nil
}

func bucketWith(t *testing.T, models int) store.Store {
	t.Helper()
	st := store.NewMemory()
	for i := range models {
		m := fmt.Sprintf("model-%04d", i)
		if err := st.Put(context.Background(), "reference/"+m+"/current.json", []byte(`{"version":"v1"}`)); err != nil {
			t.Fatal(err)
		}
		if err := st.Put(context.Background(), "reference/"+m+"/v1/profile.json", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

func TestDispatch(t *testing.T) {
	now := time.Date(2026, 11, 26, 20, 7, 0, 0, time.UTC)
	tests := []struct {
		name      string
		models    int
		ev        monitor.Event
		q         queue
		wantSent  int
		wantCalls int
		wantTime  string
		wantErr   bool
	}{
		{name: "no models", models: 0, wantTime: "2026-11-26T20:07:00Z"},
		{name: "one model, the clock pins the window", models: 1, wantSent: 1, wantCalls: 1, wantTime: "2026-11-26T20:07:00Z"},
		{name: "1000 models, the schedule's time", models: 1000, ev: monitor.Event{ScheduledTime: "2026-11-26T20:05:00Z"},
			wantSent: 1000, wantCalls: 100, wantTime: "2026-11-26T20:05:00Z"},
		{name: "the event names the models", models: 30, ev: monitor.Event{Models: []string{"a", "b"}, WindowEnd: "2026-11-26T20:00:00Z", Window: "24h"},
			wantSent: 2, wantCalls: 1, wantTime: "2026-11-26T20:00:00Z"},
		{name: "a refused message fails the dispatch after the others", models: 25, q: queue{refuse: map[string]bool{"model-0003": true}},
			wantSent: 24, wantCalls: 3, wantTime: "2026-11-26T20:07:00Z", wantErr: true},
		{name: "the queue fails", models: 3, q: queue{fail: true}, wantCalls: 1, wantTime: "2026-11-26T20:07:00Z", wantErr: true},
		{name: "an invalid model name", models: 1, ev: monitor.Event{Models: []string{"a/b"}}, wantErr: true},
		{name: "a time the drift function would refuse", models: 3, ev: monitor.Event{ScheduledTime: "<aws.scheduler.scheduled-time>"}, wantErr: true},
		{name: "a window the drift function would refuse", models: 3, ev: monitor.Event{Window: "a day"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			d, err := NewDispatcher(bucketWith(t, tt.models), &q, func() time.Time { return now }, quiet)
			if err != nil {
				t.Fatal(err)
			}
			res, err := d.Dispatch(context.Background(), tt.ev)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Dispatch: %v, want error %v", err, tt.wantErr)
			}
			if res.Sent != tt.wantSent || q.calls != tt.wantCalls || (!tt.wantErr && res.WindowTime != tt.wantTime) {
				t.Errorf("sent %d in %d calls, window time %q; want %d in %d, %q", res.Sent, q.calls, res.WindowTime, tt.wantSent, tt.wantCalls, tt.wantTime)
			}
			seen := map[string]bool{}
			for _, b := range q.bodies {
				ev, err := monitor.ParseEvent([]byte(b))
				if err != nil || len(ev.Models) != 1 {
					t.Fatalf("message %s: %v", b, err)
				}
				if seen[ev.Models[0]] {
					t.Errorf("model %s sent twice", ev.Models[0])
				}
				seen[ev.Models[0]] = true
				if ev.Window != tt.ev.Window || firstOf(ev.WindowEnd, ev.ScheduledTime, ev.Time) != tt.wantTime {
					t.Errorf("message %s does not pin the window %q", b, tt.wantTime)
				}
			}
		})
	}
}

// runner records the events it ran; retry and fail name models whose run
// fails with a retryable error or for good.
type runner struct {
	ran   []string
	retry map[string]bool
	fail  map[string]bool
}

func (r *runner) Run(_ context.Context, ev monitor.Event) (monitor.Result, error) {
	res := monitor.Result{}
	var err error
	for _, m := range ev.Models {
		r.ran = append(r.ran, m)
		mr := monitor.ModelResult{Model: m, Status: "ok"}
		switch {
		case r.retry[m]:
			mr.Status, mr.Retryable = "error", true
			err = errors.New("throttled")
			res.Failed++
		case r.fail[m]:
			mr.Status = "error"
			res.Failed++
		}
		res.Models = append(res.Models, mr)
	}
	if len(ev.Models) == 0 {
		r.ran = append(r.ran, "*")
	}
	return res, err
}

func sqsEvent(bodies ...string) json.RawMessage {
	ev := events.SQSEvent{}
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m%d", i), Body: b, EventSource: sqsEventSource})
	}
	out, _ := json.Marshal(ev)
	return out
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name      string
		payload   json.RawMessage
		wantRan   []string
		wantRetry []string
		wantErr   bool
	}{
		{name: "a queue message runs its model", payload: sqsEvent(`{"models":["a"],"scheduled_time":"2026-11-26T20:05:00Z"}`), wantRan: []string{"a"}},
		{name: "a model that fails for good is not retried", payload: sqsEvent(`{"models":["broken"]}`), wantRan: []string{"broken"}},
		{name: "a retryable failure returns the message", payload: sqsEvent(`{"models":["a"]}`, `{"models":["slow"]}`),
			wantRan: []string{"a", "slow"}, wantRetry: []string{"m1"}},
		{name: "a message that is no event", payload: sqsEvent(`not json`, `{}`), wantRetry: []string{"m0", "m1"}},
		{name: "the schedule's event runs every model", payload: json.RawMessage(`{"scheduled_time":"2026-11-26T20:05:00Z"}`), wantRan: []string{"*"}},
		{name: "a backfill names its models", payload: json.RawMessage(`{"models":["a","b"],"window":"24h"}`), wantRan: []string{"a", "b"}},
		{name: "a direct retryable failure fails the invocation", payload: json.RawMessage(`{"models":["slow"]}`), wantRan: []string{"slow"}, wantErr: true},
		{name: "records of another source are an event", payload: json.RawMessage(`{"Records":[{"eventSource":"aws:sns"}]}`), wantRan: []string{"*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &runner{retry: map[string]bool{"slow": true}, fail: map[string]bool{"broken": true}}
			out, err := Handler(r, quiet)(context.Background(), tt.payload)
			if (err != nil) != tt.wantErr {
				t.Fatalf("handler: %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(r.ran, tt.wantRan) {
				t.Errorf("ran %v, want %v", r.ran, tt.wantRan)
			}
			if resp, ok := out.(events.SQSEventResponse); ok {
				var got []string
				for _, f := range resp.BatchItemFailures {
					got = append(got, f.ItemIdentifier)
				}
				if !slices.Equal(got, tt.wantRetry) {
					t.Errorf("retry %v, want %v", got, tt.wantRetry)
				}
			} else if tt.wantRetry != nil {
				t.Errorf("answer %T, want an SQS event response", out)
			}
		})
	}
}
