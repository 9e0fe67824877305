package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/driftevent"
)

// runner records the events it ran; retry and fail name models whose run
// fails with a retryable error or for good.
type runner struct {
	ran   []string
	retry map[string]bool
	fail  map[string]bool
}

func (r *runner) Run(_ context.Context, ev driftevent.Event) (Result, error) {
	res := Result{}
	var err error
	for _, m := range ev.Models {
		r.ran = append(r.ran, m)
		mr := ModelResult{Model: m, Status: "ok"}
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

var quietLog = slog.New(slog.NewJSONHandler(io.Discard, nil))

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
			out, err := Handler(r, quietLog)(context.Background(), tt.payload)
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
