package chart

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Series is one set of bars of a HorizontalBars chart: one value per group.
type Series struct {
	Name  string
	Color string // a CSS colour
	Value []float64
}

// HorizontalBars is a chart of groups of horizontal bars, one bar per series
// in each group, the first group at the top.
type HorizontalBars struct {
	Labels []string // one per group
	Series []Series
	// XLabel names the axis under the bars; TickLabel formats its ticks.
	XLabel    string
	TickLabel func(float64) string
}

// Geometry, in CSS pixels.
const (
	barsWidth   = 720
	barHeight   = 9
	groupGap    = 9
	axisHeight  = 40 // ticks, their labels and the axis label
	topPad      = 6.0
	rightPad    = 14
	labelPad    = 8
	charWidth   = 7.2 // of the 13 px sans-serif face, on average, to size the label column
	minLabelCol = 40
	maxLabelCol = 300
)

// SVG returns the chart as an <svg> element; an empty string when it has no
// group.
func (c HorizontalBars) SVG() string {
	n := len(c.Labels)
	if n == 0 {
		return ""
	}
	top := 0.0
	for _, s := range c.Series {
		for i := 0; i < n && i < len(s.Value); i++ {
			top = math.Max(top, finite(s.Value[i]))
		}
	}
	if top == 0 {
		top = 1
	}
	top *= 1.08
	longest := 0
	for _, l := range c.Labels {
		longest = max(longest, len([]rune(l)))
	}
	left := math.Min(maxLabelCol, math.Max(minLabelCol, float64(longest)*charWidth+labelPad*2))
	group := float64(len(c.Series)*barHeight + groupGap)
	plotH := float64(n) * group
	height := topPad + plotH + axisHeight
	x := func(v float64) float64 { return left + (barsWidth-left-rightPad)*v/top }
	format := c.TickLabel
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%g", v) }
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" width="%d" height="%g" viewBox="0 0 %d %g" role="img" xmlns="http://www.w3.org/2000/svg" font-family="'Liberation Sans',Arial,Helvetica,sans-serif" font-size="13">`,
		barsWidth, height, barsWidth, height)
	axisY := topPad + plotH
	for _, t := range Ticks(0, top, 6) {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#ddd" stroke-width="0.5"/>`, x(t), topPad, x(t), axisY)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#555"/>`, x(t), axisY, x(t), axisY+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" fill="#555" text-anchor="middle">%s</text>`, x(t), axisY+17, html.EscapeString(format(t)))
	}
	for i, label := range c.Labels {
		gy := topPad + float64(i)*group + groupGap/2
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" fill="#222" text-anchor="end" dominant-baseline="middle">%s</text>`,
			left-labelPad, gy+float64(len(c.Series)*barHeight)/2, html.EscapeString(label))
		for k, s := range c.Series {
			v := 0.0
			if i < len(s.Value) {
				v = finite(s.Value[i])
			}
			fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
				left, gy+float64(k*barHeight), x(v)-left, barHeight, html.EscapeString(s.Color),
				html.EscapeString(s.Name), html.EscapeString(format(v)))
		}
	}
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#555"/>`, left, topPad, left, axisY)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%d" y2="%g" stroke="#555"/>`, left, axisY, barsWidth-rightPad, axisY)
	if c.XLabel != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" fill="#555" text-anchor="middle">%s</text>`,
			(left+barsWidth-rightPad)/2, axisY+34, html.EscapeString(c.XLabel))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}
