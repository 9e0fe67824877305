package main

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/stats"
)

// FeatureBound is the documented error bound of the binned statistics of one
// numeric feature, for the data it was computed on.
type FeatureBound struct {
	Name string `json:"name"`
	// Grid is the number of fine bins.
	Grid int `json:"grid"`
	// Wasserstein bounds |W_binned − W_exact| / σ_ref: stats.WassersteinBinnedBound
	// over the reference standard deviation, as the report normalises W.
	Wasserstein float64 `json:"wasserstein"`
	// KS bounds D_exact − D_grid: within a fine bin F_ref rises by p_i and
	// F_cur by q_i, so |F_ref − F_cur| exceeds its value at the bin's edges by
	// at most max(p_i, q_i); the grid D never exceeds the exact D.
	KS float64 `json:"ks"`
	// MaxRefShare and MaxCurShare are the largest proportions of one fine bin.
	MaxRefShare float64 `json:"max_ref_share"`
	MaxCurShare float64 `json:"max_cur_share"`
}

// featureBounds merges the batch profiles in partsDir and returns the bounds
// of every numeric feature of the reference at refPath.
func featureBounds(refPath, partsDir string) ([]FeatureBound, error) {
	ref, err := loadReference(refPath)
	if err != nil {
		return nil, err
	}
	paths, err := partPaths(partsDir)
	if err != nil {
		return nil, err
	}
	cur, _, err := loadMerged(paths)
	if err != nil {
		return nil, err
	}
	return boundsOf(ref, cur)
}

func boundsOf(ref, cur *profile.Profile) ([]FeatureBound, error) {
	out := []FeatureBound{}
	for _, rf := range ref.Features {
		if rf.Kind == profile.Categorical {
			continue
		}
		cf := cur.Feature(rf.Name)
		if cf == nil || cf.Moments == nil || len(cf.Grid) != len(rf.Grid) {
			return nil, fmt.Errorf("bounds: feature %s: the current profile has no matching grid", rf.Name)
		}
		nr, nc := rf.Grid.Total(), cf.Grid.Total()
		if nr == 0 || nc == 0 {
			continue
		}
		lo := math.Min(rf.Moments.Min, cf.Moments.Min)
		hi := math.Max(rf.Moments.Max, cf.Moments.Max)
		b := FeatureBound{Name: rf.Name, Grid: len(rf.Grid)}
		b.Wasserstein = stats.WassersteinBinnedBound(rf.Edges, lo, hi, rf.Grid, cf.Grid)
		if sd := rf.Moments.Std(); sd > 0 {
			b.Wasserstein /= sd
		}
		for i := range rf.Grid {
			b.MaxRefShare = math.Max(b.MaxRefShare, float64(rf.Grid[i])/float64(nr))
			b.MaxCurShare = math.Max(b.MaxCurShare, float64(cf.Grid[i])/float64(nc))
		}
		b.KS = math.Max(b.MaxRefShare, b.MaxCurShare)
		out = append(out, b)
	}
	return out, nil
}
