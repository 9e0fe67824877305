package demo

import (
	"math/rand/v2"
	"testing"
)

func TestTune(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var apps []Application
	var ys []bool
	for range 20000 {
		a := drawApplication(rng, Conditions{})
		apps = append(apps, a)
		ys = append(ys, rng.Float64() < defaultProbability(a, Conditions{}))
	}
	m, err := Fit(apps, ys)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(m.coef)
	for _, c := range []Conditions{{}, {Shifted: true}, {Shifted: true, ConceptChanged: true}} {
		n, acc, rate, pred := 0, 0, 0, 0
		for range 50000 {
			a := drawApplication(rng, c)
			y := rng.Float64() < defaultProbability(a, c)
			p := m.Score(a) >= 0.5
			n++
			if y == p {
				acc++
			}
			if y {
				rate++
			}
			if p {
				pred++
			}
		}
		t.Logf("%+v acc %.3f rate %.3f pred %.3f", c, float64(acc)/float64(n), float64(rate)/float64(n), float64(pred)/float64(n))
	}
}
