package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/monitor"
)

// Datapoint is one value that would have reached CloudWatch.
type Datapoint struct {
	Namespace  string            `json:"namespace"`
	Metric     string            `json:"metric"`
	Dimensions map[string]string `json:"dimensions"`
	Timestamp  time.Time         `json:"timestamp"`
	Value      float64           `json:"value"`
	Unit       string            `json:"unit,omitempty"`
	// PublishedAt is when it was sent (the simulated clock); Source is
	// PutMetricData (the drift function) or EMF (the ingest function's
	// log lines).
	PublishedAt time.Time `json:"published_at"`
	Source      string    `json:"source"`
}

// The sources of datapoints.
const (
	SourcePutMetricData = "PutMetricData"
	SourceEMF           = "EMF"
)

// MetricSink keeps every datapoint that would have been published to
// CloudWatch: it is the drift job's monitor.Publisher, and its EMF writer
// takes the ingest function's Embedded Metric Format log lines. Like
// CloudWatch it keeps each value as a sample; statistics over a period are
// computed when asked. It is safe for concurrent use.
type MetricSink struct {
	namespace string
	now       func() time.Time

	mu     sync.Mutex
	points []Datapoint
	series map[string][]int // namespace|metric|dimensions -> indexes into points
	emfBuf []byte
}

var _ monitor.Publisher = (*MetricSink)(nil)

// NewMetricSink returns an empty sink for namespace; now stamps
// PublishedAt.
func NewMetricSink(namespace string, now func() time.Time) *MetricSink {
	return &MetricSink{namespace: namespace, now: now, series: map[string][]int{}}
}

// add appends points and indexes them by series; s.mu is held.
func (s *MetricSink) add(points []Datapoint) {
	for _, p := range points {
		k := seriesIndex(p.Namespace, SeriesKey{Metric: p.Metric, Dimensions: dimensionKey(p.Dimensions)})
		s.series[k] = append(s.series[k], len(s.points))
		s.points = append(s.points, p)
	}
}

func seriesIndex(namespace string, key SeriesKey) string {
	return namespace + "|" + key.Metric + "|" + key.Dimensions
}

// Publish implements monitor.Publisher. It refuses what PutMetricData would
// refuse (metrics.CheckCloudWatchData), so the demo cannot accept data the
// real publisher would not send.
func (s *MetricSink) Publish(ctx context.Context, data []types.MetricDatum) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := metrics.CheckCloudWatchData(data); err != nil {
		return fmt.Errorf("local metric sink: %w", err)
	}
	at := s.now()
	var add []Datapoint
	for _, d := range data {
		dims := make(map[string]string, len(d.Dimensions))
		for _, dim := range d.Dimensions {
			dims[deref(dim.Name)] = deref(dim.Value)
		}
		ts := at
		if d.Timestamp != nil {
			ts = d.Timestamp.UTC()
		}
		base := Datapoint{Namespace: s.namespace, Metric: deref(d.MetricName), Dimensions: dims, Timestamp: ts,
			Unit: string(d.Unit), PublishedAt: at, Source: SourcePutMetricData}
		if d.Value != nil {
			p := base
			p.Value = *d.Value
			add = append(add, p)
		}
		for i, v := range d.Values {
			n := 1
			if i < len(d.Counts) {
				n = int(d.Counts[i])
			}
			for range n {
				p := base
				p.Value = v
				add = append(add, p)
			}
		}
	}
	s.mu.Lock()
	s.add(add)
	s.mu.Unlock()
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// EMF returns an io.Writer for metrics.NewEMFWriter: each Embedded Metric
// Format line written to it becomes datapoints, as CloudWatch Logs would
// extract them. A line that is not a valid EMF document is an error.
func (s *MetricSink) EMF() *EMFSink { return &EMFSink{sink: s} }

// EMFSink is the sink's Embedded Metric Format writer.
type EMFSink struct{ sink *MetricSink }

// Write implements io.Writer: complete lines are decoded, a partial line is
// kept for the next Write.
func (e *EMFSink) Write(p []byte) (int, error) {
	s := e.sink
	s.mu.Lock()
	s.emfBuf = append(s.emfBuf, p...)
	var lines [][]byte
	for {
		i := bytes.IndexByte(s.emfBuf, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, slices.Clone(s.emfBuf[:i]))
		s.emfBuf = s.emfBuf[i+1:]
	}
	s.mu.Unlock()
	at := s.now()
	var add []Datapoint
	for _, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		pts, err := DecodeEMF(line)
		if err != nil {
			return 0, fmt.Errorf("local metric sink: %w", err)
		}
		for i := range pts {
			pts[i].PublishedAt = at
		}
		add = append(add, pts...)
	}
	s.mu.Lock()
	s.add(add)
	s.mu.Unlock()
	return len(p), nil
}

// DecodeEMF decodes one Embedded Metric Format document into its
// datapoints (one per value), as CloudWatch Logs extracts them: each
// declared metric of each directive, for each of its dimension sets, with
// the dimension values taken from the document's members.
func DecodeEMF(line []byte) ([]Datapoint, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		return nil, fmt.Errorf("EMF line: %w", err)
	}
	var meta struct {
		Timestamp         *int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	}
	raw, ok := doc["_aws"]
	if !ok {
		return nil, errors.New("EMF line: no _aws member")
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("EMF line: _aws: %w", err)
	}
	if meta.Timestamp == nil {
		return nil, errors.New("EMF line: _aws.Timestamp is missing")
	}
	if len(meta.CloudWatchMetrics) == 0 {
		return nil, errors.New("EMF line: _aws.CloudWatchMetrics is empty")
	}
	ts := time.UnixMilli(*meta.Timestamp).UTC()
	str := func(name string) (string, error) {
		var v string
		r, ok := doc[name]
		if !ok {
			return "", fmt.Errorf("EMF line: dimension %s has no member", name)
		}
		if err := json.Unmarshal(r, &v); err != nil {
			return "", fmt.Errorf("EMF line: dimension %s: want a string", name)
		}
		return v, nil
	}
	values := func(name string) ([]float64, error) {
		r, ok := doc[name]
		if !ok {
			return nil, fmt.Errorf("EMF line: metric %s has no member", name)
		}
		var one float64
		if err := json.Unmarshal(r, &one); err == nil {
			return []float64{one}, nil
		}
		var many []float64
		if err := json.Unmarshal(r, &many); err != nil {
			return nil, fmt.Errorf("EMF line: metric %s: want a number or an array of numbers", name)
		}
		return many, nil
	}
	var out []Datapoint
	for i, d := range meta.CloudWatchMetrics {
		if d.Namespace == "" {
			return nil, fmt.Errorf("EMF line: directive %d has no Namespace", i)
		}
		sets := d.Dimensions
		if len(sets) == 0 {
			sets = [][]string{{}}
		}
		for _, set := range sets {
			dims := make(map[string]string, len(set))
			for _, name := range set {
				v, err := str(name)
				if err != nil {
					return nil, err
				}
				dims[name] = v
			}
			for _, m := range d.Metrics {
				if m.Name == "" {
					return nil, fmt.Errorf("EMF line: directive %d declares a metric without a Name", i)
				}
				vs, err := values(m.Name)
				if err != nil {
					return nil, err
				}
				for _, v := range vs {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						return nil, fmt.Errorf("EMF line: metric %s: non-finite value", m.Name)
					}
					out = append(out, Datapoint{Namespace: d.Namespace, Metric: m.Name, Dimensions: dims,
						Timestamp: ts, Value: v, Unit: m.Unit, Source: SourceEMF})
				}
			}
		}
	}
	return out, nil
}

// Points returns a copy of every datapoint, in the order received.
func (s *MetricSink) Points() []Datapoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.points)
}

// SeriesKey names one time series: a metric and its dimensions.
type SeriesKey struct {
	Metric     string
	Dimensions string // "Model=x" or "Model=x,Feature=y", sorted by name
}

// dimensionKey writes dims as name=value pairs sorted by name.
func dimensionKey(dims map[string]string) string {
	names := make([]string, 0, len(dims))
	for n := range dims {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + dims[n]
	}
	return strings.Join(parts, ",")
}

// Samples returns the values of the series published for the period
// [start, start+period) up to asOf (published at or before it), in the
// order received.
func (s *MetricSink) Samples(namespace string, key SeriesKey, start time.Time, period time.Duration, asOf time.Time) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []float64
	end := start.Add(period)
	for _, i := range s.series[seriesIndex(namespace, key)] {
		p := &s.points[i]
		if p.PublishedAt.After(asOf) || p.Timestamp.Before(start) || !p.Timestamp.Before(end) {
			continue
		}
		out = append(out, p.Value)
	}
	return out
}

// DimensionValues returns the values the dimension dim takes in the
// series of metric, sorted.
func (s *MetricSink) DimensionValues(namespace, metric, dim string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, p := range s.points {
		if v, ok := p.Dimensions[dim]; ok && p.Namespace == namespace && p.Metric == metric {
			seen[v] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Statistic computes a CloudWatch statistic (Maximum, Minimum, Average,
// Sum, SampleCount, pNN) of samples; ok is false without samples or for an
// unknown statistic.
func Statistic(stat string, samples []float64) (v float64, ok bool) {
	if len(samples) == 0 {
		return 0, false
	}
	switch stat {
	case "Maximum":
		return slices.Max(samples), true
	case "Minimum":
		return slices.Min(samples), true
	case "Sum", "Average":
		sum := 0.0
		for _, x := range samples {
			sum += x
		}
		if stat == "Average" {
			return sum / float64(len(samples)), true
		}
		return sum, true
	case "SampleCount":
		return float64(len(samples)), true
	}
	// pNN: the NNth percentile, nearest rank.
	if len(stat) > 1 && stat[0] == 'p' {
		q, err := strconv.ParseFloat(stat[1:], 64)
		if err != nil || q <= 0 || q > 100 {
			return 0, false
		}
		sorted := slices.Clone(samples)
		slices.Sort(sorted)
		rank := int(math.Ceil(q / 100 * float64(len(sorted))))
		return sorted[max(rank, 1)-1], true
	}
	return 0, false
}
