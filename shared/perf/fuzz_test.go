package perf

import (
	"strings"
	"testing"
)

// FuzzReadPredictions checks that any input either decodes into records
// that satisfy the decoder's promises or fails with an error naming the
// object: it never panics.
func FuzzReadPredictions(f *testing.F) {
	f.Add([]byte(`{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","prediction":"fraud","scores":{"fraud":0.91,"legit":0.09},"error":null}`))
	f.Add([]byte(`{"request_id":"r-2","timestamp":"2026-11-26T20:00:00Z","prediction":1e308}` + "\n\n" + `{"request_id":"r-3","timestamp":"2026-11-26T20:00:00Z","error":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		preds, err := ReadPredictions(data, "obj")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "obj") {
				t.Fatalf("error does not name the object: %v", err)
			}
			return
		}
		for _, p := range preds {
			if p.RequestID == "" || p.Timestamp.IsZero() && !strings.Contains(string(data), "0001-01-01") {
				t.Fatalf("record without identity: %+v", p)
			}
			for c, s := range p.Scores {
				if !(s >= 0 && s <= 1) {
					t.Fatalf("score %q = %g accepted", c, s)
				}
			}
		}
	})
}

// FuzzReadLabels is FuzzReadPredictions for labels.
func FuzzReadLabels(f *testing.F) {
	f.Add([]byte(`{"request_id":"r-1","label":"legit","timestamp":"2026-11-28T09:00:00Z"}`))
	f.Add([]byte(`{"request_id":"r-2","label":-0.5,"timestamp":"2026-11-28T09:00:00.123+02:00"}` + "\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadLabels(data, "obj")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "obj") {
				t.Fatalf("error does not name the object: %v", err)
			}
			return
		}
		for _, l := range labels {
			if l.RequestID == "" {
				t.Fatalf("label without request_id: %+v", l)
			}
			if !l.Value.Numeric && l.Value.Text == "" && !strings.Contains(string(data), `""`) {
				t.Fatalf("empty label accepted: %+v", l)
			}
		}
	})
}
