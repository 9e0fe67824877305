package captureimport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

const (
	model       = "credit-default"
	captureDir  = "datacapture/credit-endpoint/AllTraffic/2026/12/01/10/"
	groundTruth = "ground-truth/credit-endpoint/2026/12/01/12/labels.jsonl"
)

var now = time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)

// fixture is an importer over an in-memory modelwatch bucket holding the
// example reference and mapping, and an in-memory capture bucket holding
// the files of testdata/capture.
type fixture struct {
	bucket, capture *store.Memory
	imp             *captureimport.Importer
	logs            *bytes.Buffer
}

func testdata(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "capture", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{bucket: store.NewMemory(), capture: store.NewMemory(), logs: &bytes.Buffer{}}
	r, err := dataset.Open(filepath.Join("..", "..", "testdata", "example", "reference.csv"), dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ref, err := profile.Build(ctx, r, "reference.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), Model: model, Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(ctx, f.bucket, ref, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.Put(ctx, "config/"+model+"/capture.yaml", testdata(t, "capture.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00-05-100-csv.jsonl", "00-10-200-json.jsonl", "00-15-300-base64.jsonl"} {
		if err := f.capture.Put(ctx, captureDir+name, testdata(t, captureDir+name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.capture.Put(ctx, groundTruth, testdata(t, groundTruth)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(f.logs, nil))
	cfg := ingest.DefaultConfig()
	cfg.Bucket = "modelwatch"
	ing := ingest.New(cfg, f.bucket, ingest.NewReferenceCache(f.bucket, time.Minute, log), nil,
		ingest.WithClock(func() time.Time { return now }), ingest.WithLogger(log))
	f.imp = captureimport.New(f.bucket, ing, captureimport.WithLogger(log))
	return f
}

// event is an EventBridge "Object Created" event of the capture bucket.
func event(key, etag string) events.EventBridgeEvent {
	detail, _ := json.Marshal(map[string]any{
		"version": "0", "bucket": map[string]string{"name": "capture-bucket"},
		"object": map[string]any{"key": key, "size": 100, "etag": etag, "sequencer": "00"}, "reason": "PutObject",
	})
	return events.EventBridgeEvent{Version: "0", ID: "ev-1", DetailType: "Object Created", Source: "aws.s3",
		Time: now.Add(-2 * time.Hour), Region: "us-east-1", Detail: detail}
}

func (f *fixture) keys(prefix string) []string {
	var out []string
	for _, k := range f.bucket.Keys() {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

func TestImportEachEncodingIsOneBatch(t *testing.T) {
	tests := []struct {
		file                                 string
		lines, records, accepted, unreadable int
	}{
		{"00-05-100-csv.jsonl", 3, 3, 3, 1},
		{"00-10-200-json.jsonl", 2, 3, 3, 0},
		{"00-15-300-base64.jsonl", 2, 2, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := newFixture(t)
			h := captureimport.NewHandler(f.imp, f.capture, "capture-bucket", slog.New(slog.NewJSONHandler(f.logs, nil)))
			res, err := h.Invoke(context.Background(), event(captureDir+tt.file, "etag-"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != "predictions" || res.Lines != tt.lines || res.Records != tt.records || res.Accepted != tt.accepted ||
				res.Unreadable != tt.unreadable || res.Rejected != 0 || res.Duplicate {
				t.Fatalf("result %+v", res)
			}
			id := captureimport.BatchID("capture-bucket", captureDir+tt.file, "etag-"+tt.file)
			want := []string{
				"predictions/model=credit-default/dt=2026-12-01/hour=10/" + id + ".jsonl.gz",
				"profiles/model=credit-default/dt=2026-12-01/hour=10/" + id + ".json",
				"receipts/model=credit-default/" + id + ".json",
			}
			if tt.unreadable > 0 {
				want = append(want, "rejected/model=credit-default/dt=2026-12-01/"+id+"-lines.json")
			}
			var got []string
			for _, k := range f.bucket.Keys() {
				if !strings.HasPrefix(k, "reference/") && !strings.HasPrefix(k, "config/") {
					got = append(got, k)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("objects\n got %v\nwant %v", got, want)
			}
			before := f.bucket.Keys()

			// The same event again (EventBridge delivers at least once).
			res2, err := h.Invoke(context.Background(), event(captureDir+tt.file, "etag-"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !res2.Duplicate || res2.Accepted != tt.accepted || res2.BatchID != id {
				t.Fatalf("redelivery: %+v", res2)
			}
			if !slices.Equal(f.bucket.Keys(), before) {
				t.Fatalf("the redelivery stored objects: %v", f.bucket.Keys())
			}
		})
	}
}

func TestImportKeepsUnreadableLines(t *testing.T) {
	f := newFixture(t)
	key := captureDir + "00-05-100-csv.jsonl"
	m, err := f.imp.Mapping(context.Background(), model)
	if err != nil {
		t.Fatal(err)
	}
	obj := captureimport.Object{Bucket: "capture-bucket", Key: key, ETag: `"abc"`, Time: now, Data: testdata(t, key)}
	if _, err := f.imp.Import(context.Background(), m, obj); err != nil {
		t.Fatal(err)
	}
	data, err := f.bucket.Get(context.Background(), captureimport.UnreadableKey(model, captureimport.BatchID("capture-bucket", key, "abc"), obj))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Object     string `json:"object"`
		Lines      int    `json:"lines"`
		Unreadable []struct {
			Line   int    `json:"line"`
			Reason string `json:"reason"`
			Text   string `json:"text"`
		} `json:"unreadable"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Object != "s3://capture-bucket/"+key || doc.Lines != 3 || len(doc.Unreadable) != 1 ||
		doc.Unreadable[0].Line != 3 || !strings.HasPrefix(doc.Unreadable[0].Reason, "invalid JSON") || doc.Unreadable[0].Text == "" {
		t.Fatalf("unreadable lines %s", data)
	}
	if strings.Contains(f.logs.String(), "35294") || strings.Contains(f.logs.String(), "self_employed") {
		t.Error("the logs carry feature values")
	}
}

func TestImportGroundTruthBecomesLabels(t *testing.T) {
	f := newFixture(t)
	h := captureimport.NewHandler(f.imp, f.capture, "capture-bucket", slog.New(slog.NewJSONHandler(f.logs, nil)))
	res, err := h.Invoke(context.Background(), event(groundTruth, "gt-etag"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "labels" || res.Records != 5 || res.Accepted != 5 || res.Unreadable != 0 {
		t.Fatalf("result %+v", res)
	}
	if got := f.keys("labels/"); len(got) != 1 || !strings.Contains(got[0], "dt=2026-12-01/hour=12/") {
		t.Fatalf("label objects %v", got)
	}
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.bucket.Put(ctx, "config/broken/capture.yaml", []byte("endpoint: [")); err != nil {
		t.Fatal(err)
	}
	if err := f.bucket.Put(ctx, "config/other/drift.yaml", []byte("method: psi\n")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, model string
		noMapping  bool
	}{
		{captureDir + "x.jsonl", model, false},
		{"datacapture/credit-endpoint/Shadow/2026/12/01/10/x.jsonl", "", true},
		{"datacapture/other-endpoint/AllTraffic/2026/12/01/10/x.jsonl", "", true},
		{"ground-truth/credit-endpoint/2026/12/01/10/x.jsonl", model, false},
	}
	for _, tt := range tests {
		m, err := f.imp.Resolve(ctx, tt.key)
		switch {
		case tt.noMapping && !errors.Is(err, captureimport.ErrNoMapping):
			t.Errorf("%s: got %v, want ErrNoMapping", tt.key, err)
		case !tt.noMapping && (err != nil || m.Model != tt.model):
			t.Errorf("%s: got %v, %v", tt.key, m, err)
		}
	}
	if !strings.Contains(f.logs.String(), `"model":"broken"`) {
		t.Errorf("the broken mapping was not logged: %s", f.logs.String())
	}
}

func TestInvokeRefusesOtherEvents(t *testing.T) {
	f := newFixture(t)
	h := captureimport.NewHandler(f.imp, f.capture, "capture-bucket", slog.New(slog.NewJSONHandler(f.logs, nil)))
	ev := event(captureDir+"00-05-100-csv.jsonl", "e")
	ev.DetailType = "Object Deleted"
	if _, err := h.Invoke(context.Background(), ev); err == nil {
		t.Error("an Object Deleted event was accepted")
	}
	ev = event(captureDir+"missing.jsonl", "e")
	if _, err := h.Invoke(context.Background(), ev); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing object: %v", err)
	}
	// An object no mapping covers is skipped, not retried.
	if res, err := h.Invoke(context.Background(), event("elsewhere/x.jsonl", "e")); err != nil || res.BatchID != "" {
		t.Errorf("an unmapped object: %+v, %v", res, err)
	}
}

// An object imported before that reads differently now (its mapping was
// changed) keeps its first import: nothing is stored twice, and the import
// does not fail (which would make Lambda retry it for nothing).
func TestImportAgainWithAChangedMapping(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	key := captureDir + "00-15-300-base64.jsonl"
	obj := captureimport.Object{Bucket: "capture-bucket", Key: key, ETag: "e", Time: now, Data: testdata(t, key)}
	m, err := f.imp.Mapping(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.imp.Import(ctx, m, obj); err != nil {
		t.Fatal(err)
	}
	before := f.bucket.Keys()
	changed := *m
	changed.ModelVersion = "v2"
	res, err := f.imp.Import(ctx, &changed, obj)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || !res.Conflict || res.Accepted != 0 {
		t.Errorf("result %+v", res)
	}
	if !slices.Equal(f.bucket.Keys(), before) {
		t.Errorf("stored objects: %v", f.bucket.Keys())
	}
}
