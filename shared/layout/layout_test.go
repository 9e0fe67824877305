package layout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
)

func TestKeys(t *testing.T) {
	at := time.Date(2026, 11, 26, 20, 42, 7, 0, time.FixedZone("CET", 3600))
	tests := []struct{ got, want string }{
		{layout.ReferenceProfile("fraud", "v3"), "reference/fraud/v3/profile.json"},
		{layout.ReferencePointer("fraud"), "reference/fraud/current.json"},
		{layout.DataObject(layout.Predictions, "fraud", at, "b-1"), "predictions/model=fraud/dt=2026-11-26/hour=19/b-1.jsonl.gz"},
		{layout.DataObject(layout.Labels, "fraud", at, "b-1"), "labels/model=fraud/dt=2026-11-26/hour=19/b-1.jsonl.gz"},
		{layout.DataObject(layout.Profiles, "fraud", at, "b-1"), "profiles/model=fraud/dt=2026-11-26/hour=19/b-1.json"},
		{layout.HourPrefix(layout.Profiles, "fraud", at), "profiles/model=fraud/dt=2026-11-26/hour=19/"},
		{layout.Rejected("fraud", at, "b-1"), "rejected/model=fraud/dt=2026-11-26/b-1.json"},
		{layout.Report("fraud", at.Truncate(time.Hour), "html"), "reports/model=fraud/dt=2026-11-26/20261126T1900Z.html"},
		{layout.LatestReport("fraud"), "reports/model=fraud/latest.json"},
		{layout.RetrainMarker("fraud", layout.CooldownSlot(at, 24*time.Hour)), "retrain/model=fraud/20261126T000000Z.json"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestParseDataObject(t *testing.T) {
	at := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	for _, kind := range []layout.Kind{layout.Predictions, layout.Labels, layout.Profiles} {
		key := layout.DataObject(kind, "m.v-1", at, "batch.2")
		got, err := layout.ParseDataObject(key)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != kind || got.Model != "m.v-1" || !got.Hour.Equal(at) || got.Batch != "batch.2" {
			t.Errorf("%s parsed as %+v", key, got)
		}
	}
	for _, bad := range []string{"predictions/model=m/dt=2026-11-26/b.jsonl.gz", "reports/model=m/latest.json", "profiles/model=m/dt=2026-13-01/hour=01/b.json"} {
		if _, err := layout.ParseDataObject(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

func TestChecks(t *testing.T) {
	for _, ok := range []string{"fraud", "credit-default", "m.v2_b", strings.Repeat("a", 64)} {
		if err := layout.CheckModel(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", "a/b", "a b", "model=x", strings.Repeat("a", 65), "ü"} {
		if err := layout.CheckModel(bad); err == nil {
			t.Errorf("model %q accepted", bad)
		}
	}
	if layout.CheckBatchID(strings.Repeat("b", 128)) != nil || layout.CheckBatchID(strings.Repeat("b", 129)) == nil || layout.CheckBatchID("../x") == nil {
		t.Error("batch id limits")
	}
	a := layout.CooldownSlot(time.Date(2026, 1, 1, 23, 59, 0, 0, time.UTC), 24*time.Hour)
	b := layout.CooldownSlot(time.Date(2026, 1, 2, 0, 1, 0, 0, time.UTC), 24*time.Hour)
	c := layout.CooldownSlot(time.Date(2026, 1, 2, 23, 0, 0, 0, time.UTC), 24*time.Hour)
	if a == b || b != c {
		t.Errorf("slots %s %s %s", a, b, c)
	}
}
