package captureimport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/capture"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Bucket is what the importer needs from the modelwatch bucket: what the
// ingest path needs, and listing the mappings. store.Store satisfies it.
type Bucket interface {
	ingest.Bucket
	List(ctx context.Context, prefix string) ([]store.Object, error)
}

// Ingester stores a batch: *ingest.Handler.
type Ingester interface {
	Ingest(ctx context.Context, req ingest.Request) (*ingest.Response, error)
}

var _ Ingester = (*ingest.Handler)(nil)

// Object is a capture or ground-truth object.
type Object struct {
	Bucket, Key string
	// ETag is the object's entity tag (quotes are ignored).
	ETag string
	// Time is when the object was written.
	Time time.Time
	Data []byte
}

// BatchID is the batch id of an object: the same object always gets the
// same id, so importing it again stores nothing twice.
func BatchID(bucket, key, etag string) string {
	h := sha256.Sum256([]byte(bucket + "/" + key + "\x00" + strings.Trim(etag, `"`)))
	return "sm-" + hex.EncodeToString(h[:20])
}

// Result is what importing one object did.
type Result struct {
	Model      string `json:"model"`
	BatchID    string `json:"batch_id"`
	Kind       string `json:"kind"`
	Lines      int    `json:"lines"`
	Records    int    `json:"records"`
	Accepted   int    `json:"accepted"`
	Rejected   int    `json:"rejected"`
	Unreadable int    `json:"unreadable"`
	Duplicate  bool   `json:"duplicate"`
	// Conflict is set on a duplicate whose records differ from the first
	// import's (the mapping changed since): the first import stands.
	Conflict bool `json:"conflict,omitempty"`
	// Objects are the keys of the batch in the modelwatch bucket.
	Objects []string `json:"objects"`
}

// Importer imports objects for the models whose mappings it finds in the
// modelwatch bucket.
type Importer struct {
	bucket Bucket
	ing    Ingester
	log    *slog.Logger
	now    func() time.Time
	ttl    time.Duration

	mu       sync.Mutex
	mappings []*capture.Mapping
	loaded   time.Time
}

// Option configures an Importer.
type Option func(*Importer)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(im *Importer) { im.log = l } }

// WithMappingTTL sets how long the mappings found in the bucket are used
// before they are listed again (default 5m).
func WithMappingTTL(d time.Duration) Option { return func(im *Importer) { im.ttl = d } }

// WithClock sets the clock of the mapping cache.
func WithClock(now func() time.Time) Option { return func(im *Importer) { im.now = now } }

// New returns an importer that reads mappings from bucket and stores batches
// with ing.
func New(bucket Bucket, ing Ingester, opts ...Option) *Importer {
	im := &Importer{bucket: bucket, ing: ing, log: slog.Default(), now: time.Now, ttl: 5 * time.Minute}
	for _, o := range opts {
		o(im)
	}
	return im
}

// Mapping reads and validates model's mapping.
func (im *Importer) Mapping(ctx context.Context, model string) (*capture.Mapping, error) {
	if err := layout.CheckModel(model); err != nil {
		return nil, err
	}
	key := capture.MappingKey(model)
	data, err := im.bucket.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("model %s has no capture mapping: write %s in the modelwatch bucket (docs/ingest.md)", model, key)
	}
	if err != nil {
		return nil, fmt.Errorf("read the capture mapping %s: %w", key, err)
	}
	return capture.ParseMapping(model, data)
}

// ErrNoMapping is returned by Resolve when no mapping covers a key.
var ErrNoMapping = errors.New("no capture mapping covers the object")

// Resolve finds the mapping that covers key: a capture key of the mapping's
// endpoint and variant, or a key under its ground-truth prefix.
func (im *Importer) Resolve(ctx context.Context, key string) (*capture.Mapping, error) {
	ms, err := im.loadMappings(ctx)
	if err != nil {
		return nil, err
	}
	endpoint, variant, _, isCapture := capture.CaptureKey(key)
	var found []*capture.Mapping
	for _, m := range ms {
		if (m.GroundTruth.Prefix != "" && strings.HasPrefix(key, m.GroundTruth.Prefix)) || (isCapture && m.Matches(endpoint, variant)) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: %s (endpoint %q, variant %q)", ErrNoMapping, key, endpoint, variant)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, m := range found {
		names[i] = m.Model
	}
	return nil, fmt.Errorf("the capture mappings of %s all cover %s; make endpoint, variant and ground_truth.prefix tell them apart", strings.Join(names, ", "), key)
}

// loadMappings lists config/*/capture.yaml, at most once per TTL. A mapping
// that does not validate is logged and left out: the other models go on.
func (im *Importer) loadMappings(ctx context.Context) ([]*capture.Mapping, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	now := im.now()
	if im.mappings != nil && now.Sub(im.loaded) < im.ttl {
		return im.mappings, nil
	}
	objs, err := im.bucket.List(ctx, "config/")
	if err != nil {
		return nil, fmt.Errorf("list the capture mappings: %w", err)
	}
	ms := []*capture.Mapping{}
	for _, o := range objs {
		model, ok := strings.CutPrefix(o.Key, "config/")
		if !ok {
			continue
		}
		if model, ok = strings.CutSuffix(model, "/capture.yaml"); !ok || strings.Contains(model, "/") {
			continue
		}
		m, err := im.Mapping(ctx, model)
		if err != nil {
			im.log.ErrorContext(ctx, "capture mapping left out", "model", model, "key", o.Key, "error", err.Error())
			continue
		}
		ms = append(ms, m)
	}
	im.mappings, im.loaded = ms, now
	return ms, nil
}

// Import decodes obj with mapping m and stores it as one batch of m's model.
func (im *Importer) Import(ctx context.Context, m *capture.Mapping, obj Object) (*Result, error) {
	start := time.Now()
	id := BatchID(obj.Bucket, obj.Key, obj.ETag)
	res := &Result{Model: m.Model, BatchID: id}
	b, err := capture.Decode(m, capture.File{Key: obj.Key, Time: obj.Time, Data: obj.Data})
	if err != nil {
		return nil, fmt.Errorf("decode s3://%s/%s: %w", obj.Bucket, obj.Key, err)
	}
	res.Kind, res.Lines, res.Records, res.Unreadable = string(b.Kind), b.Lines, b.Records, len(b.Unreadable)
	if b.Records > 0 {
		resp, err := im.ing.Ingest(ctx, ingest.Request{Model: m.Model, Kind: b.Kind, IdempotencyKey: id, Body: b.Body})
		var ie *ingest.Error
		switch {
		case errors.As(err, &ie) && ie.Code == ingest.CodeIdempotencyConflict:
			// The object was imported before and reads differently now (its
			// mapping changed, or the time of ground truth whose key has no
			// hour): what was stored stands, nothing is stored twice.
			im.log.WarnContext(ctx, "capture object imported before with other records; nothing stored",
				"model", m.Model, "batch_id", id, "bucket", obj.Bucket, "key", obj.Key)
			res.Duplicate, res.Conflict = true, true
			return res, nil
		case err != nil:
			return nil, fmt.Errorf("ingest s3://%s/%s as batch %s: %w", obj.Bucket, obj.Key, id, err)
		}
		res.Accepted, res.Rejected, res.Duplicate, res.Objects = resp.Accepted, resp.RejectedCount, resp.Duplicate, resp.Objects
	}
	if len(b.Unreadable) > 0 {
		key, err := im.keepUnreadable(ctx, m.Model, id, obj, b)
		if err != nil {
			return nil, err
		}
		res.Objects = append(res.Objects, key)
	}
	im.log.InfoContext(ctx, "capture object imported", "model", res.Model, "kind", res.Kind, "batch_id", id,
		"bucket", obj.Bucket, "key", obj.Key, "lines", res.Lines, "records", res.Records, "accepted", res.Accepted,
		"rejected", res.Rejected, "unreadable", res.Unreadable, "duplicate", res.Duplicate,
		"duration_ms", time.Since(start).Milliseconds())
	return res, nil
}

// UnreadableKey is the key of the lines of batch id that became no record,
// in the partition of the object's hour (from its key, else its time).
func UnreadableKey(model, batchID string, obj Object) string {
	day := obj.Time
	if _, _, h, ok := capture.CaptureKey(obj.Key); ok {
		day = h
	}
	return layout.Rejected(model, day, batchID+"-lines")
}

// keepUnreadable stores the unreadable lines with their reasons, once.
func (im *Importer) keepUnreadable(ctx context.Context, model, id string, obj Object, b *capture.Batch) (string, error) {
	key := UnreadableKey(model, id, obj)
	doc, err := json.Marshal(struct {
		BatchID    string               `json:"batch_id"`
		Model      string               `json:"model"`
		Object     string               `json:"object"`
		ETag       string               `json:"etag"`
		Lines      int                  `json:"lines"`
		Unreadable []capture.Unreadable `json:"unreadable"`
	}{id, model, "s3://" + obj.Bucket + "/" + obj.Key, strings.Trim(obj.ETag, `"`), b.Lines, b.Unreadable})
	if err != nil {
		return "", fmt.Errorf("encode the unreadable lines of batch %s: %w", id, err)
	}
	err = im.bucket.PutIfAbsent(ctx, key, append(doc, '\n'), store.WithContentType("application/json"))
	if err != nil && !errors.Is(err, store.ErrExists) {
		return "", fmt.Errorf("store the unreadable lines of batch %s: %w", id, err)
	}
	return key, nil
}
