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
