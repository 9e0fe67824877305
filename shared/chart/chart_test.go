package chart

import (
	"encoding/xml"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 0.54, 6, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5}},
		{0, 1.08, 6, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 0.03, 6, []float64{0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03}},
		{-10, 10, 4, []float64{-10, -5, 0, 5, 10}},
		{1, 1, 5, []float64{1}},
		{0, math.Inf(1), 5, []float64{0}},
	} {
		if got := Ticks(tc.lo, tc.hi, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Ticks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
}

func TestHorizontalBarsIsWellFormedAndEscaped(t *testing.T) {
	c := HorizontalBars{
		Labels: []string{"<script>alert(1)</script>", "b & c", ""},
		Series: []Series{
			{Name: "reference", Color: "#0072B2", Value: []float64{0.5, math.NaN(), 0.2}},
			{Name: "current", Color: "#E69F00", Value: []float64{0.1, 0.9}}, // shorter than the labels
		},
		XLabel:    "share of rows",
		TickLabel: func(v float64) string { return "<" },
	}
	svg := c.SVG()
	if strings.Contains(svg, "<script>") || !strings.Contains(svg, "&lt;script&gt;") {
		t.Errorf("a label is not escaped: %s", svg)
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v\n%s", err, svg)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
			for _, a := range se.Attr {
				if a.Name.Local == "width" && strings.HasPrefix(a.Value, "-") {
					t.Errorf("a bar of negative width: %v", se.Attr)
				}
			}
		}
	}
	if rects != 6 {
		t.Errorf("%d bars, want 6 (3 groups × 2 series)", rects)
	}
	if (HorizontalBars{}).SVG() != "" {
		t.Error("a chart without groups is not empty")
	}
}
