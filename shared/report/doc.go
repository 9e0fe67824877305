// Package report renders a drift comparison (a *drift.Report) as a single,
// self-contained HTML page.
//
// The page has a header naming the model, its version and the reference and
// current row counts; the dataset-drift verdict; a summary table of every
// feature, worst first; the warnings; one section per feature with a grouped
// bar chart of the reference and current proportions per bin and the full
// list of statistics; and, when the report has one, a section on the model's
// predictions.
//
// The page is self-contained: the CSS is inline and the charts are inline SVG
// drawn with gonum.org/v1/plot (vg/vgsvg), so it loads no scripts, fonts,
// images or style sheets and opens offline, in a browser or as a print-out.
// Feature names, category names, model names and warnings are user data and
// are escaped by html/template (and by vgsvg inside the charts). The output is
// a deterministic function of the report and the Options: no map iteration,
// and no timestamp unless Options.Generated is set.
package report
