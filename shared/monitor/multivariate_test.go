package monitor

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// TestMultivariateWindow: with a reference that has a multivariate model, a
// window's batch profiles carry reconstruction-error summaries; the drift
// function merges them, reports the comparison and publishes
// ReconstructionError with its thresholds, quiet on baseline traffic and
// above the upper threshold when the data move.
func TestMultivariateWindow(t *testing.T) {
	f := &fixture{st: store.NewMemory(), ref: monitortest.MultivariateReference(t, "credit", "v1", 20000, 1), pub: &fakePublisher{}}
	if _, err := reference.Publish(context.Background(), f.st, f.ref, hour0); err != nil {
		t.Fatal(err)
	}
	var err error
	f.mon, err = New(f.st, f.pub, Config{Now: func() time.Time { return testNow }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.traffic(t, hour0, 3, 400, monitortest.Shift{}, 10)
	f.traffic(t, hour0.Add(time.Hour), 3, 400, monitortest.Shift{Mean: map[string]float64{"f3": 0.8, "f4": -0.8}}, 20)
	for i, want := range []bool{false, true} {
		end := hour0.Add(time.Duration(i+1) * time.Hour)
		run(t, f.mon, driftevent.Event{WindowEnd: end.Format(time.RFC3339)})
		r := f.report(t, end)
		mv := r.Multivariate
		if mv == nil {
			t.Fatalf("window %d: no multivariate section", i)
		}
		if mv.Count != 1200 || mv.Drift != want {
			t.Errorf("window %d: %d rows, drift %v (mean %.4f, thresholds %.4f..%.4f), want 1200 rows and drift %v",
				i, mv.Count, mv.Drift, mv.Mean, mv.Lower, mv.Upper, want)
		}
		data := f.pub.last()
		for _, name := range []string{catalog.ReconstructionError, catalog.ReconstructionErrorUpper, catalog.ReconstructionErrorLower, catalog.ReconstructionErrorSigma} {
			if got := find(data, name, "", end); len(got) != 1 {
				t.Errorf("window %d: %s published %v", i, name, got)
			}
		}
		if got := find(data, catalog.ReconstructionError, "", end); len(got) == 1 && got[0] != mv.Mean {
			t.Errorf("window %d: ReconstructionError %v, report %v", i, got[0], mv.Mean)
		}
		if sig := find(data, catalog.ReconstructionErrorSigma, "", end); len(sig) == 1 && (sig[0] >= 3) != want {
			t.Errorf("window %d: %s = %.2f", i, catalog.ReconstructionErrorSigma, sig[0])
		}
	}
}
