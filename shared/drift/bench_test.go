package drift_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// syntheticProfiles makes a reference and a batch profile with n numeric
// features on a 1000-bin grid and n/4 categorical features, without reading
// data.
func syntheticProfiles(n int) (*profile.Profile, *profile.Profile) {
	rng := rand.New(rand.NewPCG(1, 2))
	ref := &profile.Profile{SchemaVersion: profile.SchemaVersion, Type: profile.Reference, Fingerprint: "f", Rows: 100000}
	cur := &profile.Profile{SchemaVersion: profile.SchemaVersion, Type: profile.Batch, Fingerprint: "f", Rows: 5000}
	for i := range n {
		edges := make([]float64, 999)
		for k := range edges {
			edges[k] = float64(k)
		}
		rg, cg := make(profile.Counts, 1000), make(profile.Counts, 1000)
		for k := range rg {
			rg[k] = 100
			cg[k] = int64(rng.IntN(10))
		}
		m := &profile.Moments{Count: rg.Total(), Mean: 500, M2: 8e9, Min: -1, Max: 1000}
		cm := &profile.Moments{Count: cg.Total(), Mean: 510, M2: 4e8, Min: -1, Max: 1001}
		coarse := []float64{99, 199, 299, 399, 499, 599, 699, 799, 899}
		name := fmt.Sprintf("num%02d", i)
		ref.Features = append(ref.Features, &profile.Feature{Name: name, Kind: profile.Numeric, Edges: edges, CoarseEdges: coarse, Grid: rg, Moments: m, TailSums: []float64{-50, 99950}})
		cur.Features = append(cur.Features, &profile.Feature{Name: name, Kind: profile.Numeric, Grid: cg, Moments: cm, TailSums: []float64{0, 999.5 * float64(cg[999])}})
	}
	for i := range n / 4 {
		name := fmt.Sprintf("cat%02d", i)
		cats := []string{"a", "b", "c", "d", "e"}
		ref.Features = append(ref.Features, &profile.Feature{Name: name, Kind: profile.Categorical, Categories: cats, Values: profile.Counts{40, 30, 20, 5, 5, 0}})
		cur.Features = append(cur.Features, &profile.Feature{Name: name, Kind: profile.Categorical, Values: profile.Counts{35, 30, 20, 5, 5, 5}})
	}
	return ref, cur
}

// BenchmarkCompare50 compares two 50-feature profiles (40 numeric on
// 1000-bin grids, 10 categorical): the drift function's work per window.
func BenchmarkCompare50(b *testing.B) {
	ref, cur := syntheticProfiles(40)
	b.ResetTimer()
	for range b.N {
		if _, err := drift.Compare(ref, cur, drift.Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
