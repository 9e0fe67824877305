package profile

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"unsafe"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
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
	d.SkipSpace()
	err := profileReader.decode(d, unsafe.Pointer(p))
	if err == nil {
		err = atEnd(&d.Scanner)
	}
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
		if i := jsonscan.MatchName(key, profileReader.names); i < 0 || profileReader.names[i] != "schema_version" {
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
