package perf

import (
	"math"
	"strconv"
	"strings"
)

// Value is a prediction or a label: a number, or a class given as text (a
// JSON string or boolean).
type Value struct {
	Num     float64
	Text    string
	Numeric bool
}

// Class is the value as a class label: the text, or the shortest decimal
// form of a number ("1", "0.5").
func (v Value) Class() string {
	if v.Numeric {
		return strconv.FormatFloat(v.Num, 'g', -1, 64)
	}
	return v.Text
}

// Number is the value as a number: the number, or text that is a decimal
// number. ok is false for other text.
func (v Value) Number() (float64, bool) {
	if v.Numeric {
		return v.Num, true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
