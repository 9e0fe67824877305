package main

// Integration tests: the real bootstrap, built as for deployment, runs
// under aws-lambda-rie against moto's S3 server. Both are started by the
// tests (moto on a free 127.0.0.1 port, see internal/motoserver; the
// emulator from PATH or $(go env GOPATH)/bin, see internal/lambdarie); they
// fail when either is missing, and are skipped with -short.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// binDir keeps the bootstrap for every test of the package (lambdarie.Build
// writes it to the first test's temporary directory, which goes with it).
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ingest-bootstrap-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := motoserver.RunMain(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

const model = "credit-default"

// stack is a moto bucket holding the example reference, and the ingest
// bootstrap built once.
type stack struct {
	srv    *motoserver.Server
	bucket string
	st     *store.S3
	bin    string
}

var (
	buildOnce sync.Once
	bootstrap string
)

func newStack(t *testing.T) *stack {
	t.Helper()
	srv := motoserver.Shared(t)
	s := &stack{srv: srv, bucket: srv.NewBucket(t)}
	s.st = store.NewS3(srv.S3Client(), s.bucket)
	buildOnce.Do(func() {
		built, err := os.ReadFile(lambdarie.Build(t, "./functions/ingest"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(binDir, "bootstrap")
		if err := os.WriteFile(path, built, 0o755); err != nil {
			t.Fatal(err)
		}
		bootstrap = path
	})
	if bootstrap == "" {
		t.Fatal("the bootstrap was not built")
	}
	s.bin = bootstrap

	r, err := dataset.Open(filepath.Join("..", "..", "testdata", "example", "reference.csv"), dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ref, err := profile.Build(context.Background(), r, "reference.csv", profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: model, Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(context.Background(), s.st, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	return s
}

// start runs one instance of the function; env adds to the defaults.
func (s *stack) start(t *testing.T, env ...string) *lambdarie.Function {
	t.Helper()
	base := []string{
		"BUCKET=" + s.bucket,
		"AWS_ENDPOINT_URL=" + s.srv.URL,
		"AWS_ACCESS_KEY_ID=" + motoserver.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + motoserver.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"MAX_EVENT_AGE=0",    // the fixtures are stamped 2026-11-26
		"MAX_EVENT_FUTURE=0", // and may lie ahead of this machine's clock
	}
	return lambdarie.Start(t, s.bin, append(base, env...)...)
}

func event(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// httpAnswer is a decoded API Gateway response.
type httpAnswer struct {
	Status  int               `json:"statusCode"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	resp    ingest.Response
	errCode string
}

func invokeHTTP(t *testing.T, fn *lambdarie.Function, payload []byte) httpAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, fn.Output())
	}
	var a httpAnswer
	if err := json.Unmarshal(out, &a); err != nil || a.Status == 0 {
		t.Fatalf("not an HTTP response: %v\n%s", err, out)
	}
	if a.Status == 200 {
		if err := json.Unmarshal([]byte(a.Body), &a.resp); err != nil {
			t.Fatal(err)
		}
	} else {
		var eb struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(a.Body), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Fatalf("error body %s: %v", a.Body, err)
		}
		a.errCode = eb.Error.Code
	}
	return a
}

// post builds an HTTP event for body.
func post(kind, body string, headers map[string]string) []byte {
	ev := map[string]any{
		"version": "2.0", "routeKey": "POST /v1/models/{model}/" + kind, "rawPath": "/v1/models/" + model + "/" + kind,
		"headers": headers, "pathParameters": map[string]string{"model": model}, "body": body, "isBase64Encoded": false,
		"requestContext": map[string]any{"http": map[string]string{"method": "POST", "path": "/v1/models/" + model + "/" + kind}},
	}
	b, _ := json.Marshal(ev)
	return b
}

// keys lists the bucket's objects outside reference/.
func (s *stack) keys(t *testing.T) []string {
	t.Helper()
	objs, err := s.st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		if !strings.HasPrefix(o.Key, "reference/") {
			out = append(out, o.Key)
		}
	}
	return out
}

func (s *stack) lines(t *testing.T, key string) []map[string]any {
	t.Helper()
	out, err := s.srv.S3Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if ct := aws.ToString(out.ContentType); ct != "application/gzip" {
		t.Errorf("%s content type %q", key, ct)
	}
	zr, err := gzip.NewReader(out.Body)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	raw, _ := io.ReadAll(zr)
	var recs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// emfTotal sums metric name over the EMF lines in the functions' output.
func emfTotal(t *testing.T, name string, fns ...*lambdarie.Function) float64 {
	t.Helper()
	var sum float64
	for _, fn := range fns {
		for _, line := range strings.Split(fn.Output(), "\n") {
			i := strings.Index(line, `{"_aws":`)
			if i < 0 {
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(line[i:]), &doc); err != nil {
				t.Fatalf("EMF line is not JSON: %v\n%s", err, line)
			}
			switch v := doc[name].(type) {
			case float64:
				sum += v
			case []any:
				sum += float64(len(v)) // latencies: count the values
			}
		}
	}
	return sum
}

func TestValidMixedAndDuplicate(t *testing.T) {
	s := newStack(t)
	fn := s.start(t)

	a := invokeHTTP(t, fn, event(t, "ingest-predictions.json"))
	if a.Status != 200 || a.resp.Accepted != 6 || len(a.resp.Objects) != 4 || a.resp.Duplicate {
		t.Fatalf("valid batch: %d %s", a.Status, a.Body)
	}
	want := append(slices.Clone(a.resp.Objects), ingest.ReceiptKey(model, "demo-batch-0001"))
	slices.Sort(want)
	if got := s.keys(t); !slices.Equal(got, want) {
		t.Fatalf("bucket holds %v, want %v", got, want)
	}
	hour19 := s.lines(t, a.resp.Objects[0])
	if len(hour19) != 3 || hour19[2]["request_id"] != "r-0004" {
		t.Errorf("hour 19 holds %v", hour19)
	}
	data, err := s.st.Get(context.Background(), a.resp.Objects[3])
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Decode(data)
	if err != nil || p.Rows != 3 || p.Errors != 1 || p.Feature("employment").Missing != 1 {
		t.Errorf("hour 20 profile: %v rows %d errors %d", err, p.Rows, p.Errors)
	}

	m := invokeHTTP(t, fn, event(t, "ingest-mixed.json"))
	if m.Status != 200 || m.resp.Accepted != 3 || len(m.resp.Rejected) != 8 || len(m.resp.Warnings) != 1 {
		t.Fatalf("mixed batch: %d %s", m.Status, m.Body)
	}
	rej, err := s.st.Get(context.Background(), m.resp.Objects[2])
	if err != nil || !bytes.Contains(rej, []byte(`"index":6,"reason":"record: got a number, want an object","record":42`)) {
		t.Errorf("rejected object %s: %v", rej, err)
	}

	before := s.keys(t)
	d := invokeHTTP(t, fn, event(t, "ingest-predictions.json"))
	if d.Status != 200 || !d.resp.Duplicate || d.resp.Accepted != 6 || !slices.Equal(d.resp.Objects, a.resp.Objects) ||
		d.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("retry: %d %s", d.Status, d.Body)
	}
	if after := s.keys(t); !slices.Equal(after, before) {
		t.Errorf("the retry stored objects: %v", after)
	}
	if n := emfTotal(t, ingest.MetricRecordsAccepted, fn); n != 9 {
		t.Errorf("EMF RecordsAccepted %g, want 9 (6 + 3, the retry adds none)\n%s", n, fn.Output())
	}
	if n := emfTotal(t, ingest.MetricRecordsRejected, fn); n != 8 {
		t.Errorf("EMF RecordsRejected %g, want 8", n)
	}
	if strings.Contains(fn.Output(), "35294.56") {
		t.Error("the function logged a feature value")
	}
}

func TestLabelsAndEncodings(t *testing.T) {
	s := newStack(t)
	fn := s.start(t)
	for name, accepted := range map[string]int{"ingest-labels.json": 3, "ingest-base64.json": 2, "ingest-gzip.json": 4} {
		a := invokeHTTP(t, fn, event(t, name))
		if a.Status != 200 || a.resp.Accepted != accepted {
			t.Errorf("%s: %d %s", name, a.Status, a.Body)
		}
	}
	labels := 0
	for _, k := range s.keys(t) {
		if strings.HasPrefix(k, "labels/") {
			labels += len(s.lines(t, k))
		}
	}
	if labels != 3 {
		t.Errorf("%d labels stored, want 3", labels)
	}

	// A direct invocation answers the response itself.
	ctx := context.Background()
	out, err := fn.Invoke(ctx, event(t, "ingest-direct.json"))
	if err != nil || !bytes.Contains(out, []byte(`"accepted":6`)) || !bytes.Contains(out, []byte(`"batch_id":"demo-direct-0001"`)) {
		t.Errorf("direct invocation: %v %s", err, out)
	}
	// and fails as a function error naming the code.
	out, _ = fn.Invoke(ctx, []byte(`{"kind":"predictions","records":[{}]}`))
	if !bytes.Contains(out, []byte(`"errorType":"invalid_body"`)) {
		t.Errorf("direct invocation without a model: %s", out)
	}
}

func TestBadInputClasses(t *testing.T) {
	s := newStack(t)
	fn := s.start(t, "MAX_RECORDS=5", "MAX_BODY_BYTES=4000")
	rec := `{"request_id":"r","timestamp":"2026-11-26T20:00:00Z","features":{"age":30},"prediction":"default"}`
	many := `{"records":[` + strings.TrimSuffix(strings.Repeat(rec+",", 6), ",") + `]}`
	cases := []struct {
		name    string
		payload []byte
		status  int
		code    string
	}{
		{"syntax", post("predictions", `{"records":[`+rec+`,]}`, nil), 400, ingest.CodeInvalidJSON},
		{"shape", post("predictions", `{"records":{}}`, nil), 400, ingest.CodeInvalidBody},
		{"no records", post("predictions", `{"records":[]}`, nil), 400, ingest.CodeNoRecords},
		{"too many records", post("predictions", many, nil), 413, ingest.CodeTooManyRecords},
		{"body too large", post("predictions", `{"records":[`+rec+`],"batch_id":"`+strings.Repeat("x", 4000)+`"}`, nil), 413, ingest.CodeBodyTooLarge},
		{"media type", post("predictions", `{"records":[`+rec+`]}`, map[string]string{"content-type": "text/plain"}), 415, ingest.CodeUnsupportedMedia},
		{"route", bytes.Replace(post("labels", `{"records":[]}`, nil), []byte("/labels"), []byte("/metrics"), 2), 404, ingest.CodeNotFound},
		{"batch id", post("predictions", `{"records":[`+rec+`]}`, map[string]string{"idempotency-key": "a/b"}), 400, ingest.CodeInvalidBatchID},
		{"unknown model", bytes.ReplaceAll(post("predictions", `{"records":[`+rec+`]}`, nil), []byte(model), []byte("churn")), 404, ingest.CodeUnknownModel},
	}
	for _, tc := range cases {
		a := invokeHTTP(t, fn, tc.payload)
		if a.Status != tc.status || a.errCode != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, a.Status, a.Body, tc.status, tc.code)
		}
	}
	// Record-level problems answer 200 with the record's reason.
	a := invokeHTTP(t, fn, post("predictions", `{"records":[`+strings.Replace(rec, `30`, `"thirty"`, 1)+`,`+rec+`]}`, nil))
	if a.Status != 200 || a.resp.Accepted != 1 || len(a.resp.Rejected) != 1 || !strings.HasPrefix(a.resp.Rejected[0].Reason, "features.age: got a string") {
		t.Errorf("record problem: %d %s", a.Status, a.Body)
	}
	// A reused batch id with other records conflicts.
	first := invokeHTTP(t, fn, post("predictions", `{"batch_id":"k-1","records":[`+rec+`]}`, nil))
	second := invokeHTTP(t, fn, post("predictions", `{"batch_id":"k-1","records":[`+rec+`,`+rec+`]}`, nil))
	if first.Status != 200 || second.Status != 409 || second.errCode != ingest.CodeIdempotencyConflict {
		t.Errorf("reused id: %d then %d %s", first.Status, second.Status, second.Body)
	}
	// Nothing of the refused requests was stored: two batches of one
	// hour each (data, profile, receipt) and one rejected object.
	if got := s.keys(t); len(got) != 7 {
		t.Errorf("bucket holds %v", got)
	}
}

// TestConcurrentIdenticalRequests sends one batch to two function
// instances at once, as API Gateway does when a client retries while its
// first request is still running: exactly one copy is stored and counted.
func TestConcurrentIdenticalRequests(t *testing.T) {
	s := newStack(t)
	fns := []*lambdarie.Function{s.start(t), s.start(t), s.start(t)}
	payload := event(t, "ingest-predictions.json")
	for round := range 3 {
		if round > 0 {
			payload = bytes.ReplaceAll(event(t, "ingest-predictions.json"), []byte("demo-batch-0001"), []byte(fmt.Sprintf("race-%d", round)))
		}
		answers := make([]httpAnswer, len(fns))
		var wg sync.WaitGroup
		for i, fn := range fns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = invokeHTTP(t, fn, payload)
			}()
		}
		wg.Wait()
		originals := 0
		for _, a := range answers {
			if a.Status != 200 || a.resp.Accepted != 6 {
				t.Fatalf("round %d: %d %s", round, a.Status, a.Body)
			}
			if !a.resp.Duplicate {
				originals++
			}
		}
		if originals != 1 {
			t.Errorf("round %d: %d requests claim the batch, want 1", round, originals)
		}
	}
	keys := s.keys(t)
	if len(keys) != 3*5 {
		t.Errorf("bucket holds %d objects, want 3 batches of 5: %v", len(keys), keys)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "predictions/") {
			if n := len(s.lines(t, k)); n != 3 {
				t.Errorf("%s holds %d records, want 3", k, n)
			}
		}
	}
	if n := emfTotal(t, ingest.MetricRecordsAccepted, fns...); n != 18 {
		t.Errorf("EMF RecordsAccepted %g over all instances, want 18 (each record once)", n)
	}
	if n := emfTotal(t, ingest.MetricModelLatency, fns...); n != 18 {
		t.Errorf("EMF ModelLatency has %g values, want 18", n)
	}
}

// mixedBody is n records of which every k-th (k > 0) is a valid prediction
// with its own request id, spread over 17 event hours; the others fail
// validation.
func mixedBody(n, k int) (string, int) {
	var b strings.Builder
	b.WriteString(`{"records":[`)
	valid := 0
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if k > 0 && i%k == 0 {
			fmt.Fprintf(&b, `{"request_id":"r-%d","timestamp":"2026-11-26T%02d:%02d:00Z","features":{"age":41,"income":35294.56},"prediction":"no_default","latency_ms":12.5}`,
				i, 4+valid%17, valid%60)
			valid++
			continue
		}
		b.WriteString(`{"a":0,"b":0,"c":0,"d":0,"e":0}`)
	}
	b.WriteString(`]}`)
	return b.String(), valid
}

// TestBoundedAnswersAndResendWithoutKey: 10,000 invalid records are
// answered within Lambda's response limit, and a body with valid records
// mixed in, sent twice without a key, is stored once.
func TestBoundedAnswersAndResendWithoutKey(t *testing.T) {
	s := newStack(t)
	fn := s.start(t)

	invalid, _ := mixedBody(10_000, 0)
	a := invokeHTTP(t, fn, post("predictions", invalid, nil))
	if a.Status != 200 || a.resp.RejectedCount != 10_000 || len(a.resp.Rejected) != ingest.MaxListedRejections || len(a.Body) > 64<<10 {
		t.Fatalf("10,000 invalid records: %d, %d rejected, %d listed, %d bytes", a.Status, a.resp.RejectedCount, len(a.resp.Rejected), len(a.Body))
	}

	mixed, valid := mixedBody(10_000, 14)
	first := invokeHTTP(t, fn, post("predictions", mixed, nil))
	second := invokeHTTP(t, fn, post("predictions", mixed, nil))
	if first.Status != 200 || second.Status != 200 || first.resp.Accepted != valid || first.resp.Duplicate ||
		!second.resp.Duplicate || second.resp.BatchID != first.resp.BatchID || second.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("first %d %s %v, second %d %s %v", first.Status, first.resp.BatchID, first.resp.Duplicate,
			second.Status, second.resp.BatchID, second.resp.Duplicate)
	}
	stored, receipts := 0, 0
	for _, k := range s.keys(t) {
		switch {
		case strings.HasPrefix(k, "predictions/"):
			stored += len(s.lines(t, k))
		case strings.HasPrefix(k, "receipts/"):
			receipts++
		}
	}
	if stored != valid || receipts != 2 {
		t.Errorf("%d records under %d receipts, want %d records once and 2 receipts (the invalid batch and the mixed one)", stored, receipts, valid)
	}
	if n := emfTotal(t, ingest.MetricRecordsAccepted, fn); n != float64(valid) {
		t.Errorf("EMF RecordsAccepted %g, want %d", n, valid)
	}
}

// TestRoutesDuplicatesHoursAndServerErrors covers the other integrity
// rules on the real bootstrap: an HTTP path without a model, a repeated
// request id, the bound on event hours, and the batch id of a 5xx.
func TestRoutesDuplicatesHoursAndServerErrors(t *testing.T) {
	s := newStack(t)
	fn := s.start(t)

	// No model in the path: the body's model and kind are not used.
	ev := bytes.ReplaceAll(post("predictions", `{"model":"credit-default","kind":"labels","records":[{"request_id":"r-1","label":"default","timestamp":"2026-11-26T20:00:00Z"}]}`, nil),
		[]byte("/v1/models/"+model+"/predictions"), []byte("/v1/models//predictions"))
	ev = bytes.Replace(ev, []byte(`"pathParameters":{"model":"credit-default"}`), []byte(`"pathParameters":{}`), 1)
	if a := invokeHTTP(t, fn, ev); a.Status != 400 || a.errCode != ingest.CodeInvalidModel {
		t.Errorf("empty model segment: %d %s", a.Status, a.Body)
	}
	if keys := s.keys(t); len(keys) != 0 {
		t.Fatalf("a refused request stored %v", keys)
	}

	// A repeated request id is rejected; the prediction is stored once.
	rec := `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","features":{"age":30},"prediction":"default"}`
	a := invokeHTTP(t, fn, post("predictions", `{"records":[`+rec+`,`+rec+`]}`, nil))
	if a.Status != 200 || a.resp.Accepted != 1 || a.resp.RejectedCount != 1 || !strings.HasPrefix(a.resp.Rejected[0].Reason, "request_id: the same as records[0]'s") {
		t.Errorf("repeated request id: %d %s", a.Status, a.Body)
	}

	// Records over 25 event hours are refused and store nothing.
	before := len(s.keys(t))
	var recs []string
	for i := range 25 {
		at := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour).Format(time.RFC3339)
		recs = append(recs, fmt.Sprintf(`{"request_id":"r-%d","label":"default","timestamp":"%s"}`, i, at))
	}
	if a := invokeHTTP(t, fn, post("labels", `{"records":[`+strings.Join(recs, ",")+`]}`, nil)); a.Status != 413 || a.errCode != ingest.CodeTooManyHours {
		t.Errorf("25 hours: %d %s", a.Status, a.Body)
	}
	a = invokeHTTP(t, fn, post("labels", `{"records":[`+strings.Join(recs[:24], ",")+`]}`, nil))
	if a.Status != 200 || len(a.resp.Objects) != 24 || len(s.keys(t)) != before+25 {
		t.Errorf("24 hours: %d, %d objects; bucket grew from %d to %d keys", a.Status, len(a.resp.Objects), before, len(s.keys(t)))
	}

	// A corrupt reference is a 500 that names the batch id to retry with.
	if err := s.st.Put(context.Background(), "reference/"+model+"/v1/profile.json", []byte(`{"schema_version":1,"features":[{]}`)); err != nil {
		t.Fatal(err)
	}
	fresh := s.start(t) // a new instance: the first one caches the reference
	body := `{"records":[` + strings.Replace(rec, "r-1", "r-9", 1) + `]}`
	a = invokeHTTP(t, fresh, post("predictions", body, nil))
	var eb struct {
		Error struct {
			BatchID string `json:"batch_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.Body), &eb); err != nil || a.Status != 500 || a.errCode != ingest.CodeReference ||
		eb.Error.BatchID != ingest.ContentBatchID(model, "predictions", body) {
		t.Errorf("corrupt reference: %d %s", a.Status, a.Body)
	}
}
