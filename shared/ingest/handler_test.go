package ingest_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
)

var (
	hour19 = time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	hour20 = time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
)

func requestIDs(lines []map[string]any) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l["request_id"].(string))
	}
	return out
}

func TestValidBatchEvent(t *testing.T) {
	f := newFixture(t)
	res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-predictions.json")))
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	r := res.Resp
	id := "demo-batch-0001"
	want := []string{
		layout.DataObject(layout.Predictions, testModel, hour19, id),
		layout.DataObject(layout.Profiles, testModel, hour19, id),
		layout.DataObject(layout.Predictions, testModel, hour20, id),
		layout.DataObject(layout.Profiles, testModel, hour20, id),
	}
	if r.BatchID != id || r.Accepted != 6 || len(r.Rejected) != 0 || r.Duplicate || !slices.Equal(r.Objects, want) {
		t.Fatalf("response %+v\nwant objects %v", r, want)
	}
	if res.Headers["Idempotent-Replayed"] != "" {
		t.Error("a first request is marked replayed")
	}
	if got := dataKeys(f.bucket); !slices.Equal(got, append(slices.Sorted(slices.Values(want)), ingest.ReceiptKey(testModel, id))) {
		t.Errorf("bucket holds %v", got)
	}

	// r-0004 is stamped 20:01:30+01:00, that is 19:01:30 UTC.
	if got := requestIDs(jsonl(t, f.bucket, want[0])); !slices.Equal(got, []string{"r-0001", "r-0002", "r-0004"}) {
		t.Errorf("hour 19 holds %v", got)
	}
	lines20 := jsonl(t, f.bucket, want[2])
	if got := requestIDs(lines20); !slices.Equal(got, []string{"r-0003", "r-0005", "r-0006"}) {
		t.Errorf("hour 20 holds %v", got)
	}
	if lines20[1]["error"] != "model timeout after 250 ms" {
		t.Errorf("the failed call's record is stored as %v", lines20[1])
	}
	if ct, _, _ := f.bucket.Metadata(want[0]); ct != "application/gzip" {
		t.Errorf("data content type %q", ct)
	}

	p19, p20 := batchProfile(t, f.bucket, want[1]), batchProfile(t, f.bucket, want[3])
	ref := exampleReference(t)
	for _, p := range []*profile.Profile{p19, p20} {
		if p.Type != profile.Batch || p.Fingerprint != ref.Fingerprint || p.Rows != 3 || p.Latency.Count() != 3 {
			t.Errorf("profile type %s fingerprint %s rows %d latencies %d", p.Type, p.Fingerprint, p.Rows, p.Latency.Count())
		}
	}
	if p19.Errors != 0 || p20.Errors != 1 {
		t.Errorf("errors %d and %d, want 0 and 1", p19.Errors, p20.Errors)
	}
	// r-0002 has age null: missing. r-0003 lacks employment: missing, not
	// dropped. The failed record r-0005 is not profiled at all.
	if m := p19.Feature("age").Missing; m != 1 {
		t.Errorf("hour 19 age missing %d, want 1", m)
	}
	if f := p20.Feature("employment"); f.Missing != 1 || f.Present() != 1 {
		t.Errorf("hour 20 employment missing %d present %d, want 1 and 1", f.Missing, f.Present())
	}
	if f := p20.Feature("income"); f.Missing != 0 || f.Present() != 2 {
		t.Errorf("hour 20 income missing %d present %d, want 0 and 2", f.Missing, f.Present())
	}
	if u := p19.Feature("region").Unseen; len(u) != 1 || u[0].Name != "islands" {
		t.Errorf("hour 19 unseen regions %v", u)
	}
	if p20.Prediction.Present() != 2 || p20.Confidence.Present() != 2 || p20.Label.Missing != 2 {
		t.Errorf("hour 20 prediction %d confidence %d label missing %d", p20.Prediction.Present(), p20.Confidence.Present(), p20.Label.Missing)
	}
	if p20.Confidence.Moments.Max != 0.7342 {
		t.Errorf("hour 20 highest confidence %g, want 0.7342", p20.Confidence.Moments.Max)
	}
	if !p19.FirstEvent.Equal(time.Date(2026, 11, 26, 19, 1, 30, 0, time.UTC)) || !p19.LastEvent.Equal(time.Date(2026, 11, 26, 19, 59, 40, 250e6, time.UTC)) {
		t.Errorf("hour 19 events %v .. %v", p19.FirstEvent, p19.LastEvent)
	}
	merged, err := profile.Merge(p19, p20)
	if err != nil || merged.Rows != 6 {
		t.Errorf("merged profiles: %v rows %d", err, merged.Rows)
	}

	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != 6 {
		t.Errorf("EMF RecordsAccepted %g, want 6", n)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricModelErrors); n != 1 {
		t.Errorf("EMF ModelErrors %g, want 1", n)
	}
	if sum, n := emfSum(t, f.emf, ingest.MetricModelLatency); n != 6 || sum != 11.8+9.4+14.1+10+250+13.7 {
		t.Errorf("EMF ModelLatency %d values summing to %g", n, sum)
	}
	docs := emfDocs(t, f.emf)
	if len(docs) != 1 || docs[0]["Model"] != testModel || docs[0]["batch_id"] != id {
		t.Errorf("EMF documents %v", docs)
	}
	if strings.Contains(f.logs.String(), "35294.56") || strings.Contains(f.logs.String(), "islands") {
		t.Errorf("logs carry feature values:\n%s", f.logs.String())
	}
}

func TestMixedBatchEvent(t *testing.T) {
	f := newFixture(t)
	res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-mixed.json")))
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	r := res.Resp
	wantReasons := map[int]string{
		1: `features.income: got the string "NaN"; NaN and infinities are not numbers`,
		2: `timestamp: "26/11/2026 20:10" is not an RFC 3339 time`,
		3: "scores: sum to 1.4, want 1 ± 0.01",
		5: "prediction: got an object, want a string, number, boolean or null",
		6: "record: got a number, want an object",
		7: "prediction: required unless error is set",
		8: "features.age: got a string, want a number (age is numeric in the reference)",
		9: "latency_ms: -3 is negative",
	}
	if r.Accepted != 3 || len(r.Rejected) != len(wantReasons) {
		t.Fatalf("accepted %d rejected %v", r.Accepted, r.Rejected)
	}
	for _, rj := range r.Rejected {
		if want, ok := wantReasons[rj.Index]; !ok || !strings.Contains(rj.Reason, want) {
			t.Errorf("records[%d] rejected with %q, want %q", rj.Index, rj.Reason, want)
		}
	}
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "features.channel: not in the reference profile") {
		t.Errorf("warnings %q", r.Warnings)
	}
	dataKey := layout.DataObject(layout.Predictions, testModel, hour20, "demo-batch-0002")
	rejKey := layout.Rejected(testModel, testNow, "demo-batch-0002")
	if !slices.Contains(r.Objects, rejKey) || len(r.Objects) != 3 {
		t.Errorf("objects %v", r.Objects)
	}
	lines := jsonl(t, f.bucket, dataKey)
	if got := requestIDs(lines); !slices.Equal(got, []string{"m-0000", "m-0004", "m-0010"}) {
		t.Errorf("stored %v", got)
	}
	if feats := lines[1]["features"].(map[string]any); feats["channel"] != "web" {
		t.Errorf("the unknown feature was not stored with its record: %v", feats)
	}
	data, err := f.bucket.Get(context.Background(), rejKey)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		BatchID  string `json:"batch_id"`
		Records  int    `json:"records"`
		Rejected []struct {
			Index  int             `json:"index"`
			Reason string          `json:"reason"`
			Record json.RawMessage `json:"record"`
		} `json:"rejected"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("rejected object: %v\n%s", err, data)
	}
	if doc.BatchID != "demo-batch-0002" || doc.Records != 11 || len(doc.Rejected) != 8 || string(doc.Rejected[4].Record) != "42" {
		t.Errorf("rejected object %+v", doc)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsRejected); n != 8 {
		t.Errorf("EMF RecordsRejected %g", n)
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != 3 {
		t.Errorf("EMF RecordsAccepted %g", n)
	}
}

func TestLabelsEvent(t *testing.T) {
	f := newFixture(t)
	res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, "ingest-labels.json")))
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	r := res.Resp
	id := "demo-labels-0001"
	if r.Accepted != 3 || len(r.Rejected) != 1 || r.Rejected[0].Index != 3 ||
		!strings.HasPrefix(r.Rejected[0].Reason, "request_id: required") {
		t.Fatalf("response %+v", r)
	}
	l19, l20 := layout.DataObject(layout.Labels, testModel, hour19, id), layout.DataObject(layout.Labels, testModel, hour20, id)
	if !slices.Equal(r.Objects, []string{l19, l20, layout.Rejected(testModel, testNow, id)}) {
		t.Errorf("objects %v", r.Objects)
	}
	if got := requestIDs(jsonl(t, f.bucket, l20)); !slices.Equal(got, []string{"r-0003", "r-0006"}) {
		t.Errorf("hour 20 labels %v", got)
	}
	for _, k := range f.bucket.Keys() {
		if strings.HasPrefix(k, "profiles/") {
			t.Errorf("a label batch wrote a profile: %s", k)
		}
	}
	if n, _ := emfSum(t, f.emf, ingest.MetricLabelsAccepted); n != 3 {
		t.Errorf("EMF LabelsAccepted %g", n)
	}
	if _, n := emfSum(t, f.emf, ingest.MetricRecordsAccepted); n != 0 {
		t.Error("labels counted as prediction records")
	}
}

func TestEncodedBodies(t *testing.T) {
	for name, want := range map[string]int{"ingest-base64.json": 2, "ingest-gzip.json": 4} {
		f := newFixture(t)
		res := decodeHTTP(t, f.h.HandleHTTP(context.Background(), httpEvent(t, name)))
		if res.Status != 200 || res.Resp.Accepted != want {
			t.Errorf("%s: status %d accepted %d, want %d: %s", name, res.Status, res.Resp.Accepted, want, res.Body)
		}
	}
}

func TestDirectInvocation(t *testing.T) {
	f := newFixture(t)
	out, err := f.h.Invoke(context.Background(), event(t, "ingest-direct.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r ingest.Response
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.BatchID != "demo-direct-0001" || r.Accepted != 6 || len(r.Objects) != 4 {
		t.Fatalf("response %s", out)
	}
	// The fixture is indented JSON: stored records are one line each.
	lines := jsonl(t, f.bucket, r.Objects[0])
	if len(lines) != 3 {
		t.Errorf("%d lines", len(lines))
	}

	out, err = f.h.Invoke(context.Background(), event(t, "ingest-direct-labels.json"))
	if err != nil || !strings.Contains(string(out), `"accepted":3`) {
		t.Errorf("labels: %v %s", err, out)
	}

	// An HTTP event arrives through Invoke too.
	out, err = f.h.Invoke(context.Background(), event(t, "ingest-predictions.json"))
	if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
		t.Errorf("HTTP event through Invoke: %v %s", err, out)
	}
}
