package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// TimeSeries is a chart of values over the hours of a period: lines (or
// dots), horizontal thresholds, shaded bands and marked hours, drawn as an
// inline <svg class="chart"> whose colours and strokes come from the page's
// CSS (classes series, faint, band, mark, grid, axis, ref, reflabel, xtick,
// ytick).
type TimeSeries struct {
	Hours  int
	Traces []Trace
	// Log draws the y axis on a log10 scale (PSI spans 0.001 to 10).
	Log        bool
	Thresholds []Threshold
	// Bands shade hour ranges (events, alarms); Marks are vertical lines at
	// an hour with a label.
	Bands []Band
	Marks []Mark
	// Unit follows every value in the tooltips.
	Unit string
}

// Trace is one series of a TimeSeries.
type Trace struct {
	Name   string
	Color  string // a CSS colour
	Points []Point
	// Dots draws points only (no line), e.g. what an alarm evaluated.
	Dots bool
	// Faint traces are drawn first, under the others, in a lighter style.
	Faint bool
}

// Point is a value at X hours from the start of the period; Label says what
// the value is of, for its tooltip.
type Point struct {
	X     float64
	Value float64
	Label string
}

// Threshold is a horizontal reference line with its label; Class is one of
// the page's reference-line styles (alarm, warn, drift).
type Threshold struct {
	Value float64
	Label string
	Class string
}

// Band shades the hours From to Until; Class is the page's style (alarm,
// incident) and Title its tooltip.
type Band struct {
	From, Until float64
	Class       string
	Title       string
}

// Mark is a vertical line at Hour with a short label.
type Mark struct {
	Hour  int
	Label string
}

// Time-series geometry, in SVG user units.
const (
	seriesW, seriesH                   = 460, 200
	padLeft, padRight, padTop, padBott = 44, 10, 20, 24
	logFloor                           = 1e-3
)

// SVG returns the chart as an <svg> element labelled title.
func (c *TimeSeries) SVG(title string) string {
	lo, hi := c.YRange()
	x := func(h float64) float64 {
		return padLeft + (seriesW-padLeft-padRight)*h/float64(max(c.Hours, 1))
	}
	y := func(v float64) float64 {
		t := 0.0
		if c.Log {
			t = (math.Log10(math.Max(v, logFloor)) - math.Log10(lo)) / (math.Log10(hi) - math.Log10(lo))
		} else if hi > lo {
			t = (v - lo) / (hi - lo)
		}
		return seriesH - padBott - (seriesH-padTop-padBott)*t
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		seriesW, seriesH, html.EscapeString(title))
	// Bands and marks under the data.
	for _, bd := range c.Bands {
		from, until := math.Max(bd.From, 0), math.Min(bd.Until, float64(c.Hours))
		if until <= from {
			continue
		}
		fmt.Fprintf(&b, `<rect class="band %s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`,
			html.EscapeString(bd.Class), x(from), padTop, x(until)-x(from), seriesH-padTop-padBott, html.EscapeString(bd.Title))
	}
	for _, m := range c.Marks {
		fmt.Fprintf(&b, `<line class="mark" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, x(float64(m.Hour)), x(float64(m.Hour)), padTop-6, seriesH-padBott)
		if m.Label != "" {
			fmt.Fprintf(&b, `<text class="marklabel" x="%.1f" y="%d">%s</text>`, x(float64(m.Hour))+3, padTop-8, html.EscapeString(m.Label))
		}
	}
	// Axes, grid and ticks.
	for _, t := range c.YTicks(lo, hi) {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padLeft, seriesW-padRight, y(t), y(t))
		fmt.Fprintf(&b, `<text class="ytick" x="%d" y="%.1f">%s</text>`, padLeft-5, y(t)+3.5, TickLabel(t))
	}
	step := 6
	if c.Hours > 96 {
		step = 24
	} else if c.Hours > 48 {
		step = 12
	}
	for h := 0; h <= c.Hours; h += step {
		fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%d">%dh</text>`, x(float64(h)), seriesH-padBott+16, h)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`, padLeft, seriesW-padRight, seriesH-padBott, seriesH-padBott)
	// Reference lines.
	for _, l := range c.Thresholds {
		if l.Value < lo || l.Value > hi {
			continue
		}
		cls := html.EscapeString(l.Class)
		fmt.Fprintf(&b, `<line class="ref %s" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, cls, padLeft, seriesW-padRight, y(l.Value), y(l.Value))
		fmt.Fprintf(&b, `<text class="reflabel %s" x="%d" y="%.1f">%s</text>`, cls, padLeft+4, y(l.Value)-4, html.EscapeString(l.Label))
	}
	// Data: faint traces first, so the highlighted ones are on top.
	for pass := 0; pass < 2; pass++ {
		for _, s := range c.Traces {
			if s.Faint != (pass == 0) || len(s.Points) == 0 {
				continue
			}
			cls := "series"
			if s.Faint {
				cls += " faint"
			}
			fmt.Fprintf(&b, `<g class="%s" style="--c:%s">`, cls, html.EscapeString(s.Color))
			if !s.Dots {
				var path strings.Builder
				prev := math.Inf(-1)
				for _, p := range s.Points {
					cmd := "L"
					if p.X-prev > 1.001 {
						cmd = "M" // a gap: an hour without data
					}
					fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(p.X), y(p.Value))
					prev = p.X
				}
				fmt.Fprintf(&b, `<path d="%s"/>`, strings.TrimSpace(path.String()))
			}
			r := 1.8
			if s.Dots {
				r = 2.6
			}
			for _, p := range s.Points {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f"><title>%s, %s: %s%s</title></circle>`,
					x(p.X), y(p.Value), r, html.EscapeString(s.Name), html.EscapeString(p.Label), ValueLabel(p.Value), html.EscapeString(c.Unit))
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// YRange is the value range shown: the data and the thresholds, with zero
// included on a linear scale and whole decades on a log scale.
func (c *TimeSeries) YRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Traces {
		for _, p := range s.Points {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	for _, l := range c.Thresholds {
		lo, hi = math.Min(lo, l.Value), math.Max(hi, l.Value)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if c.Log {
		lo = math.Pow(10, math.Floor(math.Log10(math.Max(lo, logFloor))))
		hi = math.Pow(10, math.Ceil(math.Log10(math.Max(hi, lo*10))))
		return lo, hi
	}
	lo = math.Min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	hi += (hi - lo) * 0.08
	return lo, hi
}

// YTicks are the y axis's labelled values in [lo, hi]: powers of ten on a
// log scale, about five round values (Ticks) on a linear one.
func (c *TimeSeries) YTicks(lo, hi float64) []float64 {
	if !c.Log {
		return Ticks(lo, hi, 5)
	}
	var out []float64
	for v := lo; v <= hi*1.0001; v *= 10 {
		out = append(out, v)
	}
	return out
}

// TickLabel formats an axis value briefly: 0.6, 12, 48k, 0.0025.
func TickLabel(v float64) string {
	v = math.Round(v*1e9) / 1e9 // 0.6000000000000001 is 0.6
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 10000:
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	case a < 0.01:
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ValueLabel formats a value for a tooltip or a table: four significant
// digits, whole numbers from 1000, an exponent below 0.001.
func ValueLabel(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a < 0.001:
		return strconv.FormatFloat(v, 'e', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
