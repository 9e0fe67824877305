package monitor

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// The drift function merges thousands of batch profiles per window. It
// decodes them with profile.DecodeSparse, which keeps each histogram's
// non-zero bins only (a batch of 100 records fills at most 100 of a
// column's 1000), and mergeWindow adds them into one dense histogram per
// column. The result equals profile.Merge of profile.Decode of the same
// objects (checked by the tests).

// decodeBatch decodes a batch profile object.
func decodeBatch(data []byte) (b *profile.Sparse, err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder bug must not take the run down
			b, err = nil, fmt.Errorf("decode batch profile: %v", r)
		}
	}()
	b, err = profile.DecodeSparse(data)
	switch {
	case err != nil:
		return nil, fmt.Errorf("decode batch profile: %w", err)
	case b.Type != profile.Batch:
		return nil, fmt.Errorf("decode batch profile: a %q profile, want %q", b.Type, profile.Batch)
	case b.Rows < 0 || b.Errors < 0:
		return nil, fmt.Errorf("decode batch profile: rows %d, errors %d: must not be negative", b.Rows, b.Errors)
	}
	return b, nil
}

// columnSum is one column of a window's merged batch profile.
type columnSum struct {
	ref     *profile.Feature
	grid    profile.Counts
	values  profile.Counts
	missing int64
	moments profile.Moments
	tails   [2]float64
	unseen  map[string]int64
	// unseenCount counts values the reference never saw.
	unseenCount int64
}

// windowMerge merges the batch profiles of a window, in the order they are
// added, over the bins of a reference. Batches counted against another
// reference are counted in the system totals only.
type windowMerge struct {
	ref  *profile.Profile
	cols []*columnSum

	// Of the batches counted against ref:
	batches      int
	rows, errors int64
	model, ver   string
	createdAt    time.Time
	latency      *profile.LatencyHistogram
	first, last  *time.Time
	recon        *multivariate.Summary

	// Of every batch:
	sys systemTotals
}

// systemTotals add up every batch of the window, whatever its reference.
type systemTotals struct {
	batches      int
	rows, errors int64
	latency      *profile.LatencyHistogram
	first, last  *time.Time
	// other counts the batches (and their records) counted against another
	// reference, by fingerprint.
	other map[string][2]int64
}

func newWindowMerge(ref *profile.Profile) *windowMerge {
	m := &windowMerge{ref: ref}
	for _, f := range ref.Columns() {
		c := &columnSum{ref: f}
		switch f.Kind {
		case profile.Numeric:
			c.grid = make(profile.Counts, len(f.Edges)+1)
		case profile.Discrete:
			c.grid = make(profile.Counts, len(f.Edges)+1)
			c.values = make(profile.Counts, len(f.Edges)+1)
		case profile.Categorical:
			c.values = make(profile.Counts, len(f.Categories)+1)
		}
		m.cols = append(m.cols, c)
	}
	return m
}

// add merges batch b; on error nothing of b has been added.
func (m *windowMerge) add(b *profile.Sparse) error {
	if err := m.check(b); err != nil {
		return err
	}
	var latency profile.SparseCounts
	if l := b.Latency; l != nil {
		want := len(profile.NewLatencyHistogram().Counts)
		if latency, _ = b.Histogram(&l.Counts); latency.Size != want { // 0 when absent
			return fmt.Errorf("latency histogram has %d buckets, want %d", latency.Size, want)
		}
	}
	s := &m.sys
	s.batches++
	s.rows += b.Rows
	s.errors += b.Errors
	s.latency = addLatency(s.latency, b.Latency, latency)
	s.first, s.last = widen(s.first, s.last, b.FirstEvent, b.LastEvent)
	if b.Fingerprint != m.ref.Fingerprint {
		if s.other == nil {
			s.other = map[string][2]int64{}
		}
		o := s.other[b.Fingerprint]
		s.other[b.Fingerprint] = [2]int64{o[0] + 1, o[1] + b.Rows}
		return nil
	}
	if r := b.Reconstruction; r != nil && m.ref.Multivariate != nil {
		if m.recon == nil {
			c := multivariate.NewSummary(m.ref.Multivariate)
			m.recon = &c
		}
		_ = m.recon.Merge(*r) // checked by m.check
	}
	if m.batches == 0 {
		m.model, m.ver = b.Model, b.Version
	}
	m.batches++
	m.rows += b.Rows
	m.errors += b.Errors
	if b.CreatedAt.After(m.createdAt) {
		m.createdAt = b.CreatedAt
	}
	m.latency = addLatency(m.latency, b.Latency, latency)
	m.first, m.last = widen(m.first, m.last, b.FirstEvent, b.LastEvent)
	for i, f := range m.columns(b) {
		c := m.cols[i]
		if c.grid != nil {
			grid, _ := b.Histogram(&f.Grid)
			grid.AddTo(c.grid)
			if f.Moments != nil {
				c.moments = c.moments.Merge(*f.Moments)
			}
			if len(f.TailSums) == 2 {
				c.tails[0] += f.TailSums[0]
				c.tails[1] += f.TailSums[1]
			}
		}
		if c.values != nil {
			values, _ := b.Histogram(&f.Values)
			values.AddTo(c.values)
		}
		c.missing += f.Missing
		c.unseenCount += f.UnseenCount
		for _, u := range f.Unseen {
			if c.unseen == nil {
				c.unseen = map[string]int64{}
			}
			c.unseen[u.Name] += u.Count
		}
	}
	return nil
}

// columns lines b's columns up with the reference's (features, prediction,
// confidence, label).
func (m *windowMerge) columns(b *profile.Sparse) []*profile.Feature {
	out := make([]*profile.Feature, 0, len(m.cols))
	out = append(out, b.Features...)
	for _, f := range []*profile.Feature{b.Prediction, b.Confidence, b.Label} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// check validates b against the reference as profile.Decode, profile.Merge
// and drift.Compare would, before anything is added.
func (m *windowMerge) check(b *profile.Sparse) error {
	if b.Fingerprint != m.ref.Fingerprint {
		return nil // counted in the system totals only
	}
	if r := b.Reconstruction; r != nil && m.ref.Multivariate != nil {
		if err := r.Check(m.ref.Multivariate); err != nil {
			return fmt.Errorf("reconstruction: %w", err)
		}
	}
	if len(b.Features) != len(m.ref.Features) {
		return fmt.Errorf("%d features, the reference has %d", len(b.Features), len(m.ref.Features))
	}
	roles := []struct {
		name     string
		ref, got bool
	}{
		{"prediction", m.ref.Prediction != nil, b.Prediction != nil},
		{"confidence", m.ref.Confidence != nil, b.Confidence != nil},
		{"label", m.ref.Label != nil, b.Label != nil},
	}
	for _, r := range roles {
		if r.ref != r.got {
			return fmt.Errorf("%s column: reference has it %v, batch %v", r.name, r.ref, r.got)
		}
	}
	for i, f := range m.columns(b) {
		if f == nil {
			return fmt.Errorf("feature %d is null", i)
		}
		if err := checkColumn(m.cols[i], f, b); err != nil {
			return fmt.Errorf("feature %q: %w", m.cols[i].ref.Name, err)
		}
	}
	return nil
}

func checkColumn(c *columnSum, f *profile.Feature, b *profile.Sparse) error {
	r := c.ref
	grid, hasGrid := b.Histogram(&f.Grid)
	values, hasValues := b.Histogram(&f.Values)
	switch {
	case f.Name != r.Name || f.Kind != r.Kind:
		return fmt.Errorf("batch has %s %q in its place", f.Kind, f.Name)
	case f.Missing < 0:
		return fmt.Errorf("missing count %d is negative", f.Missing)
	case f.UnseenCount < 0:
		return fmt.Errorf("unseen count %d is negative", f.UnseenCount)
	case (c.grid != nil) != hasGrid || (c.values != nil) != hasValues:
		return errors.New("histograms do not match the reference's")
	case hasGrid && grid.Size != len(c.grid):
		return fmt.Errorf("%d grid bins, reference has %d", grid.Size, len(c.grid))
	case hasValues && values.Size != len(c.values):
		return fmt.Errorf("%d value bins, reference has %d", values.Size, len(c.values))
	}
	for _, u := range f.Unseen {
		if u.Count < 0 {
			return fmt.Errorf("unseen %q count %d is negative", u.Name, u.Count)
		}
	}
	if !hasGrid {
		return nil
	}
	switch {
	case f.Moments == nil:
		return errors.New("no moments")
	case f.Moments.Count != grid.Total():
		return fmt.Errorf("moments count %d != grid total %d", f.Moments.Count, grid.Total())
	case len(f.TailSums) != 2 || math.IsNaN(f.TailSums[0]+f.TailSums[1]) || math.IsInf(f.TailSums[0]+f.TailSums[1], 0):
		return errors.New("tail_sums: want two finite sums")
	case hasValues && values.Total() != grid.Total():
		return fmt.Errorf("value counts total %d != grid total %d", values.Total(), grid.Total())
	}
	return nil
}

// addLatency adds the latency histogram l, whose counts are counts, to h.
func addLatency(h, l *profile.LatencyHistogram, counts profile.SparseCounts) *profile.LatencyHistogram {
	if l == nil {
		return h
	}
	if h == nil {
		h = profile.NewLatencyHistogram()
	}
	counts.AddTo(h.Counts)
	h.Sum += l.Sum
	h.Max = math.Max(h.Max, l.Max)
	return h
}

func widen(first, last, f, l *time.Time) (*time.Time, *time.Time) {
	if f != nil && (first == nil || f.Before(*first)) {
		t := *f
		first = &t
	}
	if l != nil && (last == nil || l.After(*last)) {
		t := *l
		last = &t
	}
	return first, last
}

// profile returns the merged batch profile of the batches counted against
// the reference, as profile.Merge would; nil when there are none.
func (m *windowMerge) profile() *profile.Profile {
	if m.batches == 0 {
		return nil
	}
	p := &profile.Profile{
		SchemaVersion: profile.SchemaVersion,
		Type:          profile.Batch,
		Model:         m.model,
		Version:       m.ver,
		Fingerprint:   m.ref.Fingerprint,
		CreatedAt:     m.createdAt,
		Rows:          m.rows,
		Errors:        m.errors,
		Latency:       m.latency,
		FirstEvent:    m.first,
		LastEvent:     m.last,
	}
	if m.recon != nil {
		r := m.recon.Clone()
		p.Reconstruction = &r
	}
	cols := make([]*profile.Feature, 0, len(m.cols))
	for _, c := range m.cols {
		f := &profile.Feature{Name: c.ref.Name, Kind: c.ref.Kind, Missing: c.missing, Grid: c.grid, Values: c.values}
		if c.grid != nil {
			mm := c.moments
			f.Moments = &mm
			f.TailSums = []float64{c.tails[0], c.tails[1]}
		}
		f.UnseenCount = c.unseenCount
		f.Unseen = profile.TopNames(c.unseen, profile.UnseenKept)
		cols = append(cols, f)
	}
	// The columns are the reference's: its features, then those of its
	// prediction, confidence and label that it has.
	p.Features, cols = cols[:len(m.ref.Features)], cols[len(m.ref.Features):]
	roles := []struct {
		ref    *profile.Feature
		merged **profile.Feature
	}{{m.ref.Prediction, &p.Prediction}, {m.ref.Confidence, &p.Confidence}, {m.ref.Label, &p.Label}}
	for _, r := range roles {
		if r.ref != nil {
			*r.merged, cols = cols[0], cols[1:]
		}
	}
	return p
}
