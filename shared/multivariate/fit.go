package multivariate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

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
// the data and keeps its cells in a temporary file (8 bytes a cell, up to
// 1 GiB), which the other two replay; without one they read the data again.
// Memory is O(d²) plus the error sample, whatever the number of rows.
func Fit(ctx context.Context, open Open, specs []Spec, opts Options) (*Model, error) {
	opts = opts.withDefaults()
	if !(opts.VarianceShare > 0 && opts.VarianceShare < 1) {
		return nil, fmt.Errorf("fit multivariate model: variance share %g is not in (0, 1)", opts.VarianceShare)
	}
	if len(specs) == 0 {
		return nil, errors.New("fit multivariate model: no features")
	}
	f := &fitter{specs: specs, opts: opts, spill: newFitSpill(len(specs))}
	defer func() {
		if f.spill != nil {
			f.spill.remove()
		}
	}()
	if err := f.pass(ctx, open, f.countRow); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read encodings: %w", err)
	}
	if f.n == 0 {
		return nil, errors.New("fit multivariate model: no rows")
	}
	f.encodings()
	if err := f.replayOrRead(ctx, open, f.scatterRow, f.scatterEncoded); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read scatter: %w", err)
	}
	if err := f.pca(); err != nil {
		return nil, fmt.Errorf("fit multivariate model: %w", err)
	}
	f.model.Reference = Summary{Residuals: make([]float64, len(specs))}
	f.row = 0
	f.rng = rand.New(rand.NewPCG(opts.Seed, 0x6d77))
	if err := f.replayOrRead(ctx, open, f.errorRow, f.errorEncoded); err != nil {
		return nil, fmt.Errorf("fit multivariate model: read errors: %w", err)
	}
	f.grid()
	return f.model, nil
}

// replayOrRead runs a later pass over the first pass's spill when there is
// one (encoded, the row's encodings with NaN for missing cells), else over
// the data read again.
func (f *fitter) replayOrRead(ctx context.Context, open Open, read func([]dataset.Value), encoded func([]float64)) error {
	if f.spill == nil {
		return f.pass(ctx, open, read)
	}
	if f.table == nil {
		f.table = make([][]float64, len(f.specs))
		for j := range f.specs {
			ft := &f.model.Features[j]
			if ft.Kind == Numeric {
				continue
			}
			f.table[j] = make([]float64, len(f.spill.names[j]))
			for k, name := range f.spill.names[j] {
				f.table[j][k] = ft.lookup(name)
			}
		}
	}
	return f.spill.replay(ctx, f.decode, encoded)
}

// decode returns the encoding of a spilled cell of feature j, NaN when it
// is missing (or, numeric, not a number): what Feature.encode gives before
// imputation.
func (f *fitter) decode(j int, code uint64) float64 {
	if f.specs[j].Kind == Numeric {
		return math.Float64frombits(code)
	}
	switch code {
	case codeMissing:
		return math.NaN()
	case codeUncounted:
		return 0 // a name the encoding does not know, like lookup's
	}
	return f.table[j][code-firstName]
}

type fitter struct {
	specs []Spec
	opts  Options
	cols  []int // column index in the reader per spec
	n     int64

	// pass 1
	sum     []float64
	present []int64
	counts  []map[string]int64
	over    []int64 // categories beyond countedNames

	// pass 2: the scatter of the even and of the odd rows
	model   *Model
	shift   []float64
	scatter [2]*mat.SymDense
	dsum    [2][]float64
	nh      [2]int64
	row     int64
	x       []float64

	// spill keeps the first pass's cells for the two later passes (nil:
	// they read the data again); table is the encoding of each spilled
	// name of each categorical feature.
	spill *fitSpill
	table [][]float64

	// pass 3: each row scored by the model of the other half
	scorer [2]*Scorer
	resid  []float64
	sample []float64
	seen   int64
	rng    *rand.Rand
}

func (f *fitter) pass(ctx context.Context, open Open, row func(vals []dataset.Value)) error {
	r, err := open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	f.cols = f.cols[:0]
	names := r.Columns()
	for _, s := range f.specs {
		i := slices.Index(names, s.Name)
		if i < 0 {
			return fmt.Errorf("no column %q", s.Name)
		}
		f.cols = append(f.cols, i)
	}
	vals := make([]dataset.Value, len(f.specs))
	if cr, ok := r.(dataset.ColumnReader); ok {
		return f.passColumns(ctx, cr, vals, row)
	}
	var rec dataset.Row
	for k := 0; ; k++ {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := r.Next(&rec); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		for j, c := range f.cols {
			if c < len(rec.Values) {
				vals[j] = rec.Values[c]
			} else {
				vals[j] = dataset.Value{}
			}
		}
		row(vals)
	}
}

// passBlock is how many records passColumns decodes of each column at a
// time.
const passBlock = 4096

// passColumns is pass over a file read column by column: the features'
// values are decoded in blocks, never assembled with the other columns into
// records. The other columns are decoded too, so that a value the reader
// rejects ends the pass where reading record by record ends it, with the
// same error, after the records before it.
func (f *fitter) passColumns(ctx context.Context, r dataset.ColumnReader, vals []dataset.Value, row func(vals []dataset.Value)) error {
	names := r.Columns()
	cursors := make([]dataset.ColumnCursor, len(names))
	defer func() {
		for _, c := range cursors {
			if c != nil {
				c.Close()
			}
		}
	}()
	cols := make([]dataset.Column, len(names))
	for i := range names {
		c, err := r.ColumnCursor(i)
		if err != nil {
			return err
		}
		cursors[i] = c
	}
	total := r.Records()
	for first := int64(0); first < total; first += passBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(min(passBlock, total-first))
		var failed error
		for i, c := range cursors {
			err := c.Read(&cols[i], n)
			if err == nil && cols[i].Len() < n {
				err = fmt.Errorf("column %s ends at record %d of %d", names[i], first+int64(cols[i].Len()), total)
			}
			if err != nil && cols[i].Len() < n {
				n, failed = cols[i].Len(), err // the first column in the record's order wins a tie
			}
		}
		for k := range n {
			for j, c := range f.cols {
				vals[j] = cols[c].Value(k)
			}
			row(vals)
		}
		if failed != nil {
			return failed
		}
	}
	return nil
}

// numberOf reads a numeric cell; text that is not a finite number is missing.
func numberOf(v dataset.Value) (float64, bool) {
	x := (&Feature{Kind: Numeric, Impute: math.NaN()}).encode(v)
	return x, !math.IsNaN(x)
}

func (f *fitter) countRow(vals []dataset.Value) {
	if f.sum == nil {
		d := len(f.specs)
		f.sum, f.present = make([]float64, d), make([]int64, d)
		f.counts, f.over = make([]map[string]int64, d), make([]int64, d)
		for j := range f.counts {
			f.counts[j] = make(map[string]int64)
		}
	}
	f.n++
	sp := f.spill
	for j, s := range f.specs {
		v := vals[j]
		if s.Kind == Numeric {
			x, ok := numberOf(v)
			if ok {
				f.sum[j] += x
				f.present[j]++
			}
			if sp != nil {
				sp.setNumber(j, x)
			}
			continue
		}
		if v.Kind == dataset.Missing {
			if sp != nil {
				sp.setCode(j, codeMissing)
			}
			continue
		}
		f.present[j]++
		name := v.AsString()
		counted := true
		if n, ok := f.counts[j][name]; ok {
			f.counts[j][name] = n + 1
		} else if len(f.counts[j]) < countedNames {
			name = strings.Clone(name)
			f.counts[j][name] = 1
		} else {
			f.over[j]++
			counted = false
		}
		if sp != nil {
			if counted {
				sp.setCode(j, sp.nameCode(j, name))
			} else {
				sp.setCode(j, codeUncounted)
			}
		}
	}
	if sp != nil {
		f.spill = sp.endRow()
	}
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
			if f.present[j] > 0 {
				ft.Impute = f.sum[j] / float64(f.present[j])
			}
			f.shift[j] = ft.Impute
			m.Features[j] = ft
			continue
		}
		type nc struct {
			name string
			n    int64
		}
		all := make([]nc, 0, len(f.counts[j]))
		for name, c := range f.counts[j] {
			all = append(all, nc{name, c})
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
		missing := f.n - f.present[j]
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
	f.x = make([]float64, d)
	f.counts, f.sum = nil, nil
}

func (f *fitter) scatterRow(vals []dataset.Value) {
	for j := range f.model.Features {
		f.x[j] = f.model.Features[j].encode(vals[j]) - f.shift[j]
	}
	f.addScatter()
}

// scatterEncoded is scatterRow of a row already encoded (NaN: missing).
func (f *fitter) scatterEncoded(enc []float64) {
	for j := range f.model.Features {
		v := enc[j]
		if v != v {
			v = f.model.Features[j].Impute
		}
		f.x[j] = v - f.shift[j]
	}
	f.addScatter()
}

// addScatter adds the centred row f.x to its half's scatter.
func (f *fitter) addScatter() {
	d := len(f.specs)
	h := f.row % 2
	f.row++
	f.nh[h]++
	for j := range f.x {
		f.dsum[h][j] += f.x[j]
	}
	raw := f.scatter[h].RawSymmetric()
	for i := 0; i < d; i++ {
		xi := f.x[i]
		if xi == 0 {
			continue
		}
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for k := i; k < d; k++ {
			row[k] += xi * f.x[k]
		}
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
	for h := range f.scorer {
		half := &Model{Features: m.Features, Components: m.Components}
		if f.nh[h] >= minHalfRows {
			hc, _ := covariance(f.scatter[h], f.dsum[h], f.nh[h])
			if comps, _, err := f.components(hc, len(m.Components)); err == nil {
				half.Components = comps
			}
		}
		f.scorer[1-h] = NewScorer(half) // rows of the other half are scored with it
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

func (f *fitter) errorRow(vals []dataset.Value) {
	if f.resid == nil {
		f.resid = make([]float64, len(f.specs))
	}
	f.addError(f.scorer[f.row%2].Error(vals, f.resid))
}

// errorEncoded is errorRow of a row already encoded (NaN: missing).
func (f *fitter) errorEncoded(enc []float64) {
	if f.resid == nil {
		f.resid = make([]float64, len(f.specs))
	}
	f.addError(f.scorer[f.row%2].ErrorOf(enc, f.resid))
}

// addError adds a reference row's error e (its squared residuals in
// f.resid) to the reference summary and the sample.
func (f *fitter) addError(e float64) {
	f.row++
	s := &f.model.Reference
	s.Count++
	s.Sum += e
	s.SumSquares += e * e
	for j, r := range f.resid {
		s.Residuals[j] += r
	}
	f.seen++
	if len(f.sample) < f.opts.SampleSize {
		f.sample = append(f.sample, e)
	} else if k := f.rng.Int64N(f.seen); k < int64(f.opts.SampleSize) {
		f.sample[k] = e
	}
}

// grid sets the error quantile edges and counts the reference errors on them.
func (f *fitter) grid() {
	m := f.model
	s := &m.Reference
	mean := s.Sum / float64(s.Count)
	m.ErrorMean = mean
	m.ErrorStd = math.Sqrt(math.Max(s.SumSquares/float64(s.Count)-mean*mean, 0))
	slices.Sort(f.sample)
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
