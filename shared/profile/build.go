package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/stats"
)

// inferenceRows is how many leading rows decide each column's kind.
const inferenceRows = 10000

// BuildOptions configure the building of a reference profile.
type BuildOptions struct {
	Settings
	Columns
	Model, Version string
	// Categorical and Numeric override the inferred kind of the named columns.
	Categorical, Numeric []string
	// TempDir holds the spilled numeric columns (default os.TempDir()).
	TempDir string
	// Now stamps the profile (default time.Now).
	Now func() time.Time
	// Workers is how many goroutines add the columns' values as the data
	// is read, and how many columns are binned at once once it is read
	// (default GOMAXPROCS). The profile is the same for every value. Each
	// binning worker holds two sort buffers of a column's values (16 bytes
	// a value); fewer run when those would pass 256 MiB in all.
	Workers int
	// RowByRow reads the file record by record even when its reader can
	// hand out its columns one by one (dataset.ColumnReader, Parquet). Past
	// the sampled records, Workers goroutines then decode and add the
	// columns. The profile and the errors are the same either way.
	RowByRow bool
	// Multivariate, when not nil, also fits the multivariate reconstruction
	// model of the features (package multivariate) and attaches it to the
	// profile. Its first pass is this read of the data; see
	// MultivariateOptions.
	Multivariate *MultivariateOptions
}

// MultivariateOptions configure the multivariate model a build fits. The
// model is fitted on the records the profile counts (not those of failed
// model calls). The build's own read is the fit's first pass; the fit's
// other two passes read its temporary file, or the data again through
// Reopen when it has none (or when a feature's kind was only settled past
// the sampled rows). Data that PCA cannot model (every feature constant)
// get a note instead of a model.
type MultivariateOptions struct {
	multivariate.Options
	// Reopen opens the data again, from its start.
	Reopen multivariate.Open
}

func (o BuildOptions) workers() int { return workersOr(o.Workers) }

func (o BuildOptions) validate() error {
	s := o.Settings
	switch {
	case s.Bins < 2:
		return fmt.Errorf("bins %d: need at least 2", s.Bins)
	case s.Grid < s.Bins:
		return fmt.Errorf("grid %d: need at least as many bins as --bins (%d)", s.Grid, s.Bins)
	case s.Grid > maxBins:
		return fmt.Errorf("grid %d: at most %d", s.Grid, maxBins)
	case s.MaxCategories < 1:
		return fmt.Errorf("max categories %d: need at least 1", s.MaxCategories)
	case s.DiscreteMax < 0:
		return fmt.Errorf("discrete max %d is negative", s.DiscreteMax)
	}
	for _, c := range o.Categorical {
		if contains(o.Numeric, c) {
			return fmt.Errorf("column %s is given as both categorical and numeric", c)
		}
	}
	return nil
}

// refColumn collects one column of the reference data.
type refColumn struct {
	name     string
	role     role
	kind     Kind // Numeric or Categorical while reading; Numeric may become Discrete
	missing  int64
	values   *spill
	moments  momentAccumulator
	distinct map[float64]int64 // nil once there are more than DiscreteMax values
	cats     *categoryCounts
	// lenient columns (--numeric) count values that are not numbers as
	// missing; coerced counts them.
	lenient bool
	coerced int64
	// undecided columns had no value in the sampled rows: their first value
	// decides their kind (nothing but missing values was counted before it).
	undecided bool
	// fit is given the feature's values, as feature fitCol of the
	// multivariate fit's first pass (nil: no fit).
	fit    *multivariate.Collector
	fitCol int
}

// Build reads the reference data of r (named name in errors) and builds its
// reference profile. The kind of each column is inferred from its first
// 10,000 rows unless overridden: numeric when every value is a number,
// categorical when most are not; a column of mostly numbers with some that
// are not is an error naming the first of them (--categorical or --numeric
// decides), and so is a value that is not a number, later in a numeric
// column. Columns whose values are all ISO-8601 date-times (RFC 3339 text,
// Parquet timestamps) are not features: they are listed in TimeColumns and
// left out of drift; the one named Columns.Timestamp is the event time.
// Columns with the score prefix are class scores only when every sampled
// value is a number in [0, 1] and, when the predictions are class names, the
// column names a class seen in the prediction or label column; otherwise
// they are features, with a note.
// Notes says what was decided that the column names did not say.
// Numeric columns are spilled to temporary files, so memory holds one numeric
// column at a time when the quantiles are computed.
func Build(ctx context.Context, r dataset.Reader, name string, opts BuildOptions) (*Profile, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("build profile of %s: %w", name, err)
	}
	explicit := map[string]string{"timestamp": opts.Timestamp, "label": opts.Label, "prediction": opts.Prediction}
	opts.Columns = opts.Columns.withDefaults()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b := &builder{opts: opts, file: name}
	defer b.cleanup()

	// A Parquet file is read column by column from the start.
	cr, columns := r.(dataset.ColumnReader)
	columns = columns && !opts.RowByRow
	var sample []dataset.Row
	var cursors columnCursors
	var err error
	if columns {
		sample, cursors, err = sampleColumns(ctx, cr, name, inferenceRows)
		defer cursors.close()
	} else {
		sample, err = readSample(ctx, r, inferenceRows)
	}
	if err != nil {
		return nil, fmt.Errorf("build profile: %w", err)
	}
	if len(sample) == 0 {
		return nil, fmt.Errorf("build profile: %s has no data rows", name)
	}
	if err := b.infer(r.Columns(), sample); err != nil {
		return nil, fmt.Errorf("build profile: %w", err)
	}
	b.startFit()
	for _, row := range sample {
		if err := b.add(row, r.Columns()); err != nil {
			return nil, err
		}
	}
	if columns {
		err = b.addColumns(ctx, cr, cursors, int64(len(sample)), opts.workers())
	} else if w := opts.workers(); w > 1 {
		err = b.addRowBlocks(ctx, r, w)
	} else {
		err = b.addRows(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	for _, what := range []string{"label", "prediction", "timestamp"} {
		if c := explicit[what]; c != "" && b.column(c) == nil {
			return nil, fmt.Errorf("build profile: %s column %s is not in %s (its columns: %s)", what, c, name, strings.Join(r.Columns(), ", "))
		}
	}
	for _, list := range [][]string{opts.Categorical, opts.Numeric, opts.Ignore} {
		for _, c := range list {
			if b.column(c) == nil {
				return nil, fmt.Errorf("build profile: column %s is not in %s", c, name)
			}
		}
	}
	p, err := b.profile()
	if err != nil {
		return nil, err
	}
	if err := b.fitModel(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// addRows adds the records of r to its end, one by one.
func (b *builder) addRows(ctx context.Context, r dataset.Reader) error {
	var row dataset.Row
	for {
		if err := r.Next(&row); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("build profile: %w", err)
		}
		if b.rows%65536 == 0 && ctx.Err() != nil {
			return fmt.Errorf("build profile of %s: %w", b.file, ctx.Err())
		}
		if err := b.add(row, r.Columns()); err != nil {
			return err
		}
	}
}

// readSample reads up to n rows, each with its own copy of the values.
func readSample(ctx context.Context, r dataset.Reader, n int) ([]dataset.Row, error) {
	var out []dataset.Row
	for len(out) < n {
		var row dataset.Row
		if err := r.Next(&row); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		row.Values = slices.Clone(row.Values)
		out = append(out, row)
		if len(out)%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return out, nil
}

type builder struct {
	opts   BuildOptions
	file   string
	cols   []*refColumn // aligned with the reader's columns
	rows   int64
	errors int64
	scores []int // indexes of score columns
	conf   *refColumn
	errIdx int
	// calibration counts labelled and correct predictions by confidence.
	calibration *Calibration
	predIdx     int
	labelIdx    int
	// times are the date-time columns; notes say how columns were read
	// where it was not what their names suggest.
	times []string
	notes []string
	// fit is the first pass of the multivariate fit (nil: none).
	fit *multivariate.Collector
}

func (b *builder) column(name string) *refColumn {
	for _, c := range b.cols {
		if c.name == name {
			return c
		}
	}
	return nil
}

// infer decides the role and kind of every column from the sample.
func (b *builder) infer(names []string, sample []dataset.Row) error {
	b.errIdx, b.predIdx, b.labelIdx = -1, -1, -1
	for i, n := range names {
		c, err := b.newColumn(i, n, sample)
		if err != nil {
			return err
		}
		b.cols = append(b.cols, c)
	}
	b.checkScoreClasses(sample)
	return nil
}

// columnSample is what the sampled rows say about one column.
type columnSample struct {
	rows                  int
	numbers, texts, times int64
	bools                 int64
	firstText             string // first value that is not a number
	firstTextLine         int64
	outside               string // first value that is not a score in [0, 1]
	outsideLine           int64
	outsideWhy            string
	classes               map[string]bool // text values, when few
}

func sampleColumn(i int, sample []dataset.Row) columnSample {
	s := columnSample{rows: len(sample), classes: map[string]bool{}}
	notScore := func(line int64, value, why string) {
		if s.outside == "" {
			s.outside, s.outsideLine, s.outsideWhy = value, line, why
		}
	}
	for _, row := range sample {
		if i >= len(row.Values) {
			continue
		}
		v := row.Values[i]
		switch v.Kind {
		case dataset.Bool:
			s.bools++
			notScore(row.Line, v.Str, "a boolean")
			s.noteText(row.Line, v.Str)
		case dataset.Number:
			s.numbers++
			if v.Num < 0 || v.Num > 1 {
				notScore(row.Line, v.AsString(), "outside [0, 1]")
			}
		case dataset.Text:
			f, err := dataset.ParseNumber(v.Str)
			switch {
			case err == nil:
				s.numbers++
				if f < 0 || f > 1 {
					notScore(row.Line, v.Str, "outside [0, 1]")
				}
			case isNonFiniteText(v.Str):
				// Numeric; reported as an error when it is read.
				s.numbers++
			default:
				s.texts++
				if isTimeText(v.Str) {
					s.times++
				}
				notScore(row.Line, v.Str, "not a number")
				s.noteText(row.Line, v.Str)
				if len(s.classes) < 1000 {
					s.classes[v.Str] = true
				}
			}
		}
	}
	return s
}

func (s *columnSample) noteText(line int64, v string) {
	if s.firstText == "" {
		s.firstText, s.firstTextLine = v, line
	}
}

// isTime reports whether every sampled value is a date-time.
func (s columnSample) isTime() bool {
	return s.times > 0 && s.times == s.numbers+s.texts+s.bools
}

// kind is numeric when every sampled value is a number and categorical when
// most are not. A column whose values are mostly numbers with a few that are
// not is an error: its kind must not depend on where the few sit, so the user
// decides (--categorical or --numeric).
func (s columnSample) kind(file, name string) (Kind, error) {
	others := s.texts + s.bools
	switch {
	case others == 0:
		return Numeric, nil
	case s.numbers > others:
		return "", lineError(file, s.firstTextLine, name, fmt.Errorf(
			"%q is not a number, but %d of the %d values in the first %d rows are: "+
				"use --categorical %s to profile the column as categories, or --numeric %s to count the values that are not numbers as missing",
			s.firstText, s.numbers, s.numbers+others, s.rows, name, name))
	}
	return Categorical, nil
}

func (b *builder) newColumn(i int, name string, sample []dataset.Row) (*refColumn, error) {
	r := b.opts.roleOf(name)
	explicitCat, explicitNum := contains(b.opts.Categorical, name), contains(b.opts.Numeric, name)
	if (explicitCat || explicitNum) && (r == roleScore || r == roleTime) {
		r = roleFeature
	}
	s := sampleColumn(i, sample)
	if (r == roleFeature && !explicitCat && !explicitNum || r == roleIgnored && name == TimestampColumn && !contains(b.opts.Ignore, name)) && s.isTime() {
		r = roleTime
	}
	if r == roleScore && s.outside != "" {
		r = roleFeature
		b.notes = append(b.notes, fmt.Sprintf("column %s is profiled as a feature, not as a class score: %s at line %d is %s "+
			"(class scores are numbers in [0, 1], one column per class; --score-prefix names the score columns)",
			name, strconv.Quote(s.outside), s.outsideLine, s.outsideWhy))
	}
	c := &refColumn{name: name, role: r, kind: Numeric}
	switch c.role {
	case roleError:
		b.errIdx = i
	case rolePrediction:
		b.predIdx = i
	case roleLabel:
		b.labelIdx = i
	case roleTime:
		b.times = append(b.times, name)
	case roleScore:
		b.scores = append(b.scores, i)
		if b.conf == nil {
			b.conf = &refColumn{name: "confidence", role: roleScore, kind: Numeric}
			b.conf.init(b.opts)
			// Rows read before the first score column appeared had no score.
			b.conf.missing = b.rows
		}
	}
	switch {
	case explicitCat:
		c.kind = Categorical
	case explicitNum:
		c.kind, c.lenient = Numeric, true
	case c.role == roleFeature || c.role == rolePrediction || c.role == roleLabel:
		k, err := s.kind(b.file, name)
		if err != nil {
			return nil, err
		}
		c.kind = k
		c.undecided = s.numbers+s.texts+s.bools == 0
	}
	c.init(b.opts)
	c.missing = b.rows // rows read before the column first appeared
	return c, nil
}

// checkScoreClasses keeps the score columns as class scores only when they
// are one per class: when the sampled predictions are class names, a score
// column must name a class seen in the prediction or label column; the ones
// that do not are features (all of them when none does).
func (b *builder) checkScoreClasses(sample []dataset.Row) {
	if len(b.scores) == 0 || b.predIdx < 0 {
		return
	}
	pred := sampleColumn(b.predIdx, sample)
	if pred.texts == 0 || len(pred.classes) >= 1000 {
		return // numeric or too many classes: nothing to match
	}
	classes := pred.classes
	if b.labelIdx >= 0 {
		for c := range sampleColumn(b.labelIdx, sample).classes {
			classes[c] = true
		}
	}
	var scores []int
	var features []string
	for _, i := range b.scores {
		c := b.cols[i]
		if classes[strings.TrimPrefix(c.name, b.opts.ScorePrefix)] {
			scores = append(scores, i)
			continue
		}
		c.role = roleFeature
		features = append(features, c.name)
	}
	if len(features) == 0 {
		return
	}
	b.scores = scores
	if len(scores) == 0 {
		b.conf = nil
	}
	b.notes = append(b.notes, fmt.Sprintf("%s profiled as %s, not as class scores: %s no class seen in column %s or the label "+
		"(class scores are numbers in [0, 1], one column per class; --score-prefix names the score columns)",
		plural(len(features), "column "+features[0]+" is", "columns "+strings.Join(features, ", ")+" are"),
		plural(len(features), "a feature", "features"), plural(len(features), "it names", "they name"), b.cols[b.predIdx].name))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (c *refColumn) init(opts BuildOptions) {
	if c.kind == Categorical {
		c.cats = newCategoryCounts()
		return
	}
	c.values = newSpill(opts.TempDir)
	c.distinct = make(map[float64]int64)
}

// isNumberText reports whether s reads as a number (non-finite ones
// included: they are numeric, and rejected when read).
func isNumberText(s string) bool {
	_, err := dataset.ParseNumber(s)
	return err == nil || isNonFiniteText(s)
}

func isNonFiniteText(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && (math.IsNaN(f) || math.IsInf(f, 0))
}

func (b *builder) add(row dataset.Row, names []string) error {
	for len(b.cols) < len(names) {
		// A column that first appears after the sample (JSON Lines).
		c, err := b.newColumn(len(b.cols), names[len(b.cols)], []dataset.Row{row})
		if err != nil {
			return fmt.Errorf("build profile: %w", err)
		}
		b.cols = append(b.cols, c)
	}
	b.rows++
	if b.errIdx >= 0 && b.errIdx < len(row.Values) && isError(row.Values[b.errIdx]) {
		b.errors++
		return nil
	}
	for i, c := range b.cols {
		if !c.added() {
			continue
		}
		v := dataset.Value{Kind: dataset.Missing}
		if i < len(row.Values) {
			v = row.Values[i]
		}
		if err := c.add(v, b.opts.Settings); err != nil {
			return lineError(b.file, row.Line, c.name, err)
		}
	}
	if f := b.addConfidence(row, b.rows-1); f != nil {
		return f.err
	}
	return nil
}

// addConfidence adds the confidence of record (the highest of its class
// scores) and its calibration, if the data has class scores.
func (b *builder) addConfidence(row dataset.Row, record int64) *buildFailure {
	if b.conf == nil {
		return nil
	}
	best, found := 0.0, false
	for _, i := range b.scores {
		if i >= len(row.Values) {
			continue
		}
		s, ok, err := scoreValue(row.Values[i])
		if err != nil {
			name := b.cols[i].name
			return &buildFailure{record, len(b.cols) + orderScore, lineError(b.file, row.Line, name, fmt.Errorf(
				"%w (the column held class scores in the first %d rows; --numeric %s profiles it as a feature)", err, inferenceRows, name))}
		}
		if ok && (!found || s > best) {
			best, found = s, true
		}
	}
	if !found {
		b.conf.missing++
	} else if err := b.conf.addNumber(best, b.opts.Settings); err != nil {
		return &buildFailure{record, len(b.cols) + orderConfidence, lineError(b.file, row.Line, b.conf.name, err)}
	} else {
		b.calibrate(row, best)
	}
	return nil
}

// calibrate counts a record with a confidence, a prediction and a label in
// the calibration table.
func (b *builder) calibrate(row dataset.Row, confidence float64) {
	if b.predIdx < 0 || b.labelIdx < 0 || b.predIdx >= len(row.Values) || b.labelIdx >= len(row.Values) {
		return
	}
	pred, label := row.Values[b.predIdx], row.Values[b.labelIdx]
	if pred.Kind == dataset.Missing || label.Kind == dataset.Missing {
		return
	}
	if b.calibration == nil {
		edges := CalibrationEdges()
		b.calibration = &Calibration{Edges: edges, Labelled: make(Counts, len(edges)+1), Correct: make(Counts, len(edges)+1)}
	}
	i := stats.BinIndex(b.calibration.Edges, confidence)
	b.calibration.Labelled[i]++
	if pred.AsString() == label.AsString() {
		b.calibration.Correct[i]++
	}
}

func (c *refColumn) add(v dataset.Value, s Settings) error {
	if c.undecided && v.Kind != dataset.Missing {
		c.undecided = false
		if v.Kind == dataset.Bool || v.Kind == dataset.Text && !isNumberText(v.Str) {
			c.values.close()
			c.kind, c.values, c.distinct, c.cats = Categorical, nil, nil, newCategoryCounts()
		}
	}
	switch v.Kind {
	case dataset.Missing:
		c.addMissing()
		return nil
	case dataset.Bool:
		if c.kind != Categorical {
			if c.lenient {
				c.addMissing()
				c.coerced++
				return nil
			}
			return fmt.Errorf("got boolean %s in a numeric column (use --categorical %s, or --numeric %s to count it as missing)", v.Str, c.name, c.name)
		}
		c.countCategory(v.Str)
		return nil
	case dataset.Number:
		if c.kind == Categorical {
			c.countCategory(strconv.FormatFloat(v.Num, 'g', -1, 64))
			return nil
		}
		return c.addFeatureNumber(v.Num, s)
	case dataset.Text:
		if c.kind == Categorical {
			c.countCategory(v.Str)
			return nil
		}
		f, err := dataset.ParseNumber(v.Str)
		if err != nil && c.lenient && !isNonFiniteText(v.Str) {
			c.addMissing()
			c.coerced++
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w (the column was numeric in the first %d rows: use --categorical %s to profile it as categories, or --numeric %s to count the values that are not numbers as missing)",
				err, inferenceRows, c.name, c.name)
		}
		return c.addFeatureNumber(f, s)
	}
	return fmt.Errorf("unknown value kind %d", v.Kind)
}

// addMissing counts a missing value.
func (c *refColumn) addMissing() {
	c.missing++
	if c.fit != nil {
		c.fit.AddMissing(c.fitCol)
	}
}

// addFeatureNumber adds a number read from the column's values.
func (c *refColumn) addFeatureNumber(v float64, s Settings) error {
	if err := c.addNumber(v, s); err != nil {
		return err
	}
	if c.fit != nil {
		c.fit.AddNumber(c.fitCol, v)
	}
	return nil
}

// countCategory counts s and gives it to the fit by its number.
func (c *refColumn) countCategory(s string) {
	k, name := c.cats.add(s)
	if c.fit != nil {
		c.fit.AddIndexed(c.fitCol, k, name)
	}
}

// categoryCounts counts a column's categories, numbering each in the order
// it was first met; a name is copied when it is new, so that the counts do
// not keep the reader's record buffer alive.
type categoryCounts struct {
	index  map[string]int
	names  []string
	counts []int64
}

func newCategoryCounts() *categoryCounts { return &categoryCounts{index: make(map[string]int)} }

// add counts s and returns its number and the copy of it the counts hold.
func (cc *categoryCounts) add(s string) (int, string) {
	if k, ok := cc.index[s]; ok {
		cc.counts[k]++
		return k, cc.names[k]
	}
	k := len(cc.names)
	s = strings.Clone(s)
	cc.index[s] = k
	cc.names = append(cc.names, s)
	cc.counts = append(cc.counts, 1)
	return k, s
}

// all returns every category with its count, in no particular order.
func (cc *categoryCounts) all() []NameCount {
	out := make([]NameCount, len(cc.names))
	for k, name := range cc.names {
		out[k] = NameCount{Name: name, Count: cc.counts[k]}
	}
	return out
}

func (c *refColumn) addNumber(v float64, s Settings) error {
	if err := checkNumber(v); err != nil {
		return err
	}
	if v == 0 {
		v = 0 // normalise negative zero
	}
	c.moments.add(v)
	if c.distinct != nil {
		c.distinct[v]++
		if len(c.distinct) > s.DiscreteMax {
			c.distinct = nil
		}
	}
	return c.values.add(v)
}

func (b *builder) cleanup() {
	if b.fit != nil {
		b.fit.Close()
	}
	for _, c := range append(slices.Clone(b.cols), b.conf) {
		if c != nil && c.values != nil {
			c.values.close()
		}
	}
}

// profile computes the bins of every column and assembles the profile.
func (b *builder) profile() (*Profile, error) {
	settings := b.opts.Settings
	p := &Profile{
		SchemaVersion: SchemaVersion,
		Type:          Reference,
		Model:         b.opts.Model,
		Version:       b.opts.Version,
		CreatedAt:     b.opts.Now().UTC(),
		Settings:      &settings,
		Rows:          b.rows,
		Errors:        b.errors,
		Features:      []*Feature{},
	}
	for _, c := range b.cols {
		if c.role == roleTime {
			if c.name == b.opts.Timestamp {
				p.EventTime = c.name
			} else {
				p.TimeColumns = append(p.TimeColumns, c.name)
				b.notes = append(b.notes, fmt.Sprintf("column %s holds date-times: left out of drift (--timestamp %s makes it the event time)", c.name, c.name))
			}
		}
		if c.coerced > 0 {
			b.notes = append(b.notes, fmt.Sprintf("column %s: %d values that are not numbers counted as missing (--numeric %s)", c.name, c.coerced, c.name))
		}
	}
	cols := b.profiledColumns()
	feats, errs := features(cols, settings, b.opts.workers())
	for i, c := range cols {
		if errs[i] != nil {
			if c == b.conf {
				return nil, fmt.Errorf("build profile: confidence: %w", errs[i])
			}
			return nil, fmt.Errorf("build profile: column %s: %w", c.name, errs[i])
		}
		f := feats[i]
		switch {
		case c == b.conf:
			p.Confidence = f
		case c.role == rolePrediction:
			p.Prediction = f
		case c.role == roleLabel:
			p.Label = f
		default:
			p.Features = append(p.Features, f)
		}
	}
	p.Calibration = b.calibration
	p.Notes = b.notes
	p.Fingerprint = fingerprint(p)
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("build profile: %w", err)
	}
	return p, nil
}

// feature computes the column's bins; scratch holds the sort buffers, which
// the columns profiled on one goroutine use in turn.
func (c *refColumn) feature(s Settings, scratch *sortBuffers) (*Feature, error) {
	f := &Feature{Name: c.name, Kind: c.kind, Missing: c.missing}
	if c.kind == Categorical {
		f.Categories, f.Values, f.Pooled, f.PooledUnhashed = topCategories(c.cats.all(), s.MaxCategories)
		return f, nil
	}
	m := c.moments.moments()
	f.Moments = &m
	if len(c.distinct) > 0 {
		f.Kind = Discrete
		f.Edges = make([]float64, 0, len(c.distinct))
		for v := range c.distinct {
			f.Edges = append(f.Edges, v)
		}
		slices.Sort(f.Edges)
		f.Grid = make(Counts, len(f.Edges)+1)
		f.Values = make(Counts, len(f.Edges)+1)
		for i, v := range f.Edges {
			f.Grid[i] = c.distinct[v]
			f.Values[i] = c.distinct[v]
		}
		// Bin 0 holds the smallest value only; the last bin is empty.
		f.TailSums = []float64{f.Edges[0] * float64(f.Grid[0]), 0}
		return f, nil
	}
	sorted, err := c.values.sorted(scratch)
	if err != nil {
		return nil, err
	}
	if len(sorted) == 0 {
		// No values at all: one bin, open on both sides.
		f.Grid = Counts{0}
		f.TailSums = []float64{0, 0}
		return f, nil
	}
	f.CoarseEdges = quantileEdges(sorted, s.Bins)
	f.Edges = unionSorted(quantileEdges(sorted, s.Grid), f.CoarseEdges)
	f.Grid = make(Counts, len(f.Edges)+1)
	f.TailSums = []float64{0, 0}
	j := 0
	for _, v := range sorted {
		for j < len(f.Edges) && f.Edges[j] < v {
			j++
		}
		f.Grid[j]++
		switch j {
		case 0:
			f.TailSums[0] += v
		case len(f.Edges):
			f.TailSums[1] += v
		}
	}
	return f, nil
}

// quantileEdges returns the distinct quantiles of sorted data at k/bins,
// k = 1..bins-1, with numpy's default (linear) interpolation.
func quantileEdges(sorted []float64, bins int) []float64 {
	probs := make([]float64, bins-1)
	for k := range probs {
		probs[k] = float64(k+1) / float64(bins)
	}
	return slices.Compact(stats.Quantiles(sorted, probs))
}

// unionSorted merges two sorted, duplicate-free slices into one.
func unionSorted(a, b []float64) []float64 {
	out := make([]float64, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// topCategories keeps the max most frequent categories (ties by name) and
// pools the rest into the last bin, remembering the hashes of the most
// frequent MaxPooledHashes pooled ones and how many it could not remember.
func topCategories(all []NameCount, max int) ([]string, Counts, HashSet, int64) {
	sortNameCounts(all)
	kept := all
	if len(kept) > max {
		kept = kept[:max]
	}
	names := make([]string, len(kept))
	values := make(Counts, len(kept)+1)
	for i, nc := range kept {
		names[i] = nc.Name
		values[i] = nc.Count
	}
	pooled := all[len(kept):]
	for _, nc := range pooled {
		values[len(kept)] += nc.Count
	}
	var unhashed int64
	if len(pooled) > MaxPooledHashes {
		unhashed = int64(len(pooled) - MaxPooledHashes)
		pooled = pooled[:MaxPooledHashes]
	}
	if len(pooled) == 0 {
		return names, values, nil, unhashed
	}
	pooledNames := make([]string, len(pooled))
	for i, nc := range pooled {
		pooledNames[i] = nc.Name
	}
	return names, values, newHashSet(pooledNames), unhashed
}
