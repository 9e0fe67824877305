package profile

import (
	"errors"
	"fmt"
)

// Merge adds batch profiles counted against the same reference. Counts add
// exactly, so Merge is associative and commutative in every count; means and
// second moments combine to rounding error. The most frequent unseen names are
// re-ranked from the names each part kept.
func Merge(parts ...*Profile) (*Profile, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge profiles: nothing to merge")
	}
	first := parts[0]
	out := &Profile{
		SchemaVersion: SchemaVersion,
		Type:          Batch,
		Model:         first.Model,
		Version:       first.Version,
		Fingerprint:   first.Fingerprint,
	}
	for i, p := range parts {
		if p.Type != Batch {
			return nil, fmt.Errorf("merge profiles: part %d is a %s profile, want batch", i, p.Type)
		}
		if p.Fingerprint != first.Fingerprint {
			return nil, fmt.Errorf("merge profiles: part %d was counted against reference %s, part 0 against %s", i, p.Fingerprint, first.Fingerprint)
		}
		if p.CreatedAt.After(out.CreatedAt) {
			out.CreatedAt = p.CreatedAt
		}
		out.Rows += p.Rows
		out.Errors += p.Errors
		if p.Latency != nil {
			if out.Latency == nil {
				out.Latency = NewLatencyHistogram()
			}
			if err := out.Latency.Merge(p.Latency); err != nil {
				return nil, fmt.Errorf("merge profiles: part %d: %w", i, err)
			}
		}
		if p.Reconstruction != nil {
			if out.Reconstruction == nil {
				s := p.Reconstruction.Clone()
				out.Reconstruction = &s
			} else if err := out.Reconstruction.Merge(*p.Reconstruction); err != nil {
				return nil, fmt.Errorf("merge profiles: part %d: %w", i, err)
			}
		}
		if p.FirstEvent != nil && (out.FirstEvent == nil || p.FirstEvent.Before(*out.FirstEvent)) {
			t := *p.FirstEvent
			out.FirstEvent = &t
		}
		if p.LastEvent != nil && (out.LastEvent == nil || p.LastEvent.After(*out.LastEvent)) {
			t := *p.LastEvent
			out.LastEvent = &t
		}
	}
	var err error
	if out.Features, err = mergeFeatureLists(parts); err != nil {
		return nil, err
	}
	roles := []struct {
		name string
		get  func(*Profile) *Feature
		set  func(*Feature)
	}{
		{"prediction", func(p *Profile) *Feature { return p.Prediction }, func(f *Feature) { out.Prediction = f }},
		{"confidence", func(p *Profile) *Feature { return p.Confidence }, func(f *Feature) { out.Confidence = f }},
		{"label", func(p *Profile) *Feature { return p.Label }, func(f *Feature) { out.Label = f }},
	}
	for _, r := range roles {
		fs := make([]*Feature, len(parts))
		for i, p := range parts {
			fs[i] = r.get(p)
		}
		merged, err := mergeFeatures(fs)
		if err != nil {
			return nil, fmt.Errorf("merge profiles: %s: %w", r.name, err)
		}
		r.set(merged)
	}
	return out, nil
}

func mergeFeatureLists(parts []*Profile) ([]*Feature, error) {
	n := len(parts[0].Features)
	out := make([]*Feature, n)
	for j := range n {
		fs := make([]*Feature, len(parts))
		for i, p := range parts {
			if len(p.Features) != n {
				return nil, fmt.Errorf("merge profiles: part %d has %d features, part 0 has %d", i, len(p.Features), n)
			}
			fs[i] = p.Features[j]
		}
		merged, err := mergeFeatures(fs)
		if err != nil {
			return nil, fmt.Errorf("merge profiles: feature %q: %w", parts[0].Features[j].Name, err)
		}
		out[j] = merged
	}
	return out, nil
}

// mergeFeatures merges one column across parts; all nil means the column is
// absent everywhere.
func mergeFeatures(fs []*Feature) (*Feature, error) {
	if fs[0] == nil {
		for i, f := range fs {
			if f != nil {
				return nil, fmt.Errorf("present in part %d but not in part 0", i)
			}
		}
		return nil, nil
	}
	first := fs[0]
	out := &Feature{Name: first.Name, Kind: first.Kind}
	if first.Grid != nil {
		out.Grid = make(Counts, len(first.Grid))
		out.Moments = &Moments{}
		out.TailSums = []float64{0, 0}
	}
	if first.Values != nil {
		out.Values = make(Counts, len(first.Values))
	}
	unseen := map[string]int64{}
	for i, f := range fs {
		if f == nil {
			return nil, fmt.Errorf("absent in part %d", i)
		}
		if f.Name != first.Name || f.Kind != first.Kind || len(f.Grid) != len(first.Grid) || len(f.Values) != len(first.Values) {
			return nil, fmt.Errorf("part %d has %s %q with %d/%d bins, part 0 has %s %q with %d/%d bins",
				i, f.Kind, f.Name, len(f.Grid), len(f.Values), first.Kind, first.Name, len(first.Grid), len(first.Values))
		}
		addCounts(out.Grid, f.Grid)
		addCounts(out.Values, f.Values)
		out.Missing += f.Missing
		out.UnseenCount += f.UnseenCount
		if out.Moments != nil && f.Moments != nil {
			*out.Moments = out.Moments.Merge(*f.Moments)
		}
		if out.TailSums != nil && len(f.TailSums) == 2 {
			out.TailSums[0] += f.TailSums[0]
			out.TailSums[1] += f.TailSums[1]
		}
		for _, u := range f.Unseen {
			unseen[u.Name] += u.Count
		}
	}
	out.Unseen = TopNames(unseen, UnseenKept)
	return out, nil
}

func addCounts(dst, src Counts) {
	for i, v := range src {
		dst[i] += v
	}
}
