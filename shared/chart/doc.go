// Package chart draws the charts of modelwatch's pages as inline SVG
// elements: no script, no font files, nothing but text in the page. It is
// the one chart toolkit: the drift reports (shared/report) and the demo
// dashboard (shared/demo) both draw with it.
//
// HorizontalBars draws grouped horizontal bars (a reference and a current
// share per bin) with its own colours; TimeSeries draws values over hours —
// lines or dots, thresholds, shaded bands and marked hours — styled by the
// page's CSS classes. Ticks chooses the round values an axis is labelled at.
// Text is escaped; non-finite values are drawn as zero.
package chart
