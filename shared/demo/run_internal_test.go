package demo

import (
	"testing"
	"time"
)

func TestSplitBefore(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	at := func(l label) time.Time { return l.Time }
	labels := []label{{Time: t0}, {Time: t0.Add(time.Minute)}, {Time: t0.Add(2 * time.Minute)}}
	tests := []struct {
		name string
		end  time.Time
		due  int
	}{
		{"none due", t0, 0},
		{"one due", t0.Add(time.Second), 1},
		{"end is exclusive", t0.Add(2 * time.Minute), 2},
		{"all due", t0.Add(time.Hour), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, rest := splitBefore(labels, tc.end, at)
			if len(before) != tc.due || len(rest) != len(labels)-tc.due {
				t.Fatalf("split at %v: %d before, %d after; want %d, %d", tc.end, len(before), len(rest), tc.due, len(labels)-tc.due)
			}
			if tc.due < len(labels) && rest[0] != labels[tc.due] {
				t.Errorf("rest starts with %v, want %v", rest[0], labels[tc.due])
			}
			// Appending to what is due must not overwrite what is not.
			_ = append(before, label{RequestID: "appended"})
			if tc.due < len(labels) && rest[0].RequestID == "appended" {
				t.Error("append to the due part overwrote the rest")
			}
		})
	}
}
