package stats

import (
	"sort"
	"testing"
)

func search4(s []float64, v float64) int {
	n := len(s)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 3 {
		q := n >> 2
		c := b2i(s[base+q] < v) + b2i(s[base+2*q] < v) + b2i(s[base+3*q] < v)
		base += c * q
		n -= 3 * q
	}
	for n > 1 {
		half := n >> 1
		base += half & -b2i(s[base+half] < v)
		n -= half
	}
	return base + b2i(s[base] < v)
}

func BenchmarkTmpQuat(b *testing.B) {
	e, vs := benchEdges()
	s := 0
	for i := 0; i < b.N; i++ {
		s += search4(e, vs[i&(len(vs)-1)])
	}
	sinkI = s
}
func TestTmpQuat(t *testing.T) {
	e, vs := benchEdges()
	for _, v := range vs {
		if search4(e, v) != sort.SearchFloat64s(e, v) {
			t.Fatal(v)
		}
	}
	for n := 0; n < 60; n++ {
		ed := make([]float64, n)
		for i := range ed { ed[i] = float64(i/3) }
		for v := -1.0; v < 25; v += 0.5 {
			if search4(ed, v) != sort.SearchFloat64s(ed, v) {
				t.Fatal(n, v)
			}
		}
	}
}
