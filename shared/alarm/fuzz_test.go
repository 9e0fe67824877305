package alarm_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

// The seed corpora are in testdata/fuzz/<target>/; run e.g.
// go test ./shared/alarm -run '^$' -fuzz FuzzDecodeNotification -fuzztime 30s

func FuzzDecodeNotification(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := alarm.DecodeNotification(data)
		if err != nil {
			if n != nil {
				t.Fatal("a notification and an error")
			}
			return
		}
		if n.AlarmName == "" || (n.NewState != alarm.StateAlarm && n.NewState != alarm.StateOK && n.NewState != alarm.StateInsufficientData) {
			t.Fatalf("accepted %+v", n)
		}
		if n.StateChangeTime.IsZero() || n.StateChangeTime.Location().String() != "UTC" {
			t.Fatalf("state change time %v", n.StateChangeTime)
		}
		n.Metric(alarm.AlarmNamePrefix)
		if model, _, err := n.Model(alarm.AlarmNamePrefix); err == nil && model == "" {
			t.Fatal("empty model without an error")
		}
		if v, ok := n.Value(); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("value %v", v)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := alarm.ParsePolicy(data, alarm.DefaultPolicy())
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted an invalid policy: %v", err)
		}
		for model := range p.Models {
			if p.CooldownFor(model) <= 0 {
				t.Fatalf("cooldown of %s is %v", model, p.CooldownFor(model))
			}
		}
	})
}

func FuzzDecodeMarker(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := alarm.DecodeMarker(data)
		if err != nil {
			return
		}
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := alarm.DecodeMarker(again)
		if err != nil {
			t.Fatalf("decode of the re-encoded marker: %v\n%s", err, again)
		}
		again2, _ := m2.Encode()
		if !bytes.Equal(again, again2) {
			t.Fatalf("not stable:\n%s\n%s", again, again2)
		}
	})
}
