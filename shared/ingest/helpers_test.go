package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// The event fixtures are stamped 2026-11-26 around 20:00 UTC; the tests'
// clock stands an hour later.
var testNow = time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)

const testModel = "credit-default"

var (
	refOnce sync.Once
	refProf *profile.Profile
	refErr  error
)

// exampleReference is the reference profile of the example data
// (testdata/example/reference.csv), model credit-default version v1.
func exampleReference(t testing.TB) *profile.Profile {
	t.Helper()
	refOnce.Do(func() {
		r, err := dataset.Open(filepath.Join("..", "..", "testdata", "example", "reference.csv"), dataset.FormatCSV)
		if err != nil {
			refErr = err
			return
		}
		defer r.Close()
		opts := profile.BuildOptions{Settings: profile.DefaultSettings(), Model: testModel, Version: "v1",
			Now: func() time.Time { return testNow.Add(-30 * 24 * time.Hour) }}
		refProf, refErr = profile.Build(context.Background(), r, "reference.csv", opts)
	})
	if refErr != nil {
		t.Fatalf("build the example reference: %v", refErr)
	}
	return refProf
}

// fixture is a handler over an in-memory bucket holding the example
// reference.
type fixture struct {
	h      *ingest.Handler
	bucket *store.Memory
	emf    *bytes.Buffer
	logs   *bytes.Buffer
	cfg    ingest.Config
	// now is the handler's clock; tests may move it.
	now time.Time
}

func newFixture(t testing.TB, edit ...func(*ingest.Config)) *fixture {
	t.Helper()
	return newFixtureOn(t, store.NewMemory(), edit...)
}

func newFixtureOn(t testing.TB, bucket *store.Memory, edit ...func(*ingest.Config)) *fixture {
	t.Helper()
	return newFixtureWith(t, bucket, bucket, edit...)
}

// newFixtureWith builds a handler whose writes go to b (possibly a
// fault-injecting wrapper of mem).
func newFixtureWith(t testing.TB, mem *store.Memory, b ingest.Bucket, edit ...func(*ingest.Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := mem.Get(ctx, "reference/"+testModel+"/current.json"); err != nil {
		if _, err := reference.Publish(ctx, mem, exampleReference(t), testNow.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	cfg := ingest.DefaultConfig()
	cfg.Bucket = "test"
	for _, e := range edit {
		e(&cfg)
	}
	f := &fixture{bucket: mem, emf: &bytes.Buffer{}, logs: &bytes.Buffer{}, cfg: cfg, now: testNow}
	emf, err := metrics.NewEMFWriter(lockedWriter{w: f.emf}, cfg.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(ingest.NewLogHandler(lockedWriter{w: f.logs}, slog.LevelDebug))
	refs := ingest.NewReferenceCache(mem, cfg.ReferenceTTL, log)
	f.h = ingest.New(cfg, b, refs, emf,
		ingest.WithClock(func() time.Time { return f.now }),
		ingest.WithLogger(log))
	return f
}

type lockedWriter struct{ w *bytes.Buffer }

var writeMu sync.Mutex

func (l lockedWriter) Write(p []byte) (int, error) {
	writeMu.Lock()
	defer writeMu.Unlock()
	return l.w.Write(p)
}

// event reads an events/ fixture.
func event(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func httpEvent(t testing.TB, name string) *events.APIGatewayV2HTTPRequest {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(event(t, name), &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &ev
}

// httpResult is a decoded HTTP answer.
type httpResult struct {
	Status  int
	Headers map[string]string
	Resp    ingest.Response
	Err     struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		BatchID string `json:"batch_id"`
	}
	Body string
}

func decodeHTTP(t testing.TB, r events.APIGatewayV2HTTPResponse) httpResult {
	t.Helper()
	out := httpResult{Status: r.StatusCode, Headers: r.Headers, Body: r.Body}
	if r.StatusCode == 200 {
		if err := json.Unmarshal([]byte(r.Body), &out.Resp); err != nil {
			t.Fatalf("200 body is not a response: %v\n%s", err, r.Body)
		}
		return out
	}
	var eb struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &eb); err != nil || eb.Error == nil {
		t.Fatalf("%d body is not an error body: %v\n%s", r.StatusCode, err, r.Body)
	}
	if err := json.Unmarshal(eb.Error, &out.Err); err != nil {
		t.Fatal(err)
	}
	if out.Err.Code == "" || out.Err.Message == "" {
		t.Fatalf("error body without code or message: %s", r.Body)
	}
	return out
}

// post sends body to the predictions or labels route of model.
func (f *fixture) post(t testing.TB, model, kind, body string, headers map[string]string) httpResult {
	t.Helper()
	ev := &events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /v1/models/{model}/" + kind,
		RawPath: "/v1/models/" + model + "/" + kind, Headers: headers, Body: body,
		PathParameters: map[string]string{"model": model},
	}
	ev.RequestContext.HTTP.Method = "POST"
	return decodeHTTP(t, f.h.HandleHTTP(context.Background(), ev))
}

// jsonl reads a gzip JSON Lines object into its lines.
func jsonl(t testing.TB, b *store.Memory, key string) []map[string]any {
	t.Helper()
	data, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not gzip: %v", key, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: line is not JSON: %v\n%q", key, err, line)
		}
		out = append(out, m)
	}
	return out
}

func batchProfile(t testing.TB, b *store.Memory, key string) *profile.Profile {
	t.Helper()
	data, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return p
}

// dataKeys lists the keys under the data prefixes (not reference/).
func dataKeys(b *store.Memory) []string {
	var out []string
	for _, k := range b.Keys() {
		if !strings.HasPrefix(k, "reference/") {
			out = append(out, k)
		}
	}
	return out
}

// emfDocs decodes the EMF lines written so far.
func emfDocs(t testing.TB, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	writeMu.Lock()
	text := buf.String()
	writeMu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("EMF line is not JSON: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// emfSum adds metric name over every EMF document (arrays count each
// value).
func emfSum(t testing.TB, buf *bytes.Buffer, name string) (sum float64, n int) {
	for _, d := range emfDocs(t, buf) {
		switch v := d[name].(type) {
		case float64:
			sum += v
			n++
		case []any:
			for _, x := range v {
				sum += x.(float64)
				n++
			}
		}
	}
	return sum, n
}
