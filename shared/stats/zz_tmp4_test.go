package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func BenchmarkTmpBins(b *testing.B) {
	e, vs := benchEdges()
	tb := NewBins(e)
	s := 0
	for i := 0; i < b.N; i++ {
		s += tb.Index(vs[i&(len(vs)-1)])
	}
	sinkI = s
}
func BenchmarkTmpBinsLogn(b *testing.B) {
	e, vs := benchEdges()
	for i := range e { e[i] = math.Exp(e[i]) }
	for i := range vs { vs[i] = math.Exp(vs[i]) }
	tb := NewBins(e)
	s := 0
	for i := 0; i < b.N; i++ {
		s += tb.Index(vs[i&(len(vs)-1)])
	}
	sinkI = s
}
func TestTmpBins(t *testing.T) {
	e, vs := benchEdges()
	tb := NewBins(e)
	for _, v := range vs {
		if tb.Index(v) != sort.SearchFloat64s(e, v) {
			t.Fatal(v)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 2000; it++ {
		n := r.IntN(30)
		ed := make([]float64, n)
		for i := range ed { ed[i] = math.Round(r.NormFloat64()*4) / 2 }
		if r.IntN(5) == 0 && n > 0 { ed[0] = math.Inf(-1) }
		if r.IntN(5) == 0 && n > 0 { ed[n-1] = 1e308 }
		slices.Sort(ed)
		b := NewBins(ed)
		for _, v := range []float64{math.Inf(-1), math.Inf(1), math.Copysign(0, -1), 0, 1e308, -1e308} {
			if b.Index(v) != sort.SearchFloat64s(ed, v) || BinIndex(ed, v) != sort.SearchFloat64s(ed, v) { t.Fatal(ed, v) }
		}
		for k := 0; k < 50; k++ {
			v := math.Round(r.NormFloat64()*8) / 4
			if r.IntN(3) == 0 && n > 0 { v = ed[r.IntN(n)] }
			if b.Index(v) != sort.SearchFloat64s(ed, v) || BinIndex(ed, v) != sort.SearchFloat64s(ed, v) { t.Fatal(ed, v, b.Index(v)) }
		}
	}
}
