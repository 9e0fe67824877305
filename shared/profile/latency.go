package profile

import (
	"fmt"
	"math"
)

// Latency histogram scheme: bucket 0 holds latencies up to LatencyMin
// milliseconds, bucket i (1..n-2) holds (LatencyMin·r^(i-1), LatencyMin·r^i]
// with r = 2^(1/8) (about 9 % wide, so a percentile read from the histogram is
// within 4.5 % of the exact one), and the last bucket holds everything above
// LatencyMax. The scheme does not depend on the reference, so the ingest
// function can profile latencies of any model and any two histograms merge.
const (
	LatencyMin       = 0.01      // milliseconds
	LatencyMax       = 3_600_000 // one hour, in milliseconds
	latencyPerOctave = 8
)

// latencyBuckets is the number of buckets of the scheme.
var latencyBuckets = 2 + int(math.Ceil(math.Log2(LatencyMax/LatencyMin)*latencyPerOctave))

// LatencyHistogram counts model latencies in milliseconds.
type LatencyHistogram struct {
	Counts Counts  `json:"counts"`
	Sum    float64 `json:"sum_ms"`
	Max    float64 `json:"max_ms"`
}

// NewLatencyHistogram returns an empty histogram.
func NewLatencyHistogram() *LatencyHistogram {
	return &LatencyHistogram{Counts: make(Counts, latencyBuckets)}
}

// latencyBucket returns the bucket of a latency in milliseconds.
func latencyBucket(ms float64) int {
	switch {
	case ms <= LatencyMin:
		return 0
	case ms > LatencyMax:
		return latencyBuckets - 1
	}
	i := int(math.Ceil(math.Log2(ms/LatencyMin) * latencyPerOctave))
	return min(max(i, 1), latencyBuckets-2)
}

// latencyUpper is the upper bound of bucket i (+Inf for the last).
func latencyUpper(i int) float64 {
	if i >= latencyBuckets-1 {
		return math.Inf(1)
	}
	return LatencyMin * math.Exp2(float64(i)/latencyPerOctave)
}

// Add counts one latency; negative or non-finite latencies are rejected.
func (h *LatencyHistogram) Add(ms float64) error {
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 {
		return fmt.Errorf("latency %g ms: want a finite, non-negative number", ms)
	}
	h.Counts[latencyBucket(ms)]++
	h.Sum += ms
	h.Max = math.Max(h.Max, ms)
	return nil
}

// Count is the number of latencies counted.
func (h *LatencyHistogram) Count() int64 { return h.Counts.Total() }

// Mean is the mean latency, 0 when empty.
func (h *LatencyHistogram) Mean() float64 {
	n := h.Count()
	if n == 0 {
		return 0
	}
	return h.Sum / float64(n)
}

// Quantile returns the q-quantile (0 < q ≤ 1) of the latencies, interpolated
// geometrically inside its bucket and never above the observed maximum; 0
// when the histogram is empty.
func (h *LatencyHistogram) Quantile(q float64) float64 {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := q * float64(n)
	var cum float64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			frac := (rank - cum) / float64(c)
			var v float64
			switch {
			case i == 0:
				v = LatencyMin * frac
			case i == len(h.Counts)-1:
				v = h.Max
			default:
				lo, hi := latencyUpper(i-1), latencyUpper(i)
				v = lo * math.Pow(hi/lo, frac)
			}
			return math.Min(v, h.Max)
		}
		cum += float64(c)
	}
	return h.Max
}

// Merge adds o into h.
func (h *LatencyHistogram) Merge(o *LatencyHistogram) error {
	if o == nil {
		return nil
	}
	if len(o.Counts) != len(h.Counts) {
		return fmt.Errorf("merge latency histograms: %d buckets, want %d", len(o.Counts), len(h.Counts))
	}
	addCounts(h.Counts, o.Counts)
	h.Sum += o.Sum
	h.Max = math.Max(h.Max, o.Max)
	return nil
}
