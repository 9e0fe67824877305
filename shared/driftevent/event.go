package driftevent

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Event is what starts a run. Every field is optional.
//
//	{"models": ["credit"], "window_end": "2026-11-26T20:00:00Z", "window": "24h"}
//
// The window end is, in order, window_end, scheduled_time (EventBridge
// Scheduler, with the target input {"scheduled_time":
// "<aws.scheduler.scheduled-time>"}), time (an EventBridge scheduled rule's
// event) or the clock, aligned down to the schedule's grid. Retries of the
// same event therefore cover the same window.
type Event struct {
	Models        []string `json:"models,omitempty"`
	WindowEnd     string   `json:"window_end,omitempty"`
	Window        string   `json:"window,omitempty"`
	ScheduledTime string   `json:"scheduled_time,omitempty"`
	Time          string   `json:"time,omitempty"`
}

// Parse decodes an event, ignoring the fields of EventBridge events that do
// not matter here. An empty payload or null is the zero Event.
func Parse(data []byte) (Event, error) {
	var ev Event
	if s := strings.TrimSpace(string(data)); s == "" || s == "null" {
		return ev, nil
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return Event{}, fmt.Errorf("event: %w", err)
	}
	return ev, nil
}

// pin is one of the event's times that pin the window.
type pin struct{ field, value string }

// pins are the event's times in the order they take precedence.
func (ev Event) pins() []pin {
	return []pin{{"window_end", ev.WindowEnd}, {"scheduled_time", ev.ScheduledTime}, {"time", ev.Time}}
}

// Pin is the time that pins the window, as the event gives it: the first of
// window_end, scheduled_time and time that is set, and the field's name. ok
// is false when none is set: the window then ends at the clock.
func (ev Event) Pin() (value, field string, ok bool) {
	for _, p := range ev.pins() {
		if p.value != "" {
			return p.value, p.field, true
		}
	}
	return "", "", false
}

// PinTime is Pin parsed: an error when the time is not RFC 3339.
func (ev Event) PinTime() (t time.Time, field string, ok bool, err error) {
	value, field, ok := ev.Pin()
	if !ok {
		return time.Time{}, "", false, nil
	}
	if t, err = time.Parse(time.RFC3339, value); err != nil {
		return time.Time{}, field, true, fmt.Errorf("event %s %q: want an RFC 3339 time", field, value)
	}
	return t, field, true, nil
}

// Check refuses an event whose times or window no run could use: a time
// that is not RFC 3339 (a schedule whose input still holds
// <aws.scheduler.scheduled-time>, say) or a window that is not a duration.
// The drift function checks the window's length against its settings.
func (ev Event) Check() error {
	for _, p := range ev.pins() {
		if p.value == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339, p.value); err != nil {
			return fmt.Errorf("event %s %q: want an RFC 3339 time", p.field, p.value)
		}
	}
	if ev.Window != "" {
		if _, err := time.ParseDuration(ev.Window); err != nil {
			return fmt.Errorf("event window %q: %w", ev.Window, err)
		}
	}
	return nil
}
