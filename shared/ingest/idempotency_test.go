package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// faultyBucket fails the conditional writes that fail selects, and can
// hold writes back to make concurrent requests overlap.
type faultyBucket struct {
	*store.Memory
	mu    sync.Mutex
	fail  func(key string) bool
	delay time.Duration
	puts  []string
}

var errInjected = errors.New("injected S3 failure: 500 InternalError")

func (b *faultyBucket) PutIfAbsent(ctx context.Context, key string, data []byte, opts ...store.PutOption) error {
	b.mu.Lock()
	fail := b.fail != nil && b.fail(key)
	b.puts = append(b.puts, key)
	b.mu.Unlock()
	if fail {
		return errInjected
	}
	if b.delay > 0 {
		time.Sleep(b.delay)
	}
	return b.Memory.PutIfAbsent(ctx, key, data, opts...)
}

// checkInvariants asserts that no profile exists without its data object.
func checkInvariants(t *testing.T, b *store.Memory) {
	t.Helper()
	keys := b.Keys()
	for _, k := range keys {
		if !strings.HasPrefix(k, "profiles/") {
			continue
		}
		pk, err := layout.ParseDataObject(k)
		if err != nil {
			t.Fatal(err)
		}
		if data := layout.DataObject(layout.Predictions, pk.Model, pk.Hour, pk.Batch); !slices.Contains(keys, data) {
			t.Errorf("profile %s exists without its data %s", k, data)
		}
	}
}

// snapshot returns the bucket's objects except receipts and profiles
// (whose created_at differs between runs), by key.
func snapshot(t *testing.T, b *store.Memory) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, k := range dataKeys(b) {
		if strings.HasPrefix(k, "receipts/") {
			continue
		}
		data, err := b.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(k, "profiles/") {
			p, err := profile.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			p.CreatedAt = time.Time{}
			data, _ = p.Encode()
		}
		out[k] = data
	}
	return out
}

func TestDuplicateRetry(t *testing.T) {
	f := newFixture(t)
	first := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
	before := snapshot(t, f.bucket)
	keys := f.bucket.Keys()
	f.now = f.now.Add(time.Hour) // a retry comes later; the outcome does not change
	second := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
	if first.Status != 200 || second.Status != 200 {
		t.Fatalf("statuses %d %d", first.Status, second.Status)
	}
	if !second.Resp.Duplicate || second.Headers["Idempotent-Replayed"] != "true" {
		t.Errorf("retry not marked duplicate: %s", second.Body)
	}
	a, b := first.Resp, second.Resp
	a.Duplicate = true
	if a.BatchID != b.BatchID || a.Accepted != b.Accepted || !slices.Equal(a.Rejected, b.Rejected) ||
		!slices.Equal(a.Objects, b.Objects) || !slices.Equal(a.Warnings, b.Warnings) {
		t.Errorf("retry answered differently:\n%+v\n%+v", first.Resp, second.Resp)
	}
	if !slices.Equal(keys, f.bucket.Keys()) {
		t.Errorf("retry stored new objects: %v -> %v", keys, f.bucket.Keys())
	}
	after := snapshot(t, f.bucket)
	for k, v := range before {
		if !bytes.Equal(v, after[k]) {
			t.Errorf("%s changed", k)
		}
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != 3 {
		t.Errorf("records counted %g times in EMF, want 3", n)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsRejected); n != 8 {
		t.Errorf("rejections counted %g times in EMF, want 8", n)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricDuplicateRequests); n != 1 {
		t.Errorf("DuplicateRequests %g", n)
	}
}

func TestConcurrentIdenticalRequests(t *testing.T) {
	mem := store.NewMemory()
	fb := &faultyBucket{Memory: mem, delay: 2 * time.Millisecond}
	f := newFixtureWith(t, mem, fb)
	const n = 12
	results := make([]httpResult, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-predictions.json")))
		}()
	}
	close(start)
	wg.Wait()
	originals := 0
	for i, r := range results {
		if r.Status != 200 || r.Resp.Accepted != 6 || len(r.Resp.Objects) != 4 {
			t.Errorf("request %d: %d %s", i, r.Status, r.Body)
		}
		if !r.Resp.Duplicate {
			originals++
		}
	}
	if originals != 1 {
		t.Errorf("%d requests claim the batch, want exactly 1", originals)
	}
	if got := dataKeys(mem); len(got) != 5 {
		t.Errorf("stored %v, want 4 objects and the receipt", got)
	}
	for _, k := range results[0].Resp.Objects {
		if strings.HasPrefix(k, "predictions/") && len(jsonl(t, mem, k)) != 3 {
			t.Errorf("%s does not hold its 3 records once", k)
		}
	}
	checkInvariants(t, mem)
	if sum, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); sum != 6 {
		t.Errorf("EMF counted %g accepted records, want 6", sum)
	}
	if _, lat := emfSum(t, f.emf, ingest.MetricModelLatency); lat != 6 {
		t.Errorf("EMF has %d latencies, want 6", lat)
	}
	if dups, _ := emfSum(t, f.emf, ingest.MetricDuplicateRequests); dups != n-1 {
		t.Errorf("DuplicateRequests %g, want %d", dups, n-1)
	}
}

func TestPartialFailureThenRetry(t *testing.T) {
	id := "demo-batch-0002" // the mixed event: one hour, a rejected object
	data := layout.DataObject(layout.Predictions, testModel, hour20, id)
	prof := layout.DataObject(layout.Profiles, testModel, hour20, id)
	rej := layout.Rejected(testModel, testNow, id)

	clean := newFixture(t)
	if r := decodeHTTP(t, clean.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json"))); r.Status != 200 {
		t.Fatal(r.Body)
	}
	want := snapshot(t, clean.bucket)

	tests := []struct {
		failKey   string
		storedNow []string // what the failed attempt leaves behind, beside the receipt
	}{
		{ingest.ReceiptKey(testModel, id), nil},
		{data, []string{rej}},
		{prof, []string{data, rej}},
		{rej, []string{data, prof}},
	}
	for _, tc := range tests {
		t.Run(strings.SplitN(tc.failKey, "/", 2)[0], func(t *testing.T) {
			mem := store.NewMemory()
			failing := true
			fb := &faultyBucket{Memory: mem, fail: func(k string) bool { return failing && k == tc.failKey }}
			f := newFixtureWith(t, mem, fb)
			res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
			if res.Status != 503 || res.Err.Code != ingest.CodeStorage || res.Err.BatchID != id ||
				!strings.Contains(res.Err.Message, "retry with Idempotency-Key "+id) {
				t.Fatalf("failed attempt answered %d %s", res.Status, res.Body)
			}
			got := dataKeys(mem)
			wantKeys := slices.Clone(tc.storedNow)
			if tc.failKey != ingest.ReceiptKey(testModel, id) {
				wantKeys = append(wantKeys, ingest.ReceiptKey(testModel, id))
			}
			slices.Sort(wantKeys)
			if !slices.Equal(got, wantKeys) {
				t.Errorf("after the failure the bucket holds %v, want %v", got, wantKeys)
			}
			checkInvariants(t, mem)
			// The failed attempt counts what it committed, nothing more.
			wantAccepted := 0.0
			if slices.Contains(got, prof) {
				wantAccepted = 3
			}
			if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != wantAccepted {
				t.Errorf("the failed attempt counted %g accepted records, want %g", n, wantAccepted)
			}

			failing = false
			if tc.failKey != ingest.ReceiptKey(testModel, id) {
				f.now = f.now.Add(10 * time.Minute) // the receipt keeps the first attempt's time
			}
			res = decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
			if res.Status != 200 || res.Resp.Accepted != 3 || len(res.Resp.Rejected) != 8 {
				t.Fatalf("retry answered %d %s", res.Status, res.Body)
			}
			if wantDup := tc.failKey != ingest.ReceiptKey(testModel, id); res.Resp.Duplicate != wantDup {
				t.Errorf("retry duplicate=%v, want %v", res.Resp.Duplicate, wantDup)
			}
			got2 := snapshot(t, mem)
			if len(got2) != len(want) {
				t.Errorf("after the retry %d objects, want %d", len(got2), len(want))
			}
			for k, v := range want {
				if !bytes.Equal(got2[k], v) {
					t.Errorf("%s differs from a clean run's", k)
				}
			}
			// Over both attempts every record was counted exactly once.
			if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != 3 {
				t.Errorf("EMF RecordsAccepted %g over both attempts, want 3", n)
			}
			if n, _ := emfSum(t, f.emf, ingest.MetricRecordsRejected); n != 8 {
				t.Errorf("EMF RecordsRejected %g over both attempts, want 8", n)
			}
		})
	}
}

func TestIdempotencyConflict(t *testing.T) {
	f := newFixture(t)
	body := `{"batch_id":"b-1","records":[{"timestamp":"2026-11-26T20:00:00Z","features":{"age":30},"prediction":"default"}]}`
	if r := f.post(t, testModel, "predictions", body, nil); r.Status != 200 {
		t.Fatal(r.Body)
	}
	keys := f.bucket.Keys()
	other := strings.Replace(body, `"age":30`, `"age":31`, 1)
	r := f.post(t, testModel, "predictions", other, nil)
	if r.Status != 409 || r.Err.Code != ingest.CodeIdempotencyConflict || !strings.Contains(r.Err.Message, "b-1 was already used") {
		t.Errorf("answered %d %s", r.Status, r.Body)
	}
	// A label batch cannot reuse a prediction batch's id either.
	labels := `{"batch_id":"b-1","records":[{"request_id":"r","label":"default","timestamp":"2026-11-26T20:00:00Z"}]}`
	if r := f.post(t, testModel, "labels", labels, nil); r.Status != 409 {
		t.Errorf("labels with a used id answered %d %s", r.Status, r.Body)
	}
	// Whitespace does not make records different.
	spaced := strings.Replace(body, `"features":{`, "\"features\" : {\n", 1)
	if r := f.post(t, testModel, "predictions", spaced, nil); r.Status != 200 || !r.Resp.Duplicate {
		t.Errorf("re-indented retry answered %d %s", r.Status, r.Body)
	}
	if !slices.Equal(keys, f.bucket.Keys()) {
		t.Errorf("conflicting requests stored objects: %v", f.bucket.Keys())
	}
}

// TestReplayKeepsTheOriginalDecisions retries a batch whose profile write
// was lost, after a new reference was published and after the records
// became too old for the skew limits: the retry must still finish the batch
// as first decided, against the first reference.
func TestReplayKeepsTheOriginalDecisions(t *testing.T) {
	f := newFixture(t, func(c *ingest.Config) { c.ReferenceTTL = 0 })
	first := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
	if first.Status != 200 {
		t.Fatal(first.Body)
	}
	prof := layout.DataObject(layout.Profiles, testModel, hour20, "demo-batch-0002")
	want := batchProfile(t, f.bucket, prof)
	if err := f.bucket.Delete(context.Background(), prof); err != nil {
		t.Fatal(err)
	}

	r, err := dataset.Open("../../testdata/example/reference.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v2, err := profile.Build(context.Background(), r, "reference.csv", profile.BuildOptions{
		Settings: profile.Settings{Bins: 5, Grid: 50, MaxCategories: 10, DiscreteMax: 20}, Model: testModel, Version: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(context.Background(), f.bucket, v2, testNow); err != nil {
		t.Fatal(err)
	}
	f.now = testNow.Add(30 * 24 * time.Hour)

	second := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
	if second.Status != 200 || !second.Resp.Duplicate || second.Resp.Accepted != 3 || len(second.Resp.Rejected) != 8 {
		t.Fatalf("retry answered %d %s", second.Status, second.Body)
	}
	got := batchProfile(t, f.bucket, prof)
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	gb, _ := got.Encode()
	wb, _ := want.Encode()
	if !bytes.Equal(gb, wb) {
		t.Errorf("the rebuilt profile differs from the lost one (fingerprint %s, want %s)", got.Fingerprint, want.Fingerprint)
	}
	// A new batch now is checked against v2 and the new clock.
	third := f.post(t, testModel, "predictions", `{"records":[{"timestamp":"2026-11-26T20:00:00Z","features":{},"prediction":"default"}]}`, nil)
	if third.Status != 200 || third.Resp.Accepted != 0 || !strings.Contains(third.Resp.Rejected[0].Reason, "in the past") {
		t.Errorf("new batch: %s", third.Body)
	}
}
