package multivariate

import (
	"errors"
	"math"
	"slices"

	"github.com/modelwatch/modelwatch/shared/stats"
)

// Result compares a window's errors with the reference's.
type Result struct {
	// Count is the number of rows of the window; Mean their mean error.
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	// ReferenceMean and ReferenceStd describe the reference rows' errors.
	ReferenceMean float64 `json:"reference_mean"`
	ReferenceStd  float64 `json:"reference_std"`
	// StdError is the expected spread of a window's mean error at this
	// count, ReferenceStd/√Count; Lower and Upper are the reference mean
	// ∓ 3 of them (Lower not below 0).
	StdError float64 `json:"std_error"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	// Sigmas is (Mean − ReferenceMean)/StdError: how many standard errors
	// the window's mean lies above the reference's (0 when StdError is 0).
	Sigmas float64 `json:"sigmas"`
	// Drift is true when Mean lies outside (Lower, Upper).
	Drift bool `json:"drift"`
	// PSI and KS compare the window's error distribution with the
	// reference's on the reference's error grid (PSI on its deciles).
	PSI float64 `json:"psi"`
	KS  float64 `json:"ks"`
	// Components is the number of kept components, of Features.
	Components int `json:"components"`
	Features   int `json:"features"`
	// Contributions are the features by the increase of their mean squared
	// standardised residual over the reference's, largest first.
	Contributions []Contribution `json:"contributions"`
	// Edges, ReferenceGrid and Grid are the error distributions (for charts).
	Edges         []float64 `json:"edges"`
	ReferenceGrid []int64   `json:"reference_grid"`
	Grid          []int64   `json:"grid"`
}

// Contribution is one feature's share in the reconstruction error.
type Contribution struct {
	Feature string `json:"feature"`
	// Window and Reference are the mean squared residual of the feature's
	// standardised value.
	Window    float64 `json:"window"`
	Reference float64 `json:"reference"`
	Increase  float64 `json:"increase"`
}

// Thresholds returns the lower and upper thresholds of the mean error of a
// window of n rows: the reference mean ∓ Sigmas·std/√n, the lower one not
// below 0 (NannyML's StandardDeviationThreshold on chunks of n rows, from
// the spread of the mean of n independent rows).
func (m *Model) Thresholds(n int64) (lower, upper, stdErr float64) {
	if n <= 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	stdErr = m.ErrorStd / math.Sqrt(float64(n))
	return math.Max(m.ErrorMean-Sigmas*stdErr, 0), m.ErrorMean + Sigmas*stdErr, stdErr
}

// Compare compares the summary s of a window with the model's reference.
func Compare(m *Model, s Summary) (*Result, error) {
	if err := s.check(m); err != nil {
		return nil, err
	}
	if s.Count == 0 {
		return nil, errors.New("compare reconstruction errors: the window has no rows")
	}
	r := &Result{Count: s.Count, Mean: s.Mean(), ReferenceMean: m.ErrorMean, ReferenceStd: m.ErrorStd,
		Components: len(m.Components), Features: len(m.Features),
		Edges: m.Edges, ReferenceGrid: m.Reference.Grid, Grid: s.Grid}
	r.Lower, r.Upper, r.StdError = m.Thresholds(s.Count)
	r.Drift = !(r.Lower < r.Mean && r.Mean < r.Upper)
	if r.StdError > 0 {
		r.Sigmas = (r.Mean - r.ReferenceMean) / r.StdError
	}
	r.KS = stats.KSStatisticCounts(m.Reference.Grid, s.Grid)
	ref, cur := deciles(m.Reference.Grid), deciles(s.Grid)
	r.PSI = stats.PSI(stats.Proportions(ref), stats.Proportions(cur))
	for j, f := range m.Features {
		c := Contribution{Feature: f.Name, Window: s.Residuals[j] / float64(s.Count)}
		if m.Reference.Count > 0 {
			c.Reference = m.Reference.Residuals[j] / float64(m.Reference.Count)
		}
		c.Increase = c.Window - c.Reference
		r.Contributions = append(r.Contributions, c)
	}
	slices.SortStableFunc(r.Contributions, func(a, b Contribution) int {
		switch {
		case a.Increase > b.Increase:
			return -1
		case a.Increase < b.Increase:
			return 1
		}
		return 0
	})
	return r, nil
}

// deciles pools the grid's bins into ten of about equal reference
// probability (the grid's bins are equal-probability).
func deciles(grid []int64) []int64 {
	out := make([]int64, 10)
	for i, c := range grid {
		out[min(i*10/len(grid), 9)] += c
	}
	return out
}
