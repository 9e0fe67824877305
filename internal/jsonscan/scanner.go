package jsonscan

import (
	"fmt"
	"strings"
)

// DefaultMaxDepth is the nesting of arrays and objects Skip accepts when a
// Scanner's MaxDepth is 0: encoding/json's limit.
const DefaultMaxDepth = 10000

// Policy says how a Scanner reads the invalid UTF-8 and the unpaired UTF-16
// surrogate escapes (such as "\ud800") of a string.
type Policy uint8

// The string policies.
const (
	// Strict rejects both with a SyntaxError.
	Strict Policy = iota
	// Replace reads both as U+FFFD, as encoding/json does.
	Replace
	// Keep keeps invalid UTF-8 bytes as they are and reads an unpaired
	// surrogate as U+FFFD.
	Keep
)

// SyntaxError says that the text is not JSON, or not the JSON its reader
// wants: Msg says what, Offset is the 0-based byte offset where.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// Scanner reads the JSON text Text from byte Pos on.
type Scanner struct {
	Text string
	Pos  int
	// Spaced is set when whitespace is skipped; the caller clears it.
	Spaced bool
	// Strings is how strings with invalid UTF-8 or unpaired surrogates are
	// read.
	Strings Policy
	// MaxDepth bounds the nesting of the values Skip reads
	// (DefaultMaxDepth when 0).
	MaxDepth int
	// End names the end of the text in errors ("the end of the body");
	// "the end of the text" when empty.
	End string

	buf []byte // scratch for strings with escapes
}

// Reset makes the scanner read text from its start, keeping its settings
// and its scratch memory.
func (p *Scanner) Reset(text string) {
	p.Text, p.Pos, p.Spaced = text, 0, false
}

// Errorf returns a SyntaxError at the current position.
func (p *Scanner) Errorf(format string, args ...any) error {
	return p.ErrorAt(p.Pos, fmt.Sprintf(format, args...))
}

// ErrorAt returns a SyntaxError at byte offset off.
func (p *Scanner) ErrorAt(off int, msg string) error {
	return &SyntaxError{Offset: off, Msg: msg}
}

// SkipSpace skips JSON whitespace.
func (p *Scanner) SkipSpace() {
	i, s := p.Pos, p.Text
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	if i != p.Pos {
		p.Spaced = true
		p.Pos = i
	}
}

// Peek returns the next byte, or 0 at the end of the text.
func (p *Scanner) Peek() byte {
	if p.Pos < len(p.Text) {
		return p.Text[p.Pos]
	}
	return 0
}

// AtEnd reports whether the whole text has been read.
func (p *Scanner) AtEnd() bool { return p.Pos >= len(p.Text) }

// Found describes the next byte for an error message: a quoted printable
// character, a byte in hexadecimal, or the end of the text.
func (p *Scanner) Found() string {
	if p.Pos >= len(p.Text) {
		if p.End != "" {
			return p.End
		}
		return "the end of the text"
	}
	c := p.Text[p.Pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// Expect consumes byte c, or fails saying that what was expected.
func (p *Scanner) Expect(c byte, what string) error {
	if p.Pos < len(p.Text) && p.Text[p.Pos] == c {
		p.Pos++
		return nil
	}
	return p.Errorf("expected %s, found %s", what, p.Found())
}

// Open consumes the '{' or '[' at the position and the whitespace after it.
// It reports whether the object or array is empty, in which case its
// closing bracket is consumed too.
func (p *Scanner) Open() (empty bool) {
	closing := p.Text[p.Pos] + 2 // '{'+2 == '}', '['+2 == ']'
	p.Pos++
	p.SkipSpace()
	if p.Pos < len(p.Text) && p.Text[p.Pos] == closing {
		p.Pos++
		return true
	}
	return false
}

// AfterMember consumes the ',' or the closing byte ('}' or ']') after an
// object member or an array element, and the whitespace around them. It
// reports whether the object or array goes on.
func (p *Scanner) AfterMember(closing byte) (more bool, err error) {
	if p.Pos+1 < len(p.Text) { // the common case, compact JSON
		switch c, next := p.Text[p.Pos], p.Text[p.Pos+1]; {
		case c == ',' && next > ' ':
			p.Pos++
			return true, nil
		case c == closing:
			p.Pos++
			return false, nil
		}
	}
	p.SkipSpace()
	if p.Pos < len(p.Text) {
		switch p.Text[p.Pos] {
		case ',':
			p.Pos++
			p.SkipSpace()
			return true, nil
		case closing:
			p.Pos++
			return false, nil
		}
	}
	if closing == '}' {
		return false, p.Errorf("expected ',' or '}' after an object member, found %s", p.Found())
	}
	return false, p.Errorf("expected ',' or ']' after an array element, found %s", p.Found())
}

// Key reads an object key, the ':' after it and the whitespace around it.
func (p *Scanner) Key() (string, error) {
	if p.Peek() != '"' {
		return "", p.Errorf("expected a string key, found %s", p.Found())
	}
	k, err := p.String()
	if err != nil {
		return "", err
	}
	p.SkipSpace()
	if err := p.Expect(':', "':' after an object key"); err != nil {
		return "", err
	}
	p.SkipSpace()
	return k, nil
}

// Members reads an object, which must come next, and calls member for
// each of its members with its key, positioned at its value, which member
// must read.
func (p *Scanner) Members(member func(key string) error) error {
	if err := p.Expect('{', "'{'"); err != nil {
		return err
	}
	p.Pos--
	for more := !p.Open(); more; {
		k, err := p.Key()
		if err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
		if more, err = p.AfterMember('}'); err != nil {
			return err
		}
	}
	return nil
}

// MatchName returns the index in names of the name a member key sets, as
// encoding/json matches keys to struct fields: the same name, or else one
// equal to it without regard to case; -1 when there is none.
func MatchName(key string, names []string) int {
	for i, n := range names {
		if n == key {
			return i
		}
	}
	for i, n := range names {
		if strings.EqualFold(n, key) {
			return i
		}
	}
	return -1
}

// Literal consumes word (true, false or null) or fails.
func (p *Scanner) Literal(word string) error {
	if strings.HasPrefix(p.Text[p.Pos:], word) {
		p.Pos += len(word)
		return nil
	}
	return p.Errorf("invalid literal: expected %s", word)
}

// TypeName names the JSON type of a value that starts with byte c, for
// error messages: "a string", "an object", "a number", ….
func TypeName(c byte) string {
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
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "invalid JSON"
}

// Position returns the 1-based line and column (in bytes) of byte offset
// off of text.
func Position(text string, off int) (line, col int) {
	off = min(off, len(text))
	line = 1 + strings.Count(text[:off], "\n")
	col = off - strings.LastIndexByte(text[:off], '\n')
	return line, col
}
