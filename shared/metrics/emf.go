package metrics

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// EMF limits from the CloudWatch Embedded Metric Format specification.
const (
	// EMFMaxValues is how many values one metric may carry in one document;
	// EMFWriter splits longer value lists over several documents.
	EMFMaxValues = 100
	// EMFMaxMetrics is how many metrics one document may declare.
	EMFMaxMetrics = 100
	// EMFMaxDimensions is how many dimensions a dimension set may have.
	EMFMaxDimensions = 9
)

// EMFUnit is a CloudWatch metric unit, as named by MetricDatum.
type EMFUnit string

// The units modelwatch uses.
const (
	EMFCount        EMFUnit = "Count"
	EMFMilliseconds EMFUnit = "Milliseconds"
	EMFPercent      EMFUnit = "Percent"
	EMFNone         EMFUnit = "None"
)

// EMFMetric is one metric and its values. Every value is a data point; a
// metric with many values (such as one latency per record) lets CloudWatch
// compute percentiles of them.
type EMFMetric struct {
	Name   string
	Unit   EMFUnit
	Values []float64
}

// EMFDimension is one dimension of the metrics, e.g. Model=fraud.
type EMFDimension struct {
	Name, Value string
}

// EMFEntry is a set of metrics with one timestamp and one set of
// dimensions, plus optional properties: members that CloudWatch Logs
// Insights can search but that are not metrics (never put feature values
// there).
type EMFEntry struct {
	Timestamp  time.Time
	Dimensions []EMFDimension
	Metrics    []EMFMetric
	Properties map[string]string
}

// EMFWriter writes EMFEntry values as Embedded Metric Format documents, one
// JSON object per line, to w (os.Stdout in a Lambda function, whose log
// lines CloudWatch turns into metrics without an API call). It is safe for
// concurrent use; each document is written with a single Write.
type EMFWriter struct {
	namespace string
	mu        sync.Mutex
	w         io.Writer
	buf       []byte
}

// NewEMFWriter returns a writer of documents in namespace to w.
func NewEMFWriter(w io.Writer, namespace string) (*EMFWriter, error) {
	if err := checkEMFName("namespace", namespace); err != nil {
		return nil, err
	}
	return &EMFWriter{w: w, namespace: namespace}, nil
}

// Namespace returns the writer's CloudWatch namespace.
func (e *EMFWriter) Namespace() string { return e.namespace }

func checkEMFName(what, name string) error {
	if name == "" || len(name) > 255 || !utf8.ValidString(name) {
		return fmt.Errorf("emf: %s %q: want 1 to 255 bytes of UTF-8", what, name)
	}
	return nil
}

// Write writes the entry as one document, or as several when a metric has
// more than EMFMaxValues values: document k carries the k-th slice of 100
// values of each metric that has one. Metrics without values are left out;
// an entry without any value writes nothing. Non-finite values are an
// error, as are more than EMFMaxMetrics metrics or EMFMaxDimensions
// dimensions, and names that collide.
func (e *EMFWriter) Write(entry EMFEntry) error {
	if err := validateEMFEntry(entry); err != nil {
		return err
	}
	docs := 0
	for _, m := range entry.Metrics {
		docs = max(docs, (len(m.Values)+EMFMaxValues-1)/EMFMaxValues)
	}
	if docs == 0 {
		return nil
	}
	ts := entry.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	props := make([]string, 0, len(entry.Properties))
	for k := range entry.Properties {
		props = append(props, k)
	}
	sort.Strings(props)

	e.mu.Lock()
	defer e.mu.Unlock()
	for d := range docs {
		b := e.buf[:0]
		b = append(b, `{"_aws":{"Timestamp":`...)
		b = strconv.AppendInt(b, ts.UnixMilli(), 10)
		b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
		b = appendEMFString(b, e.namespace)
		b = append(b, `,"Dimensions":[[`...)
		for i, dim := range entry.Dimensions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEMFString(b, dim.Name)
		}
		b = append(b, `]],"Metrics":[`...)
		first := true
		for _, m := range entry.Metrics {
			if len(m.Values) <= d*EMFMaxValues {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, `{"Name":`...)
			b = appendEMFString(b, m.Name)
			if m.Unit != "" {
				b = append(b, `,"Unit":`...)
				b = appendEMFString(b, string(m.Unit))
			}
			b = append(b, '}')
		}
		b = append(b, `]}]}`...)
		for _, dim := range entry.Dimensions {
			b = append(b, ',')
			b = appendEMFString(b, dim.Name)
			b = append(b, ':')
			b = appendEMFString(b, dim.Value)
		}
		for _, m := range entry.Metrics {
			if len(m.Values) <= d*EMFMaxValues {
				continue
			}
			vals := m.Values[d*EMFMaxValues : min(len(m.Values), (d+1)*EMFMaxValues)]
			b = append(b, ',')
			b = appendEMFString(b, m.Name)
			b = append(b, ':')
			if len(vals) == 1 {
				b = strconv.AppendFloat(b, vals[0], 'g', -1, 64)
				continue
			}
			b = append(b, '[')
			for i, v := range vals {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
			}
			b = append(b, ']')
		}
		for _, k := range props {
			b = append(b, ',')
			b = appendEMFString(b, k)
			b = append(b, ':')
			b = appendEMFString(b, entry.Properties[k])
		}
		b = append(b, '}', '\n')
		e.buf = b
		if _, err := e.w.Write(b); err != nil {
			return fmt.Errorf("emf: write: %w", err)
		}
	}
	return nil
}

func validateEMFEntry(entry EMFEntry) error {
	if len(entry.Dimensions) > EMFMaxDimensions {
		return fmt.Errorf("emf: %d dimensions, at most %d", len(entry.Dimensions), EMFMaxDimensions)
	}
	if len(entry.Metrics) > EMFMaxMetrics {
		return fmt.Errorf("emf: %d metrics, at most %d", len(entry.Metrics), EMFMaxMetrics)
	}
	names := make(map[string]bool, len(entry.Dimensions)+len(entry.Metrics)+len(entry.Properties))
	claim := func(what, name string) error {
		if err := checkEMFName(what, name); err != nil {
			return err
		}
		if name == "_aws" || names[name] {
			return fmt.Errorf("emf: %s name %q is used twice or reserved", what, name)
		}
		names[name] = true
		return nil
	}
	for _, d := range entry.Dimensions {
		if err := claim("dimension", d.Name); err != nil {
			return err
		}
		if d.Value == "" || !utf8.ValidString(d.Value) {
			return fmt.Errorf("emf: dimension %s: want a non-empty UTF-8 value", d.Name)
		}
	}
	for _, m := range entry.Metrics {
		if err := claim("metric", m.Name); err != nil {
			return err
		}
		for _, v := range m.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("emf: metric %s: non-finite value %g", m.Name, v)
			}
		}
	}
	for k, v := range entry.Properties {
		if err := claim("property", k); err != nil {
			return err
		}
		if !utf8.ValidString(v) {
			return errors.New("emf: property " + k + ": invalid UTF-8")
		}
	}
	return nil
}

// appendEMFString appends s as a JSON string (s is valid UTF-8).
func appendEMFString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
