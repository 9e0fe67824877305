package monitor

import (
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/driftevent"
)

// TestEventWindow resolves the window of the events the drift function
// receives: the scheduler's, an EventBridge rule's, a backfill.
func TestEventWindow(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 7, 0, 0, time.UTC)
	cfg, _ := Config{}.withDefaults()
	for _, c := range []struct {
		event      string
		start, end string
		err        string
	}{
		{`{}`, "2026-11-26T20:00:00Z", "2026-11-26T21:00:00Z", ""},
		{`{"scheduled_time":"2026-11-26T20:05:00Z"}`, "2026-11-26T19:00:00Z", "2026-11-26T20:00:00Z", ""},
		{`{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-26T18:00:00Z","detail":{}}`, "2026-11-26T17:00:00Z", "2026-11-26T18:00:00Z", ""},
		{`{"models":["credit"],"window_end":"2026-11-26T20:00:00Z","window":"24h"}`, "2026-11-25T20:00:00Z", "2026-11-26T20:00:00Z", ""},
		{`{"window_end":"2026-11-26T20:30:00+01:00"}`, "2026-11-26T18:00:00Z", "2026-11-26T19:00:00Z", ""},
		{`{"window_end":"2026-11-26T23:00:00Z"}`, "", "", "ends in the future"},
		{`{"window_end":"tomorrow"}`, "", "", "want an RFC 3339 time"},
		{`{"window":"90m"}`, "", "", "whole hours"},
		{`{"window":"400h"}`, "", "", "whole hours"},
	} {
		ev, err := driftevent.Parse([]byte(c.event))
		if err != nil {
			t.Fatal(err)
		}
		w, err := eventWindow(ev, cfg, now)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.event, err, c.err)
			}
			continue
		}
		if err != nil || w.Start.Format(time.RFC3339) != c.start || w.End.Format(time.RFC3339) != c.end {
			t.Errorf("%s: %v (%v), want [%s, %s)", c.event, w, err, c.start, c.end)
		}
	}
}
