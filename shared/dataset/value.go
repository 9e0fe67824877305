package dataset

import "strconv"

// ValueKind is the kind of a Value.
type ValueKind uint8

// The kinds of Value.
const (
	// Missing is an empty cell, a missing token (see IsMissingToken), a JSON
	// null or absent key, or a Parquet null.
	Missing ValueKind = iota
	// Number is a finite float64 in Value.Num.
	Number
	// Text is a string in Value.Str.
	Text
	// Bool is a JSON or Parquet boolean; Value.Str is "true" or "false".
	Bool
)

// String returns "missing", "number", "text" or "bool".
func (k ValueKind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Number:
		return "number"
	case Text:
		return "text"
	case Bool:
		return "bool"
	}
	return "ValueKind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one cell.
//
// Number: Num is set and finite, Str is empty. Text: Str is set (CSV cells
// are always Text unless empty or a missing token, with surrounding spaces
// trimmed; JSON strings are Text, including "NaN" and "Inf"). Bool: Str is
// "true" or "false". Missing: both are zero.
//
// Str is an ordinary Go string and stays valid after the next call to Next:
// the readers never reuse the memory behind it. For CSV and JSON Lines it is
// usually a substring of the record's text, so keeping it (for example as a
// map key of a category count) keeps that whole record in memory; callers
// that keep many distinct values should strings.Clone them.
type Value struct {
	Kind ValueKind
	Num  float64
	Str  string
}

// AsString returns the value as text: Str for Text and Bool, the shortest
// decimal form of Num for Number, and "" for Missing. It suits callers that
// treat a column as categorical whatever its cells' kinds.
func (v Value) AsString() string {
	switch v.Kind {
	case Number:
		return strconv.FormatFloat(v.Num, 'g', -1, 64)
	case Text, Bool:
		return v.Str
	}
	return ""
}

// Row is one record, aligned with Reader.Columns(). Line is the 1-based line
// where the record starts (CSV and JSON Lines) or the 1-based row number
// (Parquet), for error messages.
type Row struct {
	Values []Value
	Line   int64
}

// resize sets len(r.Values) to n, reusing its storage, and marks every value
// Missing.
func (r *Row) resize(n int) {
	if cap(r.Values) < n {
		r.Values = make([]Value, n)
		return
	}
	r.Values = r.Values[:n]
	clear(r.Values)
}
