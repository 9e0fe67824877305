package demo

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// chart is one time-series chart over the hours of the story, drawn as
// inline SVG (no script, no font files).
type chart struct {
	hours  int
	series []series
	// log draws the y axis on a log10 scale (PSI spans 0.001 to 10).
	log bool
	// lines are horizontal reference lines (thresholds).
	lines []refLine
	// bands shade hour ranges (events, alarms); marks are vertical lines
	// at an hour with a label.
	bands []band
	marks []mark
	unit  string
}

type series struct {
	name   string
	color  string
	points []point
	// dots draws points only (no line), e.g. what an alarm evaluated.
	dots  bool
	faint bool
}

// point is a value at x hours from the start of the story; a window's
// value sits at the middle of the window.
type point struct {
	x     float64
	value float64
	label string // what the value is of, for its tooltip
}

type refLine struct {
	value float64
	label string
	class string // alarm, warn, drift
}

type band struct {
	from, until float64
	class       string // alarm, incident
	title       string
}

type mark struct {
	hour  int
	label string
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH                     = 460, 200
	padLeft, padRight, padTop, padBott = 44, 10, 20, 24
	logFloor                           = 1e-3
)

// svg renders the chart.
func (c *chart) svg(title string) string {
	lo, hi := c.yRange()
	x := func(h float64) float64 {
		return padLeft + (chartW-padLeft-padRight)*h/float64(max(c.hours, 1))
	}
	y := func(v float64) float64 {
		t := 0.0
		if c.log {
			t = (math.Log10(math.Max(v, logFloor)) - math.Log10(lo)) / (math.Log10(hi) - math.Log10(lo))
		} else if hi > lo {
			t = (v - lo) / (hi - lo)
		}
		return chartH - padBott - (chartH-padTop-padBott)*t
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		chartW, chartH, html.EscapeString(title))
	// Bands and marks under the data.
	for _, bd := range c.bands {
		from, until := math.Max(bd.from, 0), math.Min(bd.until, float64(c.hours))
		if until <= from {
			continue
		}
		fmt.Fprintf(&b, `<rect class="band %s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`,
			bd.class, x(from), padTop, x(until)-x(from), chartH-padTop-padBott, html.EscapeString(bd.title))
	}
	for _, m := range c.marks {
		fmt.Fprintf(&b, `<line class="mark" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, x(float64(m.hour)), x(float64(m.hour)), padTop-6, chartH-padBott)
		if m.label != "" {
			fmt.Fprintf(&b, `<text class="marklabel" x="%.1f" y="%d">%s</text>`, x(float64(m.hour))+3, padTop-8, html.EscapeString(m.label))
		}
	}
	// Axes, grid and ticks.
	for _, t := range c.yTicks(lo, hi) {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padLeft, chartW-padRight, y(t), y(t))
		fmt.Fprintf(&b, `<text class="ytick" x="%d" y="%.1f">%s</text>`, padLeft-5, y(t)+3.5, tickLabel(t))
	}
	step := 6
	if c.hours > 96 {
		step = 24
	} else if c.hours > 48 {
		step = 12
	}
	for h := 0; h <= c.hours; h += step {
		fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%d">%dh</text>`, x(float64(h)), chartH-padBott+16, h)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`, padLeft, chartW-padRight, chartH-padBott, chartH-padBott)
	// Reference lines.
	for _, l := range c.lines {
		if l.value < lo || l.value > hi {
			continue
		}
		fmt.Fprintf(&b, `<line class="ref %s" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l.class, padLeft, chartW-padRight, y(l.value), y(l.value))
		fmt.Fprintf(&b, `<text class="reflabel %s" x="%d" y="%.1f">%s</text>`, l.class, padLeft+4, y(l.value)-4, html.EscapeString(l.label))
	}
	// Data: faint series first, so the highlighted ones are on top.
	for pass := 0; pass < 2; pass++ {
		for _, s := range c.series {
			if s.faint != (pass == 0) || len(s.points) == 0 {
				continue
			}
			cls := "series"
			if s.faint {
				cls += " faint"
			}
			fmt.Fprintf(&b, `<g class="%s" style="--c:%s">`, cls, s.color)
			if !s.dots {
				var path strings.Builder
				prev := math.Inf(-1)
				for _, p := range s.points {
					cmd := "L"
					if p.x-prev > 1.001 {
						cmd = "M" // a gap: an hour without data
					}
					fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(p.x), y(p.value))
					prev = p.x
				}
				fmt.Fprintf(&b, `<path d="%s"/>`, strings.TrimSpace(path.String()))
			}
			r := 1.8
			if s.dots {
				r = 2.6
			}
			for _, p := range s.points {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f"><title>%s, %s: %s%s</title></circle>`,
					x(p.x), y(p.value), r, html.EscapeString(s.name), html.EscapeString(p.label), valueLabel(p.value), html.EscapeString(c.unit))
			}
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// yRange is the value range shown: the data and the reference lines, with
// zero included on a linear scale.
func (c *chart) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.series {
		for _, p := range s.points {
			lo, hi = math.Min(lo, p.value), math.Max(hi, p.value)
		}
	}
	for _, l := range c.lines {
		lo, hi = math.Min(lo, l.value), math.Max(hi, l.value)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if c.log {
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

// yTicks are about five round values in [lo, hi] (powers of ten on a log
// scale).
func (c *chart) yTicks(lo, hi float64) []float64 {
	var out []float64
	if c.log {
		for v := lo; v <= hi*1.0001; v *= 10 {
			out = append(out, v)
		}
		return out
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

func tickLabel(v float64) string {
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

// valueLabel formats a value for a tooltip or table: four significant
// digits.
func valueLabel(v float64) string {
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
