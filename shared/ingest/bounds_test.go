package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

// invalidRecord fails validation (no timestamp, features or prediction,
// five unknown fields): 31 bytes, as in the request that once produced a
// response over Lambda's 6 MB limit.
const invalidRecord = `{"a":0,"b":0,"c":0,"d":0,"e":0}`

// mixedBody is n records of which every k-th (k > 0) is a valid prediction
// with its own request id, spread over 17 event hours of 2026-11-26.
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
		b.WriteString(invalidRecord)
	}
	b.WriteString(`]}`)
	return b.String(), valid
}

// storedLines counts the records stored under prefix.
func storedLines(t *testing.T, b *store.Memory, prefix string) int {
	t.Helper()
	n := 0
	for _, k := range b.Keys() {
		if strings.HasPrefix(k, prefix) {
			n += len(jsonl(t, b, k))
		}
	}
	return n
}

func TestResponseAndReceiptAreBounded(t *testing.T) {
	f := newFixture(t)
	text, _ := mixedBody(10_000, 0)
	if len(text) < 300<<10 || len(text) > 320<<10 {
		t.Fatalf("the body has %d bytes, want about 312 KiB", len(text))
	}
	res := f.post(t, testModel, "predictions", text, nil)
	if res.Status != 200 {
		t.Fatalf("status %d: %.300s", res.Status, res.Body)
	}
	// Before the bound the body listed every rejection: 6.8 MB.
	t.Logf("the response has %d bytes", len(res.Body))
	if len(res.Body) > 64<<10 {
		t.Errorf("the response has %d bytes, want at most 64 KiB", len(res.Body))
	}
	r := res.Resp
	if r.RejectedCount != 10_000 || len(r.Rejected) != ingest.MaxListedRejections || r.Rejected[99].Index != 99 {
		t.Errorf("rejected_count %d, %d listed", r.RejectedCount, len(r.Rejected))
	}
	if len(r.RejectedReasons) != 1 || r.RejectedReasons[0].Count != 10_000 || !strings.HasPrefix(r.RejectedReasons[0].Reason, "a: unknown field") {
		t.Errorf("rejected_reasons %+v", r.RejectedReasons)
	}
	receipt, err := f.bucket.Get(context.Background(), ingest.ReceiptKey(testModel, r.BatchID))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the receipt has %d bytes", len(receipt))
	if len(receipt) > 64<<10 {
		t.Errorf("the receipt has %d bytes, want at most 64 KiB", len(receipt))
	}
	// The rejected/ object keeps every rejected record with its reason.
	data, err := f.bucket.Get(context.Background(), layout.Rejected(testModel, testNow, r.BatchID))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rejected []struct {
			Index  int             `json:"index"`
			Reason string          `json:"reason"`
			Record json.RawMessage `json:"record"`
		} `json:"rejected"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Rejected) != 10_000 || doc.Rejected[9999].Index != 9999 {
		t.Errorf("rejected object: %v, %d records", err, len(doc.Rejected))
	}
}

func TestReasonCountsAreBounded(t *testing.T) {
	f := newFixture(t)
	// 30 distinct reasons (an unknown field of another name each), 2
	// records apiece.
	var recs []string
	for i := range 60 {
		recs = append(recs, fmt.Sprintf(`{"field_%02d":0}`, i%30))
	}
	res := f.post(t, testModel, "predictions", body(recs...), nil)
	r := res.Resp
	if res.Status != 200 || r.RejectedCount != 60 || len(r.Rejected) != 60 || len(r.RejectedReasons) != ingest.MaxReasonCounts {
		t.Fatalf("%d: %d rejected, %d listed, %d reasons", res.Status, r.RejectedCount, len(r.Rejected), len(r.RejectedReasons))
	}
	total := 0
	for _, rc := range r.RejectedReasons {
		total += rc.Count
	}
	if last := r.RejectedReasons[len(r.RejectedReasons)-1]; last.Reason != ingest.OtherReasons || last.Count != 2*11 || total != 60 {
		t.Errorf("last reason %+v, total %d", last, total)
	}
	// A long reason is cut in the response, not in the rejected/ object.
	long := `{"` + strings.Repeat("k", 2000) + `":0}`
	res = f.post(t, testModel, "predictions", body(long), nil)
	if len(res.Resp.Rejected) != 1 || len(res.Resp.Rejected[0].Reason) > ingest.MaxReasonBytes || !strings.HasSuffix(res.Resp.Rejected[0].Reason, "…") {
		t.Errorf("long reason: %v", res.Resp.Rejected)
	}
	// So is a warning naming a long unknown feature.
	res = f.post(t, testModel, "predictions", body(`{"timestamp":"2026-11-26T20:00:00Z","features":{"`+strings.Repeat("k", 2000)+`":1},"prediction":"no_default"}`), nil)
	if res.Status != 200 || res.Resp.Accepted != 1 || len(res.Resp.Warnings) == 0 {
		t.Fatalf("unknown feature: %d %.300s", res.Status, res.Body)
	}
	for _, w := range res.Resp.Warnings {
		if len(w) > ingest.MaxReasonBytes {
			t.Errorf("a warning of %d bytes", len(w))
		}
	}
}

// TestResendWithoutKeyStoresOnce: a request without a batch id gets one
// derived from its content, so the same body sent again (a client that saw
// a failure and retries) replays the outcome instead of storing the records
// a second time.
func TestResendWithoutKeyStoresOnce(t *testing.T) {
	f := newFixture(t)
	text, valid := mixedBody(10_000, 14)
	if valid != 715 {
		t.Fatalf("%d valid records", valid)
	}
	first := f.post(t, testModel, "predictions", text, nil)
	second := f.post(t, testModel, "predictions", text, nil)
	if first.Status != 200 || second.Status != 200 || first.Resp.Accepted != valid || first.Resp.Duplicate || !second.Resp.Duplicate ||
		second.Resp.BatchID != first.Resp.BatchID || second.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("first %d %+v\nsecond %d %+v", first.Status, first.Resp.BatchID, second.Status, second.Resp.BatchID)
	}
	if want := ingest.ContentBatchID(testModel, "predictions", text); first.Resp.BatchID != want {
		t.Errorf("batch id %s, want %s", first.Resp.BatchID, want)
	}
	if n := storedLines(t, f.bucket, "predictions/"); n != valid {
		t.Errorf("%d records stored, want %d (once)", n, valid)
	}
	receipts := 0
	for _, k := range f.bucket.Keys() {
		if strings.HasPrefix(k, "receipts/") {
			receipts++
		}
	}
	if receipts != 1 {
		t.Errorf("%d receipts, want 1", receipts)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != float64(valid) {
		t.Errorf("EMF RecordsAccepted %g, want %d", n, valid)
	}
	// Another body is another batch; the same records sent as labels too.
	other := f.post(t, testModel, "predictions", strings.Replace(text, `"r-0"`, `"r-x"`, 1), nil)
	if other.Status != 200 || other.Resp.Duplicate || other.Resp.BatchID == first.Resp.BatchID {
		t.Errorf("another body: %d %s", other.Status, other.Resp.BatchID)
	}
}

func TestDuplicateRequestIDsInABatch(t *testing.T) {
	f := newFixture(t)
	rec := func(id, ts string) string {
		return `{"request_id":"` + id + `","timestamp":"2026-11-26T` + ts + `:00Z","features":{"age":41},"prediction":"no_default"}`
	}
	res := f.post(t, testModel, "predictions", body(
		`{"request_id":"r-1","timestamp":"bad"}`, // rejected for itself: does not claim r-1
		rec("r-1", "20:00"), rec("r-2", "20:01"), rec("r-1", "19:59"), rec("r-2", "20:01"), `{"timestamp":"2026-11-26T20:02:00Z","features":{"age":1},"prediction":"no_default"}`,
		`{"timestamp":"2026-11-26T20:02:00Z","features":{"age":1},"prediction":"no_default"}`), nil)
	if res.Status != 200 || res.Resp.Accepted != 4 || res.Resp.RejectedCount != 3 {
		t.Fatalf("%d: %s", res.Status, res.Body)
	}
	want := map[int]string{
		3: "request_id: the same as records[1]'s",
		4: "request_id: the same as records[2]'s",
	}
	for _, r := range res.Resp.Rejected[1:] {
		if !strings.HasPrefix(r.Reason, want[r.Index]) || want[r.Index] == "" {
			t.Errorf("records[%d]: %q", r.Index, r.Reason)
		}
	}
	// Hour 20 holds r-1, r-2 and the two records without an id, profiled
	// once each; r-1's second record (hour 19) is not stored.
	p := batchProfile(t, f.bucket, layout.DataObject(layout.Profiles, testModel, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC), res.Resp.BatchID))
	if p.Rows != 4 {
		t.Errorf("the batch profile counts %d rows, want 4", p.Rows)
	}
	if n := storedLines(t, f.bucket, "predictions/"); n != 4 {
		t.Errorf("%d records stored, want 4", n)
	}
	// Labels may repeat a request id: a later label corrects an earlier one.
	l := f.post(t, testModel, "labels", body(
		`{"request_id":"r-1","label":"default","timestamp":"2026-11-26T20:10:00Z"}`,
		`{"request_id":"r-1","label":"no_default","timestamp":"2026-11-26T20:20:00Z"}`), nil)
	if l.Status != 200 || l.Resp.Accepted != 2 {
		t.Errorf("labels: %d %s", l.Status, l.Body)
	}
}

func TestHTTPRequestNeverTakesModelFromBody(t *testing.T) {
	cases := []struct {
		name, path string
		params     map[string]string
	}{
		{"empty model segment", "/v1/models//predictions", nil},
		{"empty model segment, empty parameter", "/v1/models//labels", map[string]string{"model": ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ev := httpEvent(t, "ingest-predictions.json")
			ev.RawPath, ev.RouteKey, ev.PathParameters = tc.path, "$default", tc.params
			ev.RequestContext.HTTP.Path = tc.path
			ev.Body = `{"model":"credit-default","kind":"labels","records":[{"request_id":"r-1","label":"default","timestamp":"2026-11-26T20:00:00Z"}]}`
			res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), ev))
			if res.Status != 400 || res.Err.Code != ingest.CodeInvalidModel {
				t.Errorf("%d %s", res.Status, res.Body)
			}
			if keys := dataKeys(f.bucket); len(keys) != 0 {
				t.Errorf("stored %v", keys)
			}
		})
	}
	// A Request that is not a direct invocation needs its model and kind.
	f := newFixture(t)
	_, err := f.h.Ingest(context.Background(), ingest.Request{Kind: "labels",
		Body: `{"model":"credit-default","records":[{"request_id":"r-1","label":"default","timestamp":"2026-11-26T20:00:00Z"}]}`})
	var ie *ingest.Error
	if !errors.As(err, &ie) || ie.Status != 400 || ie.Code != ingest.CodeInvalidModel {
		t.Errorf("request without a model: %v", err)
	}
	if keys := dataKeys(f.bucket); len(keys) != 0 {
		t.Errorf("stored %v", keys)
	}
}

func TestEveryServerErrorCarriesTheBatchID(t *testing.T) {
	rec := okRecord
	corrupt := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.bucket.Put(context.Background(), "reference/"+testModel+"/v1/profile.json", []byte(`{"schema_version":1,"features":[{]}`))
		return f
	}
	failing := func(t *testing.T) *fixture {
		mem := store.NewMemory()
		newFixtureOn(t, mem)
		return &fixture{h: ingest.New(ingest.DefaultConfig(), mem, ingest.NewReferenceCache(failingReads{mem}, 0, nil), nil)}
	}
	missing := func(t *testing.T) *fixture {
		f := newFixture(t)
		f.bucket.Put(context.Background(), "reference/"+testModel+"/current.json",
			[]byte(`{"model":"credit-default","version":"v9","key":"reference/credit-default/v9/profile.json"}`))
		return f
	}
	late := `{"records":[` + rec + `],"batch_id":"b-late"}`
	cases := []struct {
		name    string
		fixture func(t *testing.T) *fixture
		body    string
		headers map[string]string
		want    string
		status  int
	}{
		{"S3 fails while the reference is read, no key", failing, body(rec), nil, ingest.ContentBatchID(testModel, "predictions", body(rec)), 503},
		{"S3 fails, Idempotency-Key", failing, body(rec), map[string]string{"idempotency-key": "k-1"}, "k-1", 503},
		{"S3 fails, batch_id after the records", failing, late, nil, "b-late", 503},
		{"corrupt reference", corrupt, body(rec), nil, ingest.ContentBatchID(testModel, "predictions", body(rec)), 500},
		{"pointer to a missing profile", missing, body(rec), nil, ingest.ContentBatchID(testModel, "predictions", body(rec)), 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.fixture(t).post(t, testModel, "predictions", tc.body, tc.headers)
			if res.Status != tc.status || res.Err.BatchID != tc.want {
				t.Errorf("%d %s, want %d with batch_id %s", res.Status, res.Body, tc.status, tc.want)
			}
		})
	}
	// A direct invocation's function error names the batch id too.
	direct := `{"model":"credit-default","kind":"predictions","records":[` + rec + `]}`
	_, err := corrupt(t).h.Invoke(context.Background(), []byte(direct))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != ingest.CodeReference ||
		!strings.HasSuffix(ie.Message, "(batch_id "+ingest.ContentBatchID(testModel, "predictions", direct)+")") {
		t.Errorf("direct invocation: %v", err)
	}
}

func TestHoursPerRequestAreBounded(t *testing.T) {
	at := func(i int) string {
		return time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour).Format(time.RFC3339)
	}
	preds := func(hours int) string {
		var recs []string
		for i := range hours {
			recs = append(recs, fmt.Sprintf(`{"request_id":"r-%d","timestamp":"%s","features":{"age":41},"prediction":"no_default"}`, i, at(i)))
		}
		return body(recs...)
	}
	labels := func(hours int) string {
		var recs []string
		for i := range hours {
			recs = append(recs, fmt.Sprintf(`{"request_id":"r-%d","label":"default","timestamp":"%s"}`, i, at(i)))
		}
		return body(recs...)
	}
	cases := []struct {
		name, kind, body string
		status, objects  int
	}{
		{"predictions in 24 hours", "predictions", preds(24), 200, 2 * 24},
		{"predictions in 25 hours", "predictions", preds(25), 413, 0},
		{"labels in 24 hours", "labels", labels(24), 200, 24},
		{"labels in 2151 hours", "labels", labels(2151), 413, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *ingest.Config) { c.MaxEventAge, c.MaxLabelAge = 0, 0 })
			res := f.post(t, testModel, tc.kind, tc.body, nil)
			if res.Status != tc.status {
				t.Fatalf("%d %.300s", res.Status, res.Body)
			}
			if res.Status != 200 {
				if res.Err.Code != ingest.CodeTooManyHours {
					t.Errorf("code %s", res.Err.Code)
				}
				if keys := dataKeys(f.bucket); len(keys) != 0 {
					t.Errorf("a refused request stored %d objects", len(keys))
				}
				return
			}
			// The S3 PUTs of the request: the receipt and the objects.
			if len(res.Resp.Objects) != tc.objects || len(dataKeys(f.bucket)) != tc.objects+1 {
				t.Errorf("%d objects listed, %d stored, want %d + the receipt", len(res.Resp.Objects), len(dataKeys(f.bucket)), tc.objects)
			}
		})
	}
}
