package stats

import (
	"cmp"
	"slices"
)

// BenjaminiHochberg returns the Benjamini-Hochberg adjusted p-values (the
// false discovery rate "q-values") of the m p-values p, in the input order.
// With p_(1) ≤ … ≤ p_(m) the sorted p-values,
//
//	adj_(i) = min(1, min_{j ≥ i} p_(j)·m/j),
//
// so that rejecting the hypotheses with adj ≤ α controls the false
// discovery rate at level α for independent or positively dependent tests.
// The result equals scipy.stats.false_discovery_control(p, method='bh').
//
// Special cases: for len(p) ≤ 1 a copy of p is returned. BenjaminiHochberg
// panics if a p-value is outside [0, 1] or NaN. p is not modified.
func BenjaminiHochberg(p []float64) []float64 {
	for _, v := range p {
		if !(v >= 0 && v <= 1) {
			panic("stats: p-value outside [0, 1]")
		}
	}
	adj := slices.Clone(p)
	m := len(p)
	if m <= 1 {
		return adj
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(p[i], p[j]) })
	fm := float64(m)
	running := 1.0 // also clips the result at 1
	for j := m - 1; j >= 0; j-- {
		v := p[order[j]] * (fm / float64(j+1))
		running = min(running, v)
		adj[order[j]] = running
	}
	return adj
}
