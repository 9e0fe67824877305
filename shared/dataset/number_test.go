package dataset

import (
	"errors"
	"math"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  error
		msg  string
	}{
		{"0", 0, nil, ""},
		{"12", 12, nil, ""},
		{" -0.5 ", -0.5, nil, ""},
		{"+.5", 0.5, nil, ""},
		{"5.", 5, nil, ""},
		{"1e-3", 0.001, nil, ""},
		{"1E+3", 1000, nil, ""},
		{"1e-400", 0, nil, ""},
		{"1.7976931348623157e308", math.MaxFloat64, nil, ""},
		{"NaN", 0, ErrNonFinite, `non-finite number "NaN"`},
		{"nan", 0, ErrNonFinite, ""},
		{"-nan", 0, ErrNonFinite, ""},
		{"Inf", 0, ErrNonFinite, ""},
		{"+inf", 0, ErrNonFinite, ""},
		{"-Infinity", 0, ErrNonFinite, `non-finite number "-Infinity"`},
		{"INFINITY", 0, ErrNonFinite, ""},
		{"1e400", 0, ErrOutOfRange, `number out of range: "1e400"`},
		{"-1e400", 0, ErrOutOfRange, ""},
		{"", 0, ErrNotNumber, `not a number: ""`},
		{"abc", 0, ErrNotNumber, `not a number: "abc"`},
		{"1_000", 0, ErrNotNumber, ""},
		{"0x1p3", 0, ErrNotNumber, ""},
		{"1,5", 0, ErrNotNumber, ""},
		{"1e", 0, ErrNotNumber, ""},
		{"--1", 0, ErrNotNumber, ""},
		{"infinite", 0, ErrNotNumber, ""},
		{"1 2", 0, ErrNotNumber, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseNumber(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("ParseNumber(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("ParseNumber(%q) error = %q, want %q", tt.in, err, tt.msg)
			}
			if got != tt.want {
				t.Errorf("ParseNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsMissingToken(t *testing.T) {
	for _, s := range []string{"", "NA", "N/A", "null", "NULL", "None"} {
		if !IsMissingToken(s) {
			t.Errorf("IsMissingToken(%q) = false", s)
		}
	}
	for _, s := range []string{" ", "na", "n/a", "Null", "none", "NONE", "NaN", "-", "0", "NAN"} {
		if IsMissingToken(s) {
			t.Errorf("IsMissingToken(%q) = true", s)
		}
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		v    Value
		str  string
		kind string
	}{
		{M, "", "missing"},
		{N(2.5), "2.5", "number"},
		{N(1e21), "1e+21", "number"},
		{T("x"), "x", "text"},
		{B(true), "true", "bool"},
	}
	for _, tt := range tests {
		if got := tt.v.AsString(); got != tt.str {
			t.Errorf("%#v.AsString() = %q, want %q", tt.v, got, tt.str)
		}
		if got := tt.v.Kind.String(); got != tt.kind {
			t.Errorf("%#v kind = %q, want %q", tt.v, got, tt.kind)
		}
	}
	if got := ValueKind(9).String(); got != "ValueKind(9)" {
		t.Errorf("ValueKind(9).String() = %q", got)
	}
}
