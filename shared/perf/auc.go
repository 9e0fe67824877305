package perf

import (
	"cmp"
	"slices"
)

// rocAUC returns the area under the ROC curve of scores for the positives:
// the probability that a random positive scores above a random negative,
// ties counting one half (the Mann-Whitney U statistic over n⁺·n⁻, which
// equals scikit-learn's roc_auc_score). ok is false without both positives
// and negatives.
func rocAUC(scores []float64, positive []bool) (float64, bool) {
	type item struct {
		s   float64
		pos bool
	}
	items := make([]item, len(scores))
	var nPos, nNeg float64
	for i, s := range scores {
		items[i] = item{s, positive[i]}
		if positive[i] {
			nPos++
		} else {
			nNeg++
		}
	}
	if nPos == 0 || nNeg == 0 {
		return 0, false
	}
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(a.s, b.s) })
	// Sum of the (mid-)ranks of the positives.
	var rankSum float64
	for i := 0; i < len(items); {
		j := i
		var pos float64
		for j < len(items) && items[j].s == items[i].s {
			if items[j].pos {
				pos++
			}
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j
		rankSum += pos * mid
		i = j
	}
	u := rankSum - nPos*(nPos+1)/2
	return u / (nPos * nNeg), true
}
