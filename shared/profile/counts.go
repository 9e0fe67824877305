package profile

import (
	"encoding/json"
)

// Counts is a histogram: one non-negative count per bin. It encodes to JSON
// densely as an array, or sparsely as {"size":n,"index":[…],"count":[…]} when
// fewer than a third of the bins are non-zero, which keeps the profiles of
// small batches over a 1000-bin grid small.
type Counts []int64

type sparseCounts struct {
	Size  int     `json:"size"`
	Index []int   `json:"index"`
	Count []int64 `json:"count"`
}

// Total is the sum of the counts.
func (c Counts) Total() int64 {
	var t int64
	for _, v := range c {
		t += v
	}
	return t
}

// MarshalJSON encodes c densely or sparsely, whichever is smaller.
func (c Counts) MarshalJSON() ([]byte, error) {
	nonZero := 0
	for _, v := range c {
		if v != 0 {
			nonZero++
		}
	}
	if len(c) < 16 || nonZero*3 >= len(c) {
		return json.Marshal([]int64(c))
	}
	s := sparseCounts{Size: len(c), Index: make([]int, 0, nonZero), Count: make([]int64, 0, nonZero)}
	for i, v := range c {
		if v != 0 {
			s.Index = append(s.Index, i)
			s.Count = append(s.Count, v)
		}
	}
	return json.Marshal(s)
}

// maxBins bounds the size a sparse encoding may claim, so that a corrupt
// profile cannot make the decoder allocate without limit.
const maxBins = 1 << 20

// UnmarshalJSON accepts both encodings and rejects negative counts.
func (c *Counts) UnmarshalJSON(data []byte) error {
	return unmarshalWith(data, func(d *decoder) error { return d.counts(c) })
}
