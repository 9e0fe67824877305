package driftevent

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Event
		err      string
	}{
		{name: "empty", in: "", want: Event{}},
		{name: "null", in: " null\n", want: Event{}},
		{name: "backfill", in: `{"models":["credit","fraud"],"window_end":"2026-11-26T20:00:00Z","window":"24h"}`,
			want: Event{Models: []string{"credit", "fraud"}, WindowEnd: "2026-11-26T20:00:00Z", Window: "24h"}},
		{name: "scheduler", in: `{"scheduled_time":"2026-11-26T20:05:00Z"}`, want: Event{ScheduledTime: "2026-11-26T20:05:00Z"}},
		{name: "EventBridge rule, other fields ignored",
			in:   `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-26T18:00:00Z","detail":{}}`,
			want: Event{Time: "2026-11-26T18:00:00Z"}},
		{name: "not JSON", in: "not json", err: "event: invalid character"},
		{name: "models not a list", in: `{"models":"credit"}`, err: "event: json: cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Parse(%q) error %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestPin(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ev        Event
		value     string
		field     string
		ok        bool
		timeError string
	}{
		{name: "none: the clock", ev: Event{Window: "2h"}},
		{name: "window_end first", ev: Event{WindowEnd: "2026-11-26T20:00:00Z", ScheduledTime: "2026-11-26T21:05:00Z", Time: "x"},
			value: "2026-11-26T20:00:00Z", field: "window_end", ok: true},
		{name: "then scheduled_time", ev: Event{ScheduledTime: "2026-11-26T21:05:00Z", Time: "2026-11-26T22:00:00Z"},
			value: "2026-11-26T21:05:00Z", field: "scheduled_time", ok: true},
		{name: "then time", ev: Event{Time: "2026-11-26T22:00:00+01:00"}, value: "2026-11-26T22:00:00+01:00", field: "time", ok: true},
		{name: "a placeholder the scheduler did not fill", ev: Event{ScheduledTime: "<aws.scheduler.scheduled-time>"},
			value: "<aws.scheduler.scheduled-time>", field: "scheduled_time", ok: true, timeError: "want an RFC 3339 time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value, field, ok := tc.ev.Pin()
			if value != tc.value || field != tc.field || ok != tc.ok {
				t.Errorf("Pin() = %q, %q, %v; want %q, %q, %v", value, field, ok, tc.value, tc.field, tc.ok)
			}
			at, field, ok, err := tc.ev.PinTime()
			if tc.timeError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.timeError) || !strings.Contains(err.Error(), tc.field) {
					t.Errorf("PinTime() error %v, want %q naming %s", err, tc.timeError, tc.field)
				}
				return
			}
			if err != nil || field != tc.field || ok != tc.ok {
				t.Fatalf("PinTime() = %v, %q, %v, %v", at, field, ok, err)
			}
			if tc.ok {
				want, _ := time.Parse(time.RFC3339, tc.value)
				if !at.Equal(want) {
					t.Errorf("PinTime() = %v, want %v", at, want)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
		err  string
	}{
		{name: "empty", ev: Event{}},
		{name: "every field", ev: Event{Models: []string{"a"}, WindowEnd: "2026-11-26T20:00:00Z", Window: "24h",
			ScheduledTime: "2026-11-26T20:05:00Z", Time: "2026-11-26T20:00:00Z"}},
		{name: "a bad time that does not pin the window", ev: Event{WindowEnd: "2026-11-26T20:00:00Z", Time: "yesterday"},
			err: `event time "yesterday": want an RFC 3339 time`},
		{name: "a placeholder", ev: Event{ScheduledTime: "<aws.scheduler.scheduled-time>"}, err: "event scheduled_time"},
		{name: "a window that is no duration", ev: Event{Window: "a day"}, err: `event window "a day"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ev.Check()
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("Check() = %v, want %q", err, tc.err)
			}
		})
	}
}

// FuzzParse checks that Parse never panics and that an event it accepts
// survives encoding: what the dispatch function sends is what the drift
// function reads.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "null", "{}", `{"models":["a"],"window":"24h"}`, `{"scheduled_time":"2026-11-26T20:05:00Z"}`,
		`{"time":1}`, `[`, `{"models":[null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Parse(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil || !reflect.DeepEqual(normalise(again), normalise(ev)) {
			t.Fatalf("%s: parsed %+v, re-encoded %s, parsed %+v (%v)", data, ev, out, again, err)
		}
		_ = ev.Check()
		_, _, _, _ = ev.PinTime()
	})
}

// normalise makes an empty model list nil: omitempty drops it.
func normalise(ev Event) Event {
	if len(ev.Models) == 0 {
		ev.Models = nil
	}
	return ev
}
