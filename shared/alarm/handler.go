package alarm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Starter starts the retraining workflow (the Step Functions state machine).
type Starter interface {
	// StartExecution starts an execution called name with input. An
	// execution of that name that already exists is not an error: existed
	// reports it.
	StartExecution(ctx context.Context, name string, input []byte) (existed bool, err error)
}

// Publisher publishes a retraining request to the retrain topic.
type Publisher interface {
	// Publish publishes message. id identifies the request (the execution
	// name; the deduplication id on a FIFO topic); attributes become
	// message attributes.
	Publish(ctx context.Context, id string, message []byte, attributes map[string]string) error
}

// Outcome is what the handler did with one SNS message.
type Outcome string

// The outcomes.
const (
	// Requested: this invocation requested retraining.
	Requested Outcome = "retrain_requested"
	// Duplicate: retraining was already requested for the model and slot
	// (a duplicate delivery, a second alarm inside the cooldown, or the
	// loser of a race).
	Duplicate Outcome = "duplicate"
	// NotifyOnly: an ALARM whose metric is not a retrain trigger.
	NotifyOnly Outcome = "notify_only"
	// StateChange: a transition into OK or INSUFFICIENT_DATA.
	StateChange Outcome = "state_change"
	// NoTarget: a retrain trigger, but neither a state machine nor a topic
	// is configured.
	NoTarget Outcome = "no_target"
	// Dropped: not an alarm notification, or no model could be found; a
	// retry cannot help, so it is logged and not retried.
	Dropped Outcome = "dropped"
	// Failed: an AWS call failed, or another invocation holds the request
	// and has not finished; the error is returned so Lambda retries.
	Failed Outcome = "failed"
)

// ErrInFlight is wrapped when another invocation holds a retraining request
// and did not finish while this one waited; a retry settles it.
var ErrInFlight = errors.New("retraining request held by another invocation")

// Summary counts what one invocation did. It is the Lambda's response and
// is logged.
type Summary struct {
	Records          int `json:"records"`
	Alarm            int `json:"alarm"`
	OK               int `json:"ok"`
	InsufficientData int `json:"insufficient_data"`
	RetrainRequested int `json:"retrain_requested"`
	Duplicates       int `json:"duplicates"`
	NotifyOnly       int `json:"notify_only"`
	NoTarget         int `json:"no_target"`
	Dropped          int `json:"dropped"`
	Failed           int `json:"failed"`
}

func (s *Summary) count(state State, o Outcome) {
	s.Records++
	switch state {
	case StateAlarm:
		s.Alarm++
	case StateOK:
		s.OK++
	case StateInsufficientData:
		s.InsufficientData++
	}
	switch o {
	case Requested:
		s.RetrainRequested++
	case Duplicate:
		s.Duplicates++
	case NotifyOnly:
		s.NotifyOnly++
	case NoTarget:
		s.NoTarget++
	case Dropped:
		s.Dropped++
	case Failed:
		s.Failed++
	}
}

// Config configures a Handler.
type Config struct {
	// Store holds the dedup markers and the models' reports and reference
	// pointers (the modelwatch bucket). Required.
	Store store.Store
	// Starter starts the retraining state machine; nil when none is
	// configured.
	Starter Starter
	// Publisher publishes to the retrain topic; nil when none is configured.
	Publisher Publisher
	// Policy gives the policy; nil means DefaultPolicy.
	Policy PolicySource
	// AlarmNamePrefix starts the stack's alarm names, {prefix}{model}-{kind}:
	// the model of an alarm without a Model dimension is read from its name.
	// Empty means AlarmNamePrefix (a stack named modelwatch).
	AlarmNamePrefix string
	// Logger receives the JSON logs; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (requested_at, leases); nil means time.Now.
	Now func() time.Time
	// Lease is how long a request is held when the context has no
	// deadline (outside Lambda). Default 15 minutes, Lambda's longest
	// timeout. Inside Lambda the lease ends at the deadline plus
	// LeaseMargin.
	Lease time.Duration
	// LeaseMargin is added to the deadline for clock skew between
	// invocations. Default 10 seconds.
	LeaseMargin time.Duration
	// PollInterval is how often an invocation that found a request in
	// flight looks at the marker again. Default 250ms.
	PollInterval time.Duration
	// MaxWait bounds that waiting (and the context deadline, less a
	// second, bounds it too). Default 30 seconds.
	MaxWait time.Duration
}

// Handler is the alarm handler's logic; it is safe for concurrent use.
type Handler struct {
	store     store.Store
	starter   Starter
	publisher Publisher
	policy    PolicySource
	prefix    string
	log       *slog.Logger
	now       func() time.Time
	lease     time.Duration
	margin    time.Duration
	poll      time.Duration
	maxWait   time.Duration
}

// New returns a Handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("alarm handler: a store for the retrain markers is required")
	}
	h := &Handler{
		store: cfg.Store, starter: cfg.Starter, publisher: cfg.Publisher, policy: cfg.Policy,
		prefix: orDefault(cfg.AlarmNamePrefix), log: cfg.Logger,
		now: cfg.Now, lease: cfg.Lease, margin: cfg.LeaseMargin, poll: cfg.PollInterval, maxWait: cfg.MaxWait,
	}
	if h.policy == nil {
		h.policy = StaticPolicy(DefaultPolicy())
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.lease <= 0 {
		h.lease = 15 * time.Minute
	}
	if h.margin <= 0 {
		h.margin = 10 * time.Second
	}
	if h.poll <= 0 {
		h.poll = 250 * time.Millisecond
	}
	if h.maxWait <= 0 {
		h.maxWait = 30 * time.Second
	}
	return h, nil
}

// Handle is the Lambda handler: it handles every record of an SNS event and
// returns what it did. Messages that are not alarm notifications are logged
// and dropped; when any record failed (an AWS call, or a request another
// invocation holds) it returns an error so that Lambda retries the event —
// records already handled are recognised by their markers and not repeated.
func (h *Handler) Handle(ctx context.Context, ev events.SNSEvent) (Summary, error) {
	var sum Summary
	var errs []error
	for _, rec := range ev.Records {
		res, err := h.HandleMessage(ctx, rec.SNS.MessageID, rec.SNS.Message)
		sum.count(res.State, res.Outcome)
		if err != nil {
			errs = append(errs, fmt.Errorf("SNS message %s: %w", rec.SNS.MessageID, err))
		}
	}
	h.log.InfoContext(ctx, "alarm notifications handled", "records", sum.Records, "alarm", sum.Alarm, "ok", sum.OK,
		"insufficient_data", sum.InsufficientData, "retrain_requested", sum.RetrainRequested,
		"duplicates", sum.Duplicates, "notify_only", sum.NotifyOnly, "no_target", sum.NoTarget,
		"dropped", sum.Dropped, "failed", sum.Failed)
	if len(errs) > 0 {
		return sum, &RecordsError{Failed: len(errs), Records: sum.Records, Err: errors.Join(errs...)}
	}
	return sum, nil
}

// RecordsError is Handle's error when records failed; Lambda reports
// "RecordsError" as the errorType of the failed invocation.
type RecordsError struct {
	Failed, Records int
	Err             error
}

func (e *RecordsError) Error() string {
	return fmt.Sprintf("%d of %d alarm notifications failed: %v", e.Failed, e.Records, e.Err)
}

func (e *RecordsError) Unwrap() error { return e.Err }

// Result is what HandleMessage did with one message.
type Result struct {
	Outcome Outcome
	// State is the alarm's new state; empty when the message was not an
	// alarm notification.
	State State
	// Model and ExecutionName are set once the model is known and a
	// request is involved.
	Model         string
	ExecutionName string
}

// HandleMessage handles one SNS message (its id and body). It returns an
// error only when a retry can help; the Result says what happened.
func (h *Handler) HandleMessage(ctx context.Context, messageID, message string) (Result, error) {
	n, err := DecodeNotification([]byte(message))
	if err != nil {
		h.log.ErrorContext(ctx, "dropping SNS message: not a CloudWatch alarm notification", "message_id", messageID,
			"error", err.Error())
		return Result{Outcome: Dropped}, nil
	}
	res := Result{State: n.NewState}
	log := h.log.With("message_id", messageID, "alarm", n.AlarmName, "state", string(n.NewState),
		"old_state", string(n.OldState), "state_change_time", n.StateChangeTime)
	if n.NewState != StateAlarm {
		log.InfoContext(ctx, "alarm left ALARM or has no data; nothing to do")
		res.Outcome = StateChange
		return res, nil
	}
	pol, err := h.policy.Policy(ctx)
	if err != nil {
		log.ErrorContext(ctx, "cannot read the alarm policy", "error", err.Error())
		res.Outcome = Failed
		return res, err
	}
	namespace, metric := n.Metric(h.prefix)
	log = log.With("namespace", namespace, "metric", metric)
	model, source, err := n.Model(h.prefix)
	if err != nil {
		if !pol.mayTrigger(namespace, metric) {
			log.InfoContext(ctx, "alarm only notifies: its metric is not a retrain trigger", "model_error", err.Error())
			res.Outcome = NotifyOnly
			return res, nil
		}
		log.ErrorContext(ctx, "dropping alarm: cannot tell which model it is about", "error", err.Error())
		res.Outcome = Dropped
		return res, nil
	}
	res.Model = model
	log = log.With("model", model, "model_from", string(source))
	if !pol.IsRetrainTrigger(model, namespace, metric) {
		log.InfoContext(ctx, "alarm only notifies: its metric is not a retrain trigger")
		res.Outcome = NotifyOnly
		return res, nil
	}
	if h.starter == nil && h.publisher == nil {
		log.WarnContext(ctx, "retrain trigger, but neither a state machine nor a retrain topic is configured; nothing requested")
		res.Outcome = NoTarget
		return res, nil
	}
	return h.requestRetraining(ctx, log, messageID, n, model, metric, pol.CooldownFor(model))
}

// mayTrigger reports whether metric is a retrain trigger for some model.
func (p Policy) mayTrigger(namespace, metric string) bool {
	if p.IsRetrainTrigger("", namespace, metric) {
		return true
	}
	for model := range p.Models {
		if p.IsRetrainTrigger(model, namespace, metric) {
			return true
		}
	}
	return false
}
