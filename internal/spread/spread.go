package spread

// ByCost returns the items each of workers workers takes: every item in
// turn, in the order given, goes to the worker whose items cost the least
// so far (the first such worker on a tie). Giving the costliest items first
// evens the shares best.
func ByCost(items []int, cost func(item int) int, workers int) [][]int {
	workers = max(workers, 1)
	owned := make([][]int, workers)
	load := make([]int, workers)
	for _, it := range items {
		w := 0
		for k := range load {
			if load[k] < load[w] {
				w = k
			}
		}
		owned[w] = append(owned[w], it)
		load[w] += cost(it)
	}
	return owned
}
