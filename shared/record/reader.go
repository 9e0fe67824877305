package record

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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
	return appendCompact(dst, r.Text)
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
		p.i = it.body.records
		p.record = -1
		p.i++ // '['
		p.ws()
		if p.peek() == ']' {
			p.i++
			it.fail(fmt.Errorf("%w: the records array is empty", ErrNoRecords))
			return false
		}
	} else {
		more, err := p.afterMember(']')
		if err != nil {
			it.fail(err)
			return false
		}
		if !more {
			it.done = true
			p.record = -1
			if err := it.body.finish(p.i); err != nil {
				it.err = err
			}
			return false
		}
	}
	it.index++
	p.record = it.index
	p.spaced = false
	return true
}

func (it *records) fail(err error) {
	it.err, it.done = err, true
}

// nonObject handles a record that is not a JSON object.
func (it *records) nonObject(raw *Raw) bool {
	p := it.p
	c := p.peek()
	if c == '{' {
		return false
	}
	start := p.i
	if err := p.skip(0); err != nil {
		it.fail(err)
		return true
	}
	raw.Text, raw.Compact = p.s[start:p.i], !p.spaced
	raw.problem("record: got %s, want an object", jsonType(c))
	return true
}

// value is one scalar read from the body.
type value struct {
	v       dataset.Value
	first   byte   // first byte of the JSON value, for its type name
	complex bool   // an object or array (skipped)
	numErr  string // why a number cannot be used, "" if it can
}

func (v *value) typeName() string { return jsonType(v.first) }

// scalar reads one value into out; objects and arrays are checked and
// skipped. It fills out in place: the value is read for every feature of
// every record, and returning it by value costs more than reading it.
func (p *scanner) scalar(out *value) error {
	c := p.peek()
	out.first, out.complex, out.numErr = c, false, ""
	switch {
	case c == '"':
		s, err := p.str()
		out.v = dataset.Value{Kind: dataset.Text, Str: s}
		return err
	case c == 'n':
		out.v = dataset.Value{}
		return p.literal("null")
	case c == 't':
		out.v = dataset.Value{Kind: dataset.Bool, Str: "true"}
		return p.literal("true")
	case c == 'f':
		out.v = dataset.Value{Kind: dataset.Bool, Str: "false"}
		return p.literal("false")
	case c == '{' || c == '[':
		out.v, out.complex = dataset.Value{}, true
		return p.skip(1)
	}
	text, err := p.number()
	if err != nil {
		return err
	}
	f, fast := parseSimpleNumber(text)
	if !fast {
		var perr error
		f, perr = strconv.ParseFloat(text, 64)
		if perr != nil && math.IsInf(f, 0) {
			out.numErr = fmt.Sprintf("the number %s is out of range", text)
		}
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

// pow10 are the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseSimpleNumber converts JSON number text with at most 15 digits and no
// exponent, the common case, without strconv: the digits and the power of
// ten are exact in a float64, so one division rounds correctly (Clinger's
// fast path, as strconv.ParseFloat does internally). ok is false for any
// other text, which the caller passes to strconv.ParseFloat.
func parseSimpleNumber(s string) (f float64, ok bool) {
	i, neg := 0, false
	if s != "" && s[0] == '-' {
		i, neg = 1, true
	}
	var mant uint64
	digits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits == 15 {
				return 0, false
			}
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.':
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f = float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}
