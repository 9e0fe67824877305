package stats

import "gonum.org/v1/gonum/stat/distuv"

// ChiSquared is the result of a chi-squared test on counts over bins.
type ChiSquared struct {
	Statistic float64 // Pearson's statistic Σ (o−e)²/e
	DOF       int     // degrees of freedom
	PValue    float64 // P(χ²_DOF ≥ Statistic)
}

// ChiSquaredHomogeneity is the two-sample chi-squared test of homogeneity:
// were the reference and the current counts drawn from one distribution over
// the same bins? Both sides are samples, so the reference's own sampling
// noise is accounted for. Over the 2×k contingency table of the bins that are
// not empty on both sides, with row totals N_R, N_C, column totals c_i and
// N = N_R + N_C, the expected counts are e_ri = N_r·c_i/N and
//
//	Statistic = Σ_r Σ_i (o_ri − e_ri)²/e_ri,  DOF = k − 1,
//	PValue    = P(χ²_{k−1} ≥ Statistic),
//
// computed with distuv.ChiSquared. The result equals
// scipy.stats.chi2_contingency([ref, cur], correction=False) on those bins.
//
// Special cases: if either side has no observations, or k ≤ 1, the result is
// {Statistic: 0, DOF: 0, PValue: 1} (see the package documentation).
// ChiSquaredHomogeneity panics if len(ref) != len(cur) or a count is
// negative.
func ChiSquaredHomogeneity(ref, cur []int64) ChiSquared {
	nr, nc := sampleSizes(ref, cur)
	none := ChiSquared{Statistic: 0, DOF: 0, PValue: 1}
	if nr == 0 || nc == 0 {
		return none
	}
	k := 0
	for i := range ref {
		if ref[i]+cur[i] > 0 {
			k++
		}
	}
	if k <= 1 {
		return none
	}
	fr, fc := float64(nr), float64(nc)
	n := fr + fc
	var stat float64
	for i := range ref {
		col := float64(ref[i] + cur[i])
		if col == 0 {
			continue
		}
		er, ec := fr*col/n, fc*col/n
		dr, dc := float64(ref[i])-er, float64(cur[i])-ec
		stat += dr*dr/er + dc*dc/ec
	}
	dof := k - 1
	return ChiSquared{
		Statistic: stat,
		DOF:       dof,
		PValue:    distuv.ChiSquared{K: float64(dof)}.Survival(stat),
	}
}

// ChiSquaredGoodnessOfFit is the one-sample chi-squared goodness-of-fit test
// of the current counts against the reference proportions taken as exact. It
// ignores the reference's own sampling noise, so on a large reference its
// p-values are far smaller than the two-sample ChiSquaredHomogeneity's; it is
// kept for comparison and for references that really are exact
// distributions. The expected count of bin i is
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
// ChiSquaredGoodnessOfFit panics if len(ref) != len(cur) or a count is
// negative.
func ChiSquaredGoodnessOfFit(ref, cur []int64) ChiSquared {
	nr, nc := sampleSizes(ref, cur)
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
