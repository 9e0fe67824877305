package report

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sigDigits is the number of significant digits statistics are printed with.
const sigDigits = 4

// num formats v compactly with 4 significant digits: plainly between 1e-3
// and 1e6 (trailing zeros dropped), in e-notation otherwise ("1.2e-7").
func num(v float64) string { return numPrec(v, sigDigits) }

func numPrec(v float64, sig int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e-3 && a < 1e6 {
		dec := max(sig-1-int(math.Floor(math.Log10(a))), 0)
		s := strconv.FormatFloat(v, 'f', dec, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(s, "0")
			s = strings.TrimSuffix(s, ".")
		}
		if s == "-0" {
			s = "0"
		}
		return s
	}
	s := strconv.FormatFloat(v, 'e', sig-1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(mant, "0")
		mant = strings.TrimSuffix(mant, ".")
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if exp == "" {
		exp = "0"
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "e" + exp
}

// numPtr formats an optional statistic, "—" when it was not computed.
func numPtr(v *float64) string {
	if v == nil {
		return dash
	}
	return num(*v)
}

// pct formats a share in [0, 1] as a percentage with 4 significant digits.
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return num(v)
	}
	switch p := v * 100; {
	case p > 0 && p < 1e-3:
		return "<0.001%"
	case p < 0 && p > -1e-3:
		return ">-0.001%"
	}
	return num(v*100) + "%"
}

// count formats a row count with thousands separators.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// edgeLabels names the bins cut by sorted edges: "(-inf, e0]", "(e0, e1]", …,
// "(eN, +inf)" (a value v is in bin i when i edges are strictly below it). The
// edges get 4 significant digits, more when that would make two equal.
func edgeLabels(edges []float64) []string {
	strs := make([]string, len(edges))
	for sig := sigDigits; sig <= 17; sig++ {
		for i, e := range edges {
			strs[i] = numPrec(e, sig)
		}
		if distinct(strs) {
			break
		}
	}
	labels := make([]string, len(edges)+1)
	lo := "-inf"
	for i := range labels {
		if i < len(edges) {
			labels[i] = "(" + lo + ", " + strs[i] + "]"
			lo = strs[i]
		} else {
			labels[i] = "(" + lo + ", +inf)"
		}
	}
	return labels
}

func distinct(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return false
		}
	}
	return true
}

// clean makes user text safe to put in XML: invalid UTF-8 and characters XML
// forbids (most C0 controls) become U+FFFD. Escaping is left to the page
// writer (shared/htmlwrite) and shared/chart.
func clean(s string) string {
	ok := true
	for i, r := range s {
		if !xmlChar(r) || (r == utf8.RuneError && !validAt(s, i)) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if !xmlChar(r) || (r == utf8.RuneError && !validAt(s, i)) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func validAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size > 1
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// truncateMiddle shortens s to at most n runes by replacing its middle with
// "…", keeping more of the start than of the end.
func truncateMiddle(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	head := (n - 1) * 3 / 5
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

const dash = "—"
