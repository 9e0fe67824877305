package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/demo"
	"github.com/modelwatch/modelwatch/shared/store"
)

// The story from SageMaker Data Capture files: the same drift and accuracy
// alarms and one retraining request as through the ingest API; the latency
// and error bursts are not captured (Data Capture records neither), so their
// alarms stay quiet. Every capture file and ground-truth upload is in the
// capture bucket, and each became one batch.
func TestStoryFromSageMakerCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 44 simulated hours")
	}
	o := demo.DefaultOptions()
	o.Hours = 44 // through the burst of malformed records at hour 43
	o.Source = demo.SourceSageMakerCapture
	o.Out = filepath.Join(t.TempDir(), "demo-output")
	res, err := demo.Run(context.Background(), o)
	if err != nil {
		t.Fatalf("the story from Data Capture: %v", err)
	}
	s := res.Summary
	fired := map[string]int{}
	for _, a := range s.Alarms {
		if _, ok := fired[a.Metric]; !ok {
			fired[a.Metric] = a.Hour
		}
	}
	if h, ok := fired[catalog.MaxFeaturePSI]; !ok || h != o.DriftAt+1 {
		t.Errorf("the feature-drift alarm fired at hour %d (%v), want %d; alarms %+v", h, ok, o.DriftAt+1, s.Alarms)
	}
	if _, ok := fired[catalog.LabelledAccuracy]; !ok {
		t.Errorf("the accuracy alarm did not fire from the imported ground truth; alarms %+v", s.Alarms)
	}
	for _, m := range []string{catalog.LatencyP99, catalog.ErrorRate} {
		if _, ok := fired[m]; ok {
			t.Errorf("%s alarmed, though Data Capture records no latency and no failed calls", m)
		}
	}
	if len(s.RetrainRequests) != 1 {
		t.Errorf("%d retraining requests, want 1: %+v", len(s.RetrainRequests), s.RetrainRequests)
	}
	if s.RecordsRejected == 0 {
		t.Error("no record rejected: the malformed captured requests went through")
	}

	capture, err := store.NewLocal(filepath.Join(res.Dir, demo.CaptureBucketDir))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := capture.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var captures, truths int
	for _, obj := range objs {
		switch {
		case strings.HasPrefix(obj.Key, "datacapture/"):
			captures++
		case strings.HasPrefix(obj.Key, "ground-truth/"):
			truths++
		}
	}
	if captures == 0 || truths == 0 {
		t.Fatalf("the capture bucket holds %d capture files and %d ground-truth files", captures, truths)
	}
	bucket, err := store.NewLocal(filepath.Join(res.Dir, demo.BucketDir))
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := bucket.List(context.Background(), "receipts/")
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != captures+truths {
		t.Errorf("%d batches for %d capture and %d ground-truth files, want one each", len(receipts), captures, truths)
	}
}
