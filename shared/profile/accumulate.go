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
	mvCol   []int       // model feature of each column, or -1
	mvEnc   [][]float64 // per categorical column: the encoding of each kept category
	mvRow   []float64   // the record's encoded features, NaN when missing
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
}

// NewAccumulator returns an accumulator over the bins of reference ref.
func NewAccumulator(ref *Profile) (*Accumulator, error) {
	if ref == nil || ref.Type != Reference {
		return nil, errors.New("new accumulator: need a reference profile")
	}
	cols := ref.Columns()
	a := &Accumulator{ref: ref, cols: make([]*columnCounter, len(cols)), index: make(map[string]int, len(cols)), now: time.Now}
	for i, f := range cols {
		c := &columnCounter{ref: f}
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
		a.mvEnc = make([][]float64, len(cols))
		for j, f := range m.Features {
			if i, ok := a.index[f.Name]; ok && i < len(ref.Features) {
				a.mvCol[i] = j
				if cols[i].Kind == Categorical {
					enc := make([]float64, len(cols[i].Categories))
					for k, c := range cols[i].Categories {
						enc[k] = m.Encode(j, c)
					}
					a.mvEnc[i] = enc
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

// setNumber keeps a numeric feature value of the current record for its
// reconstruction.
func (a *Accumulator) setNumber(col int, v float64) {
	if a.mv != nil {
		if j := a.mvCol[col]; j >= 0 {
			a.mvRow[j] = v
		}
	}
}

// setCategory keeps the encoding of a category of the current record: k is
// its index among the profile's kept categories, or -1.
func (a *Accumulator) setCategory(col, k int, s string) {
	if a.mv != nil {
		if j := a.mvCol[col]; j >= 0 {
			if k >= 0 {
				a.mvRow[j] = a.mvEnc[col][k]
			} else {
				a.mvRow[j] = a.mv.Model().Encode(j, s)
			}
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
	e := a.mv.ErrorOf(a.mvRow, a.mvResid)
	a.mvSum.Add(a.mv.Model().Edges, e, a.mvResid)
	for j := range a.mvRow {
		a.mvRow[j] = math.NaN()
	}
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
	c := a.cols[col]
	if c.ref.Kind == Categorical {
		s := strconv.FormatFloat(v, 'g', -1, 64)
		a.setCategory(col, c.addCategory(s), s)
		return nil
	}
	if err := checkNumber(v); err != nil {
		return err
	}
	c.addNumber(v)
	a.setNumber(col, v)
	return nil
}

// AddCategory counts a category value in a categorical column, or parses it as
// a number in a numeric or discrete column.
func (a *Accumulator) AddCategory(col int, s string) error {
	c := a.cols[col]
	if c.ref.Kind == Categorical {
		a.setCategory(col, c.addCategory(s), s)
		return nil
	}
	v, err := dataset.ParseNumber(s)
	if err == nil {
		err = checkNumber(v)
	}
	if err != nil {
		return fmt.Errorf("%s feature: %w", c.ref.Kind, err)
	}
	c.addNumber(v)
	a.setNumber(col, v)
	return nil
}

// AddValue counts a dataset cell in column col, whatever its kind.
func (a *Accumulator) AddValue(col int, v dataset.Value) error {
	switch v.Kind {
	case dataset.Missing:
		a.AddMissing(col)
	case dataset.Number:
		return a.AddNumber(col, v.Num)
	case dataset.Text:
		return a.AddCategory(col, v.Str)
	case dataset.Bool:
		if a.cols[col].ref.Kind != Categorical {
			return fmt.Errorf("%s feature: got boolean %s, want a number", a.cols[col].ref.Kind, v.Str)
		}
		a.setCategory(col, a.cols[col].addCategory(v.Str), v.Str)
	default:
		return fmt.Errorf("unknown value kind %d", v.Kind)
	}
	return nil
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
