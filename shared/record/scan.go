package record

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch/internal/jsonesc"
)

// maxDepth bounds the nesting of arrays and objects, so that a hostile body
// cannot exhaust the stack.
const maxDepth = 64

// SyntaxError says that the body is not JSON, or not the JSON it must be,
// and where: Offset is the 0-based byte offset in the body, Line and Column
// are 1-based (Column counts bytes). Record is the index of the record the
// error is in, or -1 when it is outside the records.
type SyntaxError struct {
	Offset, Line, Column int
	Record               int
	Msg                  string
}

func (e *SyntaxError) Error() string {
	where := fmt.Sprintf("line %d, column %d (byte %d)", e.Line, e.Column, e.Offset)
	if e.Record >= 0 {
		where += fmt.Sprintf(", in records[%d]", e.Record)
	}
	return "invalid JSON at " + where + ": " + e.Msg
}

// scanner reads JSON text (RFC 8259) from a string. Strings without escapes
// are returned as substrings of s. It rejects invalid UTF-8 and raw control
// characters inside strings, so that whatever it accepts can be stored and
// read back by any JSON reader unchanged.
type scanner struct {
	s      string
	i      int
	spaced bool // whitespace was skipped since the flag was last cleared
	buf    []byte
	record int // index of the record being read, -1 outside the records
}

func (p *scanner) errorf(format string, args ...any) error {
	return p.errorAt(p.i, fmt.Sprintf(format, args...))
}

func (p *scanner) errorAt(off int, msg string) error {
	line, col := Position(p.s, off)
	return &SyntaxError{Offset: off, Line: line, Column: col, Record: p.record, Msg: msg}
}

// Position returns the 1-based line and column (in bytes) of byte offset off
// of s.
func Position(s string, off int) (line, col int) {
	if off > len(s) {
		off = len(s)
	}
	line = 1 + strings.Count(s[:off], "\n")
	col = off - strings.LastIndexByte(s[:off], '\n')
	return line, col
}

// ws skips JSON whitespace.
func (p *scanner) ws() {
	i := p.i
	for i < len(p.s) {
		switch p.s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	if i != p.i {
		p.spaced = true
		p.i = i
	}
}

// peek returns the next byte, or 0 at the end.
func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// found describes the next byte for error messages.
func (p *scanner) found() string {
	if p.i >= len(p.s) {
		return "the end of the body"
	}
	c := p.s[p.i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *scanner) expect(c byte, what string) error {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return nil
	}
	return p.errorf("expected %s, found %s", what, p.found())
}

// afterMember consumes the ',' or the closing byte after an object member or
// array element. It reports whether the container goes on.
func (p *scanner) afterMember(closing byte) (more bool, err error) {
	p.ws()
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case ',':
			p.i++
			p.ws()
			return true, nil
		case closing:
			p.i++
			return false, nil
		}
	}
	if closing == '}' {
		return false, p.errorf("expected ',' or '}' after an object member, found %s", p.found())
	}
	return false, p.errorf("expected ',' or ']' after an array element, found %s", p.found())
}

// key reads an object key and the ':' after it; the next byte must be '"'.
func (p *scanner) key() (string, error) {
	if p.peek() != '"' {
		return "", p.errorf("expected a string key, found %s", p.found())
	}
	k, err := p.str()
	if err != nil {
		return "", err
	}
	p.ws()
	if err := p.expect(':', "':' after an object key"); err != nil {
		return "", err
	}
	p.ws()
	return k, nil
}

// str reads a string; the next byte must be '"'.
func (p *scanner) str() (string, error) {
	start := p.i + 1
	for i := start; i < len(p.s); {
		c := p.s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return p.s[start:i], nil
		case c == '\\':
			return p.unquote(start, i)
		case c < 0x20:
			p.i = i
			return "", p.errorf("control character 0x%02x in a string (escape it)", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[i:])
			if r == utf8.RuneError && size == 1 {
				p.i = i
				return "", p.errorf("invalid UTF-8 in a string")
			}
			i += size
		}
	}
	p.i = len(p.s)
	return "", p.errorf("unterminated string")
}

// unquote decodes a string with escapes, from its first escape at i.
func (p *scanner) unquote(start, i int) (string, error) {
	b := append(p.buf[:0], p.s[start:i]...)
	for i < len(p.s) {
		c := p.s[i]
		switch {
		case c == '"':
			p.i = i + 1
			p.buf = b
			return string(b), nil
		case c == '\\':
			if i+1 >= len(p.s) {
				p.i = len(p.s)
				return "", p.errorf("unterminated string")
			}
			switch e := p.s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
				i += 2
			case 'b':
				b = append(b, '\b')
				i += 2
			case 'f':
				b = append(b, '\f')
				i += 2
			case 'n':
				b = append(b, '\n')
				i += 2
			case 'r':
				b = append(b, '\r')
				i += 2
			case 't':
				b = append(b, '\t')
				i += 2
			case 'u':
				r, n, ok, lone := jsonesc.Unicode(p.s[i:])
				if !ok {
					p.i = i
					return "", p.errorf(`invalid \u escape (want four hexadecimal digits)`)
				}
				if lone {
					p.i = i
					return "", p.errorf(`unpaired UTF-16 surrogate \u%04x`, r)
				}
				i += n
				b = utf8.AppendRune(b, r)
			default:
				p.i = i
				return "", p.errorf("invalid escape '\\%c' in a string", e)
			}
		case c < 0x20:
			p.i = i
			return "", p.errorf("control character 0x%02x in a string (escape it)", c)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(p.s[i:])
			if r == utf8.RuneError && size == 1 {
				p.i = i
				return "", p.errorf("invalid UTF-8 in a string")
			}
			b = append(b, p.s[i:i+size]...)
			i += size
		}
	}
	p.i = len(p.s)
	return "", p.errorf("unterminated string")
}

// number reads a JSON number and returns its text.
func (p *scanner) number() (string, error) {
	s, start := p.s, p.i
	i := start
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	default:
		p.i = i
		return "", p.errorf("invalid number: expected a digit, found %s", p.found())
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return "", p.errorf("invalid number: expected a digit after '.', found %s", p.found())
		}
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return "", p.errorf("invalid number: expected a digit in the exponent, found %s", p.found())
		}
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	}
	p.i = i
	return s[start:i], nil
}

// literal reads true, false or null.
func (p *scanner) literal(word string) error {
	if strings.HasPrefix(p.s[p.i:], word) {
		p.i += len(word)
		return nil
	}
	return p.errorf("invalid literal: expected %s", word)
}

// jsonType names the JSON type of a value starting with c.
func jsonType(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "a number"
}

// skip reads and checks one value of any type without keeping it.
func (p *scanner) skip(depth int) error {
	switch c := p.peek(); {
	case c == '"':
		_, err := p.str()
		return err
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return p.errorf("nesting deeper than %d levels", maxDepth)
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		p.i++
		p.ws()
		if p.peek() == closing {
			p.i++
			return nil
		}
		for {
			if c == '{' {
				if _, err := p.key(); err != nil {
					return err
				}
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			more, err := p.afterMember(closing)
			if err != nil || !more {
				return err
			}
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := p.number()
		return err
	}
	return p.errorf("expected a JSON value, found %s", p.found())
}

// skipFast moves past one value that a later pass will read with full
// checks: it only matches brackets and strings. It is used to find the
// members of a body that come after its records.
func (p *scanner) skipFast() error {
	c := p.peek()
	if c != '[' && c != '{' {
		return p.skip(0)
	}
	depth, s := 0, p.s
	for i := p.i; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				p.i = i + 1
				return nil
			}
		}
	}
	p.i = len(s)
	return p.errorf("unterminated %s", jsonType(c))
}

// appendCompact appends the JSON text raw (already checked) to dst without
// the whitespace outside its strings.
func appendCompact(dst []byte, raw string) []byte {
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			dst = append(dst, c)
			switch c {
			case '\\':
				i++
				dst = append(dst, raw[i])
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		}
		dst = append(dst, c)
	}
	return dst
}
