package demo

import (
	"testing"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

// TestOutcomeText checks that every outcome handlerOutcome can name has
// words in the text summary and on the dashboard: a missing entry would
// print nothing.
func TestOutcomeText(t *testing.T) {
	tests := []struct {
		summary alarm.Summary
		want    alarm.Outcome
	}{
		{alarm.Summary{RetrainRequested: 1}, alarm.Requested},
		{alarm.Summary{Duplicates: 1}, alarm.Duplicate},
		{alarm.Summary{NotifyOnly: 1}, alarm.NotifyOnly},
		{alarm.Summary{NoTarget: 1}, alarm.NoTarget},
		{alarm.Summary{Dropped: 1}, alarm.Dropped},
		{alarm.Summary{Failed: 1}, alarm.Failed},
		{alarm.Summary{}, alarm.StateChange},
	}
	for _, tc := range tests {
		got := handlerOutcome(tc.summary)
		if got != tc.want {
			t.Errorf("handlerOutcome(%+v) = %q, want %q", tc.summary, got, tc.want)
		}
		words := outcomeText[got]
		if words.short == "" || words.long == "" {
			t.Errorf("outcome %q: short %q, long %q; want words for both", got, words.short, words.long)
		}
	}
	if len(outcomeText) != len(tests) {
		t.Errorf("outcomeText has %d outcomes, handlerOutcome names %d", len(outcomeText), len(tests))
	}
}
