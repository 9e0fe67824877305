package multivariate

import (
	"errors"
	"fmt"
	"math"
)

// Summary is a mergeable summary of the reconstruction errors of a set of
// rows: merging two summaries adds them, so it is associative and
// commutative up to the order of the floating-point sums.
type Summary struct {
	Count      int64   `json:"count"`
	Sum        float64 `json:"sum"`
	SumSquares float64 `json:"sum_squares"`
	// Grid counts errors per bin of the model's Edges (len(Edges)+1).
	Grid []int64 `json:"grid"`
	// Residuals sums, per feature, the squared residual of the standardised
	// value: which features the model failed to reconstruct.
	Residuals []float64 `json:"residuals"`
}

// NewSummary returns an empty summary on model m's grid.
func NewSummary(m *Model) Summary {
	return Summary{Grid: make([]int64, len(m.Edges)+1), Residuals: make([]float64, len(m.Features))}
}

// Add counts one row of error e and squared residuals resid on the grid
// edges.
func (s *Summary) Add(edges []float64, e float64, resid []float64) {
	s.Count++
	s.Sum += e
	s.SumSquares += e * e
	s.Grid[searchEdges(edges, e)]++
	for j, r := range resid {
		s.Residuals[j] += r
	}
}

// Merge adds o to s; both must be on the same grid.
func (s *Summary) Merge(o Summary) error {
	if len(s.Grid) != len(o.Grid) || len(s.Residuals) != len(o.Residuals) {
		return fmt.Errorf("merge multivariate summaries: %d/%d bins and %d/%d features differ",
			len(s.Grid), len(o.Grid), len(s.Residuals), len(o.Residuals))
	}
	s.Count += o.Count
	s.Sum += o.Sum
	s.SumSquares += o.SumSquares
	for i, c := range o.Grid {
		s.Grid[i] += c
	}
	for j, r := range o.Residuals {
		s.Residuals[j] += r
	}
	return nil
}

// Clone returns a deep copy of s.
func (s Summary) Clone() Summary {
	return Summary{Count: s.Count, Sum: s.Sum, SumSquares: s.SumSquares,
		Grid: append([]int64(nil), s.Grid...), Residuals: append([]float64(nil), s.Residuals...)}
}

// Mean is the mean error, NaN for an empty summary.
func (s Summary) Mean() float64 {
	if s.Count == 0 {
		return math.NaN()
	}
	return s.Sum / float64(s.Count)
}

// Check validates s against model m: its shape and its counts.
func (s Summary) Check(m *Model) error { return s.check(m) }

func (s Summary) check(m *Model) error {
	if len(s.Grid) != len(m.Edges)+1 {
		return fmt.Errorf("%d grid bins for %d edges", len(s.Grid), len(m.Edges))
	}
	if len(s.Residuals) != len(m.Features) {
		return fmt.Errorf("%d residual sums for %d features", len(s.Residuals), len(m.Features))
	}
	return s.CheckCounts()
}

// CheckCounts checks what can be checked without the model: the grid counts
// add up to Count, and the sums are finite and not negative.
func (s Summary) CheckCounts() error {
	if s.Count < 0 {
		return errors.New("negative count")
	}
	var n int64
	for _, c := range s.Grid {
		if c < 0 {
			return errors.New("negative grid count")
		}
		n += c
	}
	if n != s.Count {
		return fmt.Errorf("grid counts %d errors, count is %d", n, s.Count)
	}
	for _, v := range append([]float64{s.Sum, s.SumSquares}, s.Residuals...) {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("sum %g is not a finite non-negative number", v)
		}
	}
	return nil
}

// searchEdges is the bin of e: the number of edges strictly less than e
// (sort.SearchFloat64s without its closure, as it runs once per record).
func searchEdges(edges []float64, e float64) int {
	lo, hi := 0, len(edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if edges[mid] < e {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
