package record

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// maxProblems bounds how many problems are reported for one record.
const maxProblems = 5

// Raw is what every record has, whatever its kind.
type Raw struct {
	// Index is the record's position in the records array.
	Index int
	// Text is the record's JSON text as sent (a substring of the body).
	Text string
	// Compact says that Text has no whitespace outside its strings, so it
	// fits on one line of JSON Lines as it is.
	Compact bool
	// Problems are the reasons the record is rejected; none when valid.
	Problems []string
}

// Valid reports whether the record has no problems.
func (r *Raw) Valid() bool { return len(r.Problems) == 0 }

// Reason joins the problems into one message.
func (r *Raw) Reason() string { return strings.Join(r.Problems, "; ") }

// AppendCompact appends the record's JSON text without whitespace outside
// strings, that is on one line, to dst.
func (r *Raw) AppendCompact(dst []byte) []byte {
	if r.Compact {
		return append(dst, r.Text...)
	}
	return jsonscan.AppendCompact(dst, r.Text)
}

func (r *Raw) reset(index int) {
	r.Index, r.Text, r.Compact = index, "", false
	r.Problems = r.Problems[:0]
}

func (r *Raw) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// records walks the elements of a body's records array.
type records struct {
	body    *Body
	p       *scanner
	index   int
	started bool
	done    bool
	err     error
}

func newRecords(b *Body) records {
	return records{body: b, p: &b.sc, index: -1}
}

// advance moves to the start of the next record. It returns false at the
// end of the array (or on an error, see err).
func (it *records) advance() bool {
	if it.done {
		return false
	}
	p := it.p
	if !it.started {
		it.started = true
		if it.body.records < 0 {
			it.fail(fmt.Errorf("%w: the body has no \"records\" array", ErrNoRecords))
			return false
		}
		p.Pos = it.body.records
		p.record = -1
		p.Pos++ // '['
		p.SkipSpace()
		if p.Peek() == ']' {
			p.Pos++
			it.fail(fmt.Errorf("%w: the records array is empty", ErrNoRecords))
			return false
		}
	} else {
		more, err := p.AfterMember(']')
		if err != nil {
			it.fail(err)
			return false
		}
		if !more {
			it.done = true
			p.record = -1
			if err := it.body.finish(p.Pos); err != nil {
				it.err = p.syntax(err)
			}
			return false
		}
	}
	it.index++
	p.record = it.index
	p.Spaced = false
	return true
}

func (it *records) fail(err error) {
	it.err, it.done = it.p.syntax(err), true
}

// next moves to the next record and reads it with decode, unless it is not
// a JSON object. It returns false at the end of the records or when the
// body is not valid JSON (see err).
func (it *records) next(raw *Raw, decode func() error) bool {
	if !it.advance() {
		return false
	}
	raw.reset(it.index)
	if it.nonObject(raw) {
		return it.err == nil
	}
	if err := decode(); err != nil {
		it.fail(err)
		return false
	}
	return true
}

// objectOrNull reads null, or checks that an object comes next and reports
// true. Any other value is skipped and is a problem of raw: field got it,
// and wants what.
func (p *scanner) objectOrNull(raw *Raw, field, want string) (object bool, err error) {
	switch c := p.Peek(); c {
	case '{':
		return true, nil
	case 'n':
		return false, p.Literal("null")
	default:
		if err := p.Skip(1); err != nil {
			return false, err
		}
		raw.problem("%s: got %s, want %s", field, jsonscan.TypeName(c), want)
		return false, nil
	}
}

// nonObject handles a record that is not a JSON object.
func (it *records) nonObject(raw *Raw) bool {
	p := it.p
	c := p.Peek()
	if c == '{' {
		return false
	}
	start := p.Pos
	if err := p.Skip(0); err != nil {
		it.fail(err)
		return true
	}
	raw.Text, raw.Compact = p.Text[start:p.Pos], !p.Spaced
	raw.problem("record: got %s, want an object", jsonscan.TypeName(c))
	return true
}

// value is one scalar read from the body.
type value struct {
	v       dataset.Value
	first   byte   // first byte of the JSON value, for its type name
	complex bool   // an object or array (skipped)
	numErr  string // why a number cannot be used, "" if it can
}

func (v *value) typeName() string { return jsonscan.TypeName(v.first) }

// scalar reads one value into out; objects and arrays are checked and
// skipped. It fills out in place: the value is read for every feature of
// every record, and returning it by value costs more than reading it.
func (p *scanner) scalar(out *value) error {
	c := p.Peek()
	out.first, out.complex, out.numErr = c, false, ""
	switch {
	case c == '"':
		s, err := p.String()
		out.v = dataset.Value{Kind: dataset.Text, Str: s}
		return err
	case c == 'n':
		out.v = dataset.Value{}
		return p.Literal("null")
	case c == 't':
		out.v = dataset.Value{Kind: dataset.Bool, Str: "true"}
		return p.Literal("true")
	case c == 'f':
		out.v = dataset.Value{Kind: dataset.Bool, Str: "false"}
		return p.Literal("false")
	case c == '{' || c == '[':
		out.v, out.complex = dataset.Value{}, true
		return p.Skip(1)
	}
	text, err := p.Number()
	if err != nil {
		return err
	}
	f, perr := jsonscan.ParseFloat(text)
	if perr != nil {
		out.numErr = fmt.Sprintf("the number %s is out of range", text)
	}
	if out.numErr == "" && math.Abs(f) > profile.MaxMagnitude {
		out.numErr = fmt.Sprintf("the number %s is beyond ±%g", text, profile.MaxMagnitude)
	}
	if f == 0 {
		f = 0 // no negative zero
	}
	out.v = dataset.Value{Kind: dataset.Number, Num: f}
	return nil
}

// checkKind says what is wrong with value v for a column of kind k, or "".
// An empty kind accepts any scalar. what explains the kind, as a function
// so that the explanation is only built for a problem.
func checkKind(v *value, k profile.Kind, what func() string) string {
	if v.complex {
		return fmt.Sprintf("got %s, want %s", v.typeName(), kindWant(k))
	}
	switch v.v.Kind {
	case dataset.Missing:
		return ""
	case dataset.Number:
		return v.numErr
	case dataset.Text:
		if k == profile.Numeric || k == profile.Discrete {
			if isNonFinite(v.v.Str) {
				return fmt.Sprintf("got the string %q; NaN and infinities are not numbers", v.v.Str)
			}
			return fmt.Sprintf("got a string, want a number (%s)", what())
		}
	case dataset.Bool:
		if k == profile.Numeric || k == profile.Discrete {
			return fmt.Sprintf("got a boolean, want a number (%s)", what())
		}
	}
	return ""
}

func kindWant(k profile.Kind) string {
	if k == profile.Numeric || k == profile.Discrete {
		return "a number or null"
	}
	return "a string, number, boolean or null"
}

func isNonFinite(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return strings.EqualFold(s, "nan") || strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity")
}

// readString reads a string-or-null member into *dst, adding a problem to
// raw when it is neither. maxLen > 0 bounds its length.
func (p *scanner) readString(raw *Raw, field string, dst *string, maxLen int) error {
	var v value
	if err := p.scalar(&v); err != nil {
		return err
	}
	switch v.v.Kind {
	case dataset.Missing:
		if !v.complex {
			return nil
		}
	case dataset.Text:
		switch {
		case v.v.Str == "":
			raw.problem("%s: empty string; omit it or use null", field)
		case maxLen > 0 && len(v.v.Str) > maxLen:
			raw.problem("%s: %d bytes long, at most %d allowed", field, len(v.v.Str), maxLen)
		default:
			*dst = v.v.Str
		}
		return nil
	}
	raw.problem("%s: got %s, want a string", field, v.typeName())
	return nil
}

// readTime reads an RFC 3339 timestamp member.
func (p *scanner) readTime(raw *Raw, field string, dst *time.Time, ok *bool) error {
	var v value
	if err := p.scalar(&v); err != nil {
		return err
	}
	switch {
	case v.v.Kind == dataset.Missing && !v.complex:
		return nil // reported as missing by the caller
	case v.v.Kind != dataset.Text:
		raw.problem("%s: got %s, want an RFC 3339 time such as 2026-11-26T20:00:00Z", field, v.typeName())
		return nil
	}
	t, perr := time.Parse(time.RFC3339, v.v.Str)
	if perr != nil {
		raw.problem("%s: %q is not an RFC 3339 time such as 2026-11-26T20:00:00Z", field, v.v.Str)
		return nil
	}
	*dst, *ok = t, true
	return nil
}

// readLatency reads latency_ms.
func (p *scanner) readLatency(raw *Raw, dst *float64, ok *bool) error {
	var v value
	if err := p.scalar(&v); err != nil {
		return err
	}
	switch {
	case v.v.Kind == dataset.Missing && !v.complex:
		return nil
	case v.v.Kind != dataset.Number:
		raw.problem("latency_ms: got %s, want a number of milliseconds", v.typeName())
	case v.numErr != "":
		raw.problem("latency_ms: %s", v.numErr)
	case v.v.Num < 0:
		raw.problem("latency_ms: %g is negative", v.v.Num)
	default:
		*dst, *ok = v.v.Num, true
	}
	return nil
}
