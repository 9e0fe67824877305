package captureimport_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/monitor"
)

type recorder struct {
	mu   sync.Mutex
	data []types.MetricDatum
}

func (r *recorder) Publish(_ context.Context, d []types.MetricDatum) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data = append(r.data, d...)
	return nil
}

// Ground truth imported from the capture bucket joins the imported
// predictions by request id and reaches the drift function's performance
// metrics.
func TestGroundTruthReachesThePerformanceMetrics(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	h := captureimport.NewHandler(f.imp, f.capture, "capture-bucket", slog.New(slog.NewJSONHandler(f.logs, nil)))
	for _, key := range []string{captureDir + "00-05-100-csv.jsonl", captureDir + "00-10-200-json.jsonl", captureDir + "00-15-300-base64.jsonl", groundTruth} {
		if _, err := h.Invoke(ctx, event(key, "etag")); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	m, err := monitor.New(f.bucket, rec, monitor.Config{Now: func() time.Time { return now }, Logger: slog.New(slog.NewJSONHandler(f.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// The window the labels arrived in (12:00-13:00) updates the window of
	// their predictions (10:00-11:00).
	res, err := m.Run(ctx, driftevent.Event{WindowEnd: "2026-12-01T13:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Models) != 1 || res.Models[0].Model != "credit-default" {
		t.Fatalf("result %+v", res)
	}
	values := map[string]float64{}
	for _, d := range rec.data {
		if d.MetricName != nil && d.Value != nil {
			values[aws.ToString(d.MetricName)] = aws.ToFloat64(d.Value)
		}
	}
	// 5 labels for 8 predictions of the 10:00 window.
	if got, ok := values["LabelCoverage"]; !ok || got != 5.0/8 {
		t.Errorf("LabelCoverage = %v (published %v), want 5/8", got, ok)
	}
	if _, ok := values["Accuracy"]; !ok {
		t.Errorf("no Accuracy published: %v", values)
	}
}
