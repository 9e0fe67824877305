package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// String reads a string; the next byte must be '"'. A string without
// escapes (and, under Replace, without invalid UTF-8) is a substring of the
// text; any other is decoded into scratch memory and copied once.
func (p *Scanner) String() (string, error) {
	s := p.Text
	start := p.Pos + 1
	i := nextSpecial(s, start)
	for i < len(s) && s[i] >= utf8.RuneSelf {
		size, replace, err := p.char(i)
		if err != nil || replace {
			break
		}
		i = nextSpecial(s, i+size)
	}
	if i < len(s) && s[i] == '"' {
		p.Pos = i + 1
		return s[start:i], nil
	}
	// An escape, a control character, invalid UTF-8 or the end of the
	// text: unquote decodes it or says what is wrong.
	return p.unquote(start, i, false)
}

// LongString reads a string as String does, for one long string with many
// escapes (a batch body inside an API Gateway event): it decodes it into
// new memory as long as the rest of the text, which becomes the string, so
// that it is copied once.
func (p *Scanner) LongString() (string, error) {
	p.buf = make([]byte, 0, len(p.Text)-p.Pos)
	return p.unquote(p.Pos+1, p.Pos+1, true)
}

// char reads the non-ASCII character at i of a string: its size, and
// whether it is invalid UTF-8 to be read as U+FFFD (under Replace).
func (p *Scanner) char(i int) (size int, replace bool, err error) {
	r, size := utf8.DecodeRuneInString(p.Text[i:])
	if r != utf8.RuneError || size != 1 {
		return size, false, nil
	}
	switch p.Strings {
	case Strict:
		p.Pos = i
		return 0, false, p.Errorf("invalid UTF-8 in a string")
	case Replace:
		return 1, true, nil
	}
	return 1, false, nil
}

func (p *Scanner) controlError(i int) error {
	p.Pos = i
	return p.Errorf("control character 0x%02x in a string (escape it)", p.Text[i])
}

// unquote decodes the string that starts at start from i on, where the
// first escape (or byte to replace) is, into the scratch memory. The
// string is a copy of it, or, when own is set, the memory itself.
func (p *Scanner) unquote(start, i int, own bool) (string, error) {
	s := p.Text
	src := unsafe.Slice(unsafe.StringData(s), len(s))
	b := append(p.buf[:0], s[start:i]...)
	defer func() { p.buf = b[:0] }()
	for {
		// Copy plain bytes eight at a time into the spare capacity, up to
		// the next special byte: strings with escapes (a batch body inside
		// an API Gateway event) often have one every few bytes.
		out, k := b[:cap(b)], len(b)
		for i+8 <= len(s) {
			if k+8 > len(out) {
				out = slices.Grow(out[:k], 8)
				out = out[:cap(out)]
			}
			w := binary.LittleEndian.Uint64(src[i:])
			binary.LittleEndian.PutUint64(out[k:], w)
			if m := specialMask(w); m != 0 {
				n := bits.TrailingZeros64(m) / 8
				k, i = k+n, i+n
				break
			}
			k, i = k+8, i+8
		}
		b = out[:k]
		if i+8 > len(s) {
			j := nextSpecial(s, i)
			b = append(b, s[i:j]...)
			i = j
		}
		if i >= len(s) {
			p.Pos = len(s)
			return "", p.Errorf("unterminated string")
		}
		switch c := s[i]; {
		case c == '"':
			p.Pos = i + 1
			if own {
				str := unsafe.String(unsafe.SliceData(b), len(b))
				b = nil // the string's now
				return str, nil
			}
			return string(b), nil
		case c == '\\':
			if i+1 >= len(s) {
				p.Pos = len(s)
				return "", p.Errorf("unterminated string")
			}
			e := s[i+1]
			if e == 'u' {
				r, n, ok, lone := unicodeEscape(s[i:])
				if !ok {
					p.Pos = i
					return "", p.Errorf(`invalid \u escape (want four hexadecimal digits)`)
				}
				if lone {
					if p.Strings == Strict {
						p.Pos = i
						return "", p.Errorf(`unpaired UTF-16 surrogate \u%04x`, r)
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
				i += n
				continue
			}
			d := unescaped[e]
			if d == 0 {
				p.Pos = i
				return "", p.Errorf("invalid escape '\\%c' in a string", e)
			}
			b = append(b, d)
			i += 2
		case c < 0x20:
			return "", p.controlError(i)
		default:
			size, replace, err := p.char(i)
			switch {
			case err != nil:
				return "", err
			case replace:
				b = utf8.AppendRune(b, utf8.RuneError)
			default:
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
}

// unescaped maps the character after a backslash to the byte it stands for
// (0: not a one-character escape).
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// nextSpecial returns the index of the first byte of s from i on that ends
// a run of plain string bytes: '"', '\\', a control character or a
// non-ASCII byte; len(s) if there is none. It looks at eight bytes at a
// time (the lowest flagged byte of each word is exact).
func nextSpecial(s string, i int) int {
	src := unsafe.Slice(unsafe.StringData(s), len(s))
	for ; i+8 <= len(s); i += 8 {
		if m := specialMask(binary.LittleEndian.Uint64(src[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return len(s)
}

// specialMask flags the special bytes of the eight in w (see nextSpecial)
// by their high bits; the lowest flag is exact, the others may not be.
func specialMask(w uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := w ^ (lo * '"')
	bs := w ^ (lo * '\\')
	return ((q-lo)&^q | (bs-lo)&^bs | (w - lo*0x20) | w) & hi
}

// unicodeEscape decodes the \uXXXX escape that starts s. A high surrogate
// followed by the escape of its low surrogate is joined into one rune. n is
// the number of bytes read (6, or 12 for a pair); ok is false when the four
// characters after `\u` are not hexadecimal digits; lone is true when r is
// a surrogate without its pair (then n is 6 and r the surrogate).
func unicodeEscape(s string) (r rune, n int, ok, lone bool) {
	r, ok = hex4(s, 2)
	if !ok {
		return 0, 0, false, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true, false
	}
	if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if r2, ok := hex4(s, 8); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, true, false
			}
		}
	}
	return r, 6, true, true
}

// hex4 reads four hexadecimal digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
