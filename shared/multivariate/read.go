package multivariate

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/modelwatch/modelwatch/internal/spread"
	"github.com/modelwatch/modelwatch/shared/dataset"
)

// featureStats is what the first pass learns of one feature: a numeric
// feature's sum and count of numbers (its mean imputes it), a categorical
// feature's names in the order first met, each with its count (its most
// frequent name imputes it; the counts encode it).
type featureStats struct {
	kind    Kind
	sum     float64
	present int64
	names   []string
	counts  []int64
	ids     map[string]int // index in names
	over    int64          // categories met beyond countedNames
}

func newFeatureStats(kind Kind) *featureStats {
	s := &featureStats{kind: kind}
	if kind == Categorical {
		s.ids = make(map[string]int)
	}
	return s
}

// add counts v and returns its cell: a numeric feature's number (NaN when
// missing or not a number), a categorical feature's code.
func (s *featureStats) add(v dataset.Value) uint64 {
	if s.kind == Numeric {
		x, ok := numberOf(v)
		if !ok {
			return math.Float64bits(math.NaN())
		}
		return s.addNumber(x)
	}
	if v.Kind == dataset.Missing {
		return s.addMissing()
	}
	return s.addName(v.AsString())
}

// addNumber counts a number of a numeric feature.
func (s *featureStats) addNumber(x float64) uint64 {
	s.sum += x
	s.present++
	return math.Float64bits(x)
}

// addMissing counts a missing value.
func (s *featureStats) addMissing() uint64 {
	if s.kind == Numeric {
		return math.Float64bits(math.NaN())
	}
	return codeMissing
}

// addName counts a category of a categorical feature (of a numeric one, it
// counts as missing).
func (s *featureStats) addName(name string) uint64 {
	if s.kind == Numeric {
		return s.addMissing()
	}
	s.present++
	if k, ok := s.ids[name]; ok {
		s.counts[k]++
		return uint64(k) + firstName
	}
	if len(s.names) >= countedNames {
		s.over++
		return codeUncounted
	}
	name = strings.Clone(name) // the reader may reuse its buffer
	s.ids[name] = len(s.names)
	s.names = append(s.names, name)
	s.counts = append(s.counts, 1)
	return uint64(len(s.names)-1) + firstName
}

// addIndexed counts category k of a categorical feature, the categories
// numbered in the order first met (of a numeric one, it counts as missing).
func (s *featureStats) addIndexed(k int, name string) uint64 {
	if s.kind == Numeric {
		return s.addMissing()
	}
	s.present++
	switch {
	case k < len(s.names):
		s.counts[k]++
	case k == len(s.names) && k < countedNames:
		s.names = append(s.names, name)
		s.counts = append(s.counts, 1)
	default:
		s.over++
		return codeUncounted
	}
	return uint64(k) + firstName
}

// numberOf reads a numeric cell; text that is not a finite number is missing.
func numberOf(v dataset.Value) (float64, bool) {
	x := (&Feature{Kind: Numeric, Impute: math.NaN()}).encode(v)
	return x, !math.IsNaN(x)
}

// featureColumns returns the index in names of each spec's column.
func featureColumns(names []string, specs []Spec) ([]int, error) {
	cols := make([]int, len(specs))
	for j, s := range specs {
		cols[j] = slices.Index(names, s.Name)
		if cols[j] < 0 {
			return nil, fmt.Errorf("no column %q", s.Name)
		}
	}
	return cols, nil
}

// columnCells collects the first pass over one feature: its statistics,
// and its cells, written to the spill a block at a time.
type columnCells struct {
	stats *featureStats
	j     int
	spill *fitSpill
	cells []uint64
	buf   []byte
	rows  int64
}

// add adds the feature's cell of the next row.
func (c *columnCells) add(cell uint64) {
	k := int(c.rows % blockRows)
	c.cells[k] = cell
	c.rows++
	if k == blockRows-1 {
		c.flush()
	}
}

// flush writes the block being filled to the spill.
func (c *columnCells) flush() {
	k := int(c.rows % blockRows)
	if k == 0 && c.rows > 0 {
		k = blockRows
	}
	clear(c.cells[k:])
	c.spill.writeColumn(int((c.rows-1)/blockRows), c.j, c.cells, c.buf)
}

// A Collector is the first pass of a fit fed by a reader of the data that
// does more than fit, such as a profile build: it is given every row's
// value of each feature, in order, and Fit makes the other two passes.
// Add may be called from several goroutines, each with its own features.
type Collector struct {
	specs []Spec
	opts  Options
	cols  []*columnCells
	spill *fitSpill
}

// NewCollector returns the first pass of a fit of specs. Close releases
// its temporary file, if Fit is not called.
func NewCollector(specs []Spec, opts Options) *Collector {
	c := &Collector{specs: specs, opts: opts.withDefaults(), spill: newFitSpill(len(specs))}
	for j, s := range specs {
		c.cols = append(c.cols, &columnCells{stats: newFeatureStats(s.Kind), j: j, spill: c.spill,
			cells: make([]uint64, blockRows), buf: make([]byte, 8*blockRows)})
	}
	return c
}

// Specs are the features the collector was made for.
func (c *Collector) Specs() []Spec { return c.specs }

// Add adds the value of feature j (of the specs) of the next row: a number
// of a numeric feature (text that is not a finite number is missing), a
// category of a categorical one.
func (c *Collector) Add(j int, v dataset.Value) { c.cols[j].add(c.cols[j].stats.add(v)) }

// AddNumber adds a number of numeric feature j, a value already read.
func (c *Collector) AddNumber(j int, x float64) { c.cols[j].add(c.cols[j].stats.addNumber(x)) }

// AddMissing adds a missing value of feature j.
func (c *Collector) AddMissing(j int) { c.cols[j].add(c.cols[j].stats.addMissing()) }

// AddIndexed adds category k of categorical feature j, numbering the
// categories in the order they were first met (0, 1, 2…); name is read when
// k is new, and kept. A caller that numbers the categories itself spares
// the fit a lookup of its own; it gives every value of the feature this way.
func (c *Collector) AddIndexed(j, k int, name string) {
	c.cols[j].add(c.cols[j].stats.addIndexed(k, name))
}

// Close removes the temporary file; a collector is done after Fit or Close.
func (c *Collector) Close() {
	if c.spill != nil {
		c.spill.remove()
		c.spill = nil
	}
}

// Fit ends the first pass and makes the other two: over the cells kept in
// the temporary file or, when there is none, over the data open reads
// again. Every feature must have been given the same number of rows.
func (c *Collector) Fit(ctx context.Context, open Open) (*Model, error) {
	defer c.Close()
	n := c.cols[0].rows
	for _, col := range c.cols {
		if col.rows != n {
			return nil, fmt.Errorf("fit multivariate model: feature %s has %d rows, feature %s %d", c.specs[0].Name, n, c.specs[col.j].Name, col.rows)
		}
		if col.rows%blockRows != 0 {
			col.flush()
		}
	}
	f := &fitter{specs: c.specs, opts: c.opts, workers: c.opts.Workers, n: n, spill: c.spill.usable()}
	c.spill = nil // the fitter's now, or removed
	defer func() {
		if f.spill != nil {
			f.spill.remove()
		}
	}()
	for _, col := range c.cols {
		f.stats = append(f.stats, col.stats)
	}
	return f.fit(ctx, open)
}

// readRows is the first pass over a file read record by record.
func (c *Collector) readRows(ctx context.Context, r dataset.Reader, cols []int) error {
	var rec dataset.Row
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		err := r.Next(&rec)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if c.opts.Skip != nil && c.opts.Skip(rec.Values) {
			continue
		}
		for j, i := range cols {
			var v dataset.Value
			if i < len(rec.Values) {
				v = rec.Values[i]
			}
			c.Add(j, v)
		}
	}
}

// readColumns is the first pass over a file read column by column: each of
// workers goroutines reads whole columns, adding those of features. The
// columns that are not features are decoded too, so that a value the
// reader rejects ends the fit with the error reading record by record
// gives: the one of the earliest record, and of its first column in the
// file's order.
func (c *Collector) readColumns(ctx context.Context, r dataset.ColumnReader, cols []int, workers int) error {
	names := r.Columns()
	total := r.Records()
	feature := make([]int, len(names)) // the spec of each column, -1 for none
	for i := range feature {
		feature[i] = -1
	}
	for j, i := range cols {
		feature[i] = j
	}
	// Who reads which column: by cost, the most costly first.
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	cost := func(i int) int {
		switch j := feature[i]; {
		case j < 0:
			return 1
		case c.specs[j].Kind == Categorical:
			return 3
		}
		return 2
	}
	slices.SortStableFunc(order, func(a, b int) int { return cost(b) - cost(a) })
	owned := spread.ByCost(order, cost, max(1, min(workers, len(names))))
	failures := make([]columnFailure, len(names))
	var wg sync.WaitGroup
	for _, list := range owned {
		wg.Go(func() {
			var vals dataset.Column
			for _, i := range list {
				var col *columnCells
				if j := feature[i]; j >= 0 {
					col = c.cols[j]
				}
				failures[i] = readColumn(ctx, r, i, col, total, &vals)
			}
		})
	}
	wg.Wait()
	var first *columnFailure
	for i := range failures {
		if fl := &failures[i]; fl.err != nil && (first == nil || fl.record < first.record) {
			first = fl
		}
	}
	if first != nil {
		return first.err
	}
	return nil
}

// columnFailure is where reading a column failed: the record and the error.
type columnFailure struct {
	record int64
	err    error
}

// readColumn reads column i of total records, adding its values to col
// (nil: not a feature).
func readColumn(ctx context.Context, r dataset.ColumnReader, i int, col *columnCells, total int64, vals *dataset.Column) columnFailure {
	cur, err := r.ColumnCursor(i)
	if err != nil {
		return columnFailure{0, err}
	}
	defer cur.Close()
	name := r.Columns()[i]
	for first := int64(0); first < total; first += blockRows {
		if err := ctx.Err(); err != nil {
			return columnFailure{first, err}
		}
		n := int(min(blockRows, total-first))
		err := cur.Read(vals, n)
		got := vals.Len()
		if err == nil && got < n {
			err = fmt.Errorf("column %s ends at record %d of %d", name, first+int64(got), total)
		}
		if col != nil {
			for k := range got {
				col.add(col.stats.add(vals.Value(k)))
			}
		}
		if err != nil {
			return columnFailure{first + int64(got), err}
		}
	}
	return columnFailure{}
}
