package dataset

import (
	"errors"
	"testing"
)

func TestErrorMessages(t *testing.T) {
	base := errors.New("boom")
	tests := []struct {
		err  error
		want string
	}{
		{&Error{Pos: Position{File: "a.csv", Line: 7}, Column: "amount", Err: base}, "a.csv:7: column amount: boom"},
		{&Error{Pos: Position{File: "a.csv", Line: 7}, Err: base}, "a.csv:7: boom"},
		{&Error{Pos: Position{File: "a.csv"}, Err: base}, "a.csv: boom"},
		{Position{File: "p.jsonl", Line: 3}.Errorf("x", "bad %d: %w", 1, base), "p.jsonl:3: column x: bad 1: boom"},
		{Position{File: "p.jsonl", Line: 3}.Errorf("", "whole row"), "p.jsonl:3: whole row"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		var e *Error
		if !errors.As(tt.err, &e) {
			t.Errorf("%q is not an *Error", tt.err)
		}
	}
	if err := (Position{File: "f", Line: 1}).Errorf("c", "%w", base); !errors.Is(err, base) {
		t.Errorf("Errorf with %%w does not wrap")
	}
	// The caller's usual path: a ParseNumber error placed at a row.
	_, perr := ParseNumber("NaN")
	err := Position{File: "a.csv", Line: 12}.Errorf("amount", "%w", perr)
	if got, want := err.Error(), `a.csv:12: column amount: non-finite number "NaN"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, ErrNonFinite) {
		t.Errorf("error does not wrap ErrNonFinite")
	}
}
