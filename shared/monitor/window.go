package monitor

import (
	"fmt"
	"time"
)

// Window is the half-open interval [Start, End) of event times.
type Window struct {
	Start, End time.Time
}

// NewWindow returns the window of length ending at end.
func NewWindow(end time.Time, length time.Duration) Window {
	end = end.UTC()
	return Window{Start: end.Add(-length), End: end}
}

// Length is End − Start.
func (w Window) Length() time.Duration { return w.End.Sub(w.Start) }

// Hours are the starts of the hour partitions the window covers, oldest
// first.
func (w Window) Hours() []time.Time {
	var out []time.Time
	for h := w.Start.UTC().Truncate(time.Hour); h.Before(w.End); h = h.Add(time.Hour) {
		out = append(out, h)
	}
	return out
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

func (w Window) String() string {
	return fmt.Sprintf("[%s, %s)", w.Start.Format(time.RFC3339), w.End.Format(time.RFC3339))
}

// AlignEnd returns the end of the schedule slot t falls in: t truncated to
// a multiple of grid since the Unix epoch (the top of the hour for a grid of
// an hour).
func AlignEnd(t time.Time, grid time.Duration) time.Time {
	return t.UTC().Truncate(grid)
}

// windowOf returns the window of the given length that contains t, on the
// grid of windows ending at anchor − k·length for whole k.
func windowOf(t, anchor time.Time, length time.Duration) Window {
	d := anchor.Sub(t) - 1 // the window ending at anchor holds t when 0 <= d < length
	k := d / length
	if d < 0 && d%length != 0 {
		k-- // floor division
	}
	return NewWindow(anchor.Add(-k*length), length)
}
