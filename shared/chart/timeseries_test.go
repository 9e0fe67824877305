package chart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func TestTimeSeriesRange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      TimeSeries
		lo, hi float64
	}{
		{"empty", TimeSeries{Hours: 48}, 0, 1.08},
		{"linear includes zero and a margin", TimeSeries{Hours: 48, Traces: []Trace{{Points: []Point{{X: 1, Value: 2}, {X: 2, Value: 5}}}}}, 0, 5.4},
		{"threshold above the data", TimeSeries{Hours: 48, Traces: []Trace{{Points: []Point{{X: 1, Value: 0.5}}}}, Thresholds: []Threshold{{Value: 1}}}, 0, 1.08},
		{"log takes whole decades", TimeSeries{Hours: 48, Log: true, Traces: []Trace{{Points: []Point{{X: 1, Value: 0.004}, {X: 2, Value: 2.5}}}}}, 0.001, 10},
		{"log floors zero", TimeSeries{Hours: 48, Log: true, Traces: []Trace{{Points: []Point{{X: 1, Value: 0}}}}}, 0.001, 0.01},
	} {
		lo, hi := tc.c.YRange()
		if lo != tc.lo || hi < tc.hi-1e-12 || hi > tc.hi+1e-12 {
			t.Errorf("%s: range %v..%v, want %v..%v", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestTimeSeriesTicksAreShort(t *testing.T) {
	c := TimeSeries{Hours: 48}
	for _, hi := range []float64{0.87, 1.08, 12.5, 340, 52000} {
		for _, v := range c.YTicks(0, hi) {
			if l := TickLabel(v); len(l) > 5 {
				t.Errorf("tick %v of 0..%v is labelled %q", v, hi, l)
			}
		}
	}
	log := TimeSeries{Log: true}
	if got := log.YTicks(0.001, 10); len(got) != 5 || TickLabel(got[0]) != "0.001" || TickLabel(got[4]) != "10" {
		t.Errorf("log ticks %v", got)
	}
}

func TestValueLabel(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.2512: "0.2512", 0.123456: "0.1235", 1234.5: "1234", 0.00012: "1.20e-04", -7.25: "-7.25"} {
		if got := ValueLabel(v); got != want {
			t.Errorf("ValueLabel(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestTimeSeriesIsWellFormedAndEscaped(t *testing.T) {
	c := TimeSeries{
		Hours: 24,
		Traces: []Trace{
			{Name: "<b>psi</b>", Color: "#000", Points: []Point{{X: 0.5, Value: 0.1, Label: "hours 0–1"}, {X: 1.5, Value: 0.3}, {X: 5.5, Value: 0.2}}},
			{Name: "faint", Color: "#999", Faint: true, Points: []Point{{X: 0.5, Value: 0.05}}},
			{Name: "alarm", Color: "#d00", Dots: true, Points: []Point{{X: 2.5, Value: 0.4}}},
			{Name: "empty"},
		},
		Thresholds: []Threshold{{Value: 0.25, Label: "drift & more", Class: "drift"}, {Value: 0.45, Label: "alarm", Class: "alarm"}},
		Bands:      []Band{{From: 3, Until: 5, Class: "alarm", Title: `"quoted"`}, {From: 30, Until: 40, Class: "incident"}},
		Marks:      []Mark{{Hour: 6, Label: "<shift>"}},
		Unit:       " %",
	}
	svg := c.SVG(`a "title" <x>`)
	for _, bad := range []string{"<b>", "<shift>", `"quoted"`, "<x>", "& more"} {
		if strings.Contains(svg, bad) {
			t.Errorf("%q is not escaped", bad)
		}
	}
	count := map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	var faintFirst []bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			count[se.Name.Local]++
			if se.Name.Local == "g" {
				for _, a := range se.Attr {
					if a.Name.Local == "class" {
						faintFirst = append(faintFirst, strings.Contains(a.Value, "faint"))
					}
				}
			}
		}
	}
	// Three traces with points (the empty one draws nothing), the faint one first;
	// two lines (not the dots); one band (the other lies past the last hour);
	// both thresholds, each with its label.
	if len(faintFirst) != 3 || !faintFirst[0] || faintFirst[1] || faintFirst[2] {
		t.Errorf("groups %v, want the faint trace first of three", faintFirst)
	}
	if count["path"] != 2 || count["circle"] != 5 || count["rect"] != 1 {
		t.Errorf("elements %v, want 2 paths, 5 circles, 1 band", count)
	}
	if strings.Count(svg, `<text class="reflabel`) != 2 {
		t.Errorf("threshold labels: %d", strings.Count(svg, `<text class="reflabel`))
	}
	// The gap between hours 1.5 and 5.5 starts a new subpath.
	if !strings.Contains(svg, " M") {
		t.Errorf("a gap in the data does not break the line: %s", svg)
	}
}
