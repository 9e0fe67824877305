package monitor

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	json "github.com/goccy/go-json"

	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// The drift function merges thousands of batch profiles per window. Decoding
// them with profile.Decode allocates every histogram densely and parses the
// counts twice (about 2.6 ms for the profile of a 100-record batch over 50
// features); this decoder reads the same JSON into sparse counts in a tenth
// of that, and mergeWindow adds them into one dense histogram per column.
// The result equals profile.Merge of profile.Decode of the same objects
// (checked by the tests, which also fail when the profile schema gains a
// field this decoder does not know).

// batchJSON mirrors profile.Profile's JSON.
type batchJSON struct {
	SchemaVersion *int            `json:"schema_version"`
	Type          profile.Type    `json:"type"`
	Model         string          `json:"model"`
	Version       string          `json:"version"`
	Fingerprint   string          `json:"fingerprint"`
	CreatedAt     time.Time       `json:"created_at"`
	Settings      json.RawMessage `json:"settings"`
	Calibration   json.RawMessage `json:"calibration"` // reference profiles only
	Rows          int64           `json:"rows"`
	Features      []*featureJSON  `json:"features"`
	Prediction    *featureJSON    `json:"prediction"`
	Confidence    *featureJSON    `json:"confidence"`
	Label         *featureJSON    `json:"label"`
	Errors        int64           `json:"errors"`
	Latency       *latencyJSON    `json:"latency"`
	FirstEvent    *time.Time      `json:"first_event"`
	LastEvent     *time.Time      `json:"last_event"`
	// Reference profiles only: read so that they are recognised, not merged.
	EventTime   string          `json:"event_time"`
	TimeColumns json.RawMessage `json:"time_columns"`
	Notes       json.RawMessage `json:"notes"`
	// Multivariate is a reference profile's model (not merged);
	// Reconstruction the batch's reconstruction-error summary.
	Multivariate   json.RawMessage       `json:"multivariate"`
	Reconstruction *multivariate.Summary `json:"reconstruction"`
}

// featureJSON mirrors profile.Feature's JSON.
type featureJSON struct {
	Name        string              `json:"name"`
	Kind        profile.Kind        `json:"kind"`
	Edges       []float64           `json:"edges"`
	CoarseEdges []float64           `json:"coarse_edges"`
	Categories  []string            `json:"categories"`
	Grid        *sparseCounts       `json:"grid"`
	Values      *sparseCounts       `json:"values"`
	Missing     int64               `json:"missing"`
	Moments     *profile.Moments    `json:"moments"`
	TailSums    []float64           `json:"tail_sums"`
	Unseen      []profile.NameCount `json:"unseen"`
	UnseenCount int64               `json:"unseen_count"`
	// Reference profiles only.
	Pooled         json.RawMessage `json:"pooled"`
	PooledUnhashed int64           `json:"pooled_unhashed"`
}

// latencyJSON mirrors profile.LatencyHistogram's JSON.
type latencyJSON struct {
	Counts *sparseCounts `json:"counts"`
	Sum    float64       `json:"sum_ms"`
	Max    float64       `json:"max_ms"`
}

// sparseCounts is a profile.Counts as read: its size and its non-zero
// entries, from either encoding (a dense array, or {size,index,count}).
type sparseCounts struct {
	size  int
	index []int32
	count []int64
}

// maxCountBins bounds the size a histogram may claim (as profile does).
const maxCountBins = 1 << 20

func (c *sparseCounts) total() int64 {
	var t int64
	for _, v := range c.count {
		t += v
	}
	return t
}

// addTo adds the counts into dst, which has c.size bins.
func (c *sparseCounts) addTo(dst profile.Counts) {
	for k, i := range c.index {
		dst[i] += c.count[k]
	}
}

// UnmarshalJSON reads either encoding with a hand-written scanner: the
// counts are most of a profile's bytes.
func (c *sparseCounts) UnmarshalJSON(b []byte) error {
	s := scanner{b: b}
	s.ws()
	switch s.peek() {
	case '[':
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		values := sc.count[:0]
		err := s.ints(func(v int64) error {
			if len(values) >= maxCountBins {
				return fmt.Errorf("more than %d bins", maxCountBins)
			}
			values = append(values, v)
			return nil
		})
		sc.count = values
		if err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		c.size = len(values)
		nonZero := 0
		for _, v := range values {
			if v != 0 {
				nonZero++
			}
		}
		c.index, c.count = make([]int32, 0, nonZero), make([]int64, 0, nonZero)
		for i, v := range values {
			if v != 0 {
				c.index = append(c.index, int32(i))
				c.count = append(c.count, v)
			}
		}
		return s.end()
	case '{':
		return c.sparse(&s)
	}
	return errors.New("counts: want an array or {size,index,count}")
}

// scratch holds the index and count arrays of a sparse histogram while it
// is read, so that reading allocates only the result.
type scratch struct{ index, count []int64 }

var scratchPool = sync.Pool{New: func() any { return &scratch{index: make([]int64, 0, 1024), count: make([]int64, 0, 1024)} }}

func (c *sparseCounts) sparse(s *scanner) error {
	s.i++ // {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	index, count := sc.index[:0], sc.count[:0]
	var haveSize, haveIndex, haveCount bool
	for first := true; ; first = false {
		s.ws()
		if s.peek() == '}' {
			s.i++
			break
		}
		if !first {
			if s.peek() != ',' {
				return errors.New("counts: want , or }")
			}
			s.i++
			s.ws()
		}
		key, err := s.str()
		if err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		s.ws()
		if s.peek() != ':' {
			return errors.New("counts: want a colon after a key")
		}
		s.i++
		s.ws()
		switch key {
		case "size":
			v, err := s.int()
			if err != nil {
				return fmt.Errorf("counts: size: %w", err)
			}
			if v > maxCountBins {
				return fmt.Errorf("counts: size %d out of range [0, %d]", v, maxCountBins)
			}
			c.size, haveSize = int(v), true
		case "index":
			index = index[:0]
			if err := s.ints(func(v int64) error { index = append(index, v); return nil }); err != nil {
				return fmt.Errorf("counts: index: %w", err)
			}
			haveIndex = true
		case "count":
			count = count[:0]
			if err := s.ints(func(v int64) error { count = append(count, v); return nil }); err != nil {
				return fmt.Errorf("counts: count: %w", err)
			}
			haveCount = true
		default:
			return fmt.Errorf("counts: unknown key %q", key)
		}
	}
	sc.index, sc.count = index, count // keep the grown buffers
	if err := s.end(); err != nil {
		return err
	}
	if !haveSize || !haveIndex || !haveCount {
		return errors.New("counts: want size, index and count")
	}
	if len(index) != len(count) {
		return fmt.Errorf("counts: %d indexes but %d counts", len(index), len(count))
	}
	nonZero := 0
	for k, i := range index {
		if i >= int64(c.size) {
			return fmt.Errorf("counts: index %d out of range [0, %d)", i, c.size)
		}
		if count[k] != 0 {
			nonZero++
		}
	}
	// Repeated indexes add up, as in profile.Counts; addTo and total do.
	c.index, c.count = make([]int32, 0, nonZero), make([]int64, 0, nonZero)
	for k, i := range index {
		if count[k] != 0 {
			c.index = append(c.index, int32(i))
			c.count = append(c.count, count[k])
		}
	}
	return nil
}

// scanner reads the few JSON forms of a histogram.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\n', '\t', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) end() error {
	s.ws()
	if s.i != len(s.b) {
		return errors.New("counts: trailing data")
	}
	return nil
}

// int reads a non-negative integer (a count or an index).
func (s *scanner) int() (int64, error) {
	start := s.i
	var v int64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		if v > (math.MaxInt64-9)/10 {
			return 0, errors.New("integer too large")
		}
		v = v*10 + int64(s.b[s.i]-'0')
		s.i++
	}
	if s.i-start > 1 && s.b[start] == '0' {
		return 0, errors.New("leading zero")
	}
	if s.i == start {
		if s.peek() == '-' {
			return 0, errors.New("negative count")
		}
		return 0, errors.New("want a non-negative integer")
	}
	if c := s.peek(); c == '.' || c == 'e' || c == 'E' {
		return 0, errors.New("want an integer")
	}
	return v, nil
}

// ints reads an array of non-negative integers.
func (s *scanner) ints(fn func(int64) error) error {
	s.ws()
	if s.peek() != '[' {
		return errors.New("want an array")
	}
	s.i++
	s.ws()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		v, err := s.int()
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errors.New("want , or ]")
		}
	}
}

// str reads a string without escapes (the keys of a histogram).
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", errors.New("want a key")
	}
	s.i++
	start := s.i
	for s.i < len(s.b) && s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			return "", errors.New("unexpected escape in key")
		}
		s.i++
	}
	if s.i == len(s.b) {
		return "", errors.New("unterminated key")
	}
	s.i++
	return string(s.b[start : s.i-1]), nil
}

// decodeBatch decodes a batch profile object.
func decodeBatch(data []byte) (b *batchJSON, err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder bug must not take the run down
			b, err = nil, fmt.Errorf("decode batch profile: %v", r)
		}
	}()
	b = new(batchJSON)
	if err := json.Unmarshal(data, b); err != nil {
		return nil, fmt.Errorf("decode batch profile: %w", err)
	}
	switch {
	case b.SchemaVersion == nil:
		return nil, fmt.Errorf("decode batch profile: no schema_version: %w", profile.ErrSchemaVersion)
	case *b.SchemaVersion != profile.SchemaVersion:
		return nil, fmt.Errorf("decode batch profile: schema_version %d, this build reads %d: %w", *b.SchemaVersion, profile.SchemaVersion, profile.ErrSchemaVersion)
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
func (m *windowMerge) add(b *batchJSON) error {
	if err := m.check(b); err != nil {
		return err
	}
	if l := b.Latency; l != nil {
		want := len(profile.NewLatencyHistogram().Counts)
		if l.Counts == nil || l.Counts.size != want {
			var got int
			if l.Counts != nil {
				got = l.Counts.size
			}
			return fmt.Errorf("latency histogram has %d buckets, want %d", got, want)
		}
	}
	s := &m.sys
	s.batches++
	s.rows += b.Rows
	s.errors += b.Errors
	s.latency = addLatency(s.latency, b.Latency)
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
	m.latency = addLatency(m.latency, b.Latency)
	m.first, m.last = widen(m.first, m.last, b.FirstEvent, b.LastEvent)
	for i, f := range m.columns(b) {
		c := m.cols[i]
		if c.grid != nil {
			f.Grid.addTo(c.grid)
			if f.Moments != nil {
				c.moments = c.moments.Merge(*f.Moments)
			}
			if len(f.TailSums) == 2 {
				c.tails[0] += f.TailSums[0]
				c.tails[1] += f.TailSums[1]
			}
		}
		if c.values != nil {
			f.Values.addTo(c.values)
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
func (m *windowMerge) columns(b *batchJSON) []*featureJSON {
	out := make([]*featureJSON, 0, len(m.cols))
	out = append(out, b.Features...)
	for _, f := range []*featureJSON{b.Prediction, b.Confidence, b.Label} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// check validates b against the reference as profile.Decode, profile.Merge
// and drift.Compare would, before anything is added.
func (m *windowMerge) check(b *batchJSON) error {
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
		if err := checkColumn(m.cols[i], f); err != nil {
			return fmt.Errorf("feature %q: %w", m.cols[i].ref.Name, err)
		}
	}
	return nil
}

func checkColumn(c *columnSum, f *featureJSON) error {
	r := c.ref
	switch {
	case f.Name != r.Name || f.Kind != r.Kind:
		return fmt.Errorf("batch has %s %q in its place", f.Kind, f.Name)
	case f.Missing < 0:
		return fmt.Errorf("missing count %d is negative", f.Missing)
	case f.UnseenCount < 0:
		return fmt.Errorf("unseen count %d is negative", f.UnseenCount)
	case (c.grid != nil) != (f.Grid != nil) || (c.values != nil) != (f.Values != nil):
		return errors.New("histograms do not match the reference's")
	case f.Grid != nil && f.Grid.size != len(c.grid):
		return fmt.Errorf("%d grid bins, reference has %d", f.Grid.size, len(c.grid))
	case f.Values != nil && f.Values.size != len(c.values):
		return fmt.Errorf("%d value bins, reference has %d", f.Values.size, len(c.values))
	}
	for _, u := range f.Unseen {
		if u.Count < 0 {
			return fmt.Errorf("unseen %q count %d is negative", u.Name, u.Count)
		}
	}
	if f.Grid == nil {
		return nil
	}
	switch {
	case f.Moments == nil:
		return errors.New("no moments")
	case f.Moments.Count != f.Grid.total():
		return fmt.Errorf("moments count %d != grid total %d", f.Moments.Count, f.Grid.total())
	case len(f.TailSums) != 2 || math.IsNaN(f.TailSums[0]+f.TailSums[1]) || math.IsInf(f.TailSums[0]+f.TailSums[1], 0):
		return errors.New("tail_sums: want two finite sums")
	case f.Values != nil && f.Values.total() != f.Grid.total():
		return fmt.Errorf("value counts total %d != grid total %d", f.Values.total(), f.Grid.total())
	}
	return nil
}

func addLatency(h *profile.LatencyHistogram, l *latencyJSON) *profile.LatencyHistogram {
	if l == nil {
		return h
	}
	if h == nil {
		h = profile.NewLatencyHistogram()
	}
	if l.Counts != nil {
		l.Counts.addTo(h.Counts)
	}
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
	n := len(m.ref.Features)
	for i, c := range m.cols {
		f := &profile.Feature{Name: c.ref.Name, Kind: c.ref.Kind, Missing: c.missing, Grid: c.grid, Values: c.values}
		if c.grid != nil {
			mm := c.moments
			f.Moments = &mm
			f.TailSums = []float64{c.tails[0], c.tails[1]}
		}
		f.UnseenCount = c.unseenCount
		f.Unseen = profile.TopNames(c.unseen, profile.UnseenKept)
		switch {
		case i < n:
			p.Features = append(p.Features, f)
		case c.ref == m.ref.Prediction:
			p.Prediction = f
		case c.ref == m.ref.Confidence:
			p.Confidence = f
		case c.ref == m.ref.Label:
			p.Label = f
		}
	}
	return p
}
