package stats

import (
	"math"
	"testing"
)

var sinkF float64

func BenchmarkTmpLog(b *testing.B) {
	x := 1.5
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += math.Log(x)
		x += 1e-9
	}
	sinkF = s
}
func BenchmarkTmpLog1p(b *testing.B) {
	x := 0.3
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += math.Log1p(-x)
		x += 1e-12
	}
	sinkF = s
}
func BenchmarkTmpExp(b *testing.B) {
	x := -3.5
	s := 0.0
	for i := 0; i < b.N; i++ {
		s += math.Exp(x)
		x += 1e-12
	}
	sinkF = s
}
func BenchmarkTmpFrexp(b *testing.B) {
	x := 1.5
	s := 0.0
	for i := 0; i < b.N; i++ {
		m, e := math.Frexp(x)
		s += m + float64(e)
		x += 1e-9
	}
	sinkF = s
}
func BenchmarkTmpSmirnov(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sinkF = smirnovSF(1000000, 0.0015)
	}
}
