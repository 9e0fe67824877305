package jsonesc

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Unicode decodes the escape that starts s, which begins with `\u`. A high
// surrogate followed by a `\u` escape of its low surrogate is joined into one
// rune. n is the number of bytes consumed (6, or 12 for a pair); ok is false
// when the four characters after `\u` are not hexadecimal digits; lone is
// true when r is a surrogate without its pair (then n is 6 and r the
// surrogate, for the caller to reject or replace).
func Unicode[T string | []byte](s T) (r rune, n int, ok, lone bool) {
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
func hex4[T string | []byte](s T, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for k := i; k < i+4; k++ {
		c := s[k]
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
