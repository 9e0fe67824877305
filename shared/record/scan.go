package record

import (
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// maxDepth bounds the nesting of arrays and objects, so that a hostile body
// cannot exhaust the stack.
const maxDepth = 64

// SyntaxError says that the body is not JSON, or not the JSON it must be,
// and where: Offset is the 0-based byte offset in the body, Line and Column
// are 1-based (Column counts bytes). Record is the index of the record the
// error is in, or -1 when it is outside the records.
type SyntaxError struct {
	Offset, Line, Column int
	Record               int
	Msg                  string
}

func (e *SyntaxError) Error() string {
	where := fmt.Sprintf("line %d, column %d (byte %d)", e.Line, e.Column, e.Offset)
	if e.Record >= 0 {
		where += fmt.Sprintf(", in records[%d]", e.Record)
	}
	return "invalid JSON at " + where + ": " + e.Msg
}

// scanner reads the body with the JSON tokenizer. Strings are read
// strictly (invalid UTF-8 and unpaired surrogates are errors), so that
// whatever it accepts can be stored and read back by any JSON reader
// unchanged.
type scanner struct {
	jsonscan.Scanner
	record int // index of the record being read, -1 outside the records
}

func newScanner(text string) scanner {
	return scanner{
		Scanner: jsonscan.Scanner{Text: text, Strings: jsonscan.Strict, MaxDepth: maxDepth, End: "the end of the body"},
		record:  -1,
	}
}

// syntax turns an error of the tokenizer into a *SyntaxError that says
// where it is in the body; other errors are returned as they are.
func (p *scanner) syntax(err error) error {
	var e *jsonscan.SyntaxError
	if !errors.As(err, &e) {
		return err
	}
	line, col := Position(p.Text, e.Offset)
	return &SyntaxError{Offset: e.Offset, Line: line, Column: col, Record: p.record, Msg: e.Msg}
}

// Position returns the 1-based line and column (in bytes) of byte offset off
// of s.
func Position(s string, off int) (line, col int) {
	return jsonscan.Position(s, off)
}
