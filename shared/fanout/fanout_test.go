package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/driftevent"
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
		var ev driftevent.Event
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
		ev        driftevent.Event
		q         queue
		wantSent  int
		wantCalls int
		wantTime  string
		wantErr   bool
	}{
		{name: "no models", models: 0, wantTime: "2026-11-26T20:07:00Z"},
		{name: "one model, the clock pins the window", models: 1, wantSent: 1, wantCalls: 1, wantTime: "2026-11-26T20:07:00Z"},
		{name: "1000 models, the schedule's time", models: 1000, ev: driftevent.Event{ScheduledTime: "2026-11-26T20:05:00Z"},
			wantSent: 1000, wantCalls: 100, wantTime: "2026-11-26T20:05:00Z"},
		{name: "the event names the models", models: 30, ev: driftevent.Event{Models: []string{"a", "b"}, WindowEnd: "2026-11-26T20:00:00Z", Window: "24h"},
			wantSent: 2, wantCalls: 1, wantTime: "2026-11-26T20:00:00Z"},
		{name: "a refused message fails the dispatch after the others", models: 25, q: queue{refuse: map[string]bool{"model-0003": true}},
			wantSent: 24, wantCalls: 3, wantTime: "2026-11-26T20:07:00Z", wantErr: true},
		{name: "the queue fails", models: 3, q: queue{fail: true}, wantCalls: 1, wantTime: "2026-11-26T20:07:00Z", wantErr: true},
		{name: "an invalid model name", models: 1, ev: driftevent.Event{Models: []string{"a/b"}}, wantErr: true},
		{name: "a time the drift function would refuse", models: 3, ev: driftevent.Event{ScheduledTime: "<aws.scheduler.scheduled-time>"}, wantErr: true},
		{name: "a window the drift function would refuse", models: 3, ev: driftevent.Event{Window: "a day"}, wantErr: true},
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
				ev, err := driftevent.Parse([]byte(b))
				if err != nil || len(ev.Models) != 1 {
					t.Fatalf("message %s: %v", b, err)
				}
				if seen[ev.Models[0]] {
					t.Errorf("model %s sent twice", ev.Models[0])
				}
				seen[ev.Models[0]] = true
				if pin, _, _ := ev.Pin(); ev.Window != tt.ev.Window || pin != tt.wantTime {
					t.Errorf("message %s does not pin the window %q", b, tt.wantTime)
				}
			}
		})
	}
}
