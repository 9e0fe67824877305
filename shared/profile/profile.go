package profile

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// SchemaVersion is the version of the profile JSON this package reads and
// writes. A profile of another version is rejected with ErrSchemaVersion.
const SchemaVersion = 1

// OtherCategory names the bucket that pools the categories a reference did not
// keep (and, in a batch, categories the reference never saw).
const OtherCategory = "__other__"

// MaxMagnitude bounds the absolute value of a numeric value. Beyond it the
// squares that the variance is made of overflow float64, so such values (in
// practice always upstream bugs) are rejected with an error instead of
// turning the profile's moments into infinities.
const MaxMagnitude = 1e150

// checkNumber rejects non-finite values and values beyond MaxMagnitude.
func checkNumber(v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("non-finite number %g", v)
	case math.Abs(v) > MaxMagnitude:
		return fmt.Errorf("number %g is beyond ±%g", v, MaxMagnitude)
	}
	return nil
}

// Kind is how a feature is profiled.
type Kind string

// The feature kinds.
const (
	// Numeric features have quantile bins: a fine grid and coarse PSI bins.
	Numeric Kind = "numeric"
	// Discrete features are numeric with few distinct reference values; each
	// value is its own bin (and its own category for PSI and chi-squared).
	Discrete Kind = "discrete"
	// Categorical features have named categories and an __other__ bucket.
	Categorical Kind = "categorical"
)

// Type says whether a profile describes reference data or a batch of live data.
type Type string

// The profile types.
const (
	Reference Type = "reference"
	Batch     Type = "batch"
)

// ErrSchemaVersion is returned when a profile has an unsupported schema_version.
var ErrSchemaVersion = errors.New("unsupported profile schema_version")

// Profile summarises a set of records.
type Profile struct {
	SchemaVersion int    `json:"schema_version"`
	Type          Type   `json:"type"`
	Model         string `json:"model,omitempty"`
	Version       string `json:"version,omitempty"`
	// Fingerprint identifies the reference bins; a batch profile carries the
	// fingerprint of the reference it was counted against.
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	// Settings are the build settings of a reference profile.
	Settings *Settings `json:"settings,omitempty"`
	// Rows is the number of records summarised.
	Rows     int64      `json:"rows"`
	Features []*Feature `json:"features"`
	// Prediction is the model output (categorical classes or a numeric value).
	Prediction *Feature `json:"prediction,omitempty"`
	// Confidence is the highest class score of each record, when scores exist.
	Confidence *Feature `json:"confidence,omitempty"`
	// Label is the true outcome, when the data has labels.
	Label *Feature `json:"label,omitempty"`
	// Calibration is the reference's accuracy by confidence, when the
	// reference data has predictions, labels and class scores.
	Calibration *Calibration `json:"calibration,omitempty"`
	// Errors counts records whose model call failed.
	Errors int64 `json:"errors,omitempty"`
	// Latency is the histogram of model latencies, when records carry them.
	Latency *LatencyHistogram `json:"latency,omitempty"`
	// EventTime names the reference's event-time column, when it had one;
	// TimeColumns are its other date-time columns. Neither is a feature.
	EventTime   string   `json:"event_time,omitempty"`
	TimeColumns []string `json:"time_columns,omitempty"`
	// Notes say how the reference's columns were read where their names did
	// not say it (date-time columns, score-like columns that are features,
	// values that are not numbers counted as missing).
	Notes []string `json:"notes,omitempty"`
	// FirstEvent and LastEvent bound the records' event times, when known.
	FirstEvent *time.Time `json:"first_event,omitempty"`
	LastEvent  *time.Time `json:"last_event,omitempty"`
	// Multivariate is the reconstruction model of the features (reference
	// profiles built with it; optional, older references have none).
	Multivariate *multivariate.Model `json:"multivariate,omitempty"`
	// Reconstruction summarises the reconstruction errors of the batch's
	// profiled records (batch profiles of a reference with a Multivariate
	// model).
	Reconstruction *multivariate.Summary `json:"reconstruction,omitempty"`
}

// Settings are the choices a reference profile was built with.
type Settings struct {
	Bins          int `json:"bins"`
	Grid          int `json:"grid"`
	MaxCategories int `json:"max_categories"`
	DiscreteMax   int `json:"discrete_max"`
}

// DefaultSettings are 10 PSI bins, a 1000-bin grid, at most 1000 categories
// and at most 20 distinct values for a numeric feature to be discrete.
func DefaultSettings() Settings {
	return Settings{Bins: 10, Grid: 1000, MaxCategories: 1000, DiscreteMax: 20}
}

// Feature is the profile of one column.
type Feature struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`

	// Edges are the fine grid edges of a numeric feature, or the distinct
	// reference values of a discrete one (reference profiles only). Value v
	// falls in bin i = number of edges strictly less than v.
	Edges []float64 `json:"edges,omitempty"`
	// CoarseEdges are the PSI bin edges of a numeric feature, a subset of Edges.
	CoarseEdges []float64 `json:"coarse_edges,omitempty"`
	// Categories are the kept categories of a categorical feature.
	Categories []string `json:"categories,omitempty"`

	// Grid counts values per fine bin (numeric and discrete): len(Edges)+1.
	Grid Counts `json:"grid,omitempty"`
	// Values counts values per category (categorical: len(Categories)+1;
	// discrete: len(Edges)+1); the last bin is __other__.
	Values Counts `json:"values,omitempty"`
	// Missing counts null or absent values.
	Missing int64 `json:"missing"`
	// Moments of the non-missing values (numeric and discrete).
	Moments *Moments `json:"moments,omitempty"`
	// TailSums are the sums of the values in the first and the last grid bin
	// (numeric and discrete): the open-ended bins, where the Wasserstein
	// distance needs more than counts to be accurate.
	TailSums []float64 `json:"tail_sums,omitempty"`
	// Pooled holds the hashes of the categories a reference saw but did not
	// keep (they count in __other__), the most frequent MaxPooledHashes of
	// them; PooledUnhashed counts the pooled categories beyond that cap. They
	// tell a rare reference category from one never seen (reference
	// categorical features only).
	Pooled         HashSet `json:"pooled,omitempty"`
	PooledUnhashed int64   `json:"pooled_unhashed,omitempty"`

	// UnseenCount counts values the reference never saw (batch profiles):
	// outside its categories and its pooled hashes, or, for a discrete
	// feature, outside its values. A value of a pooled reference category
	// counts in __other__ but is not unseen.
	UnseenCount int64 `json:"unseen_count,omitempty"`
	// Unseen are the most frequent values the reference never saw.
	Unseen []NameCount `json:"unseen,omitempty"`
}

// Calibration is how often a classifier was right at each level of its
// highest class score, on the reference data: per confidence bin (value v
// falls in bin i = number of edges strictly less than v), how many records
// had a label and how many of those were predicted right. The drift function
// uses it to estimate accuracy before labels arrive (NannyML's CBPE idea).
type Calibration struct {
	Edges    []float64 `json:"edges"`
	Labelled Counts    `json:"labelled"`
	Correct  Counts    `json:"correct"`
}

// CalibrationEdges are the confidence bins of a calibration table: twenty
// equal bins over [0, 1].
func CalibrationEdges() []float64 {
	edges := make([]float64, 19)
	for i := range edges {
		edges[i] = float64(i+1) / 20
	}
	return edges
}

// Validate checks the table's shape and counts.
func (c *Calibration) Validate() error {
	if len(c.Labelled) != len(c.Edges)+1 || len(c.Correct) != len(c.Edges)+1 {
		return fmt.Errorf("calibration: %d edges need %d bins, have %d labelled and %d correct counts",
			len(c.Edges), len(c.Edges)+1, len(c.Labelled), len(c.Correct))
	}
	for i := 1; i < len(c.Edges); i++ {
		if !(c.Edges[i-1] < c.Edges[i]) {
			return fmt.Errorf("calibration: edges not increasing at %d", i)
		}
	}
	for i := range c.Labelled {
		if c.Labelled[i] < 0 || c.Correct[i] < 0 || c.Correct[i] > c.Labelled[i] {
			return fmt.Errorf("calibration: bin %d has %d correct of %d", i, c.Correct[i], c.Labelled[i])
		}
	}
	return nil
}

// NameCount is a category name and how often it occurred.
type NameCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// Present is the number of non-missing values.
func (f *Feature) Present() int64 {
	if f.Kind == Categorical {
		return f.Values.Total()
	}
	return f.Grid.Total()
}

// Feature returns the feature named name, or nil.
func (p *Profile) Feature(name string) *Feature {
	for _, f := range p.Features {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Columns are the profile's features, prediction, confidence and label, in
// that order, skipping the ones it does not have.
func (p *Profile) Columns() []*Feature {
	out := make([]*Feature, 0, len(p.Features)+3)
	out = append(out, p.Features...)
	for _, f := range []*Feature{p.Prediction, p.Confidence, p.Label} {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}

// fingerprint hashes the bins of every column, so that batch profiles counted
// against different references are never merged or compared by mistake.
func fingerprint(p *Profile) string {
	h := sha256.New()
	var buf [8]byte
	role := func(r string, f *Feature) {
		if f == nil {
			return
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00", r, f.Name, f.Kind, len(f.Edges))
		for _, e := range f.Edges {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(e))
			h.Write(buf[:])
		}
		fmt.Fprintf(h, "%d\x00", len(f.CoarseEdges))
		for _, e := range f.CoarseEdges {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(e))
			h.Write(buf[:])
		}
		fmt.Fprintf(h, "%d\x00", len(f.Categories))
		for _, c := range f.Categories {
			fmt.Fprintf(h, "%s\x00", c)
		}
	}
	for _, f := range p.Features {
		role("feature", f)
	}
	role("prediction", p.Prediction)
	role("confidence", p.Confidence)
	role("label", p.Label)
	if m := p.Multivariate; m != nil {
		// only when present, so that references without a model keep their fingerprint
		fmt.Fprintf(h, "multivariate\x00%d\x00%d\x00%d\x00", len(m.Features), len(m.Components), len(m.Edges))
		for _, f := range m.Features {
			fmt.Fprintf(h, "%s\x00", f.Name)
		}
		for _, v := range append(slices.Concat(m.Components...), m.Edges...) {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v))
			h.Write(buf[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Encode writes the profile as indented JSON.
func (p *Profile) Encode() ([]byte, error) {
	data, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return append(data, '\n'), nil
}

// Validate checks that the profile is internally consistent: known type and
// kinds, sorted edges, bin counts matching the bins of a reference.
func (p *Profile) Validate() error {
	if p.Type != Reference && p.Type != Batch {
		return fmt.Errorf("type %q: want %q or %q", p.Type, Reference, Batch)
	}
	if p.Rows < 0 {
		return fmt.Errorf("rows %d is negative", p.Rows)
	}
	if p.Calibration != nil {
		if err := p.Calibration.Validate(); err != nil {
			return err
		}
	}
	if p.Latency != nil && len(p.Latency.Counts) != latencyBuckets {
		return fmt.Errorf("latency histogram has %d buckets, want %d", len(p.Latency.Counts), latencyBuckets)
	}
	seen := make(map[string]bool, len(p.Features))
	for i, f := range p.Features {
		if f == nil {
			return fmt.Errorf("feature %d is null", i)
		}
		if seen[f.Name] {
			return fmt.Errorf("feature %q appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	for _, f := range p.Columns() {
		if err := f.validate(p.Type); err != nil {
			return fmt.Errorf("feature %q: %w", f.Name, err)
		}
	}
	if p.Multivariate != nil {
		if p.Type != Reference {
			return errors.New("a batch profile carries a multivariate model")
		}
		if err := p.Multivariate.Validate(); err != nil {
			return err
		}
		for _, f := range p.Multivariate.Features {
			if p.Feature(f.Name) == nil {
				return fmt.Errorf("multivariate model: feature %q is not a feature of the profile", f.Name)
			}
		}
	}
	if s := p.Reconstruction; s != nil {
		if err := s.CheckCounts(); err != nil {
			return fmt.Errorf("reconstruction: %w", err)
		}
	}
	return nil
}

// MultivariateSpecs lists the reference's features as the multivariate
// model fits them: categorical features as categorical, every other
// (continuous or discrete numeric) as numeric, in the profile's order.
func (p *Profile) MultivariateSpecs() []multivariate.Spec {
	specs := make([]multivariate.Spec, 0, len(p.Features))
	for _, f := range p.Features {
		k := multivariate.Numeric
		if f.Kind == Categorical {
			k = multivariate.Categorical
		}
		specs = append(specs, multivariate.Spec{Name: f.Name, Kind: k})
	}
	return specs
}

// SetMultivariate attaches a reconstruction model to a reference profile
// and updates its fingerprint, so that batch profiles counted without it
// (or with another) are never merged with those counted with it.
func (p *Profile) SetMultivariate(m *multivariate.Model) error {
	if p.Type != Reference {
		return errors.New("set multivariate model: not a reference profile")
	}
	p.Multivariate = m
	if err := p.Validate(); err != nil {
		p.Multivariate = nil
		return fmt.Errorf("set multivariate model: %w", err)
	}
	p.Fingerprint = fingerprint(p)
	return nil
}

func (f *Feature) validate(t Type) error {
	if f.Name == "" {
		return errors.New("empty name")
	}
	if f.Missing < 0 {
		return fmt.Errorf("missing count %d is negative", f.Missing)
	}
	if f.UnseenCount < 0 || f.PooledUnhashed < 0 {
		return fmt.Errorf("unseen count %d or unhashed pooled count %d is negative", f.UnseenCount, f.PooledUnhashed)
	}
	if n := len(f.Values); n > 0 && f.UnseenCount > f.Values[n-1] {
		return fmt.Errorf("unseen count %d exceeds the %s count %d", f.UnseenCount, OtherCategory, f.Values[n-1])
	}
	switch f.Kind {
	case Numeric, Discrete:
		if f.Moments == nil {
			return errors.New("no moments")
		}
		if f.Moments.Count != f.Grid.Total() {
			return fmt.Errorf("moments count %d != grid total %d", f.Moments.Count, f.Grid.Total())
		}
		if len(f.TailSums) != 2 || math.IsNaN(f.TailSums[0]+f.TailSums[1]) || math.IsInf(f.TailSums[0]+f.TailSums[1], 0) {
			return errors.New("tail_sums: want two finite sums")
		}
		if f.Kind == Discrete && f.Values.Total() != f.Grid.Total() {
			return fmt.Errorf("value counts total %d != grid total %d", f.Values.Total(), f.Grid.Total())
		}
	case Categorical:
	default:
		return fmt.Errorf("kind %q: want numeric, discrete or categorical", f.Kind)
	}
	if t != Reference {
		return nil
	}
	for i := 1; i < len(f.Edges); i++ {
		if !(f.Edges[i-1] < f.Edges[i]) {
			return fmt.Errorf("edges not strictly increasing at %d", i)
		}
	}
	for i := 1; i < len(f.CoarseEdges); i++ {
		if !(f.CoarseEdges[i-1] < f.CoarseEdges[i]) {
			return fmt.Errorf("coarse edges not strictly increasing at %d", i)
		}
	}
	for _, e := range append(append([]float64(nil), f.Edges...), f.CoarseEdges...) {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return errors.New("non-finite edge")
		}
	}
	return f.checkShape(f)
}

// checkShape verifies that counts c has the bins of reference feature f.
func (f *Feature) checkShape(c *Feature) error {
	if c.Kind != f.Kind {
		return fmt.Errorf("kind %s, reference has %s", c.Kind, f.Kind)
	}
	switch f.Kind {
	case Numeric:
		if len(c.Grid) != len(f.Edges)+1 {
			return fmt.Errorf("%d grid bins, reference has %d", len(c.Grid), len(f.Edges)+1)
		}
	case Discrete:
		if len(c.Grid) != len(f.Edges)+1 || len(c.Values) != len(f.Edges)+1 {
			return fmt.Errorf("%d grid and %d value bins, reference has %d", len(c.Grid), len(c.Values), len(f.Edges)+1)
		}
	case Categorical:
		if len(c.Values) != len(f.Categories)+1 {
			return fmt.Errorf("%d category bins, reference has %d", len(c.Values), len(f.Categories)+1)
		}
	}
	return nil
}
