package demo

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"
)

// TestWorldPremises checks what the story relies on: the fitted model is
// good on the training world (accuracy well above the 0.8 alarm), still
// good after the covariate shift (which changes inputs, not their meaning),
// and clearly below 0.8 after the concept change.
func TestWorldPremises(t *testing.T) {
	apps, defaulted := drawTraining(1, streamTraining, 20000)
	m, err := Fit(apps, defaulted)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(1, 99, 0)
	accuracy := func(c Conditions) float64 {
		right := 0
		const n = 20000
		for range n {
			a := drawApplication(rng, c)
			y := rng.Float64() < defaultProbability(a, c)
			if y == (m.Score(a) >= 0.5) {
				right++
			}
		}
		return float64(right) / n
	}
	tests := []struct {
		name   string
		c      Conditions
		lo, hi float64
	}{
		{"training world", Conditions{}, 0.9, 1},
		{"covariate shift", Conditions{Shifted: true}, 0.88, 1},
		{"concept change", Conditions{Shifted: true, ConceptChanged: true}, 0, 0.72},
	}
	for _, tt := range tests {
		if acc := accuracy(tt.c); acc < tt.lo || acc > tt.hi {
			t.Errorf("%s: accuracy %.3f, want within [%g, %g]", tt.name, acc, tt.lo, tt.hi)
		}
	}
}

func TestFitRecoversALogisticModel(t *testing.T) {
	apps, _ := drawTraining(3, streamTraining, 20000)
	// Outcomes from the model's own kind of function: a fit must find it.
	truth := func(a Application) float64 {
		return sigmoid(-1 + 2*(*a.Numeric[FeatDebtToIncome]-0.286)/0.16)
	}
	rng := newRand(3, 98, 0)
	defaulted := make([]bool, len(apps))
	for i, a := range apps {
		defaulted[i] = rng.Float64() < truth(a)
	}
	m, err := Fit(apps, defaulted)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, a := range apps {
		sum += math.Abs(m.Score(a) - truth(a))
	}
	if mean := sum / float64(len(apps)); mean > 0.02 {
		t.Errorf("fitted probabilities are %.3f from the truth on average", mean)
	}
	if _, err := Fit(nil, nil); err == nil {
		t.Error("a fit without data")
	}
}

func TestSolve(t *testing.T) {
	// [4 2; 2 3] x = [2; 5] has x = [-0.5, 2].
	x, err := solve([]float64{4, 2, 2, 3}, []float64{2, 5}, 2)
	if err != nil || math.Abs(x[0]+0.5) > 1e-12 || math.Abs(x[1]-2) > 1e-12 {
		t.Errorf("solve: %v %v", x, err)
	}
	if _, err := solve([]float64{0, 0, 0, 0}, []float64{1, 1}, 2); err == nil {
		t.Error("a singular system was solved")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"defaults", func(*Options) {}, ""},
		{"too short", func(o *Options) { o.Hours = 1 }, "--hours 1"},
		{"too long", func(o *Options) { o.Hours = MaxHours + 1 }, "--hours"},
		{"shift at the start", func(o *Options) { o.DriftAt = 0 }, "--drift-at 0"},
		{"shift after the end", func(o *Options) { o.DriftAt = 48 }, "--drift-at 48"},
		{"too little traffic", func(o *Options) { o.Rate = 10 }, "--rate 10"},
		{"no labels", func(o *Options) { o.LabelShare = 0 }, "--label-share 0"},
		{"labels too soon", func(o *Options) { o.LabelDelay = 30 * time.Minute }, "--label-delay 30m0s"},
		{"no out", func(o *Options) { o.Out = "" }, "--out"},
		{"start inside an hour", func(o *Options) { o.Start = DefaultStart.Add(time.Minute) }, "whole hour"},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		tt.edit(&o)
		err := o.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want it to name %q", tt.name, err, tt.want)
		}
	}
}

func TestEventsFollowTheShiftAndStopAtTheEnd(t *testing.T) {
	o := DefaultOptions()
	o.Hours, o.DriftAt = 40, 20
	var kinds []string
	for _, e := range o.Events() {
		kinds = append(kinds, e.Kind)
		if e.From >= o.Hours || e.Until > o.Hours || e.Until <= e.From {
			t.Errorf("event %+v outside the story", e)
		}
	}
	// Relation change at 10 (for 6 hours), shift at 20, concept at 26, latency at 34, errors at 39.
	if got := strings.Join(kinds, ","); got != "relation_change,covariate_shift,concept_change,latency_spike,error_burst" {
		t.Errorf("events %s", got)
	}
	o.Hours = 27
	if n := len(o.Events()); n != 3 {
		t.Errorf("a 27-hour story with the shift at 20 has %d events, want 3", n)
	}
	if c := o.conditions(9); c.Decoupled {
		t.Errorf("hour 9: %+v", c)
	}
	if c := o.conditions(10); !c.Decoupled || c.Shifted {
		t.Errorf("hour 10: %+v", c)
	}
	if c := o.conditions(16); c.Decoupled {
		t.Errorf("hour 16: %+v", c)
	}
	c := o.conditions(19)
	if c.Shifted || c.ConceptChanged {
		t.Errorf("hour 19: %+v", c)
	}
	if c := o.conditions(26); !c.Shifted || !c.ConceptChanged {
		t.Errorf("hour 26: %+v", c)
	}
}

func TestPrepareOut(t *testing.T) {
	dir := t.TempDir()
	// A directory with someone else's files is refused.
	other := filepath.Join(dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := prepareOut(other); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a foreign directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "thesis.tex")); err != nil {
		t.Error("a foreign file was touched")
	}
	// An earlier demo output is replaced.
	out := filepath.Join(dir, "demo-output")
	if _, err := prepareOut(out); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "stale.json"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := prepareOut(out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "stale.json")); err == nil {
		t.Error("an earlier run's file survived")
	}
	if _, err := os.Stat(filepath.Join(out, MarkerFile)); err != nil {
		t.Error("no marker")
	}
}

func TestThousands(t *testing.T) {
	if got := thousands(47950); got != "47,950" {
		t.Errorf("thousands: %s", got)
	}
}

// TestRelationChangeKeepsEachFeature: the migration reverses how employment
// years go with age but leaves the distribution of each as it was.
func TestRelationChangeKeepsEachFeature(t *testing.T) {
	draw := func(decoupled bool) (ages, years []float64) {
		rng := rand.New(rand.NewPCG(5, 6))
		for range 20000 {
			app := drawApplication(rng, Conditions{Decoupled: decoupled})
			if y := app.Numeric[FeatEmploymentYears]; y != nil {
				ages = append(ages, *app.Numeric[FeatAge])
				years = append(years, *y)
			}
		}
		return ages, years
	}
	a0, y0 := draw(false)
	a1, y1 := draw(true)
	r0, r1 := stat.Correlation(a0, y0, nil), stat.Correlation(a1, y1, nil)
	if r0 < 0.5 || r1 > -0.5 {
		t.Errorf("correlation of age and employment years %.2f before, %.2f during the migration", r0, r1)
	}
	m0, m1 := stat.Mean(y0, nil), stat.Mean(y1, nil)
	if math.Abs(m0-6) > 0.2 || math.Abs(m1-6) > 0.2 {
		t.Errorf("mean employment years %.2f before, %.2f during: want about 6 (Exp, mean 6, capped at 40)", m0, m1)
	}
}
