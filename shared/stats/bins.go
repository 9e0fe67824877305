package stats

import "math"

// BinIndex returns the index of the bin containing v for the sorted bin
// edges, that is the number of edges strictly less than v:
//
//	bin 0 = (−∞, edges[0]], bin i = (edges[i−1], edges[i]],
//	bin len(edges) = (edges[len−1], +∞).
//
// It is the index sort.SearchFloat64s(edges, v) would return. −0 and +0
// compare equal; a NaN v falls into the last bin. edges must be sorted in
// increasing order and contain no NaN; this is not checked.
//
// BinIndex is a branch-free binary search, ⌈log₂(len(edges))⌉ dependent
// compare steps. For many lookups against the same edges, Bins is faster.
func BinIndex(edges []float64, v float64) int {
	if v != v {
		return len(edges)
	}
	return searchLess(edges, v)
}

// searchLess returns the number of elements of the sorted slice s that are
// less than v, for v not NaN. The comparison result is turned into an
// integer mask instead of a branch, whose outcome would be unpredictable.
func searchLess(s []float64, v float64) int {
	n := len(s)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		base += half & -b2i(s[base+half] < v)
		n -= half
	}
	return base + b2i(s[base] < v)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Bins locates values in a fixed set of sorted bin edges. Index(v) equals
// BinIndex(edges, v) but is typically 1.5 to 2 times faster: a uniform
// grid of 2·len(edges) cells over [edges[0], edges[len−1]] maps v to the
// few edges that can lie in its cell, and only those are searched. The
// speed-up depends on the edges being spread over the range rather than
// packed into a tiny part of it, as with quantiles of most real data; in
// the worst case Index costs one binary search like BinIndex.
//
// A Bins is immutable after NewBins and safe for concurrent use.
type Bins struct {
	edges       []float64
	first, last float64 // edges[0], edges[len−1]
	scale       float64 // cells per unit of v; 0 disables the grid
	cells       int
	// start[c] is the number of edges in cells before c; the edges in cell
	// c are edges[start[c]:start[c+1]].
	start []int32
}

// NewBins returns a Bins for the given edges, which it copies. edges must be
// sorted in increasing order and contain no NaN; NewBins panics otherwise.
func NewBins(edges []float64) *Bins {
	if len(edges) > math.MaxInt32 {
		panic("stats: too many edges")
	}
	b := &Bins{edges: append([]float64(nil), edges...)}
	for i, e := range edges {
		if e != e || (i > 0 && e < edges[i-1]) {
			panic("stats: edges not sorted")
		}
	}
	b.cells = 1
	if n := len(edges); n > 0 {
		b.first, b.last = edges[0], edges[n-1]
		if width := b.last - b.first; width > 0 && !math.IsInf(width, 0) {
			b.cells = 2 * n
			b.scale = float64(b.cells) / width
		}
	}
	// cell is monotone in v, so an edge in a cell below v's is less than v
	// and one in a cell above is greater.
	b.start = make([]int32, b.cells+1)
	c := 0
	for i, e := range b.edges {
		for ce := b.cell(e); c < ce; c++ {
			b.start[c+1] = int32(i)
		}
	}
	for ; c < b.cells; c++ {
		b.start[c+1] = int32(len(b.edges))
	}
	return b
}

// cell returns the grid cell of v for first ≤ v ≤ last.
func (b *Bins) cell(v float64) int {
	if b.scale == 0 {
		return 0
	}
	c := int((v - b.first) * b.scale)
	return min(max(c, 0), b.cells-1)
}

// Len returns the number of edges; Index returns values in [0, Len()].
func (b *Bins) Len() int { return len(b.edges) }

// Index returns the number of edges strictly less than v, the same as
// BinIndex(edges, v).
func (b *Bins) Index(v float64) int {
	switch {
	case !(v > b.first):
		if v != v || len(b.edges) == 0 {
			return len(b.edges)
		}
		return 0
	case v > b.last:
		return len(b.edges)
	}
	c := b.cell(v)
	lo, hi := int(b.start[c]), int(b.start[c+1])
	return lo + searchLess(b.edges[lo:hi], v)
}
