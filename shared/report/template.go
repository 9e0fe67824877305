package report

import (
	_ "embed"
	"html/template"
)

//go:embed page.tmpl
var pageText string

var pageTemplate = template.Must(template.New("page").Parse(pageText))
