package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// SamplingOptions configure FromReference.
type SamplingOptions struct {
	// WindowSize is the number of records in one window (required).
	WindowSize int
	// Draws is the number of simulated windows (default 1000).
	Draws int
	// Quantile and WarnQuantile of the null distribution give the drift and
	// warn thresholds (defaults 0.99 and 0.95).
	Quantile, WarnQuantile float64
	// Seed makes the draws reproducible (default 1).
	Seed uint64
}

func (o *SamplingOptions) defaults() error {
	if o.WindowSize < 1 {
		return fmt.Errorf("window size %d: need at least 1 record", o.WindowSize)
	}
	if o.Draws == 0 {
		o.Draws = 1000
	}
	if o.Quantile == 0 {
		o.Quantile = 0.99
	}
	if o.WarnQuantile == 0 {
		o.WarnQuantile = 0.95
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	switch {
	case o.Draws < 20:
		return fmt.Errorf("draws %d: need at least 20", o.Draws)
	case !(o.Quantile > 0 && o.Quantile < 1) || !(o.WarnQuantile > 0 && o.WarnQuantile <= o.Quantile):
		return fmt.Errorf("quantiles warn %g, drift %g: want 0 < warn <= drift < 1", o.WarnQuantile, o.Quantile)
	}
	return nil
}

// FromReference calibrates thresholds from the sampling noise of windows of
// opts.WindowSize records drawn from the reference distribution. The
// reference itself is a sample too, so each simulated window is compared
// with a replicate reference of the reference's own size drawn from the same
// distribution over the same bins: the statistics' null distributions then
// carry both sides' noise (for a reference much larger than the window, the
// window's noise dominates).
func FromReference(ctx context.Context, ref *profile.Profile, opts SamplingOptions) (*drift.Calibration, error) {
	if ref == nil || ref.Type != profile.Reference {
		return nil, errors.New("calibrate: need a reference profile")
	}
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("calibrate: %w", err)
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	samples := map[string]map[drift.Method][]float64{}
	for i := range opts.Draws {
		if i%50 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("calibrate: %w", ctx.Err())
		}
		cur := drawWindow(ref, opts.WindowSize, rng)
		rep, err := drift.Compare(replicate(ref, rng), cur, drift.Config{})
		if err != nil {
			return nil, fmt.Errorf("calibrate: compare draw %d: %w", i, err)
		}
		for _, f := range rep.Features {
			collect(samples, f)
		}
	}
	cal := &drift.Calibration{
		Method:       "sampling",
		WindowSize:   opts.WindowSize,
		Quantile:     opts.Quantile,
		WarnQuantile: opts.WarnQuantile,
		Draws:        opts.Draws,
		Seed:         opts.Seed,
		Features:     map[string]map[drift.Method]drift.Thresholds{},
	}
	for name, byMethod := range samples {
		cal.Features[name] = map[drift.Method]drift.Thresholds{}
		for m, values := range byMethod {
			slices.Sort(values)
			t := drift.Thresholds{Warn: quantile(values, opts.WarnQuantile), Drift: quantile(values, opts.Quantile)}
			if m.PValue() {
				t = drift.Thresholds{Warn: quantile(values, 1-opts.WarnQuantile), Drift: quantile(values, 1-opts.Quantile)}
			}
			cal.Features[name][m] = t
		}
	}
	return cal, nil
}

// collect appends the statistics of one feature of one window.
func collect(samples map[string]map[drift.Method][]float64, f drift.FeatureResult) {
	byMethod := samples[f.Name]
	if byMethod == nil {
		byMethod = map[drift.Method][]float64{}
		samples[f.Name] = byMethod
	}
	for _, m := range drift.Methods {
		if v := f.Statistic(m); v != nil {
			byMethod[m] = append(byMethod[m], *v)
		}
	}
}

// quantile of sorted values with linear interpolation.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (sorted[lo+1]-sorted[lo])*(pos-float64(lo))
}

// drawWindow simulates the batch profile of n records drawn from the
// reference distribution: per feature, the missing count is binomial with the
// reference's missing rate and the present values are multinomial over the
// reference's bins. Moments and tail sums follow the reference's, scaled to
// the drawn counts.
func drawWindow(ref *profile.Profile, n int, rng *rand.Rand) *profile.Profile {
	cur := &profile.Profile{
		SchemaVersion: profile.SchemaVersion,
		Type:          profile.Batch,
		Model:         ref.Model,
		Version:       ref.Version,
		Fingerprint:   ref.Fingerprint,
		Rows:          int64(n),
	}
	for _, f := range ref.Features {
		cur.Features = append(cur.Features, drawFeature(f, n, rng))
	}
	return cur
}

// replicate returns a reference profile with ref's bins and counts drawn
// anew from ref's distribution, each feature keeping its number of records.
func replicate(ref *profile.Profile, rng *rand.Rand) *profile.Profile {
	out := *ref
	out.Features = make([]*profile.Feature, len(ref.Features))
	for i, f := range ref.Features {
		drawn := drawFeature(f, int(f.Present()+f.Missing), rng)
		nf := *f
		nf.Grid, nf.Values, nf.Missing, nf.Moments, nf.TailSums = drawn.Grid, drawn.Values, drawn.Missing, drawn.Moments, drawn.TailSums
		out.Features[i] = &nf
	}
	return &out
}

func drawFeature(f *profile.Feature, n int, rng *rand.Rand) *profile.Feature {
	present := f.Present()
	total := present + f.Missing
	out := &profile.Feature{Name: f.Name, Kind: f.Kind}
	if total == 0 {
		out.Missing = int64(n)
		return fill(out, f, nil, nil)
	}
	out.Missing = binomial(int64(n), float64(f.Missing)/float64(total), rng)
	m := int64(n) - out.Missing
	switch f.Kind {
	case profile.Categorical:
		return fill(out, f, nil, multinomial(m, f.Values, rng))
	case profile.Discrete:
		v := multinomial(m, f.Values, rng)
		return fill(out, f, v, v)
	}
	return fill(out, f, multinomial(m, f.Grid, rng), nil)
}

// fill sets the drawn counts of out, and moments and tail sums scaled from
// the reference feature f.
func fill(out, f *profile.Feature, grid, values profile.Counts) *profile.Feature {
	switch f.Kind {
	case profile.Categorical:
		if values == nil {
			values = make(profile.Counts, len(f.Values))
		}
		out.Values = values
		return out
	case profile.Discrete:
		if values == nil {
			values = make(profile.Counts, len(f.Values))
		}
		out.Values, out.Grid = values, slices.Clone(values)
	default:
		if grid == nil {
			grid = make(profile.Counts, len(f.Grid))
		}
		out.Grid = grid
	}
	m := *f.Moments
	c := out.Grid.Total()
	if m.Count > 0 {
		m.M2 *= float64(c) / float64(m.Count)
	}
	m.Count = c
	out.Moments = &m
	out.TailSums = []float64{scaleTail(f, out, 0), scaleTail(f, out, len(f.Grid)-1)}
	return out
}

// scaleTail is the drawn count of an open-ended bin times the mean of the
// reference's values in it.
func scaleTail(f, out *profile.Feature, bin int) float64 {
	if f.Grid[bin] == 0 {
		return 0
	}
	sum := f.TailSums[0]
	if bin != 0 {
		sum = f.TailSums[1]
	}
	return sum / float64(f.Grid[bin]) * float64(out.Grid[bin])
}

// multinomial draws n items over the bins with probabilities proportional to
// weights, by conditional binomials: cost proportional to the bins, not n.
func multinomial(n int64, weights profile.Counts, rng *rand.Rand) profile.Counts {
	out := make(profile.Counts, len(weights))
	rest := float64(weights.Total())
	for i, w := range weights {
		if n == 0 || rest <= 0 {
			break
		}
		if w == 0 {
			continue
		}
		p := math.Min(1, float64(w)/rest)
		k := binomial(n, p, rng)
		out[i] = k
		n -= k
		rest -= float64(w)
	}
	return out
}

func binomial(n int64, p float64, rng *rand.Rand) int64 {
	switch {
	case n == 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	return int64(distuv.Binomial{N: float64(n), P: p, Src: rng}.Rand())
}
