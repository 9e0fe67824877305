package report

import (
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkHTML renders the largest fixture's page: ten features with
// calibrated thresholds, and the prediction sections.
func BenchmarkHTML(b *testing.B) {
	r := loadReport(b, filepath.Join("testdata", "calibrated.json"))
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, r, Options{Generated: goldenTime}); err != nil {
			b.Fatal(err)
		}
	}
}
