package profile

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/stats"
)

// unseenTracked bounds how many distinct unseen names an accumulator counts by
// name; the total unseen count stays exact beyond it.
const unseenTracked = 1000

// UnseenKept is how many of the most frequent unseen names a profile keeps.
const UnseenKept = 20

// Accumulator counts records over the bins of a reference profile and yields a
// batch profile. Memory is bounded by the reference's bins, not by the number
// of records. Columns are addressed by their index in Reference.Columns().
// An Accumulator is not safe for concurrent use; profile parts separately and
// Merge them.
type Accumulator struct {
	ref         *Profile
	cols        []*columnCounter
	index       map[string]int
	rows        int64
	errors      int64
	latency     *LatencyHistogram
	first, last time.Time
	now         func() time.Time

	// The reconstruction error of each record, when the reference has a
	// multivariate model: the record's features in the model's order.
	mv      *multivariate.Scorer
	mvCol   []int     // model feature of each column, or -1
	mvRow   []float64 // the record's encoded features, NaN when missing
	mvResid []float64
	mvSum   multivariate.Summary
}

type columnCounter struct {
	ref     *Feature
	bins    *stats.Bins
	grid    Counts
	tails   [2]float64
	values  Counts
	missing int64
	moments momentAccumulator
	catIdx  map[string]int
	unseen  map[string]int64
	// unseenCount counts values the reference never saw.
	unseenCount int64
	// mvJ is the column's feature in the multivariate model (mv), or -1;
	// mvEnc is the encoding of each kept category of a categorical one.
	mv    *multivariate.Model
	mvJ   int
	mvEnc []float64
	// _ keeps a cache line between the counters, each allocated on its
	// own, which different goroutines update value after value.
	_ [64]byte
}

// NewAccumulator returns an accumulator over the bins of reference ref.
func NewAccumulator(ref *Profile) (*Accumulator, error) {
	if ref == nil || ref.Type != Reference {
		return nil, errors.New("new accumulator: need a reference profile")
	}
	cols := ref.Columns()
	a := &Accumulator{ref: ref, cols: make([]*columnCounter, len(cols)), index: make(map[string]int, len(cols)), now: time.Now}
	for i, f := range cols {
		c := &columnCounter{ref: f, mvJ: -1}
		if f.Kind != Categorical {
			c.bins = stats.NewBins(f.Edges)
		}
		switch f.Kind {
		case Numeric:
			c.grid = make(Counts, len(f.Edges)+1)
		case Discrete:
			c.grid = make(Counts, len(f.Edges)+1)
			c.values = make(Counts, len(f.Edges)+1)
		case Categorical:
			c.values = make(Counts, len(f.Categories)+1)
			c.catIdx = make(map[string]int, len(f.Categories))
			for k, name := range f.Categories {
				c.catIdx[name] = k
			}
		}
		a.cols[i] = c
		a.index[f.Name] = i
	}
	if m := ref.Multivariate; m != nil {
		a.mv = multivariate.NewScorer(m)
		a.mvCol = make([]int, len(cols))
		for i := range a.mvCol {
			a.mvCol[i] = -1
		}
		for j, f := range m.Features {
			if i, ok := a.index[f.Name]; ok && i < len(ref.Features) {
				a.mvCol[i] = j
				c := a.cols[i]
				c.mv, c.mvJ = m, j
				if cols[i].Kind == Categorical {
					enc := make([]float64, len(cols[i].Categories))
					for k, name := range cols[i].Categories {
						enc[k] = m.Encode(j, name)
					}
					c.mvEnc = enc
				}
			}
		}
		a.mvRow = make([]float64, len(m.Features))
		for j := range a.mvRow {
			a.mvRow[j] = math.NaN()
		}
		a.mvResid = make([]float64, len(m.Features))
		a.mvSum = multivariate.NewSummary(m)
	}
	return a, nil
}

// setEncoded keeps the multivariate encoding of a feature value of the
// current record (see columnCounter.value) for its reconstruction.
func (a *Accumulator) setEncoded(col int, x float64) {
	if a.mv != nil {
		if j := a.mvCol[col]; j >= 0 {
			a.mvRow[j] = x
		}
	}
}

// EndRecord ends a record whose features were counted (not a failed one):
// with a multivariate model, it adds the record's reconstruction error to the
// batch's summary. Features not counted since AddRecord are missing.
func (a *Accumulator) EndRecord() {
	if a.mv == nil {
		return
	}
	a.addReconstruction(a.mvRow)
	for j := range a.mvRow {
		a.mvRow[j] = math.NaN()
	}
}

// addReconstruction adds the reconstruction error of a record whose
// features, encoded in the model's order, are x (NaN when missing).
func (a *Accumulator) addReconstruction(x []float64) {
	e := a.mv.ErrorOf(x, a.mvResid)
	a.mvSum.Add(a.mv.Model().Edges, e, a.mvResid)
}

// SetClock sets the clock that stamps the batch profile's created_at
// (default time.Now), so that a simulation stamps its own time.
func (a *Accumulator) SetClock(now func() time.Time) { a.now = now }

// Reference is the profile whose bins the accumulator counts over.
func (a *Accumulator) Reference() *Profile { return a.ref }

// AddRecord counts one record; call it once per record, beside the per-column
// Add calls for that record.
func (a *Accumulator) AddRecord() { a.rows++ }

// AddError counts one record whose model call failed.
func (a *Accumulator) AddError() { a.errors++ }

// AddLatency counts one model latency in milliseconds.
func (a *Accumulator) AddLatency(ms float64) error {
	if a.latency == nil {
		a.latency = NewLatencyHistogram()
	}
	return a.latency.Add(ms)
}

// AddEventTime widens the batch's event-time range to include t.
func (a *Accumulator) AddEventTime(t time.Time) {
	if a.first.IsZero() || t.Before(a.first) {
		a.first = t
	}
	if a.last.IsZero() || t.After(a.last) {
		a.last = t
	}
}

// Column returns the accumulator column of the reference column named name.
func (a *Accumulator) Column(name string) (int, bool) {
	i, ok := a.index[name]
	return i, ok
}

// AddMissing counts a missing value in column col.
func (a *Accumulator) AddMissing(col int) { a.cols[col].missing++ }

// AddNumber counts a numeric value in column col; NaN, infinities and values
// beyond ±MaxMagnitude are rejected. A number in a categorical column counts
// as its shortest decimal text.
func (a *Accumulator) AddNumber(col int, v float64) error {
	x, err := a.cols[col].number(v)
	if err != nil {
		return err
	}
	a.setEncoded(col, x)
	return nil
}

// AddCategory counts a category value in a categorical column, or parses it as
// a number in a numeric or discrete column.
func (a *Accumulator) AddCategory(col int, s string) error {
	x, err := a.cols[col].text(s)
	if err != nil {
		return err
	}
	a.setEncoded(col, x)
	return nil
}

// AddValue counts a dataset cell in column col, whatever its kind.
func (a *Accumulator) AddValue(col int, v dataset.Value) error {
	if v.Kind == dataset.Missing {
		a.AddMissing(col)
		return nil
	}
	x, err := a.cols[col].value(v)
	if err != nil {
		return err
	}
	a.setEncoded(col, x)
	return nil
}

// value counts a cell that is not missing and returns its multivariate
// encoding (meaningful only when the column is a feature of the model).
// The counting of a column touches nothing but the column, so that the
// columns of a record can be counted on different goroutines.
func (c *columnCounter) value(v dataset.Value) (float64, error) {
	switch v.Kind {
	case dataset.Missing:
		c.missing++
		return math.NaN(), nil
	case dataset.Number:
		return c.number(v.Num)
	case dataset.Text:
		return c.text(v.Str)
	case dataset.Bool:
		if c.ref.Kind != Categorical {
			return 0, fmt.Errorf("%s feature: got boolean %s, want a number", c.ref.Kind, v.Str)
		}
		return c.category(v.Str), nil
	}
	return 0, fmt.Errorf("unknown value kind %d", v.Kind)
}

// number counts a numeric value; in a categorical column it counts as its
// shortest decimal text.
func (c *columnCounter) number(v float64) (float64, error) {
	if c.ref.Kind == Categorical {
		return c.category(strconv.FormatFloat(v, 'g', -1, 64)), nil
	}
	if err := checkNumber(v); err != nil {
		return 0, err
	}
	c.addNumber(v)
	return v, nil
}

// text counts a category, or parses it as a number in a numeric or discrete
// column.
func (c *columnCounter) text(s string) (float64, error) {
	if c.ref.Kind == Categorical {
		return c.category(s), nil
	}
	v, err := dataset.ParseNumber(s)
	if err == nil {
		err = checkNumber(v)
	}
	if err != nil {
		return 0, fmt.Errorf("%s feature: %w", c.ref.Kind, err)
	}
	c.addNumber(v)
	return v, nil
}

// category counts category s and returns its multivariate encoding.
func (c *columnCounter) category(s string) float64 {
	k := c.addCategory(s)
	switch {
	case c.mvJ < 0:
		return math.NaN()
	case k >= 0:
		return c.mvEnc[k]
	}
	return c.mv.Encode(c.mvJ, s)
}

func (c *columnCounter) addNumber(v float64) {
	if v == 0 {
		v = 0 // normalise negative zero
	}
	i := c.bins.Index(v)
	c.grid[i]++
	switch i {
	case 0:
		c.tails[0] += v
	case len(c.grid) - 1:
		c.tails[1] += v
	}
	c.moments.add(v)
	if c.values != nil {
		if i < len(c.ref.Edges) && c.ref.Edges[i] == v {
			c.values[i]++
		} else {
			c.values[len(c.ref.Edges)]++
			c.addUnseen(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
}

// addCategory counts s and returns its index among the kept categories,
// -1 when it falls in __other__.
func (c *columnCounter) addCategory(s string) int {
	if k, ok := c.catIdx[s]; ok {
		c.values[k]++
		return k
	}
	c.values[len(c.ref.Categories)]++
	if c.ref.Pooled.Contains(s) {
		return -1 // a rare reference category, pooled in __other__
	}
	c.addUnseen(s)
	return -1
}

func (c *columnCounter) addUnseen(name string) {
	c.unseenCount++
	if c.unseen == nil {
		c.unseen = make(map[string]int64)
	}
	if n, ok := c.unseen[name]; ok {
		c.unseen[name] = n + 1
	} else if len(c.unseen) < unseenTracked {
		c.unseen[strings.Clone(name)] = 1
	}
}

// Profile returns the batch profile of what has been counted so far.
func (a *Accumulator) Profile() *Profile {
	p := &Profile{
		SchemaVersion: SchemaVersion,
		Type:          Batch,
		Model:         a.ref.Model,
		Version:       a.ref.Version,
		Fingerprint:   a.ref.Fingerprint,
		CreatedAt:     a.now().UTC(),
		Rows:          a.rows,
		Errors:        a.errors,
	}
	if a.mv != nil {
		s := a.mvSum.Clone()
		p.Reconstruction = &s
	}
	if a.latency != nil {
		h := NewLatencyHistogram()
		h.Merge(a.latency)
		p.Latency = h
	}
	if !a.first.IsZero() {
		first, last := a.first.UTC(), a.last.UTC()
		p.FirstEvent, p.LastEvent = &first, &last
	}
	n := len(a.ref.Features)
	for i, c := range a.cols {
		f := c.feature()
		switch {
		case i < n:
			p.Features = append(p.Features, f)
		case c.ref == a.ref.Prediction:
			p.Prediction = f
		case c.ref == a.ref.Confidence:
			p.Confidence = f
		case c.ref == a.ref.Label:
			p.Label = f
		}
	}
	return p
}

func (c *columnCounter) feature() *Feature {
	f := &Feature{Name: c.ref.Name, Kind: c.ref.Kind, Missing: c.missing}
	if c.grid != nil {
		f.Grid = slices.Clone(c.grid)
		f.TailSums = []float64{c.tails[0], c.tails[1]}
		m := c.moments.moments()
		f.Moments = &m
	}
	if c.values != nil {
		f.Values = slices.Clone(c.values)
	}
	f.UnseenCount = c.unseenCount
	f.Unseen = TopNames(c.unseen, UnseenKept)
	return f
}

// TopNames returns the k most frequent names of a count map, ties broken by
// name, so that the result does not depend on map order: how profiles rank
// unseen categories.
func TopNames(m map[string]int64, k int) []NameCount {
	if len(m) == 0 {
		return nil
	}
	out := make([]NameCount, 0, len(m))
	for name, n := range m {
		out = append(out, NameCount{Name: name, Count: n})
	}
	sortNameCounts(out)
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func sortNameCounts(s []NameCount) {
	slices.SortFunc(s, func(x, y NameCount) int {
		if x.Count != y.Count {
			if x.Count > y.Count {
				return -1
			}
			return 1
		}
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
}
