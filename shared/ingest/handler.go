package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/record"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Bucket is what the handler needs from the modelwatch bucket:
// store.Store satisfies it.
type Bucket interface {
	Get(ctx context.Context, key string) ([]byte, error)
	PutIfAbsent(ctx context.Context, key string, data []byte, opts ...store.PutOption) error
}

// Handler ingests batches of prediction and label records.
type Handler struct {
	cfg     Config
	bucket  Bucket
	refs    References
	emf     *metrics.EMFWriter
	log     *slog.Logger
	now     func() time.Time
	writers int
}

// Option configures a Handler.
type Option func(*Handler)

// WithClock sets the clock that stamps batches and checks event times.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// New returns a handler that stores batches in bucket, validates them
// against refs and writes its metrics to emf (nil: no metrics).
func New(cfg Config, bucket Bucket, refs References, emf *metrics.EMFWriter, opts ...Option) *Handler {
	h := &Handler{
		cfg: cfg, bucket: bucket, refs: refs, emf: emf,
		log: slog.Default(), now: time.Now,
		writers: 8,
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Request is one batch to ingest, however it arrived. Model and Kind come
// from the HTTP route. Only a direct invocation (Direct) takes them from the
// body, where it leaves them empty; an HTTP request never does.
type Request struct {
	Model          string
	Kind           record.Kind
	IdempotencyKey string
	Body           string
	Direct         bool
}

// Response is the outcome of a request. Its size is bounded whatever the
// batch: the rejections are summarised (RejectionSummary); the rejected/
// object in Objects holds every one.
type Response struct {
	BatchID  string `json:"batch_id"`
	Accepted int    `json:"accepted"`
	RejectionSummary
	Duplicate bool     `json:"duplicate"`
	Objects   []string `json:"objects"`
	Warnings  []string `json:"warnings,omitempty"`
}

// Ingest validates and stores one batch. The error, when not nil, is an
// *Error.
func (h *Handler) Ingest(ctx context.Context, req Request) (*Response, error) {
	start := h.now()
	resp, stats, e := h.ingest(ctx, req, start)
	elapsed := time.Since(start)
	if e != nil {
		level := slog.LevelInfo
		if e.Status >= 500 {
			level = slog.LevelError
			if e.BatchID == "" {
				// Every 5xx names the batch id a retry should carry.
				e.BatchID = h.batchIDOf(req)
			}
		}
		attrs := []any{"status", e.Status, "code", e.Code, "message", e.Message, "batch_id", e.BatchID,
			"model", req.Model, "kind", string(req.Kind), "duration_ms", elapsed.Milliseconds()}
		if e.Err != nil {
			attrs = append(attrs, "error", e.Err.Error())
		}
		h.log.Log(ctx, level, "request failed", attrs...)
		return nil, e
	}
	h.log.InfoContext(ctx, "batch ingested", "model", stats.model, "kind", string(stats.kind),
		"batch_id", resp.BatchID, "records", stats.records, "accepted", resp.Accepted, "rejected", resp.RejectedCount,
		"duplicate", resp.Duplicate, "hours", stats.hours, "objects_created", stats.created,
		"warnings", len(resp.Warnings), "duration_ms", elapsed.Milliseconds())
	return resp, nil
}

// requestStats is what a request did, for its log line and metrics.
type requestStats struct {
	model          string
	kind           record.Kind
	records, hours int
	created        int
}

func (h *Handler) ingest(ctx context.Context, req Request, now time.Time) (*Response, requestStats, *Error) {
	var st requestStats
	if len(req.Body) > h.cfg.MaxBodyBytes {
		return nil, st, errorf(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"the body has %d bytes, more than %d (MAX_BODY_BYTES); split the batch", len(req.Body), h.cfg.MaxBodyBytes)
	}
	body, err := record.OpenBody(req.Body)
	if err != nil {
		return nil, st, bodyError(err)
	}
	model, kind, e := h.target(req, body)
	if e != nil {
		return nil, st, e
	}
	st.model, st.kind = model, kind
	ref, err := h.refs.Current(ctx, model)
	if err != nil {
		return nil, st, referenceError(model, err)
	}
	rules := h.cfg.rules(now)
	b, e := build(req.Body, kind, model, ref, rules, h.cfg.limits(), nil, h.now)
	if e != nil {
		return nil, st, e
	}
	st.records, st.hours = b.records, len(b.hours)
	// Members after the records are known only now.
	if b.bodyModel != "" && b.bodyModel != model {
		return nil, st, errorf(http.StatusBadRequest, CodeModelMismatch, "the body names model %q but the request is for %q", b.bodyModel, model)
	}
	if b.bodyKind != "" && b.bodyKind != string(kind) {
		return nil, st, errorf(http.StatusBadRequest, CodeKindMismatch, "the body says kind %q but the request is for %s", b.bodyKind, kind)
	}
	id, e := batchID(req.IdempotencyKey, b.bodyBatchID, model, kind, req.Body)
	if e != nil {
		return nil, st, e
	}
	if err := b.finalize(id, now); err != nil {
		return nil, st, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the batch failed", Err: err}
	}

	rc := newReceipt(b)
	doc, err := json.Marshal(rc)
	if err != nil {
		return nil, st, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the receipt failed", Err: err}
	}
	duplicate := false
	err = h.bucket.PutIfAbsent(ctx, ReceiptKey(model, id), doc, store.WithContentType("application/json"))
	switch {
	case errors.Is(err, store.ErrExists):
		duplicate = true
		if rc, b, e = h.replay(ctx, req.Body, b, rules); e != nil {
			return nil, st, e
		}
	case err != nil:
		return nil, st, storageError(id, "recording the batch", err)
	}
	committed, err := h.commit(ctx, b)
	st.created = committed.created
	// What this request created is counted even when another write
	// failed: the retry finds it and does not count it again.
	h.emit(ctx, b, committed, duplicate, now)
	if err != nil {
		return nil, st, storageError(id, "storing the batch", err)
	}
	return rc.response(duplicate), st, nil
}

// target works out the model and kind of a request: from the route, or for
// a direct invocation only, from the body.
func (h *Handler) target(req Request, body *record.Body) (string, record.Kind, *Error) {
	model, kindText := req.Model, string(req.Kind)
	if !req.Direct && (model == "" || kindText == "") {
		return "", "", errorf(http.StatusBadRequest, CodeInvalidModel,
			"the request names no model or kind in its path; send batches to POST /v1/models/{model}/predictions or /v1/models/{model}/labels (the body never chooses them)")
	}
	if req.Direct {
		if (body.Model == "" || body.Kind == "") && !body.Complete {
			if err := body.SkipRecords(); err != nil {
				return "", "", bodyError(err)
			}
		}
		if body.Model == "" {
			return "", "", errorf(http.StatusBadRequest, CodeInvalidBody, "model: required when the function is invoked directly")
		}
		if body.Kind == "" {
			return "", "", errorf(http.StatusBadRequest, CodeInvalidBody, "kind: required when the function is invoked directly (predictions or labels)")
		}
		model, kindText = body.Model, body.Kind
	} else {
		if body.Model != "" && body.Model != model {
			return "", "", errorf(http.StatusBadRequest, CodeModelMismatch, "the body names model %q but the request is for %q", body.Model, model)
		}
		if body.Kind != "" && body.Kind != kindText {
			return "", "", errorf(http.StatusBadRequest, CodeKindMismatch, "the body says kind %q but the request is for %s", body.Kind, kindText)
		}
	}
	if err := layout.CheckModel(model); err != nil {
		return "", "", errorf(http.StatusBadRequest, CodeInvalidModel, "%v", err)
	}
	kind, err := record.ParseKind(kindText)
	if err != nil {
		return "", "", errorf(http.StatusBadRequest, CodeInvalidKind, "%v", err)
	}
	return model, kind, nil
}

// ContentBatchID is the batch id of a request that names none: derived from
// what it sends (the SHA-256 of model, kind and body), so that a client
// that resends the same body without a key gets the first request's
// outcome instead of storing the records again.
func ContentBatchID(model string, kind record.Kind, body string) string {
	h := sha256.New()
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	// In pieces: converting the whole body to []byte would copy it.
	var buf [16 << 10]byte
	for len(body) > 0 {
		n := copy(buf[:], body)
		h.Write(buf[:n])
		body = body[n:]
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil))
}

// batchID chooses the batch id: the Idempotency-Key header, else the body's
// batch_id (text of the body), else ContentBatchID.
func batchID(header, bodyID, model string, kind record.Kind, text string) (string, *Error) {
	body := bodyID
	if header != "" && body != "" && header != body {
		return "", errorf(http.StatusBadRequest, CodeBatchIDMismatch,
			"the Idempotency-Key header %q and the body's batch_id %q differ; send one, or the same in both", header, body)
	}
	id := header
	if id == "" {
		id = body
	}
	if id == "" {
		return ContentBatchID(model, kind, text), nil
	}
	if err := layout.CheckBatchID(id); err != nil {
		return "", errorf(http.StatusBadRequest, CodeInvalidBatchID, "%v", err)
	}
	return id, nil
}

// batchIDOf works out the batch id of a request that failed before its
// batch was built, for the 5xx answer: the id a retry of the same request
// would get. It is "" when the request has no valid id.
func (h *Handler) batchIDOf(req Request) string {
	model, kind, bodyID := req.Model, req.Kind, ""
	if body, err := record.OpenBody(req.Body); err == nil && body.SkipRecords() == nil {
		bodyID = body.BatchID
		if req.Direct {
			model, kind = body.Model, record.Kind(body.Kind)
		}
	}
	id, e := batchID(req.IdempotencyKey, bodyID, model, kind, req.Body)
	if e != nil {
		return ""
	}
	return id
}

func referenceError(model string, err error) *Error {
	switch {
	case errors.Is(err, reference.ErrUnknownModel):
		return &Error{Status: http.StatusNotFound, Code: CodeUnknownModel,
			Message: fmt.Sprintf("model %q has no reference profile; publish one with `modelwatch profile publish`", model)}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusInternalServerError, Code: CodeReference,
			Message: fmt.Sprintf("the reference pointer of model %q names a profile that does not exist", model), Err: err}
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, profile.ErrSchemaVersion) ||
		strings.Contains(err.Error(), "decode profile") || strings.Contains(err.Error(), "record schema") {
		return &Error{Status: http.StatusInternalServerError, Code: CodeReference,
			Message: fmt.Sprintf("the reference profile of model %q is unreadable; publish it again", model), Err: err}
	}
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeStorage,
		Message: fmt.Sprintf("loading the reference profile of model %q failed; retry", model), Err: err}
}

// replay handles a batch id that has a receipt already: the same records
// get the stored outcome, and the batch to write is rebuilt to match it.
func (h *Handler) replay(ctx context.Context, body string, b *batch, rules record.Rules) (*receipt, *batch, *Error) {
	data, err := h.bucket.Get(ctx, ReceiptKey(b.model, b.id))
	if err != nil {
		return nil, nil, storageError(b.id, "reading the batch's receipt", err)
	}
	rc, err := decodeReceipt(data)
	if err != nil {
		return nil, nil, &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
			Message: fmt.Sprintf("the receipt of batch %s is unreadable", b.id), BatchID: b.id, Err: err}
	}
	if rc.BodySHA256 != b.hash || rc.Kind != string(b.kind) || rc.Records != b.records {
		return nil, nil, &Error{Status: http.StatusConflict, Code: CodeIdempotencyConflict, BatchID: b.id,
			Message: fmt.Sprintf("batch id %s was already used for different records (%d %s received at %s); use a new Idempotency-Key or batch_id for new records",
				b.id, rc.Records, rc.Kind, rc.ReceivedAt.Format(time.RFC3339))}
	}
	if rc.sameDecisions(b) {
		// Same records, same reference, same verdicts: only the receipt
		// time is taken over.
		if err := b.finalize(b.id, rc.ReceivedAt); err != nil {
			return nil, nil, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the batch failed", Err: err}
		}
		return rc, b, nil
	}
	// The reference or the rules changed since: rebuild with the
	// reference and the decisions of the receipt.
	ref, err := h.refs.Version(ctx, b.model, rc.ReferenceVersion)
	if err != nil {
		return nil, nil, referenceError(b.model, err)
	}
	if ref.Profile.Fingerprint != rc.ReferenceFingerprint {
		return nil, nil, &Error{Status: http.StatusInternalServerError, Code: CodeReference, BatchID: b.id,
			Message: fmt.Sprintf("reference %s of model %s changed since batch %s was received", rc.ReferenceVersion, b.model, b.id)}
	}
	forced, err := rc.forced()
	if err != nil {
		return nil, nil, &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
			Message: fmt.Sprintf("the receipt of batch %s is unreadable", b.id), BatchID: b.id, Err: err}
	}
	// The receipt's decisions stand, within the bounds it was taken under.
	nb, e := build(body, b.kind, b.model, ref, rules, limits{records: max(h.cfg.MaxRecords, rc.Records)}, forced, h.now)
	if e != nil {
		e.BatchID = b.id
		return nil, nil, e
	}
	if err := nb.finalize(b.id, rc.ReceivedAt); err != nil {
		return nil, nil, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the batch failed", Err: err}
	}
	return rc, nb, nil
}

// committed is what this request itself created (as opposed to found
// already written by an earlier or concurrent request with the same id).
type committed struct {
	mu                 sync.Mutex
	created            int
	accepted, failures int
	rejected           int
	latencies          []float64
}

// commit writes the batch's objects that do not exist yet: per hour the
// data object, then its profile (a profile is never written before its data
// exists), and the rejected records. Hours are written concurrently. An
// object that exists already was written by an earlier attempt or a
// concurrent request with the same batch id, and has the same content.
func (h *Handler) commit(ctx context.Context, b *batch) (*committed, error) {
	c := &committed{}
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
		slots    = make(chan struct{}, h.writers)
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	put := func(key string, data []byte, contentType string) (bool, error) {
		made, err := h.putOnce(ctx, key, data, store.WithContentType(contentType))
		if made {
			c.mu.Lock()
			c.created++
			c.mu.Unlock()
		}
		return made, err
	}
	run := func(f func() error) {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := f(); err != nil {
				fail(err)
			}
		}()
	}
	for _, hr := range b.hours {
		run(func() error {
			made, err := put(hr.dataKey, hr.data, "application/gzip")
			if err != nil {
				return err
			}
			// The hour is committed by whoever creates its last object:
			// the profile for predictions, the data for labels. That
			// request alone counts its records in the metrics.
			if hr.profile != nil {
				if made, err = put(hr.profileKey, hr.profile, "application/json"); err != nil {
					return err
				}
			}
			if made {
				c.mu.Lock()
				c.accepted += hr.records
				c.failures += hr.errors
				c.latencies = append(c.latencies, hr.latencies...)
				c.mu.Unlock()
			}
			return nil
		})
	}
	if b.rejectedDoc != nil {
		run(func() error {
			made, err := put(b.rejectedKey, b.rejectedDoc, "application/json")
			if err == nil && made {
				c.mu.Lock()
				c.rejected += len(b.rejected)
				c.mu.Unlock()
			}
			return err
		})
	}
	wg.Wait()
	return c, firstErr
}

// putOnce writes an object unless it exists; made says whether this call
// created it.
func (h *Handler) putOnce(ctx context.Context, key string, data []byte, opts ...store.PutOption) (made bool, err error) {
	err = h.bucket.PutIfAbsent(ctx, key, data, opts...)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrExists):
		return false, nil
	}
	return false, err
}

// The EMF metric names (namespace from Config.Namespace, dimension Model).
const (
	MetricRecordsAccepted   = catalog.RecordsAccepted
	MetricRecordsRejected   = catalog.RecordsRejected
	MetricModelErrors       = catalog.ModelErrors
	MetricModelLatency      = catalog.ModelLatency
	MetricLabelsAccepted    = catalog.LabelsAccepted
	MetricLabelsRejected    = catalog.LabelsRejected
	MetricDuplicateRequests = catalog.DuplicateRequests
)

// emit writes the request's system metrics: only what this request
// committed, so that a retry or a concurrent duplicate never counts a
// record twice.
func (h *Handler) emit(ctx context.Context, b *batch, c *committed, duplicate bool, now time.Time) {
	if h.emf == nil {
		return
	}
	count := func(n int) []float64 { return []float64{float64(n)} }
	var ms []metrics.EMFMetric
	if b.kind == record.Labels {
		ms = []metrics.EMFMetric{
			{Name: MetricLabelsAccepted, Unit: metrics.EMFCount, Values: count(c.accepted)},
			{Name: MetricLabelsRejected, Unit: metrics.EMFCount, Values: count(c.rejected)},
		}
	} else {
		ms = []metrics.EMFMetric{
			{Name: MetricRecordsAccepted, Unit: metrics.EMFCount, Values: count(c.accepted)},
			{Name: MetricRecordsRejected, Unit: metrics.EMFCount, Values: count(c.rejected)},
			{Name: MetricModelErrors, Unit: metrics.EMFCount, Values: count(c.failures)},
			{Name: MetricModelLatency, Unit: metrics.EMFMilliseconds, Values: c.latencies},
		}
	}
	if duplicate {
		ms = append(ms, metrics.EMFMetric{Name: MetricDuplicateRequests, Unit: metrics.EMFCount, Values: count(1)})
	}
	err := h.emf.Write(metrics.EMFEntry{
		Timestamp:  now,
		Dimensions: []metrics.EMFDimension{{Name: catalog.DimModel, Value: b.model}},
		Metrics:    ms,
		Properties: map[string]string{"batch_id": b.id, "kind": string(b.kind)},
	})
	if err != nil {
		h.log.WarnContext(ctx, "writing EMF metrics failed", "batch_id", b.id, "error", err.Error())
	}
}
