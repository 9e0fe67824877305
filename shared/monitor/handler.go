package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/driftevent"
)

// Runner runs one drift event: Monitor.Run.
type Runner interface {
	Run(ctx context.Context, ev driftevent.Event) (Result, error)
}

var _ Runner = (*Monitor)(nil)

// sqsEventSource is the eventSource of an SQS record.
const sqsEventSource = "aws:sqs"

// Handler returns the drift function's handler. An SQS event (from the drift
// queue) runs each record's event, one model each, and answers with the
// records to retry (ReportBatchItemFailures): those whose run failed in a
// way a retry can help (Retryable) and those that are not an event
// at all, which end in the failure queue after the queue's receive count. A
// model that fails for good (no reference, a corrupt profile) is not
// retried: the drift run reports it in MonitoringErrors. Any other payload
// is a driftevent.Event (the scheduler's, a manual re-run or a backfill) and
// runs the models it names, or all of them, in this invocation.
func Handler(r Runner, log *slog.Logger) func(ctx context.Context, payload json.RawMessage) (any, error) {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, payload json.RawMessage) (any, error) {
		if sqsEv, ok := asSQSEvent(payload); ok {
			return handleSQS(ctx, r, log, sqsEv), nil
		}
		ev, err := driftevent.Parse(payload)
		if err != nil {
			return nil, fmt.Errorf("drift: %w", err)
		}
		return r.Run(ctx, ev)
	}
}

// asSQSEvent reports whether payload is an SQS event, and decodes it.
func asSQSEvent(payload json.RawMessage) (events.SQSEvent, bool) {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
	}
	if json.Unmarshal(payload, &probe) != nil || len(probe.Records) == 0 {
		return events.SQSEvent{}, false
	}
	for _, r := range probe.Records {
		if r.EventSource != sqsEventSource {
			return events.SQSEvent{}, false
		}
	}
	var ev events.SQSEvent
	if json.Unmarshal(payload, &ev) != nil {
		return events.SQSEvent{}, false
	}
	return ev, true
}

func handleSQS(ctx context.Context, r Runner, log *slog.Logger, ev events.SQSEvent) events.SQSEventResponse {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, rec := range ev.Records {
		retry := func(reason string, err error) {
			log.ErrorContext(ctx, reason, "message_id", rec.MessageId, "receive_count", rec.Attributes["ApproximateReceiveCount"], "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
		one, err := driftevent.Parse([]byte(rec.Body))
		if err == nil && len(one.Models) == 0 {
			err = errors.New("the message names no model")
		}
		if err != nil {
			retry("drift queue message is not a drift event; left on the queue for the failure queue", err)
			continue
		}
		res, err := r.Run(ctx, one)
		if err != nil {
			retry("drift run failed where a retry can help; the message returns to the queue", err)
			continue
		}
		log.InfoContext(ctx, "drift queue message done", "message_id", rec.MessageId, "models", len(res.Models),
			"failed", res.Failed, "window_end", res.WindowEnd)
	}
	return resp
}
