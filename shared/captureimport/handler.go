package captureimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/store"
)

// Source reads objects of the capture bucket: store.S3 satisfies it.
type Source interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Handler is the capture-import function: it imports the object an S3
// "Object Created" event from EventBridge names.
type Handler struct {
	imp    *Importer
	src    Source
	bucket string
	log    *slog.Logger
}

// NewHandler returns a handler that reads objects of the capture bucket
// named bucket from src and imports them with imp.
func NewHandler(imp *Importer, src Source, bucket string, log *slog.Logger) *Handler {
	return &Handler{imp: imp, src: src, bucket: bucket, log: log}
}

// objectCreated is the detail of an S3 "Object Created" event.
type objectCreated struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key  string `json:"key"`
		Size int64  `json:"size"`
		ETag string `json:"etag"`
	} `json:"object"`
}

// Invoke imports the event's object. An object no mapping covers is logged
// and skipped (it is not an error: retrying would not change it); any other
// failure is returned, so that Lambda retries the event, which stores
// nothing twice.
func (h *Handler) Invoke(ctx context.Context, ev events.EventBridgeEvent) (*Result, error) {
	if ev.DetailType != "Object Created" || ev.Source != "aws.s3" {
		return nil, fmt.Errorf("event %s: detail-type %q from %q, want \"Object Created\" from aws.s3", ev.ID, ev.DetailType, ev.Source)
	}
	var d objectCreated
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return nil, fmt.Errorf("event %s: decode the detail: %w", ev.ID, err)
	}
	if d.Bucket.Name != h.bucket {
		return nil, fmt.Errorf("event %s: bucket %q, but this function imports from %q", ev.ID, d.Bucket.Name, h.bucket)
	}
	if d.Object.Key == "" || d.Object.ETag == "" {
		return nil, fmt.Errorf("event %s: the detail has no object key or etag", ev.ID)
	}
	key := d.Object.Key
	m, err := h.imp.Resolve(ctx, key)
	if errors.Is(err, ErrNoMapping) {
		h.log.WarnContext(ctx, "object skipped: no capture mapping covers it", "bucket", h.bucket, "key", key, "error", err.Error())
		return &Result{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", ev.ID, err)
	}
	data, err := h.get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", ev.ID, err)
	}
	t := ev.Time
	if t.IsZero() {
		t = time.Now()
	}
	return h.imp.Import(ctx, m, Object{Bucket: h.bucket, Key: key, ETag: d.Object.ETag, Time: t, Data: data})
}

// get reads key, or its URL-decoded form when the event carries the key
// URL-encoded.
func (h *Handler) get(ctx context.Context, key string) ([]byte, error) {
	data, err := h.src.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) && strings.ContainsAny(key, "%+") {
		if dec, derr := url.QueryUnescape(key); derr == nil && dec != key {
			data, err = h.src.Get(ctx, dec)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", h.bucket, key, err)
	}
	return data, nil
}
