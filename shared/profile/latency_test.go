package profile_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/modelwatch/modelwatch/shared/profile"
)

func TestLatencyQuantilesWithinBucketWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	h := profile.NewLatencyHistogram()
	parts := []*profile.LatencyHistogram{profile.NewLatencyHistogram(), profile.NewLatencyHistogram()}
	var all []float64
	for i := range 50000 {
		ms := math.Exp(rng.NormFloat64()*0.8 + 3) // lognormal around 20 ms
		all = append(all, ms)
		if err := h.Add(ms); err != nil {
			t.Fatal(err)
		}
		parts[i%2].Add(ms)
	}
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.95, 0.99} {
		exact := all[int(math.Ceil(q*float64(len(all))))-1]
		got := h.Quantile(q)
		if math.Abs(got-exact)/exact > 0.045 {
			t.Errorf("p%g = %g, exact %g: more than 4.5%% off", q*100, got, exact)
		}
	}
	if err := parts[0].Merge(parts[1]); err != nil {
		t.Fatal(err)
	}
	if parts[0].Count() != h.Count() || parts[0].Quantile(0.99) != h.Quantile(0.99) {
		t.Errorf("merged halves differ from the whole")
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if err := h.Add(bad); err == nil {
			t.Errorf("latency %g accepted", bad)
		}
	}
	if h.Add(1e9) != nil || h.Quantile(1) != 1e9 {
		t.Errorf("a latency beyond the last bucket: p100 = %g", h.Quantile(1))
	}
	if profile.NewLatencyHistogram().Quantile(0.5) != 0 {
		t.Error("empty histogram quantile is not 0")
	}
}
