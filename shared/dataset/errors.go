package dataset

import (
	"fmt"
	"strconv"
)

// Position is a place in a file: a name (usually the path) and a 1-based
// line (or, for Parquet, row) number; Line 0 means the whole file.
type Position struct {
	File string
	Line int64
}

// String returns "FILE:LINE", or "FILE" when Line is 0.
func (p Position) String() string {
	if p.Line <= 0 {
		return p.File
	}
	return p.File + ":" + strconv.FormatInt(p.Line, 10)
}

// Errorf returns an *Error at p about column (which may be empty) whose
// message is "FILE:LINE: column NAME: " followed by the formatted text. As
// with fmt.Errorf, a %w verb wraps its operand.
func (p Position) Errorf(column, format string, args ...any) error {
	return &Error{Pos: p, Column: column, Err: fmt.Errorf(format, args...)}
}

// Error is an error about the content of a file. Its message is
// "FILE:LINE: column NAME: what is wrong", leaving out "LINE" when the error
// concerns the whole file and "column NAME: " when it concerns no single
// column. Unwrap returns Err.
type Error struct {
	Pos    Position
	Column string
	Err    error
}

func (e *Error) Error() string {
	s := e.Pos.String() + ": "
	if e.Column != "" {
		s += "column " + e.Column + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// newError returns an *Error with a plain message.
func newError(file string, line int64, column, msg string) *Error {
	return &Error{Pos: Position{File: file, Line: line}, Column: column, Err: plainError(msg)}
}

// plainError is an error with a fixed message (errors.New without the
// pointer identity, which no caller compares against).
type plainError string

func (e plainError) Error() string { return string(e) }
