package multivariate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// Kind is how a feature is encoded.
type Kind string

// The feature kinds.
const (
	// Numeric features are imputed with their reference mean.
	Numeric Kind = "numeric"
	// Categorical features are imputed with their most frequent reference
	// category and encoded by their reference counts.
	Categorical Kind = "categorical"
)

// DefaultVarianceShare is the share of the standardised reference variance
// the kept components must explain (NannyML's default n_components).
const DefaultVarianceShare = 0.65

// DefaultGridBins is the number of equal-probability bins of the reference
// error grid.
const DefaultGridBins = 100

// Sigmas is how many standard errors of the window mean the thresholds lie
// from the reference mean (NannyML's StandardDeviationThreshold default).
const Sigmas = 3

// Feature is one input of the model and its encoding.
type Feature struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Center and Scale standardise the encoded, imputed value:
	// z = (x − Center) / Scale (Scale is 1 for a constant column).
	Center float64 `json:"center"`
	Scale  float64 `json:"scale"`
	// Impute is the encoded value a missing value takes: the reference mean
	// (numeric) or the count of the most frequent category (categorical).
	Impute float64 `json:"impute"`
	// Categories and Counts are the categorical encoding: category i is
	// encoded as Counts[i], its count in the imputed reference. A category
	// not listed (unseen, or beyond MaxCategories) is encoded as 0, as
	// CountEncoder encodes an unknown category.
	Categories []string  `json:"categories,omitempty"`
	Counts     []float64 `json:"counts,omitempty"`
	// Mode is the most frequent reference category (categorical).
	Mode string `json:"mode,omitempty"`

	index map[string]float64
}

// Model is a fitted reconstruction model: the encoding of each feature, the
// kept principal components and the reference's distribution of errors.
type Model struct {
	Features []Feature `json:"features"`
	// VarianceShare is the share of variance the kept components explain
	// more than; Explained is the cumulative share they explain.
	VarianceShare float64 `json:"variance_share"`
	Explained     float64 `json:"explained"`
	// Components are the kept principal axes in standardised space, one row
	// of len(Features) per component (unit length, orthogonal).
	Components [][]float64 `json:"components"`
	// Rows is the number of reference rows the model was fitted on.
	Rows int64 `json:"rows"`
	// ErrorMean and ErrorStd are the mean and (population) standard
	// deviation of the reference rows' reconstruction errors.
	ErrorMean float64 `json:"error_mean"`
	ErrorStd  float64 `json:"error_std"`
	// Edges are the reference error quantiles that bound the error grid;
	// error e falls in bin i = number of edges strictly less than e.
	Edges []float64 `json:"edges"`
	// Reference is the reference's own summary on that grid.
	Reference Summary `json:"reference"`
	// WindowSize is the window size (records) the reported default
	// thresholds are for; a window's own thresholds use its own count.
	WindowSize int `json:"window_size,omitempty"`

	// basis is what a Scorer projects on, set once: the components, or an
	// orthonormal basis of their complement when that is smaller.
	once       sync.Once
	basis      [][]float64
	complement bool
}

// projection returns the vectors a Scorer projects on: the residual of z is
// z − Σ (c·z) c over the components, or Σ (u·z) u over an orthonormal basis
// of their orthogonal complement, which costs less when more than half of
// the dimensions are kept.
func (m *Model) projection() ([][]float64, bool) {
	m.once.Do(func() {
		for i := range m.Features {
			if f := &m.Features[i]; f.Kind == Categorical && f.index == nil {
				f.buildIndex()
			}
		}
		d, k := len(m.Features), len(m.Components)
		m.basis = m.Components
		if d-k >= k {
			return
		}
		vt := mat.NewDense(k, d, nil)
		for i, c := range m.Components {
			vt.SetRow(i, c)
		}
		var svd mat.SVD
		if !svd.Factorize(vt, mat.SVDFull) {
			return // keep the components
		}
		var v mat.Dense
		svd.VTo(&v)
		basis := make([][]float64, 0, d-k)
		for j := k; j < d; j++ {
			basis = append(basis, mat.Col(nil, j, &v))
		}
		m.basis, m.complement = basis, true
	})
	return m.basis, m.complement
}

// Validate checks the model's shape, so that a model read from a profile
// can be used without further checks.
func (m *Model) Validate() error {
	d := len(m.Features)
	if d == 0 {
		return errors.New("multivariate model: no features")
	}
	if len(m.Components) == 0 || len(m.Components) > d {
		return fmt.Errorf("multivariate model: %d components for %d features", len(m.Components), d)
	}
	for i, c := range m.Components {
		if len(c) != d {
			return fmt.Errorf("multivariate model: component %d has %d values, want %d", i, len(c), d)
		}
		for _, v := range c {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("multivariate model: component %d is not finite", i)
			}
		}
	}
	seen := make(map[string]bool, d)
	for i := range m.Features {
		f := &m.Features[i]
		if seen[f.Name] {
			return fmt.Errorf("multivariate model: feature %q twice", f.Name)
		}
		seen[f.Name] = true
		if !(f.Scale > 0) || math.IsInf(f.Scale, 0) || math.IsNaN(f.Center) || math.IsInf(f.Center, 0) {
			return fmt.Errorf("multivariate model: feature %q has center %g and scale %g", f.Name, f.Center, f.Scale)
		}
		switch f.Kind {
		case Numeric:
		case Categorical:
			if len(f.Categories) != len(f.Counts) {
				return fmt.Errorf("multivariate model: feature %q has %d categories and %d counts", f.Name, len(f.Categories), len(f.Counts))
			}
		default:
			return fmt.Errorf("multivariate model: feature %q has kind %q", f.Name, f.Kind)
		}
	}
	for i := 1; i < len(m.Edges); i++ {
		if !(m.Edges[i-1] < m.Edges[i]) {
			return fmt.Errorf("multivariate model: error edges not increasing at %d", i)
		}
	}
	if err := m.Reference.check(m); err != nil {
		return fmt.Errorf("multivariate model: reference summary: %w", err)
	}
	return nil
}

func (f *Feature) lookup(s string) float64 {
	if f.index != nil {
		return f.index[s] // unseen: 0
	}
	for i, c := range f.Categories { // before the index is built (during a fit)
		if c == s {
			return f.Counts[i]
		}
	}
	return 0
}

// buildIndex builds the category index of a categorical feature.
func (f *Feature) buildIndex() {
	f.index = make(map[string]float64, len(f.Categories))
	for i, c := range f.Categories {
		f.index[c] = f.Counts[i]
	}
}

// encode returns the imputed, encoded value of v (not yet standardised).
func (f *Feature) encode(v dataset.Value) float64 {
	switch f.Kind {
	case Numeric:
		switch v.Kind {
		case dataset.Number:
			return v.Num
		case dataset.Text:
			if x, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64); err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) {
				return x
			}
		}
		return f.Impute
	default:
		if v.Kind == dataset.Missing {
			return f.Impute
		}
		return f.lookup(v.AsString())
	}
}

// Scorer computes reconstruction errors. It holds scratch space, so it is
// not safe for concurrent use; make one per goroutine.
type Scorer struct {
	m          *Model
	z, r       []float64
	basis      [][]float64
	complement bool
}

// NewScorer returns a scorer of model m, which must be valid. Scorers of one
// model may be made and used concurrently.
func NewScorer(m *Model) *Scorer {
	d := len(m.Features)
	basis, complement := m.projection()
	return &Scorer{m: m, z: make([]float64, d), r: make([]float64, d), basis: basis, complement: complement}
}

// Model is the scorer's model.
func (s *Scorer) Model() *Model { return s.m }

// Error returns the reconstruction error of row (one value per model
// feature, in the model's order) and, when resid is not nil (len(Features)),
// stores the squared residual of each standardised feature in it.
func (s *Scorer) Error(row []dataset.Value, resid []float64) float64 {
	m := s.m
	for j := range m.Features {
		f := &m.Features[j]
		s.z[j] = (f.encode(row[j]) - f.Center) / f.Scale
	}
	return s.residual(resid)
}

// ErrorOf is Error of a row already encoded: x[j] is feature j's number, or
// the encoding of its category (Model.Encode), or NaN when it is missing.
func (s *Scorer) ErrorOf(x []float64, resid []float64) float64 {
	m := s.m
	for j, v := range x {
		f := &m.Features[j]
		if v != v { // NaN: missing
			v = f.Impute
		}
		s.z[j] = (v - f.Center) / f.Scale
	}
	return s.residual(resid)
}

// Encode returns the encoding of category c of categorical feature j: its
// count in the imputed reference, 0 when the model does not know it.
func (m *Model) Encode(j int, c string) float64 {
	m.projection() // builds the category index once
	return m.Features[j].lookup(c)
}

// residual returns the norm of the part of s.z outside the components'
// span and, when resid is not nil, its squared coordinates.
func (s *Scorer) residual(resid []float64) float64 {
	z, r := s.z, s.r
	if s.complement {
		clear(r)
		for _, u := range s.basis {
			floats.AddScaled(r, floats.Dot(u, z), u)
		}
	} else {
		copy(r, z)
		for _, c := range s.basis {
			floats.AddScaled(r, -floats.Dot(c, z), c)
		}
	}
	var sum float64
	for j, v := range r {
		r2 := v * v
		sum += r2
		if resid != nil {
			resid[j] = r2
		}
	}
	return math.Sqrt(sum)
}
