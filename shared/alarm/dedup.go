package alarm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/aws/smithy-go"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"

	"github.com/modelwatch/modelwatch/shared/sleep"
)

// The dedup protocol, for one model and cooldown slot:
//
//  1. The marker does not exist: build the request and create the marker
//     (pending, attempt 0, leased until this invocation's deadline) with a
//     conditional write. The writer delivers; everybody else follows (2).
//  2. The marker exists. Started: a duplicate, nothing to do. Pending with a
//     lease in the future: another invocation is delivering; wait for it
//     (bounded) and return ErrInFlight if it does not finish. Pending with a
//     lease in the past: its holder stopped (gave up after an error, or
//     died); claim the next attempt with a conditional write of a claim
//     object and deliver the marker's own request.
//  3. Delivering starts the execution (deterministic name: a repeat finds
//     ExecutionAlreadyExists, counted as success), records in the marker
//     that it is about to publish, publishes, and writes the marker
//     started; it skips what the marker says is done or attempted. On an
//     error it writes the marker with the lease ended, so the retry Lambda
//     makes takes over at once, and returns the error.
//
// So the request is never lost behind the cooldown, the execution starts
// exactly once, and the message is published at most once: a retry never
// publishes after an attempt that may have published (the intent is in the
// marker before the publish), only after one the topic refused.

const jsonType = "application/json"

// RequestedEvent is the "event" message attribute of the requests the
// handler publishes; the retraining workflow's own messages on the same
// topic carry other events (see infra/retrain.asl.json).
const RequestedEvent = "retrain.requested"

func (h *Handler) requestRetraining(ctx context.Context, log *slog.Logger, messageID string, n *Notification, model, metric string, cooldown time.Duration) (Result, error) {
	slot := layout.CooldownSlot(n.StateChangeTime, cooldown)
	key := layout.RetrainMarker(model, slot)
	name := ExecutionName(model, slot)
	res := Result{State: n.NewState, Model: model, ExecutionName: name}
	log = log.With("slot", slot, "execution", name)

	m, err := h.getMarker(ctx, key)
	if err != nil {
		res.Outcome = Failed
		return res, err
	}
	if m == nil {
		m, err = h.newMarker(ctx, messageID, n, model, metric, slot)
		if err != nil {
			res.Outcome = Failed
			return res, err
		}
		data, err := m.Encode()
		if err != nil {
			res.Outcome = Failed
			return res, err
		}
		err = h.store.PutIfAbsent(ctx, key, data, store.WithContentType(jsonType))
		switch {
		case err == nil:
			log.InfoContext(ctx, "wrote the retrain marker; requesting retraining", "marker", key)
			res.Outcome, err = h.deliver(ctx, log, key, m)
			return res, err
		case errors.Is(err, store.ErrExists):
			log.InfoContext(ctx, "another invocation wrote the retrain marker first (lost the race)", "marker", key)
			if m, err = h.getMarker(ctx, key); err == nil && m == nil {
				err = fmt.Errorf("retrain marker %s exists for a conditional write but not for a read", key)
			}
			if err != nil {
				res.Outcome = Failed
				return res, err
			}
		default:
			res.Outcome = Failed
			return res, fmt.Errorf("write retrain marker %s: %w", key, err)
		}
	}
	res.Outcome, err = h.follow(ctx, log, messageID, key, m)
	return res, err
}

// newMarker builds the request and its pending marker.
func (h *Handler) newMarker(ctx context.Context, messageID string, n *Notification, model, metric, slot string) (*Marker, error) {
	version, reportKey, err := h.describeModel(ctx, model)
	if err != nil {
		return nil, err
	}
	now := h.now().UTC()
	req := Request{
		Model: model, ModelVersion: version, Reason: n.Reason, AlarmName: n.AlarmName, Metric: metric,
		Threshold: n.Trigger.Threshold, ReportKey: reportKey, RequestedAt: now,
	}
	if v, ok := n.Value(); ok {
		req.Value = &v
	}
	return &Marker{
		SchemaVersion: MarkerSchemaVersion, Model: model, Slot: slot, State: MarkerPending,
		ExecutionName: ExecutionName(model, slot), Request: req, Attempt: 0, LeaseUntil: h.leaseUntil(ctx),
		MessageID: messageID, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// leaseUntil is when this invocation is certainly over: its deadline plus
// the margin, or now plus the lease outside Lambda.
func (h *Handler) leaseUntil(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d.Add(h.margin).UTC()
	}
	return h.now().Add(h.lease).UTC()
}

// getMarker reads a marker; nil when there is none.
func (h *Handler) getMarker(ctx context.Context, key string) (*Marker, error) {
	data, err := h.store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read retrain marker %s: %w", key, err)
	}
	m, err := DecodeMarker(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return m, nil
}

// follow handles a marker that this invocation did not create (step 2).
func (h *Handler) follow(ctx context.Context, log *slog.Logger, messageID, key string, m *Marker) (Outcome, error) {
	waitUntil := time.Now().Add(h.maxWait)
	if d, ok := ctx.Deadline(); ok && d.Add(-time.Second).Before(waitUntil) {
		waitUntil = d.Add(-time.Second)
	}
	waited := false
	for {
		if m.State == MarkerStarted {
			log.InfoContext(ctx, "retraining already requested for this model and slot (duplicate delivery, alarm inside the cooldown, or lost race); nothing to do",
				"marker", key, "requested_at", m.Request.RequestedAt, "requested_by_message", m.MessageID, "requested_by_alarm", m.Request.AlarmName)
			return Duplicate, nil
		}
		attempt, lease, err := h.currentHolder(ctx, m)
		if err != nil {
			return Failed, err
		}
		if !h.now().Before(lease) {
			claimed, err := h.claim(ctx, messageID, key, m, attempt+1)
			if err != nil {
				return Failed, err
			}
			if claimed {
				log.WarnContext(ctx, "taking over a retraining request whose holder stopped", "marker", key,
					"attempt", m.Attempt, "last_error", m.LastError)
				return h.deliver(ctx, log, key, m)
			}
		}
		if !waited {
			log.InfoContext(ctx, "another invocation is requesting retraining for this model and slot; waiting for it",
				"marker", key, "attempt", attempt, "lease_until", lease)
			waited = true
		}
		if !time.Now().Add(h.poll).Before(waitUntil) {
			return Failed, fmt.Errorf("%w: %s (attempt %d, leased until %s) did not finish while waiting; a retry settles it",
				ErrInFlight, key, attempt, lease.Format(time.RFC3339))
		}
		if err := sleep.For(ctx, h.poll); err != nil {
			return Failed, fmt.Errorf("wait for retrain marker %s: %w", key, err)
		}
		next, err := h.getMarker(ctx, key)
		if err != nil {
			return Failed, err
		}
		if next == nil {
			return Failed, fmt.Errorf("retrain marker %s disappeared", key)
		}
		m = next
	}
}

// currentHolder returns the attempt that holds a pending marker and its
// lease: the marker's own, or that of a higher claim whose holder has not
// written the marker yet (or died before it did).
func (h *Handler) currentHolder(ctx context.Context, m *Marker) (int, time.Time, error) {
	if h.now().Before(m.LeaseUntil) {
		return m.Attempt, m.LeaseUntil, nil // a later claim needs this lease to have passed
	}
	objs, err := h.store.List(ctx, claimPrefix(m.Model, m.Slot))
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("list retrain claims of %s %s: %w", m.Model, m.Slot, err)
	}
	top, topKey := m.Attempt, ""
	for _, o := range objs {
		if n, ok := claimAttempt(m.Model, m.Slot, o.Key); ok && n > top {
			top, topKey = n, o.Key
		}
	}
	if topKey == "" {
		return m.Attempt, m.LeaseUntil, nil
	}
	data, err := h.store.Get(ctx, topKey)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("read retrain claim %s: %w", topKey, err)
	}
	c, err := decodeClaim(data)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("%s: %w", topKey, err)
	}
	return top, c.LeaseUntil, nil
}

// claim tries to become the holder of attempt; on success m is updated and
// written as held by this invocation.
func (h *Handler) claim(ctx context.Context, messageID, key string, m *Marker, attempt int) (bool, error) {
	if attempt > maxAttempts {
		return false, fmt.Errorf("retrain marker %s: more than %d attempts; giving up", key, maxAttempts)
	}
	now := h.now().UTC()
	c := Claim{Attempt: attempt, LeaseUntil: h.leaseUntil(ctx), MessageID: messageID, ClaimedAt: now}
	data, err := jsonIndent(c)
	if err != nil {
		return false, err
	}
	ck := claimKey(m.Model, m.Slot, attempt)
	if err := h.store.PutIfAbsent(ctx, ck, data, store.WithContentType(jsonType)); err != nil {
		if errors.Is(err, store.ErrExists) {
			return false, nil
		}
		return false, fmt.Errorf("claim retraining request %s: %w", ck, err)
	}
	m.Attempt, m.LeaseUntil, m.UpdatedAt = attempt, c.LeaseUntil, now
	if err := h.putMarker(ctx, key, m); err != nil {
		return false, err
	}
	return true, nil
}

// deliver starts the execution and publishes the request (step 3).
func (h *Handler) deliver(ctx context.Context, log *slog.Logger, key string, m *Marker) (Outcome, error) {
	input, err := m.Request.Encode()
	if err != nil {
		return h.release(ctx, log, key, m, err)
	}
	if h.starter != nil && !m.ExecutionStarted {
		existed, err := h.starter.StartExecution(ctx, m.ExecutionName, input)
		if err != nil {
			return h.release(ctx, log, key, m, fmt.Errorf("start retraining execution %s: %w", m.ExecutionName, err))
		}
		m.ExecutionStarted = true
		if existed {
			log.InfoContext(ctx, "the retraining execution already existed; counted as started")
		}
	}
	switch {
	case h.publisher == nil || m.Published:
	case m.PublishAttempted:
		log.WarnContext(ctx, "an earlier attempt published the retraining request, or tried to, and did not record the outcome; not publishing again (the message is sent at most once)",
			"marker", key, "last_error", m.LastError)
	default:
		// Record the intent first: if the publish succeeds and the
		// marker write after it fails, the retry must not publish again.
		m.PublishAttempted, m.UpdatedAt = true, h.now().UTC()
		if err := h.putMarker(ctx, key, m); err != nil {
			m.PublishAttempted = false
			return h.release(ctx, log, key, m, fmt.Errorf("record the publish of retraining request %s: %w", m.ExecutionName, err))
		}
		attrs := map[string]string{"event": RequestedEvent, "model": m.Model, "metric": m.Request.Metric, "execution_name": m.ExecutionName, "slot": m.Slot}
		if err := h.publisher.Publish(ctx, m.ExecutionName, input, attrs); err != nil {
			if notPublished(err) {
				m.PublishAttempted = false // refused: the retry publishes
			}
			return h.release(ctx, log, key, m, fmt.Errorf("publish retraining request %s: %w", m.ExecutionName, err))
		}
		m.Published = true
	}
	m.State, m.UpdatedAt, m.LastError = MarkerStarted, h.now().UTC(), ""
	if err := h.putMarker(ctx, key, m); err != nil {
		// Try once more to record at least what was delivered, with the
		// lease ended, so the retry skips it.
		m.State = MarkerPending
		return h.release(ctx, log, key, m, fmt.Errorf("retraining requested, but not recorded as started: %w", err))
	}
	log.InfoContext(ctx, "retraining requested", "marker", key, "execution_started", m.ExecutionStarted,
		"published", m.Published, "model_version", m.Request.ModelVersion, "report_key", m.Request.ReportKey)
	return Requested, nil
}

// release records a failed attempt and ends its lease, so that a retry
// takes over at once, and returns cause.
func (h *Handler) release(ctx context.Context, log *slog.Logger, key string, m *Marker, cause error) (Outcome, error) {
	now := h.now().UTC()
	m.LeaseUntil, m.UpdatedAt, m.LastError = now, now, cause.Error()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.putMarker(rctx, key, m); err != nil {
		log.ErrorContext(ctx, "retraining request failed and its marker could not be released; a retry takes over when the lease ends",
			"marker", key, "error", cause.Error(), "release_error", err.Error())
		return Failed, errors.Join(cause, err)
	}
	log.ErrorContext(ctx, "retraining request failed; marker released for the retry", "marker", key, "error", cause.Error())
	return Failed, cause
}

func (h *Handler) putMarker(ctx context.Context, key string, m *Marker) error {
	data, err := m.Encode()
	if err != nil {
		return err
	}
	if err := h.store.Put(ctx, key, data, store.WithContentType(jsonType)); err != nil {
		return fmt.Errorf("write retrain marker %s: %w", key, err)
	}
	return nil
}

// notPublished reports whether a publish error certainly means that the
// topic did not take the message: SNS answered with an error, or the
// connection was never made. Any other error (a timeout, a connection lost
// after the request was sent) may hide a message SNS accepted.
func notPublished(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
