package stats

import "gonum.org/v1/gonum/stat/distuv"

// ChiSquared is the result of a chi-squared goodness-of-fit test.
type ChiSquared struct {
	Statistic float64 // Pearson's statistic Σ (o−e)²/e
	DOF       int     // degrees of freedom, k−1 for k bins
	PValue    float64 // P(χ²_DOF ≥ Statistic)
}

// ChiSquaredCounts tests whether the current counts follow the distribution
// of the reference counts over the same bins. The expected count of bin i is
//
//	e_i = p_i·N_C,  p_i = ref_i/N_R,
//
// N_R and N_C being the reference and current totals. A bin with e_i = 0
// (ref_i = 0) cannot be tested on its own: its observed count is added to
// the bin with the smallest non-zero expected count (the lowest index among
// ties), so that observations in bins the reference never saw still count
// against it. Over the k remaining bins
//
//	Statistic = Σ (o_i − e_i)²/e_i,  DOF = k − 1,
//	PValue    = P(χ²_{k−1} ≥ Statistic),
//
// computed with distuv.ChiSquared. The result equals
// scipy.stats.chisquare(f_obs=o, f_exp=e) on the merged bins.
//
// Special cases: if either side has no observations, or k ≤ 1, the result is
// {Statistic: 0, DOF: 0, PValue: 1} (see the package documentation).
// ChiSquaredCounts panics if len(ref) != len(cur) or a count is negative.
func ChiSquaredCounts(ref, cur []int64) ChiSquared {
	checkLen(len(ref), len(cur))
	nr, nc := sumCounts(ref), sumCounts(cur)
	none := ChiSquared{Statistic: 0, DOF: 0, PValue: 1}
	if nr == 0 || nc == 0 {
		return none
	}
	// Bin receiving the observations of the bins with zero expectation.
	target, k := -1, 0
	for i, r := range ref {
		if r == 0 {
			continue
		}
		k++
		if target < 0 || r < ref[target] {
			target = i
		}
	}
	if k <= 1 {
		return none
	}
	var extra int64
	for i, r := range ref {
		if r == 0 {
			extra += cur[i]
		}
	}
	fr, fc := float64(nr), float64(nc)
	var stat float64
	for i, r := range ref {
		if r == 0 {
			continue
		}
		o := cur[i]
		if i == target {
			o += extra
		}
		e := float64(r) / fr * fc
		d := float64(o) - e
		stat += d * d / e
	}
	dof := k - 1
	return ChiSquared{
		Statistic: stat,
		DOF:       dof,
		PValue:    distuv.ChiSquared{K: float64(dof)}.Survival(stat),
	}
}
