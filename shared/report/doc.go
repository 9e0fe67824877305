// Package report renders a drift comparison (a *drift.Report) as a single,
// self-contained HTML page.
//
// The page has a header naming the model, its version and the reference and
// current row counts; the dataset-drift verdict; a summary table of every
// feature, worst first (by severity, then by how far the deciding statistic is
// past its drift threshold: a larger distance or a smaller p-value is worse);
// the warnings; the model's predictions, when the report has them; and one
// section per feature with a grouped bar chart of the reference and current
// share of rows per bin and the full list of statistics.
//
// The page is self-contained: the CSS is inline and the charts are inline SVG
// drawn by shared/chart, so it loads no scripts, fonts, images or style
// sheets and opens offline, in a browser or as a print-out. The charts do not
// embed a font: they ask for Liberation Sans or its metric-compatible Arial
// or Helvetica. Each bar carries its share as a tooltip. Charts
// show at most 30 bars: adjacent numeric bins are merged, and the smallest
// categories pooled with __other__; the full bin table is under each chart.
//
// The page is Go code (page.go) that writes it in document order through
// shared/htmlwrite, not a template: html/template's reflection would make
// the linker keep every exported method of every type in the drift
// function, doubling its bootstrap.
//
// Feature names, category names, model names and warnings are user data:
// characters XML does not allow are replaced, and htmlwrite escapes them for
// where they go in the page (text, attribute values, the anchors' URL
// fragments), shared/chart in the charts. The output is a deterministic
// function of the report and the Options (no map iteration order, and no
// timestamp unless Options.Generated is set), so the tests compare it with
// golden files:
//
//	go test ./shared/report -update
//
// rewrites testdata/*.golden.html from testdata/*.json.
package report
