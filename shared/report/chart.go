package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/modelwatch/modelwatch/shared/chart"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/htmlwrite"
)

// maxBars is the most bin groups a chart shows; the rest are pooled.
const maxBars = 30

// maxLabel is the most characters of a bin label a chart shows.
const maxLabel = 36

// otherCategory is the drift report's bucket of pooled and unseen categories.
const otherCategory = "__other__"

// Okabe-Ito blue and orange: distinguishable with every common colour-vision
// deficiency, and in greyscale print.
const (
	refColor = "#0072B2"
	curColor = "#E69F00"
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

// svgChart draws grouped horizontal bars, reference above current, the first
// bin at the top, and returns the SVG element to inline in the page.
func svgChart(b bars) (htmlwrite.HTML, error) {
	if len(b.Labels) == 0 {
		return "", nil
	}
	c := chart.HorizontalBars{
		Labels: chartLabels(b),
		Series: []chart.Series{
			{Name: "reference", Color: refColor, Value: b.Ref},
			{Name: "current", Color: curColor, Value: b.Cur},
		},
		XLabel:    "share of rows",
		TickLabel: pct,
	}
	return htmlwrite.HTML(c.SVG()), nil // chart.HorizontalBars escapes its own text
}
