package demo

import (
	"io"
)

// Dashboard writes index.html.
func Dashboard(w io.Writer, res *Result) error {
	_, err := io.WriteString(w, "<!doctype html><title>demo</title>")
	return err
}
