package stats

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func benchEdges() ([]float64, []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	e := make([]float64, 999)
	for i := range e {
		e[i] = r.NormFloat64()
	}
	slices.Sort(e)
	vs := make([]float64, 1<<16)
	for i := range vs {
		vs[i] = r.NormFloat64() * 1.2
	}
	return e, vs
}

var sinkI int

func BenchmarkTmpSearch(b *testing.B) {
	e, vs := benchEdges()
	s := 0
	for i := 0; i < b.N; i++ {
		s += sort.SearchFloat64s(e, vs[i&(len(vs)-1)])
	}
	sinkI = s
}
func BenchmarkTmpBinIndex(b *testing.B) {
	e, vs := benchEdges()
	s := 0
	for i := 0; i < b.N; i++ {
		s += BinIndex(e, vs[i&(len(vs)-1)])
	}
	sinkI = s
}
func TestTmpBinIndex(t *testing.T) {
	e, vs := benchEdges()
	for _, v := range vs {
		if BinIndex(e, v) != sort.SearchFloat64s(e, v) {
			t.Fatal(v)
		}
	}
	for n := 0; n < 40; n++ {
		ed := make([]float64, n)
		for i := range ed { ed[i] = float64(i/3) }
		for v := -1.0; v < 15; v += 0.5 {
			if BinIndex(ed, v) != sort.SearchFloat64s(ed, v) {
				t.Fatal(n, v)
			}
		}
	}
}
