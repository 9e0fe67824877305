package jsonscan

import (
	"math"
	"strconv"
)

// Number reads a number and returns its text.
func (p *Scanner) Number() (string, error) {
	s, start := p.Text, p.Pos
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
		p.Pos = i
		return "", p.Errorf("invalid number: expected a digit, found %s", p.Found())
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.Pos = i
			return "", p.Errorf("invalid number: expected a digit after '.', found %s", p.Found())
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
			p.Pos = i
			return "", p.Errorf("invalid number: expected a digit in the exponent, found %s", p.Found())
		}
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	}
	p.Pos = i
	return s[start:i], nil
}

// Int reads a number that must be an integer in the range of int64, as
// encoding/json reads one into an int64.
func (p *Scanner) Int() (int64, error) {
	s, start := p.Text, p.Pos
	i := start
	neg := i < len(s) && s[i] == '-'
	if neg {
		i++
	}
	// The common case, up to 18 digits: no overflow possible.
	var v int64
	j := i
	for ; j < len(s) && j-i < 18 && s[j] >= '0' && s[j] <= '9'; j++ {
		v = v*10 + int64(s[j]-'0')
	}
	if j > i && (j == i+1 || s[i] != '0') && (j >= len(s) || !continuesNumber(s[j])) {
		p.Pos = j
		if neg {
			v = -v
		}
		return v, nil
	}
	text, err := p.Number()
	if err != nil {
		return 0, err
	}
	n, perr := strconv.ParseInt(text, 10, 64)
	if perr != nil {
		p.Pos = start
		return 0, p.Errorf("the number %s is not an integer in the range of int64", text)
	}
	return n, nil
}

// continuesNumber reports whether c can follow the digits of a JSON number
// as part of it.
func continuesNumber(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E'
}

// Float reads a number and converts it to the nearest float64. A number
// beyond the range of float64 is an error (as in encoding/json); one too
// small is zero.
func (p *Scanner) Float() (float64, error) {
	start := p.Pos
	text, err := p.Number()
	if err != nil {
		return 0, err
	}
	f, err := ParseFloat(text)
	if err != nil {
		p.Pos = start
		return 0, p.Errorf("the number %s does not fit in a float64", text)
	}
	return f, nil
}

// pow10 are the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// ParseFloat converts the text of a JSON number (as Number returns it) to
// the nearest float64, as strconv.ParseFloat does: beyond the range of
// float64 it returns ±Inf and an error. Text with at most 15 digits and no
// exponent, the common case, is converted without strconv: the digits and
// the power of ten are exact in a float64, so one division rounds correctly
// (Clinger's fast path, which strconv.ParseFloat takes too).
func ParseFloat(text string) (float64, error) {
	if f, ok := parseSimple(text); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, err
	}
	return f, err
}

func parseSimple(s string) (f float64, ok bool) {
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
