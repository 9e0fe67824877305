package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// MaxBatch is the most messages one SendMessageBatch call takes.
const MaxBatch = 10

// Sender sends message bodies to the drift queue. It returns the indexes
// (into bodies) of the messages the queue did not take; err is for a call
// that failed as a whole.
type Sender interface {
	SendBatch(ctx context.Context, bodies []string) (failed []int, err error)
}

// Dispatcher sends one message per model to the drift queue.
type Dispatcher struct {
	store  store.Store
	sender Sender
	now    func() time.Time
	log    *slog.Logger
}

// NewDispatcher returns a Dispatcher that finds the models in st and sends
// with sender. now is the clock (time.Now when nil), log the logger
// (slog.Default when nil).
func NewDispatcher(st store.Store, sender Sender, now func() time.Time, log *slog.Logger) (*Dispatcher, error) {
	if st == nil || sender == nil {
		return nil, errors.New("new dispatcher: need a store and a sender")
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{store: st, sender: sender, now: now, log: log}, nil
}

// Result is what a dispatch returns.
type Result struct {
	// Models is how many models were found (or named by the event).
	Models int `json:"models"`
	// Sent is how many messages the queue took.
	Sent int `json:"sent"`
	// WindowTime is the time every message pins the window with.
	WindowTime string `json:"window_time,omitempty"`
}

// Dispatch sends one message per model: the models the event names, or
// else every model with a reference profile in the bucket. Each message is
// the event with one model; an event without a time gets the dispatcher's
// clock, so that every model's run covers the same window. It fails when
// any message could not be sent, after trying all of them, so that the
// invocation is retried (a model sent twice runs its window twice, which the
// drift function tolerates: it rewrites the same report).
func (d *Dispatcher) Dispatch(ctx context.Context, ev driftevent.Event) (Result, error) {
	models := ev.Models
	for _, m := range models {
		if err := layout.CheckModel(m); err != nil {
			return Result{}, fmt.Errorf("dispatch: event: %w", err)
		}
	}
	if len(models) == 0 {
		var err error
		if models, err = reference.Models(ctx, d.store); err != nil {
			return Result{}, fmt.Errorf("dispatch: %w", err)
		}
	}
	// Refuse here, once, an event the drift function would refuse in every
	// model's run.
	if err := ev.Check(); err != nil {
		return Result{}, fmt.Errorf("dispatch: %w", err)
	}
	pin, _, pinned := ev.Pin()
	if !pinned {
		ev.Time = d.now().UTC().Format(time.RFC3339)
		pin = ev.Time
	}
	res := Result{Models: len(models), WindowTime: pin}
	if len(models) == 0 {
		d.log.WarnContext(ctx, "no models to dispatch: no reference profile under reference/")
		return res, nil
	}
	var failures []error
	for start := 0; start < len(models); start += MaxBatch {
		batch := models[start:min(start+MaxBatch, len(models))]
		bodies := make([]string, len(batch))
		for i, m := range batch {
			one := ev
			one.Models = []string{m}
			b, err := json.Marshal(one)
			if err != nil {
				return res, fmt.Errorf("dispatch: encode the message of model %s: %w", m, err)
			}
			bodies[i] = string(b)
		}
		failed, err := d.sender.SendBatch(ctx, bodies)
		if err != nil {
			failures = append(failures, fmt.Errorf("send the messages of models %s..%s: %w", batch[0], batch[len(batch)-1], err))
			continue
		}
		for _, i := range failed {
			failures = append(failures, fmt.Errorf("the queue refused the message of model %s", batch[i]))
		}
		res.Sent += len(batch) - len(failed)
	}
	d.log.InfoContext(ctx, "drift run dispatched", "models", res.Models, "sent", res.Sent, "window_time", res.WindowTime)
	if len(failures) > 0 {
		return res, fmt.Errorf("dispatch: %d of %d messages not sent: %w", res.Models-res.Sent, res.Models, errors.Join(failures...))
	}
	return res, nil
}
