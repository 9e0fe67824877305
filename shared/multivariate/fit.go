package multivariate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/modelwatch/modelwatch/internal/floatsort"
	"github.com/modelwatch/modelwatch/shared/dataset"
)

// Spec names a feature of the data and how to encode it.
type Spec struct {
	Name string
	Kind Kind
}

// Options are the choices of a fit.
type Options struct {
	// VarianceShare: keep the fewest components whose cumulative explained
	// variance ratio exceeds it (0 < share < 1; default 0.65).
	VarianceShare float64
	// GridBins is the number of equal-probability bins of the error grid
	// (default 100).
	GridBins int
	// MaxCategories is how many of the most frequent categories of a
	// categorical feature the encoding keeps (default 1000); rarer ones are
	// encoded as 0, like an unseen category.
	MaxCategories int
	// SampleSize bounds the errors kept to compute the grid (default 1<<20;
	// beyond it a uniform reservoir sample).
	SampleSize int
	// WindowSize is the window size the default thresholds are shown for.
	WindowSize int
	// Seed seeds the reservoir sample.
	Seed uint64
	// Workers is how many goroutines read and score the reference (default:
	// the number of usable CPUs); the model is the same for every value.
	Workers int
	// Skip, when not nil, leaves out the records it is true of (a profile
	// build leaves out the records of failed model calls, as the counts
	// do). The data is then read record by record.
	Skip func(values []dataset.Value) bool
}

func (o Options) withDefaults() Options {
	if o.VarianceShare == 0 {
		o.VarianceShare = DefaultVarianceShare
	}
	if o.GridBins == 0 {
		o.GridBins = DefaultGridBins
	}
	if o.MaxCategories == 0 {
		o.MaxCategories = 1000
	}
	if o.SampleSize == 0 {
		o.SampleSize = 1 << 20
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// countedNames bounds the distinct categories a fit counts per feature; the
// categories met beyond it are counted together (and encoded as 0).
var countedNames = 100_000 // a variable so that tests can lower it

// Open opens the reference data for one pass; Fit calls it once, or three
// times when it cannot keep the first pass's cells in a temporary file.
type Open func(ctx context.Context) (dataset.Reader, error)

// Fit fits a reconstruction model of the features specs on the data that
// open reads. It makes three passes over the data: the encodings, the
// scatter matrix of the standardised rows, and the errors. The first reads
// the data (a file read column by column, on every core) and keeps its
// cells in a temporary file (8 bytes a cell, up to 4 GiB), which the other
// two read back on every core; without one they read the data again.
// Memory is O(d²) plus the error sample and a few blocks of rows, whatever
// the number of rows.
func Fit(ctx context.Context, open Open, specs []Spec, opts Options) (*Model, error) {
	opts = opts.withDefaults()
	if !(opts.VarianceShare > 0 && opts.VarianceShare < 1) {
		return nil, fmt.Errorf("fit multivariate model: variance share %g is not in (0, 1)", opts.VarianceShare)
	}
	if len(specs) == 0 {
		return nil, errors.New("fit multivariate model: no features")
	}
	c := NewCollector(specs, opts)
	defer c.Close()
	if err := c.read(ctx, open); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read encodings: %w", err)
	}
	return c.Fit(ctx, open)
}

// fit makes the fit's second and third passes, the first's statistics in
// f.stats.
func (f *fitter) fit(ctx context.Context, open Open) (*Model, error) {
	if f.n == 0 {
		return nil, errors.New("fit multivariate model: no rows")
	}
	f.encodings()
	if err := f.blocks(ctx, open, f.scatterBlock, f.mergeScatter); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read scatter: %w", err)
	}
	if err := f.pca(); err != nil {
		return nil, fmt.Errorf("fit multivariate model: %w", err)
	}
	f.model.Reference = Summary{Residuals: make([]float64, len(f.specs))}
	f.rng = rand.New(rand.NewPCG(f.opts.Seed, 0x6d77))
	if err := f.blocks(ctx, open, f.errorBlock, f.mergeErrors); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read errors: %w", err)
	}
	f.grid()
	return f.model, nil
}

// read is the first pass over the data open reads.
func (c *Collector) read(ctx context.Context, open Open) error {
	if open == nil {
		return errors.New("no data to read")
	}
	r, err := open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	cols, err := featureColumns(r.Columns(), c.specs)
	if err != nil {
		return err
	}
	if cr, ok := r.(dataset.ColumnReader); ok && c.opts.Skip == nil {
		return c.readColumns(ctx, cr, cols, c.opts.Workers)
	}
	return c.readRows(ctx, r, cols)
}

// blocks runs a later pass over the blocks of the spill, or of the data
// read again when there is no spill.
func (f *fitter) blocks(ctx context.Context, open Open, work func(w int, blk *block), merge func(blk *block)) error {
	src := &blockSource{f: f}
	if f.spill != nil {
		if f.tables == nil {
			f.tables = f.spillTables()
		}
		src.tables = f.tables
	} else {
		if open == nil {
			return errors.New("no temporary file for the cells, and no way to read the data again")
		}
		r, err := open(ctx)
		if err != nil {
			return err
		}
		defer r.Close()
		if src.cols, err = featureColumns(r.Columns(), f.specs); err != nil {
			return err
		}
		src.r = r
	}
	return f.eachBlock(ctx, src, work, merge)
}

type fitter struct {
	specs   []Spec
	opts    Options
	workers int
	n       int64

	// pass 1
	stats []*featureStats

	// pass 2: the scatter of the even and of the odd rows
	model   *Model
	shift   []float64
	scatter [2]*mat.SymDense
	dsum    [2][]float64
	nh      [2]int64

	// spill keeps the first pass's cells for the two later passes (nil:
	// they read the data again); tables is the encoding of each spilled
	// name of each categorical feature.
	spill  *fitSpill
	tables [][]float64

	// pass 3: each row scored by the model of the other half (one pair of
	// scorers per worker)
	scorers [][2]*Scorer
	sample  []float64
	seen    int64
	rng     *rand.Rand
}

// encodings sets each feature's imputation and encoding, and the shift that
// centres pass 2 (the exact mean of the encoded column where it is known).
func (f *fitter) encodings() {
	d := len(f.specs)
	m := &Model{Features: make([]Feature, d), VarianceShare: f.opts.VarianceShare, Rows: f.n, WindowSize: f.opts.WindowSize}
	f.shift = make([]float64, d)
	n := float64(f.n)
	for j, s := range f.specs {
		ft := Feature{Name: s.Name, Kind: s.Kind}
		if s.Kind == Numeric {
			if st := f.stats[j]; st.present > 0 {
				ft.Impute = st.sum / float64(st.present)
			}
			f.shift[j] = ft.Impute
			m.Features[j] = ft
			continue
		}
		type nc struct {
			name string
			n    int64
		}
		st := f.stats[j]
		all := make([]nc, 0, len(st.names))
		for k, name := range st.names {
			all = append(all, nc{name, st.counts[k]})
		}
		// most frequent first; ties by name, so the mode is the smallest
		// of the most frequent names (SimpleImputer's most_frequent rule).
		slices.SortFunc(all, func(a, b nc) int {
			if a.n != b.n {
				if a.n > b.n {
					return -1
				}
				return 1
			}
			return strings.Compare(a.name, b.name)
		})
		missing := f.n - st.present
		if len(all) > 0 {
			ft.Mode = all[0].name
			all[0].n += missing // the imputed reference, as the encoder is fitted on it
		}
		if len(all) > f.opts.MaxCategories {
			all = all[:f.opts.MaxCategories]
		}
		slices.SortFunc(all, func(a, b nc) int { return strings.Compare(a.name, b.name) })
		var mean float64
		for _, c := range all {
			ft.Categories = append(ft.Categories, c.name)
			ft.Counts = append(ft.Counts, float64(c.n))
			mean += float64(c.n) * float64(c.n) / n
		}
		ft.buildIndex()
		if len(all) > 0 {
			ft.Impute = ft.lookup(ft.Mode)
		}
		f.shift[j] = mean
		m.Features[j] = ft
	}
	f.model = m
	for h := range f.scatter {
		f.scatter[h] = mat.NewSymDense(d, nil)
		f.dsum[h] = make([]float64, d)
	}
}

// pca standardises the scatter matrix and keeps the leading eigenvectors;
// it also fits the same number of components on each half of the rows
// (with the full standardisation), for the out-of-fold reference errors.
func (f *fitter) pca() error {
	d := len(f.specs)
	m := f.model
	total := mat.NewSymDense(d, nil)
	total.AddSym(f.scatter[0], f.scatter[1])
	dsum := make([]float64, d)
	for j := range dsum {
		dsum[j] = f.dsum[0][j] + f.dsum[1][j]
	}
	cov, delta := covariance(total, dsum, f.n)
	for j := range m.Features {
		ft := &m.Features[j]
		ft.Center = f.shift[j] + delta[j]
		v := cov.At(j, j)
		// scikit-learn's StandardScaler: a (near-)constant column keeps scale 1.
		if v <= 10*eps*math.Max(ft.Center*ft.Center, 0) || v <= 0 {
			ft.Scale = 1
		} else {
			ft.Scale = math.Sqrt(v)
		}
		if ft.Kind == Categorical && len(ft.Categories) == 0 {
			ft.Scale = 1
		}
	}
	comps, cum, err := f.components(cov, 0)
	if err != nil {
		return err
	}
	m.Components, m.Explained = comps, cum
	var halves [2]*Model
	for h := range halves {
		half := &Model{Features: m.Features, Components: m.Components}
		if f.nh[h] >= minHalfRows {
			hc, _ := covariance(f.scatter[h], f.dsum[h], f.nh[h])
			if comps, _, err := f.components(hc, len(m.Components)); err == nil {
				half.Components = comps
			}
		}
		halves[1-h] = half // rows of the other half are scored with it
	}
	f.scorers = make([][2]*Scorer, f.workers)
	for w := range f.scorers {
		f.scorers[w] = [2]*Scorer{NewScorer(halves[0]), NewScorer(halves[1])}
	}
	return nil
}

// minHalfRows is the fewest rows a half needs for its own components; with
// fewer, the reference's errors are in-sample.
const minHalfRows = 200

// covariance returns the covariance of n rows from their scatter about the
// shift and their summed offsets from it: S/n − δδᵀ with δ the mean offset,
// and δ.
func covariance(scatter *mat.SymDense, dsum []float64, n int64) (*mat.SymDense, []float64) {
	d := len(dsum)
	delta := make([]float64, d)
	for j := range delta {
		delta[j] = dsum[j] / float64(n)
	}
	cov := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for k := i; k < d; k++ {
			cov.SetSym(i, k, scatter.At(i, k)/float64(n)-delta[i]*delta[k])
		}
	}
	return cov, delta
}

// components standardises cov with the model's scales and returns its
// leading eigenvectors: k of them, or (k = 0) the fewest whose explained
// variance ratio exceeds the variance share, and the ratio they explain.
func (f *fitter) components(cov *mat.SymDense, k int) ([][]float64, float64, error) {
	d := len(f.specs)
	m := f.model
	std := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			std.SetSym(i, j, cov.At(i, j)/(m.Features[i].Scale*m.Features[j].Scale))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(std, true) {
		return nil, 0, errors.New("eigendecomposition of the standardised covariance did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var total float64
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	if !(total > 0) {
		return nil, 0, errors.New("the reference has no variance: every feature is constant")
	}
	var (
		out [][]float64
		cum float64
	)
	for i := d - 1; i >= 0; i-- {
		cum += math.Max(vals[i], 0) / total
		c := make([]float64, d)
		for j := range c {
			c[j] = vecs.At(j, i)
		}
		out = append(out, c)
		if (k == 0 && cum > m.VarianceShare) || len(out) == k || i == 0 {
			break
		}
	}
	return out, cum, nil
}

const eps = 2.220446049250313e-16

// grid sets the error quantile edges and counts the reference errors on them.
func (f *fitter) grid() {
	m := f.model
	s := &m.Reference
	mean := s.Sum / float64(s.Count)
	m.ErrorMean = mean
	m.ErrorStd = math.Sqrt(math.Max(s.SumSquares/float64(s.Count)-mean*mean, 0))
	f.sample = sortErrors(f.sample)
	bins := f.opts.GridBins
	for i := 1; i < bins; i++ {
		e := f.sample[int(int64(i)*int64(len(f.sample))/int64(bins))]
		if len(m.Edges) == 0 || e > m.Edges[len(m.Edges)-1] {
			m.Edges = append(m.Edges, e)
		}
	}
	// the reference's grid counts: exact when the sample holds every error,
	// else the sample's counts scaled to the reference's count.
	s.Grid = make([]int64, len(m.Edges)+1)
	for _, e := range f.sample {
		s.Grid[searchEdges(m.Edges, e)]++
	}
	if int64(len(f.sample)) < s.Count {
		scaleCounts(s.Grid, s.Count)
	}
	f.sample = nil
}

// sortErrors sorts the errors (non-negative, so never −0) with the radix
// sort, or with slices.Sort when one is NaN (a reference with infinite
// numbers).
func sortErrors(errs []float64) []float64 {
	if slices.ContainsFunc(errs, math.IsNaN) {
		slices.Sort(errs)
		return errs
	}
	return floatsort.Sort(errs, make([]float64, len(errs)))
}

// scaleCounts rescales counts to total (largest remainders).
func scaleCounts(c []int64, total int64) {
	var have int64
	for _, v := range c {
		have += v
	}
	out := make([]int64, len(c))
	rem := make([]float64, len(c))
	var got int64
	for i, v := range c {
		x := float64(v) * float64(total) / float64(have)
		out[i] = int64(x)
		rem[i] = x - float64(out[i])
		got += out[i]
	}
	for got < total {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
		got++
	}
	copy(c, out)
}
