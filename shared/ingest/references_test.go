package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// countingStore counts reads and can fail them.
type countingStore struct {
	*store.Memory
	gets atomic.Int64
	fail atomic.Bool
}

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets.Add(1)
	if c.fail.Load() {
		return nil, errors.New("injected: S3 unavailable")
	}
	return c.Memory.Get(ctx, key)
}

func TestReferenceCache(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{Memory: store.NewMemory()}
	ref := exampleReference(t)
	if _, err := reference.Publish(ctx, st.Memory, ref, testNow); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c := ingest.NewReferenceCache(st, time.Minute, slog.New(slog.NewJSONHandler(&logs, nil)))

	r1, err := c.Current(ctx, testModel)
	if err != nil || r1.Version != "v1" || r1.Profile.Fingerprint != ref.Fingerprint {
		t.Fatalf("first load: %v %+v", err, r1)
	}
	loads := st.gets.Load()
	r2, _ := c.Current(ctx, testModel)
	if r2 != r1 || st.gets.Load() != loads {
		t.Error("a warm lookup within the TTL read the bucket")
	}

	// Publish v2; the cache sees it only once the TTL has passed.
	v2 := *ref
	v2.Version = "v2"
	if _, err := reference.Publish(ctx, st.Memory, &v2, testNow); err != nil {
		t.Fatal(err)
	}
	if r, _ := c.Current(ctx, testModel); r.Version != "v1" {
		t.Errorf("within the TTL: version %s", r.Version)
	}
	c2 := ingest.NewReferenceCache(st, 0, nil) // TTL 0: every lookup reads
	if r, _ := c2.Current(ctx, testModel); r.Version != "v2" {
		t.Errorf("without a TTL: version %s", r.Version)
	}

	// A failed reload keeps serving the cached reference and says so.
	st.fail.Store(true)
	c3 := ingest.NewReferenceCache(st, 0, slog.New(slog.NewJSONHandler(&logs, nil)))
	if _, err := c3.Current(ctx, testModel); err == nil {
		t.Error("a cold cache served a reference it could not read")
	}
	st.fail.Store(false)
	if _, err := c3.Current(ctx, testModel); err != nil {
		t.Fatal(err)
	}
	st.fail.Store(true)
	if r, err := c3.Current(ctx, testModel); err != nil || r.Version != "v2" {
		t.Errorf("stale fallback: %v %v", r, err)
	}
	if !strings.Contains(logs.String(), "reference reload failed") {
		t.Errorf("the fallback was not logged: %s", logs.String())
	}
	st.fail.Store(false)

	// Unknown models are not cached: publishing one makes it known at once.
	if _, err := c.Current(ctx, "churn"); !errors.Is(err, reference.ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
	churn := *ref
	churn.Model = "churn"
	if _, err := reference.Publish(ctx, st.Memory, &churn, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Current(ctx, "churn"); err != nil {
		t.Errorf("newly published model: %v", err)
	}

	// Versions load by name and are kept.
	v, err := c.Version(ctx, testModel, "v1")
	if err != nil || v.Version != "v1" {
		t.Fatalf("version v1: %v", err)
	}
	loads = st.gets.Load()
	if again, _ := c.Version(ctx, testModel, "v1"); again != v || st.gets.Load() != loads {
		t.Error("a known version was read again")
	}
	if _, err := c.Version(ctx, testModel, "v9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing version: %v", err)
	}
	if _, err := c.Version(ctx, testModel, "../x"); err == nil {
		t.Error("a malformed version was looked up")
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := ingest.ConfigFromEnv(env(map[string]string{
		"BUCKET": "b", "MAX_RECORDS": "50", "MAX_BODY_BYTES": "1024", "UNKNOWN_FEATURES": "reject",
		"MAX_EVENT_AGE": "0", "MAX_LABEL_AGE": "720h", "MAX_EVENT_FUTURE": "1m", "SCORE_SUM_TOLERANCE": "0.05",
		"REFERENCE_TTL": "30s", "METRICS_NAMESPACE": "Custom",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Bucket != "b" || c.MaxRecords != 50 || c.MaxBodyBytes != 1024 || c.UnknownFeatures != "reject" || c.MaxEventAge != 0 ||
		c.MaxLabelAge != 720*time.Hour || c.MaxEventFuture != time.Minute || c.ScoreSumTolerance != 0.05 ||
		c.ReferenceTTL != 30*time.Second || c.Namespace != "Custom" {
		t.Errorf("config %+v", c)
	}
	d, err := ingest.ConfigFromEnv(env(map[string]string{"BUCKET": "b"}))
	if err != nil || d.MaxRecords != 10000 || d.MaxEventAge != 168*time.Hour || d.UnknownFeatures != "accept" || d.Namespace != "ModelWatch" {
		t.Errorf("defaults %+v %v", d, err)
	}
	_, err = ingest.ConfigFromEnv(env(map[string]string{"MAX_RECORDS": "-1", "MAX_EVENT_AGE": "a week",
		"UNKNOWN_FEATURES": "drop", "SCORE_SUM_TOLERANCE": "2"}))
	for _, name := range []string{"BUCKET", "MAX_RECORDS", "MAX_EVENT_AGE", "UNKNOWN_FEATURES", "SCORE_SUM_TOLERANCE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

func TestLogHandlerAddsRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(ingest.NewLogHandler(&buf, slog.LevelInfo)).With("fn", "ingest")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-42"})
	log.InfoContext(ctx, "hello")
	out := buf.String()
	for _, want := range []string{`"requestId":"req-42"`, `"message":"hello"`, `"timestamp":`, `"fn":"ingest"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %s lacks %s", out, want)
		}
	}
}
