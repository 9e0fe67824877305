package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/modelwatch/modelwatch/shared/drift"
)

// maxBars is the most bin groups a chart shows; the rest are pooled.
const maxBars = 30

// maxLabel is the most characters of a bin label a chart shows.
const maxLabel = 36

// otherCategory is the drift report's bucket of pooled and unseen categories.
const otherCategory = "__other__"

// Okabe-Ito blue and orange: distinguishable with every common colour-vision
// deficiency, and in greyscale print.
var (
	refColor = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}
	curColor = color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}
)

// bars are the bins one chart shows.
type bars struct {
	Labels   []string
	Ref, Cur []float64
	// Pos is the 1-based position of each bar's bin in the full bin table,
	// 0 for a bar that pools several bins.
	Pos []int
	// Note says how the bins were pooled for display, if they were.
	Note string
}

// binRow is one bin of the full bin table.
type binRow struct {
	Pos                   int
	Label, Ref, Cur, Diff string
}

// binLabels names every bin of b: by its edges for numeric features, by
// category for the others, "bin N" when the report's shape is inconsistent.
func binLabels(b drift.Bins) []string {
	n := max(len(b.Reference), len(b.Current))
	var labels []string
	switch {
	case len(b.Categories) == n:
		labels = make([]string, n)
		for i, c := range b.Categories {
			labels[i] = clean(c)
		}
	case len(b.Categories) == 0 && len(b.Edges) == n-1 && n > 0:
		labels = edgeLabels(b.Edges)
	default:
		labels = make([]string, n)
		for i := range labels {
			labels[i] = "bin " + strconv.Itoa(i+1)
		}
	}
	return labels
}

// padded returns v extended with zeros to length n.
func padded(v []float64, n int) []float64 {
	out := make([]float64, n)
	copy(out, v)
	return out
}

// binTable is the full list of bins with both proportions.
func binTable(b drift.Bins) []binRow {
	labels := binLabels(b)
	n := len(labels)
	ref, cur := padded(b.Reference, n), padded(b.Current, n)
	rows := make([]binRow, n)
	for i := range rows {
		d := cur[i] - ref[i]
		diff := pct(d)
		if d > 0 {
			diff = "+" + diff
		}
		rows[i] = binRow{Pos: i + 1, Label: labels[i], Ref: pct(ref[i]), Cur: pct(cur[i]), Diff: diff}
	}
	return rows
}

// displayBins returns the bins of b to chart, at most maxBars: adjacent
// numeric bins are merged into wider intervals; of categories, the ones with
// the largest share on either side are kept, in their order, and the rest
// pooled into __other__.
func displayBins(b drift.Bins) bars {
	labels := binLabels(b)
	n := len(labels)
	ref, cur := padded(b.Reference, n), padded(b.Current, n)
	if n <= maxBars {
		pos := make([]int, n)
		for i := range pos {
			pos[i] = i + 1
		}
		return bars{Labels: labels, Ref: ref, Cur: cur, Pos: pos}
	}
	if len(b.Categories) == 0 && len(b.Edges) == n-1 {
		return mergeAdjacent(b.Edges, ref, cur)
	}
	return poolSmallest(labels, ref, cur)
}

// mergeAdjacent merges runs of k adjacent numeric bins so that at most
// maxBars remain.
func mergeAdjacent(edges, ref, cur []float64) bars {
	n := len(ref)
	k := (n + maxBars - 1) / maxBars
	var kept []float64 // the edges that still separate bins
	var out bars
	for lo := 0; lo < n; lo += k {
		hi := min(lo+k, n) // bins lo..hi-1
		var r, c float64
		for i := lo; i < hi; i++ {
			r += ref[i]
			c += cur[i]
		}
		out.Ref = append(out.Ref, r)
		out.Cur = append(out.Cur, c)
		out.Pos = append(out.Pos, 0)
		if hi < n {
			kept = append(kept, edges[hi-1])
		}
	}
	out.Labels = edgeLabels(kept)
	out.Note = fmt.Sprintf("%d bins shown as %d: every %d adjacent bins merged.", n, len(out.Ref), k)
	return out
}

// poolSmallest keeps the maxBars-1 categories with the largest share on
// either side and pools the rest, with __other__, into one last bar.
func poolSmallest(labels []string, ref, cur []float64) bars {
	n := len(labels)
	candidates := n
	hasOther := labels[n-1] == otherCategory
	if hasOther {
		candidates-- // __other__ is always shown, last
	}
	idx := make([]int, candidates)
	for i := range idx {
		idx[i] = i
	}
	// Largest first; ties keep the report's order, so the result is stable.
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(max(ref[b], cur[b]), max(ref[a], cur[a]))
	})
	keep := idx[:maxBars-1]
	slices.Sort(keep)
	var out bars
	for _, i := range keep {
		out.Labels = append(out.Labels, labels[i])
		out.Ref = append(out.Ref, ref[i])
		out.Cur = append(out.Cur, cur[i])
		out.Pos = append(out.Pos, i+1)
	}
	pooled := n - len(keep)
	var r, c float64
	kept := make([]bool, n)
	for _, i := range keep {
		kept[i] = true
	}
	for i := range n {
		if !kept[i] {
			r += ref[i]
			c += cur[i]
		}
	}
	if hasOther {
		pooled-- // __other__ itself
		out.Labels = append(out.Labels, fmt.Sprintf("%s + %d more", otherCategory, pooled))
	} else {
		out.Labels = append(out.Labels, fmt.Sprintf("other (%d)", pooled))
	}
	out.Ref = append(out.Ref, r)
	out.Cur = append(out.Cur, c)
	out.Pos = append(out.Pos, 0)
	out.Note = fmt.Sprintf("%d categories: the %d largest are shown, the other %d are pooled into the last bar.", n, len(keep), pooled)
	return out
}

// chartLabels shortens long labels by cutting out their middle; when that
// makes two alike, the shortened ones are prefixed with their position in the
// bin table ("#12 ").
func chartLabels(b bars) []string {
	out := make([]string, len(b.Labels))
	cut := make([]bool, len(b.Labels))
	seen := map[string]int{}
	for i, l := range b.Labels {
		out[i] = truncateMiddle(l, maxLabel)
		cut[i] = out[i] != l
		seen[out[i]]++
	}
	for i := range out {
		if cut[i] && seen[out[i]] > 1 && i < len(b.Pos) && b.Pos[i] > 0 {
			out[i] = truncateMiddle("#"+strconv.Itoa(b.Pos[i])+" "+b.Labels[i], maxLabel)
		}
	}
	return out
}

// Chart geometry, in points (rendered as CSS pixels).
const (
	chartWidth  = 720
	barWidth    = 9
	groupGap    = 9
	chartChrome = 46 // axis, ticks and padding
)

// chartFont is Liberation Sans, which gonum/plot measures text with; the SVG
// asks for it or a metric-compatible face (Arial, Helvetica).
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// svgChart draws grouped horizontal bars, reference above current, the first
// bin at the top, and returns the SVG element to inline in the page.
func svgChart(b bars) (template.HTML, error) {
	n := len(b.Labels)
	if n == 0 {
		return "", nil
	}
	p := plot.New()
	p.BackgroundColor = color.Transparent
	p.X.Tick.Label.Font = font.From(chartFont, 13)
	p.Y.Tick.Label.Font = font.From(chartFont, 13)
	p.X.Label.TextStyle.Font = font.From(chartFont, 13)
	grey := color.Gray{Y: 0x55}
	p.X.Tick.Label.Color = grey
	p.Y.Tick.Label.Color = color.Gray{Y: 0x22}
	p.X.LineStyle.Color = grey
	p.X.Tick.LineStyle.Color = grey
	p.X.Tick.Length = vg.Points(4)
	p.X.Tick.Marker = percentTicks{}
	p.X.Label.Text = "share of rows"
	p.X.Label.TextStyle.Color = grey
	p.Y.LineStyle.Color = grey

	short := chartLabels(b)
	labels := make([]string, n)
	ref := make(plotter.Values, n)
	cur := make(plotter.Values, n)
	top := 0.0
	for i := range n {
		j := n - 1 - i // NominalY puts the first name at the bottom
		labels[i] = short[j]
		ref[i] = finite(b.Ref[j])
		cur[i] = finite(b.Cur[j])
		top = math.Max(top, math.Max(ref[i], cur[i]))
	}
	if top == 0 {
		top = 1
	}

	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical.Color = color.Gray{Y: 0xDD}
	grid.Vertical.Width = vg.Points(0.5)
	p.Add(grid)

	w := vg.Points(barWidth)
	for k, s := range []struct {
		v      plotter.Values
		c      color.Color
		offset vg.Length
	}{{ref, refColor, w / 2}, {cur, curColor, -w / 2}} {
		bc, err := plotter.NewBarChart(s.v, w)
		if err != nil {
			return "", fmt.Errorf("bar chart %d: %w", k, err)
		}
		bc.Horizontal = true
		bc.Color = s.c
		bc.Offset = s.offset
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	p.NominalY(labels...)
	p.X.Min = 0
	p.X.Max = top * 1.08
	p.Y.Min = -0.6
	p.Y.Max = float64(n) - 0.4

	height := float64(n*(2*barWidth+groupGap) + chartChrome)
	c := vgsvg.New(vg.Points(chartWidth), vg.Points(height))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	return inlineSVG(buf.String(), chartWidth, height)
}

// inlineSVG turns vgsvg's standalone document into an element for an HTML
// page: the XML prolog and comment go, the size is in CSS pixels (the page
// scales it down to fit), and the font falls back to Liberation Sans's
// metric-compatible faces.
func inlineSVG(doc string, width, height float64) (template.HTML, error) {
	i := strings.Index(doc, "<svg")
	if i < 0 {
		return "", fmt.Errorf("vgsvg output has no <svg> element")
	}
	doc = doc[i:]
	head := fmt.Sprintf(`<svg width="%gpt" height="%gpt"`, width, height)
	if !strings.HasPrefix(doc, head) {
		return "", fmt.Errorf("unexpected vgsvg header %.60q", doc)
	}
	doc = fmt.Sprintf(`<svg class="chart" width="%g" height="%g"`, width, height) + doc[len(head):]
	doc = strings.ReplaceAll(doc, "font-family:Liberation Sans;",
		"font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return template.HTML(strings.TrimSpace(doc)), nil //nolint:gosec // vgsvg escapes its text
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// percentTicks are plot.DefaultTicks labelled as percentages.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = pct(ticks[i].Value)
		}
	}
	return ticks
}
