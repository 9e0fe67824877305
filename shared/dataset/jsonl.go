package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// ScorePrefix is prepended to each class of a prediction record's "scores"
// object to name its column: {"scores":{"fraud":0.9}} gives score_fraud.
const ScorePrefix = "score_"

// JSON Lines read-ahead: a JSON Lines reader reads up to JSONLSampleRecords
// records (and at most jsonlSampleBytes bytes of them) when it is opened, to
// know the columns before the first Next.
const (
	JSONLSampleRecords = 10000
	jsonlSampleBytes   = 64 << 20
)

// jsonlReader reads JSON Lines: one object per line, blank lines skipped.
//
// Each record is either flat (every key a column, every value a scalar) or a
// prediction record, recognised by a "features" key holding an object: its
// members become columns under their own names, the members of its "scores"
// object become ScorePrefix+class columns, and its other top-level keys
// (request_id, timestamp, model_version, prediction, latency_ms, error,
// label, or any other scalar) keep their names. Nested objects and arrays
// anywhere else are errors naming the key. A column set twice in one record
// (a duplicate key, or a feature clashing with a top-level field) is an
// error.
type jsonlReader struct {
	name string
	br   *bufio.Reader
	c    *closer
	line int64 // physical lines consumed
	long []byte
	err  error // sticky error, io.EOF at the end

	cols  []string
	index map[string]int
	stamp []uint32 // stamp[i] == gen when column i is set in the current record
	gen   uint32
	order []int // order[k] is the column of the k-th member of the last record
	seq   int   // members of the current record so far

	sample    []sampledLine // read-ahead records not yet returned
	samplePos int
	sampleEnd error // what stopped the read-ahead (io.EOF or a read error)

	sc     jsonscan.Scanner
	scores []scoreEntry // a record's "scores" members, applied at its end
	keyBuf []byte
}

type sampledLine struct {
	text string
	line int64
}

type scoreEntry struct {
	class string
	v     Value
}

func newJSONLReader(br *bufio.Reader, name string, c *closer) (*jsonlReader, error) {
	r := &jsonlReader{name: name, br: br, c: c, index: make(map[string]int)}
	r.sc = jsonscan.Scanner{Strings: jsonscan.Replace, End: "end of line"}
	var scratch Row
	size := 0
	for len(r.sample) < JSONLSampleRecords && size < jsonlSampleBytes {
		text, line, err := r.readLine()
		if err != nil {
			r.sampleEnd = err
			break
		}
		r.sample = append(r.sample, sampledLine{text, line})
		size += len(text)
		if r.parse(text, line, &scratch) != nil {
			break // reported again when Next reaches this line
		}
	}
	return r, nil
}

func (r *jsonlReader) Columns() []string { return r.cols }

func (r *jsonlReader) Next(row *Row) error {
	if r.err != nil {
		return r.err
	}
	var err error
	switch {
	case r.samplePos < len(r.sample):
		s := r.sample[r.samplePos]
		r.sample[r.samplePos] = sampledLine{}
		r.samplePos++
		if r.samplePos == len(r.sample) {
			r.sample, r.samplePos = nil, 0
		}
		err = r.parse(s.text, s.line, row)
	case r.sampleEnd != nil:
		err = r.sampleEnd
	default:
		var text string
		var line int64
		if text, line, err = r.readLine(); err == nil {
			err = r.parse(text, line, row)
		}
	}
	if err != nil {
		r.err = err
	}
	return err
}

func (r *jsonlReader) Close() error {
	if r.err == nil {
		r.err = errClosed
	}
	r.sample = nil
	return r.c.Close()
}

// readLine returns the next non-blank line and its number, io.EOF at the
// end, or an *Error for a failed read.
func (r *jsonlReader) readLine() (string, int64, error) {
	for {
		b, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			b, err = r.longLine(b)
		}
		if len(b) == 0 && err != nil {
			if err != io.EOF {
				err = readError(r.name, r.line+1, err)
			}
			return "", 0, err
		}
		r.line++
		if err != nil && err != io.EOF {
			return "", 0, readError(r.name, r.line, err)
		}
		if r.line == 1 && len(b) >= 3 && string(b[:3]) == "\uFEFF" {
			b = b[3:] // UTF-8 byte order mark
		}
		if !isBlank(b) {
			return string(b), r.line, nil
		}
	}
}

// longLine reads the rest of a line longer than the reader's buffer, whose
// start is b, into r.long.
func (r *jsonlReader) longLine(b []byte) ([]byte, error) {
	r.long = append(r.long[:0], b...)
	for {
		more, err := r.br.ReadSlice('\n')
		r.long = append(r.long, more...)
		if err != bufio.ErrBufferFull {
			return r.long, err
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// parse decodes one record into row. On error the columns it added are
// removed again and row is left unspecified.
func (r *jsonlReader) parse(text string, line int64, row *Row) error {
	row.Line = line
	row.resize(len(r.cols))
	r.gen++
	if r.gen == 0 { // wrapped: forget every stamp
		clear(r.stamp)
		r.gen = 1
	}
	ncols := len(r.cols)
	r.seq = 0
	err := r.parseObject(text, row)
	if err != nil {
		r.order = r.order[:0] // may name rolled-back columns
		for _, c := range r.cols[ncols:] {
			delete(r.index, c)
		}
		r.cols = r.cols[:ncols:ncols] // a later append must not overwrite what Columns returned
		r.stamp = r.stamp[:ncols]
		var e *Error
		if errors.As(err, &e) {
			e.Pos = Position{File: r.name, Line: line}
			return e
		}
		var syn *jsonscan.SyntaxError
		if errors.As(err, &syn) {
			err = &syntaxError{offset: syn.Offset + 1, msg: syn.Msg}
		}
		return &Error{Pos: Position{File: r.name, Line: line}, Err: err}
	}
	return nil
}

// syntaxError is a JSON syntax error at a 1-based byte offset in the line.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at character %d: %s", e.offset, e.msg)
}

// key reads a member's key and the ':' after it.
func (r *jsonlReader) key() (string, error) {
	p := &r.sc
	p.SkipSpace()
	if p.Peek() != '"' {
		return "", p.Errorf("expected '\"', found %s", p.Found())
	}
	return p.Key()
}

// columnError is an error about a column; parse adds the position.
func columnError(column, format string, args ...any) error {
	return &Error{Column: column, Err: fmt.Errorf(format, args...)}
}

func (r *jsonlReader) parseObject(text string, row *Row) error {
	p := &r.sc
	p.Reset(text)
	r.scores = r.scores[:0]
	prediction, haveScores := false, false

	p.SkipSpace()
	if c := p.Peek(); c != '{' {
		if c == '[' {
			return p.Errorf("expected one JSON object per line (JSON Lines), found an array")
		}
		return p.Errorf("expected a JSON object, found %s", jsonscan.TypeName(c))
	}
	if !p.Open() {
		for {
			key, err := r.key()
			if err != nil {
				return err
			}
			switch c := p.Peek(); {
			case c == '{' && key == "features" && !prediction:
				prediction = true
				if err := r.parseMembers(row, false); err != nil {
					return err
				}
			case c == '{' && key == "scores" && !haveScores:
				haveScores = true
				if err := r.parseMembers(row, true); err != nil {
					return err
				}
			case c == '{' || c == '[':
				if key == "features" || key == "scores" {
					return columnError(key, "key appears twice in the record")
				}
				return columnError(key, "nested %s values are not supported (only the \"features\" and \"scores\" objects of a prediction record are flattened)", strings.TrimPrefix(jsonscan.TypeName(c), "an "))
			default:
				v, err := r.scalar(key)
				if err != nil {
					return err
				}
				if err := r.setName(key, v, row); err != nil {
					return err
				}
			}
			more, err := p.AfterMember('}')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	p.SkipSpace()
	if !p.AtEnd() {
		return p.Errorf("unexpected %s after the JSON object", p.Found())
	}
	if haveScores {
		if !prediction {
			return columnError("scores", "nested object values are not supported in a flat record (a \"scores\" object needs a \"features\" object beside it)")
		}
		for _, e := range r.scores {
			r.keyBuf = append(append(r.keyBuf[:0], ScorePrefix...), e.class...)
			if err := r.setKey(r.keyBuf, e.v, row); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseMembers parses the object at the scanner (a prediction record's
// "features", or "scores" when scores is true) whose members must all be
// scalars. Features are set on row at once; scores are kept in r.scores.
func (r *jsonlReader) parseMembers(row *Row, scores bool) error {
	p := &r.sc
	if p.Open() {
		return nil
	}
	for {
		key, err := r.key()
		if err != nil {
			return err
		}
		if c := p.Peek(); c == '{' || c == '[' {
			return columnError(memberColumn(key, scores), "nested %s values are not supported", strings.TrimPrefix(jsonscan.TypeName(c), "an "))
		}
		v, err := r.scalar(key)
		if err != nil {
			var e *Error
			if scores && errors.As(err, &e) {
				e.Column = memberColumn(key, scores)
			}
			return err
		}
		if scores {
			r.scores = append(r.scores, scoreEntry{class: key, v: v})
		} else if err := r.setName(key, v, row); err != nil {
			return err
		}
		if more, err := p.AfterMember('}'); err != nil || !more {
			return err
		}
	}
}

// memberColumn names the column of a "features" or "scores" member.
func memberColumn(key string, scores bool) string {
	if scores {
		return ScorePrefix + key
	}
	return key
}

// scalar parses a string, number, boolean or null; column names the value
// in errors.
func (r *jsonlReader) scalar(column string) (Value, error) {
	p := &r.sc
	switch c := p.Peek(); {
	case c == '"':
		s, err := p.String()
		return Value{Kind: Text, Str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		s, err := p.Number()
		if err != nil {
			return Value{}, err
		}
		f, err := jsonscan.ParseFloat(s)
		if err != nil {
			return Value{}, columnError(column, "number %s does not fit in a float64", s)
		}
		return Value{Kind: Number, Num: f}, nil
	case c == 't':
		return Value{Kind: Bool, Str: "true"}, p.Literal("true")
	case c == 'f':
		return Value{Kind: Bool, Str: "false"}, p.Literal("false")
	case c == 'n':
		return Value{}, p.Literal("null")
	}
	return Value{}, p.Errorf("expected a value, found %s", p.Found())
}

// setName sets column name (adding it if new) to v.
func (r *jsonlReader) setName(name string, v Value, row *Row) error {
	i, ok := r.lookup(name)
	if !ok {
		if name == "" {
			return plainError("empty key: a column needs a name")
		}
		i = r.addColumn(strings.Clone(name), row)
	}
	return r.setIndex(i, v, row)
}

// setKey is setName for a name held in a byte slice, without allocating
// when the column exists.
func (r *jsonlReader) setKey(name []byte, v Value, row *Row) error {
	i, ok := r.lookup(string(name))
	if !ok {
		i = r.addColumn(string(name), row)
	}
	return r.setIndex(i, v, row)
}

// lookup finds the column of the next member of the record. Records of one
// file usually list their keys in the same order, so it first tries the
// column that the member at the same place in the previous record had,
// which saves hashing the name.
func (r *jsonlReader) lookup(name string) (int, bool) {
	if r.seq < len(r.order) {
		if i := r.order[r.seq]; r.cols[i] == name {
			r.seq++
			return i, true
		}
	}
	i, ok := r.index[name]
	if ok {
		r.remember(i)
	}
	return i, ok
}

// remember records that the current member went to column i.
func (r *jsonlReader) remember(i int) {
	if r.seq < len(r.order) {
		r.order[r.seq] = i
	} else {
		r.order = append(r.order, i)
	}
	r.seq++
}

func (r *jsonlReader) setIndex(i int, v Value, row *Row) error {
	if r.stamp[i] == r.gen {
		return columnError(r.cols[i], "set twice in one record (a duplicate key, or a feature or score named like a top-level field)")
	}
	r.stamp[i] = r.gen
	row.Values[i] = v
	return nil
}

func (r *jsonlReader) addColumn(name string, row *Row) int {
	i := len(r.cols)
	r.cols = append(r.cols, name)
	r.index[name] = i
	r.stamp = append(r.stamp, 0)
	r.remember(i)
	row.Values = append(row.Values, Value{})
	return i
}
