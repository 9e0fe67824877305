package report

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/perf"
)

// TestMonitoringSections renders a drift function's window page: the
// performance and system sections, the estimate labelled as one, user text
// escaped, and the plain page unchanged without them (the golden files).
func TestMonitoringSections(t *testing.T) {
	r := loadReport(t, filepath.Join("testdata", "full.json"))
	auc := 0.91
	m := &Monitoring{
		Start: time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC),
		Performance: &perf.Summary{Task: perf.TaskClassification, JoinStats: perf.JoinStats{Predictions: 600, Labelled: 150},
			LabelCoverage: 0.25, LabelsUntil: time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC),
			Classification: &perf.Classification{Accuracy: 0.8, AUC: &auc, PositiveClass: "<b>yes</b>",
				Classes: []perf.ClassMetrics{{Class: "<script>no</script>", Support: 70, Predicted: 71, Precision: 0.7}}}},
		Estimate: &perf.Estimate{Accuracy: 0.81, Method: perf.EstimateUncalibrated, Predictions: 600, Note: "Estimate, not a measurement."},
		System:   &System{Batches: 3, Records: 620, Errors: 1, ErrorRate: 1.0 / 620, Latency: &Latency{Count: 620, P50: 16.8, P95: 59.8, P99: 83.8, Max: 136}},
	}
	page := string(render(t, r, Options{Monitoring: m}))
	checkPage(t, []byte(page), r)
	for _, want := range []string{
		`<section id="performance">`, `<section id="system">`, "2026-11-26 19:00 to 2026-11-26 20:00 UTC",
		"Label coverage", "25%", "ESTIMATE", "Estimated accuracy: 81%", "uncalibrated-scores",
		"Latency p99", "83.8 ms", "(positive class &lt;b&gt;yes&lt;/b&gt;)", "&lt;script&gt;no&lt;/script&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	m.NoData, m.Performance, m.Estimate = true, nil, nil
	page = string(render(t, r, Options{Monitoring: m}))
	if !strings.Contains(page, "NO DATA") || !strings.Contains(page, "No data in this window") {
		t.Error("no-data page does not say so")
	}
}
