package dataset

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch/internal/jsonesc"
)

// jsonScanner tokenizes the JSON text of one JSON Lines record. It accepts
// exactly the JSON grammar (RFC 8259) and decodes strings as encoding/json
// does: invalid UTF-8 and unpaired surrogate escapes become U+FFFD. Strings
// without escapes are returned as substrings of s, without copying.
type jsonScanner struct {
	s   string
	i   int
	buf []byte // scratch for strings that need unescaping
}

// syntaxError is a JSON syntax error at a 1-based byte offset in the line.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at character %d: %s", e.offset, e.msg)
}

func (p *jsonScanner) errorf(format string, args ...any) error {
	return &syntaxError{offset: p.i + 1, msg: fmt.Sprintf(format, args...)}
}

// skipSpace skips JSON whitespace.
func (p *jsonScanner) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end.
func (p *jsonScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// expect consumes c or fails naming what was wanted.
func (p *jsonScanner) expect(c byte, what string) error {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return nil
	}
	return p.errorf("expected %s, found %s", what, p.found())
}

// found describes the next byte for error messages.
func (p *jsonScanner) found() string {
	if p.i >= len(p.s) {
		return "end of line"
	}
	c := p.s[p.i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// str parses a string; the next byte must be '"'.
func (p *jsonScanner) str() (string, error) {
	if err := p.expect('"', "'\"'"); err != nil {
		return "", err
	}
	start := p.i
	ascii := true
	for j := start; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			v := p.s[start:j]
			if !ascii && !utf8.ValidString(v) {
				return p.unquote(start)
			}
			p.i = j + 1
			return v, nil
		case c == '\\':
			return p.unquote(start)
		case c < 0x20:
			p.i = j
			return "", p.errorf("control character 0x%02x in string", c)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.i = len(p.s)
	return "", p.errorf("unterminated string")
}

// unquote decodes the string whose contents start at start, handling
// escapes and invalid UTF-8 the way encoding/json does.
func (p *jsonScanner) unquote(start int) (string, error) {
	b := p.buf[:0]
	j := start
	for j < len(p.s) {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			p.buf = b
			return string(b), nil
		case c < 0x20:
			p.i = j
			return "", p.errorf("control character 0x%02x in string", c)
		case c == '\\':
			if j+1 >= len(p.s) {
				p.i = len(p.s)
				return "", p.errorf("unterminated string")
			}
			switch e := p.s[j+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, n, ok, lone := jsonesc.Unicode(p.s[j:])
				if !ok {
					p.i = j
					return "", p.errorf("invalid \\u escape")
				}
				if lone {
					r = unicode.ReplacementChar
				}
				j += n
				b = utf8.AppendRune(b, r)
				continue
			default:
				p.i = j
				return "", p.errorf("invalid escape \\%c", e)
			}
			j += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			j++
		default:
			r, size := utf8.DecodeRuneInString(p.s[j:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, p.s[j:j+size]...)
			}
			j += size
		}
	}
	p.i = len(p.s)
	p.buf = b
	return "", p.errorf("unterminated string")
}

// hex4 decodes the four hex digits at s[i:i+4], or returns -1.
// number scans a JSON number and returns its text.
func (p *jsonScanner) number() (string, error) {
	s, j := p.s, p.i
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		p.i = j
		return "", p.errorf("invalid number")
	}
	if j < len(s) && s[j] == '.' {
		j++
		if j >= len(s) || s[j] < '0' || s[j] > '9' {
			p.i = j
			return "", p.errorf("invalid number: expected a digit after '.'")
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j >= len(s) || s[j] < '0' || s[j] > '9' {
			p.i = j
			return "", p.errorf("invalid number: expected a digit in the exponent")
		}
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	}
	v := s[p.i:j]
	p.i = j
	return v, nil
}

// literal consumes word (true, false or null) or fails.
func (p *jsonScanner) literal(word string) error {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return nil
	}
	return p.errorf("invalid literal (expected %s)", word)
}

// tokenKind describes a value by its first byte, for error messages.
func tokenKind(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "invalid JSON"
}
