// Package chart draws the charts of modelwatch's pages — the drift reports'
// bin charts and the demo dashboard's axes — as inline SVG elements: no
// script, no font files, nothing but text in the page.
//
// HorizontalBars draws grouped horizontal bars (a reference and a current
// share per bin); Ticks chooses the round values an axis is labelled at.
// Text is escaped; non-finite values are drawn as zero.
package chart
