package profile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// The profile decoder reads profile JSON with the tokenizer straight into a
// Profile, as encoding/json would read it: member names match their fields
// exactly or else without regard to case, unknown members are skipped, null
// leaves a number or a string as it is and clears a pointer or a slice, a
// member given twice is decoded again into what the first one left, and
// strings with invalid UTF-8 read as encoding/json reads them. Counts and
// HashSet follow their UnmarshalJSON methods. Only the wording of the errors
// differs: they say what was wrong and at which byte.
//
// It has two ways to keep the histograms (the Grid and Values of each
// column and the latency Counts): dense Counts, as in the Profile, or,
// for DecodeSparse, the non-zero bins only.

// Decode parses a profile and checks its schema version and consistency.
// data must not change while Decode runs.
func Decode(data []byte) (*Profile, error) {
	d := newDecoder(data, false)
	p, err := d.decode()
	d.release()
	if err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	return p, nil
}

// SparseCounts is a histogram as a profile stores it: its number of bins
// and its non-zero bins, in the order they were read (an index may repeat;
// its counts add up, as in Counts).
type SparseCounts struct {
	Size  int
	Index []int32
	Count []int64
}

// Total is the sum of the counts.
func (s SparseCounts) Total() int64 {
	var t int64
	for _, v := range s.Count {
		t += v
	}
	return t
}

// AddTo adds the counts into dst, which has s.Size bins.
func (s SparseCounts) AddTo(dst Counts) {
	for k, i := range s.Index {
		dst[i] += s.Count[k]
	}
}

// Sparse is a profile decoded by DecodeSparse: the Profile without its
// histograms, which Histogram returns.
type Sparse struct {
	*Profile
	hist  map[*Counts]sparseEntry
	index []int32
	count []int64
}

type sparseEntry struct{ size, start, end int }

// Histogram returns the histogram that the profile's JSON had for c (the
// address of a Grid or Values field of one of its columns, or of its
// latency Counts); ok is false when it had none, or null.
func (s *Sparse) Histogram(c *Counts) (h SparseCounts, ok bool) {
	e, ok := s.hist[c]
	if !ok {
		return SparseCounts{}, false
	}
	return SparseCounts{Size: e.size, Index: s.index[e.start:e.end:e.end], Count: s.count[e.start:e.end:e.end]}, true
}

// DecodeSparse decodes a profile as Decode does, and checks its schema
// version, but keeps its histograms sparse (see Sparse) and does not
// validate it: it is for merging thousands of batch profiles, where a dense
// array per histogram per profile would cost more than the merge, and where
// the merge checks each profile against the reference.
func DecodeSparse(data []byte) (*Sparse, error) {
	d := newDecoder(data, true)
	defer d.release()
	p, err := d.decode()
	if err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	return &Sparse{Profile: p, hist: d.hist, index: slices.Clone(d.index), count: slices.Clone(d.count)}, nil
}

// decoder reads one profile.
type decoder struct {
	jsonscan.Scanner

	// schemaVersion is the schema_version member as a *int reads it (nil
	// when absent or null).
	schemaVersion *int

	// Sparse histograms (DecodeSparse): where each went, and their bins.
	sparse bool
	hist   map[*Counts]sparseEntry
	index  []int32
	count  []int64

	// Scratch for the arrays of one histogram, as encoding/json would fill
	// fresh slices: the first mark elements of each have been written.
	scratchIndex, scratchCount []int64
	markIndex, markCount       int
}

// decoders keeps decoders with their scratch memory between profiles.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// newDecoder returns a decoder of data; release returns it.
func newDecoder(data []byte, sparse bool) *decoder {
	d := decoders.Get().(*decoder)
	d.Scanner.Reset(unsafe.String(unsafe.SliceData(data), len(data)))
	d.Strings = jsonscan.Replace
	d.schemaVersion, d.sparse, d.hist = nil, sparse, nil
	d.index, d.count = d.index[:0], d.count[:0]
	if sparse {
		d.hist = make(map[*Counts]sparseEntry, 64)
	}
	return d
}

func (d *decoder) release() {
	d.Text, d.hist = "", nil
	decoders.Put(d)
}

// decode reads the whole text into a Profile and checks its schema
// version. When anything is wrong it reports what encoding/json would
// report first: a syntax error anywhere, then a wrong schema_version, then
// the first value that does not fit its field.
func (d *decoder) decode() (*Profile, error) {
	p := new(Profile)
	err := d.top(p)
	if err != nil {
		if serr := checkSyntax(d.Text); serr != nil {
			return nil, serr
		}
		if v, herr := readSchemaVersion(d.Text); herr != nil || v == nil || *v != SchemaVersion {
			return nil, versionError(v, herr)
		}
		return nil, err
	}
	if v := d.schemaVersion; v == nil || *v != SchemaVersion {
		return nil, versionError(v, nil)
	}
	return p, nil
}

func versionError(v *int, err error) error {
	switch {
	case err != nil:
		return err
	case v == nil:
		return fmt.Errorf("no schema_version: %w", ErrSchemaVersion)
	}
	return fmt.Errorf("schema_version %d, this build reads %d: %w", *v, SchemaVersion, ErrSchemaVersion)
}

// unmarshalWith is the UnmarshalJSON of a type that read reads: data is
// one JSON value, already checked by encoding/json.
func unmarshalWith(data []byte, read func(*decoder) error) error {
	d := newDecoder(data, false)
	defer d.release()
	d.SkipSpace()
	if err := read(d); err != nil {
		return err
	}
	return atEnd(&d.Scanner)
}

// checkSyntax checks that text is one JSON value.
func checkSyntax(text string) error {
	p := jsonscan.Scanner{Text: text, Strings: jsonscan.Replace}
	p.SkipSpace()
	if err := p.Skip(0); err != nil {
		return err
	}
	return atEnd(&p)
}

func atEnd(p *jsonscan.Scanner) error {
	p.SkipSpace()
	if !p.AtEnd() {
		return p.Errorf("unexpected %s after the profile", p.Found())
	}
	return nil
}

// readSchemaVersion reads the schema_version member of a profile whose
// syntax is checked, as encoding/json reads it into a *int.
func readSchemaVersion(text string) (*int, error) {
	d := &decoder{Scanner: jsonscan.Scanner{Text: text, Strings: jsonscan.Replace}}
	d.SkipSpace()
	switch d.Peek() {
	case 'n':
		return nil, nil
	case '{':
	default:
		return nil, d.want("an object")
	}
	var err error // the first schema_version that is not an integer or null
	merr := d.Members(func(key string) error {
		if jsonscan.MatchName(key, profileFields) != fSchemaVersion {
			return d.Skip(1)
		}
		start := d.Pos
		if verr := d.versionMember(); verr != nil {
			err = cmp.Or(err, verr)
			d.Pos = start
			return d.Skip(1)
		}
		return nil
	})
	if merr != nil {
		return nil, merr
	}
	return d.schemaVersion, err
}

// versionMember reads schema_version into d.schemaVersion.
func (d *decoder) versionMember() error {
	if d.Peek() == 'n' {
		d.schemaVersion = nil
		return d.Literal("null")
	}
	var v int
	if err := d.int(&v); err != nil {
		return err
	}
	d.schemaVersion = &v
	return nil
}

// want is the error for a value of the wrong JSON type.
func (d *decoder) want(want string) error {
	return fmt.Errorf("want %s, found %s at byte %d", want, jsonscan.TypeName(d.Peek()), d.Pos)
}

// in says which member an error is in.
func in(field string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", field, err)
}

// object reads an object (or null, which does nothing) and calls member
// for each of its members whose key names one of names, with the index of
// that name, positioned at the value; it skips the others.
func (d *decoder) object(names []string, member func(i int) error) error {
	switch d.Peek() {
	case 'n':
		return d.Literal("null")
	case '{':
	default:
		return d.want("an object")
	}
	return d.Members(func(key string) error {
		if i := jsonscan.MatchName(key, names); i >= 0 {
			return in(names[i], member(i))
		}
		return d.Skip(1)
	})
}

// slice reads an array into *s as encoding/json does: element i is decoded
// into what s's array holds at i (within its capacity), null makes s nil,
// and an empty array makes it empty.
func slice[T any](d *decoder, s *[]T, elem func(*T) error) error {
	switch d.Peek() {
	case 'n':
		*s = nil
		return d.Literal("null")
	case '[':
	default:
		return d.want("an array")
	}
	out, i := *s, 0
	for more := !d.Open(); more; i++ {
		if i < cap(out) {
			out = out[:i+1]
		} else {
			var zero T
			out = append(out[:i], zero)
		}
		if err := elem(&out[i]); err != nil {
			*s = out
			return in(fmt.Sprintf("element %d", i), err)
		}
		var err error
		if more, err = d.AfterMember(']'); err != nil {
			*s = out
			return err
		}
	}
	if i == 0 {
		out = []T{}
	} else {
		out = out[:i]
	}
	*s = out
	return nil
}

// pointer reads an object into **p, allocating it if it is nil; null sets
// it to nil.
func pointer[T any](d *decoder, p **T, read func(*T) error) error {
	if d.Peek() == 'n' {
		*p = nil
		return d.Literal("null")
	}
	if *p == nil {
		*p = new(T)
	}
	return read(*p)
}

// int reads an integer into *v; null leaves it.
func (d *decoder) int(v *int) error {
	n := int64(*v)
	err := d.int64(&n)
	*v = int(n)
	return err
}

// int64 reads an integer into *v; null leaves it.
func (d *decoder) int64(v *int64) error {
	switch c := d.Peek(); {
	case c == 'n':
		return d.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := d.Int()
		if err != nil {
			return err
		}
		*v = n
		return nil
	}
	return d.want("an integer")
}

// float reads a number into *v; null leaves it.
func (d *decoder) float(v *float64) error {
	switch c := d.Peek(); {
	case c == 'n':
		return d.Literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		f, err := d.Float()
		if err != nil {
			return err
		}
		*v = f
		return nil
	}
	return d.want("a number")
}

// floats reads an array of numbers.
func (d *decoder) floats(s *[]float64) error {
	return slice(d, s, func(v *float64) error { return d.float(v) })
}

// text reads a string (a copy: the text is the caller's bytes) into *v;
// null leaves it.
func text[T ~string](d *decoder, v *T) error {
	switch d.Peek() {
	case 'n':
		return d.Literal("null")
	case '"':
		s, err := d.String()
		if err != nil {
			return err
		}
		*v = T(strings.Clone(s))
		return nil
	}
	return d.want("a string")
}

// kind reads a feature kind, without a copy for the three known ones.
func (d *decoder) kind(v *Kind) error {
	if d.Peek() == '"' {
		start := d.Pos
		s, err := d.String()
		if err != nil {
			return err
		}
		for _, k := range [...]Kind{Numeric, Categorical, Discrete} {
			if s == string(k) {
				*v = k
				return nil
			}
		}
		d.Pos = start
	}
	return text(d, v)
}

func (d *decoder) texts(s *[]string) error {
	return slice(d, s, func(v *string) error { return text(d, v) })
}

// timeValue reads a time as time.Time's UnmarshalJSON does.
func (d *decoder) timeValue(t *time.Time) error {
	start := d.Pos
	if err := d.Skip(1); err != nil {
		return err
	}
	raw := d.Text[start:d.Pos]
	return t.UnmarshalJSON(unsafe.Slice(unsafe.StringData(raw), len(raw)))
}

func (d *decoder) timePointer(t **time.Time) error {
	return pointer(d, t, func(t *time.Time) error { return d.timeValue(t) })
}

// The JSON names of the fields, in the order of the f… constants.
var profileFields = []string{"schema_version", "type", "model", "version", "fingerprint", "created_at", "settings", "rows",
	"features", "prediction", "confidence", "label", "calibration", "errors", "latency", "event_time", "time_columns",
	"notes", "first_event", "last_event", "multivariate", "reconstruction"}

const (
	fSchemaVersion = iota
	fType
	fModel
	fVersion
	fFingerprint
	fCreatedAt
	fSettings
	fRows
	fFeatures
	fPrediction
	fConfidence
	fLabel
	fCalibration
	fErrors
	fLatency
	fEventTime
	fTimeColumns
	fNotes
	fFirstEvent
	fLastEvent
	fMultivariate
	fReconstruction
)

// top reads the whole text as a profile.
func (d *decoder) top(p *Profile) error {
	d.SkipSpace()
	if err := d.profile(p); err != nil {
		return err
	}
	return atEnd(&d.Scanner)
}

func (d *decoder) profile(p *Profile) error {
	return d.object(profileFields, func(i int) error {
		switch i {
		case fSchemaVersion:
			if err := d.versionMember(); err != nil {
				return err
			}
			if d.schemaVersion != nil {
				p.SchemaVersion = *d.schemaVersion
			}
			return nil
		case fType:
			return text(d, &p.Type)
		case fModel:
			return text(d, &p.Model)
		case fVersion:
			return text(d, &p.Version)
		case fFingerprint:
			return text(d, &p.Fingerprint)
		case fCreatedAt:
			return d.timeValue(&p.CreatedAt)
		case fSettings:
			return pointer(d, &p.Settings, d.settings)
		case fRows:
			return d.int64(&p.Rows)
		case fFeatures:
			return slice(d, &p.Features, func(f **Feature) error { return pointer(d, f, d.feature) })
		case fPrediction:
			return pointer(d, &p.Prediction, d.feature)
		case fConfidence:
			return pointer(d, &p.Confidence, d.feature)
		case fLabel:
			return pointer(d, &p.Label, d.feature)
		case fCalibration:
			return pointer(d, &p.Calibration, d.calibration)
		case fErrors:
			return d.int64(&p.Errors)
		case fLatency:
			return pointer(d, &p.Latency, d.latency)
		case fEventTime:
			return text(d, &p.EventTime)
		case fTimeColumns:
			return d.texts(&p.TimeColumns)
		case fNotes:
			return d.texts(&p.Notes)
		case fFirstEvent:
			return d.timePointer(&p.FirstEvent)
		case fLastEvent:
			return d.timePointer(&p.LastEvent)
		case fMultivariate:
			return pointer(d, &p.Multivariate, d.model)
		default: // fReconstruction
			return pointer(d, &p.Reconstruction, d.summary)
		}
	})
}

var settingsFields = []string{"bins", "grid", "max_categories", "discrete_max"}

func (d *decoder) settings(s *Settings) error {
	return d.object(settingsFields, func(i int) error {
		switch i {
		case 0:
			return d.int(&s.Bins)
		case 1:
			return d.int(&s.Grid)
		case 2:
			return d.int(&s.MaxCategories)
		default:
			return d.int(&s.DiscreteMax)
		}
	})
}

var featureFields = []string{"name", "kind", "edges", "coarse_edges", "categories", "grid", "values", "missing", "moments",
	"tail_sums", "pooled", "pooled_unhashed", "unseen_count", "unseen"}

func (d *decoder) feature(f *Feature) error {
	return d.object(featureFields, func(i int) error {
		switch i {
		case 0:
			return text(d, &f.Name)
		case 1:
			return d.kind(&f.Kind)
		case 2:
			return d.floats(&f.Edges)
		case 3:
			return d.floats(&f.CoarseEdges)
		case 4:
			return d.texts(&f.Categories)
		case 5:
			return d.counts(&f.Grid)
		case 6:
			return d.counts(&f.Values)
		case 7:
			return d.int64(&f.Missing)
		case 8:
			return pointer(d, &f.Moments, d.moments)
		case 9:
			return d.floats(&f.TailSums)
		case 10:
			return d.hashSet(&f.Pooled)
		case 11:
			return d.int64(&f.PooledUnhashed)
		case 12:
			return d.int64(&f.UnseenCount)
		default:
			return slice(d, &f.Unseen, d.nameCount)
		}
	})
}

var momentsFields = []string{"count", "mean", "m2", "min", "max"}

func (d *decoder) moments(m *Moments) error {
	return d.object(momentsFields, func(i int) error {
		switch i {
		case 0:
			return d.int64(&m.Count)
		case 1:
			return d.float(&m.Mean)
		case 2:
			return d.float(&m.M2)
		case 3:
			return d.float(&m.Min)
		default:
			return d.float(&m.Max)
		}
	})
}

var nameCountFields = []string{"name", "count"}

func (d *decoder) nameCount(n *NameCount) error {
	return d.object(nameCountFields, func(i int) error {
		if i == 0 {
			return text(d, &n.Name)
		}
		return d.int64(&n.Count)
	})
}

var calibrationFields = []string{"edges", "labelled", "correct"}

func (d *decoder) calibration(c *Calibration) error {
	return d.object(calibrationFields, func(i int) error {
		switch i {
		case 0:
			return d.floats(&c.Edges)
		case 1:
			return d.counts(&c.Labelled)
		default:
			return d.counts(&c.Correct)
		}
	})
}

var latencyFields = []string{"counts", "sum_ms", "max_ms"}

func (d *decoder) latency(l *LatencyHistogram) error {
	return d.object(latencyFields, func(i int) error {
		switch i {
		case 0:
			return d.counts(&l.Counts)
		case 1:
			return d.float(&l.Sum)
		default:
			return d.float(&l.Max)
		}
	})
}

var modelFields = []string{"features", "variance_share", "explained", "components", "rows", "error_mean", "error_std",
	"edges", "reference", "window_size"}

func (d *decoder) model(m *multivariate.Model) error {
	return d.object(modelFields, func(i int) error {
		switch i {
		case 0:
			return slice(d, &m.Features, d.modelFeature)
		case 1:
			return d.float(&m.VarianceShare)
		case 2:
			return d.float(&m.Explained)
		case 3:
			return slice(d, &m.Components, func(row *[]float64) error { return d.floats(row) })
		case 4:
			return d.int64(&m.Rows)
		case 5:
			return d.float(&m.ErrorMean)
		case 6:
			return d.float(&m.ErrorStd)
		case 7:
			return d.floats(&m.Edges)
		case 8:
			return d.summary(&m.Reference)
		default:
			return d.int(&m.WindowSize)
		}
	})
}

var modelFeatureFields = []string{"name", "kind", "center", "scale", "impute", "categories", "counts", "mode"}

func (d *decoder) modelFeature(f *multivariate.Feature) error {
	return d.object(modelFeatureFields, func(i int) error {
		switch i {
		case 0:
			return text(d, &f.Name)
		case 1:
			return text(d, &f.Kind)
		case 2:
			return d.float(&f.Center)
		case 3:
			return d.float(&f.Scale)
		case 4:
			return d.float(&f.Impute)
		case 5:
			return d.texts(&f.Categories)
		case 6:
			return d.floats(&f.Counts)
		default:
			return text(d, &f.Mode)
		}
	})
}

var summaryFields = []string{"count", "sum", "sum_squares", "grid", "residuals"}

func (d *decoder) summary(s *multivariate.Summary) error {
	return d.object(summaryFields, func(i int) error {
		switch i {
		case 0:
			return d.int64(&s.Count)
		case 1:
			return d.float(&s.Sum)
		case 2:
			return d.float(&s.SumSquares)
		case 3:
			return slice(d, &s.Grid, func(v *int64) error { return d.int64(v) })
		default:
			return d.floats(&s.Residuals)
		}
	})
}

// hashSet reads a HashSet as its UnmarshalJSON does.
func (d *decoder) hashSet(s *HashSet) error {
	var t string
	switch d.Peek() {
	case 'n':
		if err := d.Literal("null"); err != nil {
			return err
		}
	case '"':
		var err error
		if t, err = d.String(); err != nil {
			return err
		}
	default:
		return d.want("a base64 string")
	}
	out, err := parseHashSet(t)
	if err != nil {
		return err
	}
	*s = out
	return nil
}

var errCountsShape = errors.New("counts: want an array or {size,index,count}")

// counts reads a histogram as Counts' UnmarshalJSON does: a dense array of
// non-negative integers, or {size,index,count}; null clears it. Under
// DecodeSparse the bins go to the decoder's sparse histograms instead.
func (d *decoder) counts(c *Counts) error {
	switch d.Peek() {
	case 'n':
		if d.sparse {
			delete(d.hist, c)
		} else {
			*c = nil
		}
		return d.Literal("null")
	case '[':
		return d.denseCounts(c)
	case '{':
		return d.sparseCounts(c)
	}
	return fmt.Errorf("%w, found %s at byte %d", errCountsShape, jsonscan.TypeName(d.Peek()), d.Pos)
}

func (d *decoder) denseCounts(c *Counts) error {
	d.markCount = 0
	values, err := d.ints(d.scratchCount[:0], &d.markCount)
	d.scratchCount = values
	if err != nil {
		return fmt.Errorf("%w: %w", errCountsShape, err)
	}
	for i, v := range values {
		if v < 0 {
			return fmt.Errorf("count %d is negative (%d)", i, v)
		}
	}
	if !d.sparse {
		*c = append(Counts{}, values...)
		return nil
	}
	e := sparseEntry{size: len(values), start: len(d.index)}
	for i, v := range values {
		if v != 0 {
			d.index = append(d.index, int32(i))
			d.count = append(d.count, v)
		}
	}
	e.end = len(d.index)
	d.hist[c] = e
	return nil
}

var sparseFields = []string{"size", "index", "count"}

func (d *decoder) sparseCounts(c *Counts) error {
	size := 0
	index, count := d.scratchIndex[:0], d.scratchCount[:0]
	d.markIndex, d.markCount = 0, 0
	err := d.object(sparseFields, func(i int) error {
		var err error
		switch i {
		case 0:
			return d.int(&size)
		case 1:
			index, err = d.intsOrNull(index, &d.markIndex)
		default:
			count, err = d.intsOrNull(count, &d.markCount)
		}
		return err
	})
	d.scratchIndex, d.scratchCount = index[:0], count[:0]
	if err != nil {
		return fmt.Errorf("%w: %w", errCountsShape, err)
	}
	if size < 0 || size > maxBins {
		return fmt.Errorf("counts: size %d out of range [0, %d]", size, maxBins)
	}
	if len(index) != len(count) {
		return fmt.Errorf("counts: %d indexes but %d counts", len(index), len(count))
	}
	for k, i := range index {
		if i < 0 || i >= int64(size) {
			return fmt.Errorf("counts: index %d out of range [0, %d)", i, size)
		}
		if count[k] < 0 {
			return fmt.Errorf("counts: count at index %d is negative (%d)", i, count[k])
		}
	}
	if !d.sparse {
		out := make(Counts, size)
		for k, i := range index {
			out[i] += count[k]
		}
		*c = out
		return nil
	}
	e := sparseEntry{size: size, start: len(d.index)}
	for k, i := range index {
		if count[k] != 0 {
			d.index = append(d.index, int32(i))
			d.count = append(d.count, count[k])
		}
	}
	e.end = len(d.index)
	d.hist[c] = e
	return nil
}

// intsOrNull reads an array of integers, or null (no elements, as a nil
// slice), into scratch s; see ints.
func (d *decoder) intsOrNull(s []int64, mark *int) ([]int64, error) {
	if d.Peek() == 'n' {
		*mark = 0
		return s[:0], d.Literal("null")
	}
	return d.ints(s, mark)
}

// ints reads an array of integers into scratch s as encoding/json reads one
// into a slice that the same object's earlier array of that name left
// behind: a null element keeps what an earlier array put at its place, or
// 0. *mark counts the elements written since the object began; the scratch
// beyond it holds nothing of this object.
func (d *decoder) ints(s []int64, mark *int) ([]int64, error) {
	if d.Peek() != '[' {
		return s, d.want("an array")
	}
	out, i := s[:0], 0
	text := d.Text
	for more := !d.Open(); more; i++ {
		if i < cap(out) {
			out = out[:i+1]
		} else {
			out = append(out, 0)
		}
		if i >= *mark {
			out[i] = 0
			*mark = i + 1
		}
		// The common case, a count of up to 18 digits followed by a ','
		// and no space, or by the ']': read here, without a call per byte.
		pos, j, v := d.Pos, d.Pos, int64(0)
		for j < len(text) && j-pos < 18 && text[j]-'0' <= 9 {
			v = v*10 + int64(text[j]-'0')
			j++
		}
		if j > pos && j+1 < len(text) && (j == pos+1 || text[pos] != '0') {
			if c := text[j]; c == ',' && text[j+1] > ' ' && text[j+1]-'0' <= 9 {
				out[i], d.Pos = v, j+1
				continue
			} else if c == ']' {
				out[i], d.Pos = v, j+1
				i++
				break
			}
		}
		if c := d.Peek(); c == '-' || (c >= '0' && c <= '9') {
			v, err := d.Int()
			if err != nil {
				return out, err
			}
			out[i] = v
		} else if err := d.Literal("null"); err != nil {
			return out, d.want("an integer")
		}
		var err error
		if more, err = d.AfterMember(']'); err != nil {
			return out, err
		}
	}
	if i == 0 {
		*mark = 0
	}
	return out[:i], nil
}
