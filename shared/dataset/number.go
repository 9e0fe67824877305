package dataset

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Errors returned (wrapped) by ParseNumber.
var (
	ErrNotNumber  = errors.New("not a number")
	ErrNonFinite  = errors.New("non-finite number")
	ErrOutOfRange = errors.New("number out of range")
)

// ParseNumber parses s, after trimming spaces, as a finite decimal number:
// an optional sign, digits with an optional decimal point, and an optional
// exponent ("12", "-0.5", "+.5", "1e-3"). Text naming a non-finite value
// (NaN, Inf, Infinity, in any case and with any sign) gives an error
// wrapping ErrNonFinite; a number too large for a float64 one wrapping
// ErrOutOfRange; anything else (including hexadecimal and digit separators)
// one wrapping ErrNotNumber. Each message quotes s and names no file, so the
// caller can report "FILE:LINE: column X: " + err with Position.Errorf.
func ParseNumber(s string) (float64, error) {
	if f, ok := parseSimpleDecimal(s); ok {
		return f, nil
	}
	return parseNumberInFull(s)
}

// parseNumberInFull is ParseNumber without its one-pass path for the common
// case, which must give the same bits.
func parseNumberInFull(s string) (float64, error) {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			if isNonFiniteText(s) {
				return 0, fmt.Errorf("%w %q", ErrNonFinite, s)
			}
			return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
			return 0, fmt.Errorf("%w: %q", ErrOutOfRange, s)
		}
		if errors.Is(err, strconv.ErrRange) {
			return f, nil // underflow to zero or a subnormal: still finite
		}
		return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
	}
	return f, nil
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseSimpleDecimal parses the common number of a data file in one pass:
// an optional sign, at most 15 digits in all and an optional decimal point
// ("-12.3456"), without spaces or exponent. Its digits then form an integer
// m below 2⁵², exact as a float64, and the value is m divided by a power of
// ten up to 10¹⁵, also exact, so the one rounding of that division gives the
// correctly rounded value strconv.ParseFloat returns (its own exact path).
// ok is false for anything else, which the caller parses in full.
func parseSimpleDecimal(s string) (f float64, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var m uint64
	digits, frac, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point:
			point = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	f = float64(m)
	if neg {
		f = -f
	}
	return f / exactPow10[frac], true
}

// isNonFiniteText reports whether s spells NaN or an infinity, with an
// optional sign, in any case.
func isNonFiniteText(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return strings.EqualFold(s, "nan") || strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity")
}

// IsMissingToken reports whether a CSV cell, already trimmed of spaces,
// stands for a missing value: "", "NA", "N/A", "null", "NULL" or "None"
// (matched exactly).
func IsMissingToken(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 2:
		return s == "NA"
	case 3:
		return s == "N/A"
	case 4:
		return s == "null" || s == "NULL" || s == "None"
	}
	return false
}
