package profile

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// Count reads the records of r (named name in errors and warnings) and counts
// them over the bins of reference ref, returning the batch profile and
// warnings: columns the reference does not know, and reference features the
// file lacks (counted as missing in every record, so a lost feed shows as
// drift instead of vanishing). It counts on GOMAXPROCS goroutines while r is
// read; see CountWith.
func Count(ctx context.Context, r dataset.Reader, name string, ref *Profile, cols Columns) (*Profile, []string, error) {
	return CountWith(ctx, r, name, ref, CountOptions{Columns: cols})
}

// CountOptions configure CountWith.
type CountOptions struct {
	Columns
	// Workers is how many goroutines work through the file (default
	// GOMAXPROCS): one reads it, the others (one at least) count its
	// columns, each column by one of them in record order; one more, with
	// little to do, counts the per-record part (event times, latencies,
	// failed calls, the confidence and the multivariate reconstruction).
	// The batch profile is the same for every value. The reader takes a
	// core of its own: on two cores, a second column worker would only add
	// the cost of sharing each record's cells between cores.
	Workers int
	// RowByRow counts a file record by record even when its reader can
	// hand out its columns one by one (dataset.ColumnReader, Parquet).
	// Column by column, no goroutine assembles records: each column worker
	// decodes its own columns, and Workers of them count. The batch profile
	// and the errors are the same either way.
	RowByRow bool
}

func (o CountOptions) workers() int { return workersOr(o.Workers) }

// workersOr is n when it is positive, else the number of usable CPUs.
func workersOr(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// CountWith is Count with options. Records are read in blocks of a few
// thousand, a bounded number of blocks at a time, while the previous blocks
// are counted; the first error in record order is the one returned, as if
// the records had been counted one by one.
func CountWith(ctx context.Context, r dataset.Reader, name string, ref *Profile, opts CountOptions) (*Profile, []string, error) {
	cols := opts.Columns
	explicit := cols
	acc, err := NewAccumulator(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("count %s: %w", name, err)
	}
	if ref.Prediction != nil && cols.Prediction == "" {
		cols.Prediction = ref.Prediction.Name
	}
	if ref.Label != nil && cols.Label == "" {
		cols.Label = ref.Label.Name
	}
	if cols.Timestamp == "" {
		cols.Timestamp = ref.EventTime
	}
	c := &counter{acc: acc, cols: cols.withDefaults(), file: name, errIdx: -1, confCol: -1}
	for i, f := range ref.Columns() {
		if f == ref.Confidence {
			c.confCol = i
		}
	}
	if cr, ok := r.(dataset.ColumnReader); ok && !opts.RowByRow {
		if err := newCountPipeline(c, opts.workers()).runColumns(ctx, cr); err != nil {
			return nil, nil, err
		}
	} else if err := newCountPipeline(c, max(opts.workers()-1, 1)).run(ctx, r); err != nil {
		return nil, nil, err
	}
	if acc.rows == 0 {
		return nil, nil, fmt.Errorf("count %s: no data rows", name)
	}
	for _, w := range [][2]string{{"label", explicit.Label}, {"prediction", explicit.Prediction}, {"timestamp", explicit.Timestamp}} {
		if what, col := w[0], w[1]; col != "" && !contains(r.Columns(), col) {
			return nil, nil, fmt.Errorf("count %s: %s column %s is not in the file (its columns: %s)", name, what, col, strings.Join(r.Columns(), ", "))
		}
	}
	return acc.Profile(), c.warnings(), nil
}

type counter struct {
	acc     *Accumulator
	cols    Columns
	file    string
	target  []int // reader column → accumulator column, -1 if none
	present []bool
	names   []string
	unknown []string
	scores  []int
	errIdx  int
	confCol int
	latIdx  int
	timeIdx int
}

func (c *counter) mapColumns(names []string) {
	c.names = names
	c.target = make([]int, len(names))
	c.present = make([]bool, len(c.acc.cols))
	c.unknown, c.scores, c.errIdx, c.latIdx, c.timeIdx = nil, nil, -1, -1, -1
	ref := c.acc.ref
	for i, n := range names {
		c.target[i] = -1
		r := c.cols.roleOf(n)
		if f := ref.Feature(n); f != nil && !contains(c.cols.Ignore, n) {
			r = roleFeature // the reference decided (a score-like feature, say)
		}
		switch {
		case n == LatencyColumn && r == roleIgnored && !contains(c.cols.Ignore, n):
			c.latIdx = i
		case r == roleTime:
			c.timeIdx = i
		case contains(ref.TimeColumns, n) || n == ref.EventTime:
			// A date-time column of the reference: not a feature.
		case r == roleIgnored:
		case r == roleError:
			c.errIdx = i
		case r == roleScore:
			c.scores = append(c.scores, i)
		case r == rolePrediction && ref.Prediction != nil:
			c.target[i] = c.acc.index[ref.Prediction.Name]
		case r == roleLabel && ref.Label != nil:
			c.target[i] = c.acc.index[ref.Label.Name]
		case r == roleFeature && ref.Feature(n) != nil:
			c.target[i] = c.acc.index[n]
		default:
			c.unknown = append(c.unknown, n)
		}
		if c.target[i] >= 0 {
			c.present[c.target[i]] = true
		}
	}
	if c.confCol >= 0 && len(c.scores) > 0 {
		c.present[c.confCol] = true
	}
}

// addMeta counts the record's latency and event time, when the file has
// them. A failure says which of the two failed.
func (c *counter) addMeta(p *countPlan, row *dataset.Row, record int64) *countFailure {
	if p.latIdx >= 0 && p.latIdx < len(row.Values) {
		if v := row.Values[p.latIdx]; v.Kind != dataset.Missing {
			ms, err := numberOf(v)
			if err == nil {
				err = c.acc.AddLatency(ms)
			}
			if err != nil {
				return &countFailure{record, orderLatency, lineError(c.file, row.Line, LatencyColumn, err)}
			}
		}
	}
	if p.timeIdx >= 0 && p.timeIdx < len(row.Values) {
		if v := row.Values[p.timeIdx]; v.Kind == dataset.Text {
			t, err := parseTime(v.Str)
			if err != nil {
				return &countFailure{record, orderTime, lineError(c.file, row.Line, p.names[p.timeIdx], err)}
			}
			c.acc.AddEventTime(t)
		}
	}
	return nil
}

// addConfidence counts the record's highest class score as its confidence.
func (c *counter) addConfidence(p *countPlan, row *dataset.Row, record int64) *countFailure {
	best, found := 0.0, false
	for _, i := range p.scores {
		if i >= len(row.Values) {
			continue
		}
		s, ok, err := scoreValue(row.Values[i])
		if err != nil {
			return &countFailure{record, len(p.names) + orderScore, lineError(c.file, row.Line, p.names[i], err)}
		}
		if ok && (!found || s > best) {
			best, found = s, true
		}
	}
	if !found {
		c.acc.AddMissing(c.confCol)
		return nil
	}
	if err := c.acc.AddNumber(c.confCol, best); err != nil {
		return &countFailure{record, len(p.names) + orderConfidence, lineError(c.file, row.Line, "confidence", err)}
	}
	return nil
}

func numberOf(v dataset.Value) (float64, error) {
	switch v.Kind {
	case dataset.Number:
		return v.Num, nil
	case dataset.Text:
		return dataset.ParseNumber(v.Str)
	}
	return 0, fmt.Errorf("got %s, want a number", v.Kind)
}

func (c *counter) warnings() []string {
	var out []string
	for _, n := range c.unknown {
		out = append(out, fmt.Sprintf("%s: column %s is not in the reference profile; ignored", c.file, n))
	}
	for col, ok := range c.present {
		if !ok {
			out = append(out, fmt.Sprintf("%s: reference column %s is absent; counted as missing in every record", c.file, c.acc.cols[col].ref.Name))
		}
	}
	return out
}
