package calibrate_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/modelwatch/modelwatch/shared/calibrate"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// population draws records of three features: a normal, a lognormal (shifted
// by shift standard deviations of its log) and a category.
func population(rng *rand.Rand, shift float64) (float64, float64, string) {
	cats := []string{"a", "b", "c", "d"}
	k := 3
	switch u := rng.Float64(); {
	case u < 0.4:
		k = 0
	case u < 0.7:
		k = 1
	case u < 0.9:
		k = 2
	}
	return rng.NormFloat64() + shift, math.Exp(rng.NormFloat64() + shift), cats[k]
}

func reference(t *testing.T, n int) *profile.Profile {
	t.Helper()
	return referenceSeed(t, n, 100)
}

func referenceSeed(t *testing.T, n int, seed uint64) *profile.Profile {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed*2))
	var b strings.Builder
	b.WriteString("x,y,k\n")
	for range n {
		x, y, k := population(rng, 0)
		fmt.Fprintf(&b, "%g,%g,%s\n", x, y, k)
	}
	r, err := dataset.NewReader(strings.NewReader(b.String()), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Build(context.Background(), r, "ref.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// window profiles w fresh records from the population over ref's bins.
func window(t *testing.T, ref *profile.Profile, rng *rand.Rand, w int, shift float64) *profile.Profile {
	t.Helper()
	acc, err := profile.NewAccumulator(ref)
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := acc.Column("x")
	iy, _ := acc.Column("y")
	ik, _ := acc.Column("k")
	for range w {
		x, y, k := population(rng, shift)
		acc.AddRecord()
		acc.AddNumber(ix, x)
		acc.AddNumber(iy, y)
		acc.AddCategory(ik, k)
	}
	return acc.Profile()
}

// TestPSIMatchesChiSquaredApproximation cross-checks the sampled threshold
// with the analytical view: for samples much larger than the bins,
// PSI ≈ χ²(bins−1)·(1/n + 1/N).
func TestPSIMatchesChiSquaredApproximation(t *testing.T) {
	ref := reference(t, 100000)
	const w = 2000
	cal, err := calibrate.FromReference(context.Background(), ref, calibrate.SamplingOptions{WindowSize: w, Draws: 2000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	// Both sides are samples: n·PSI scales with 1/w + 1/N.
	noise := 1.0/w + 1.0/float64(ref.Rows)
	want := distuv.ChiSquared{K: 9}.Quantile(0.99) * noise
	for _, name := range []string{"x", "y"} {
		got := cal.Features[name][drift.PSI].Drift
		if math.Abs(got-want)/want > 0.15 {
			t.Errorf("%s: sampled 99th percentile of PSI %g, chi-squared approximation %g", name, got, want)
		}
	}
	wantK := distuv.ChiSquared{K: 3}.Quantile(0.99) * noise
	if got := cal.Features["k"][drift.PSI].Drift; math.Abs(got-wantK)/wantK > 0.15 {
		t.Errorf("k: sampled 99th percentile of PSI %g, chi-squared approximation %g", got, wantK)
	}
	if p := cal.Features["x"][drift.KS]; !(p.Drift < p.Warn && p.Drift > 0.001 && p.Drift < 0.05) {
		t.Errorf("KS p-value thresholds %+v: want about the 1st and 5th percentiles of a uniform", p)
	}
}

// TestFalseAlarmRateAndDetection checks that on windows with no drift the
// calibrated thresholds alarm at about 1 − quantile, and reports how often
// they and the fixed 0.25 line catch shifts of known size.
func TestFalseAlarmRateAndDetection(t *testing.T) {
	ref := reference(t, 200000)
	const w, windows = 500, 600
	cal, err := calibrate.FromReference(context.Background(), ref, calibrate.SamplingOptions{WindowSize: w, Draws: 1000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	calibrated := drift.Config{Decide: drift.DecideCalibrated, Calibration: cal}
	rate := func(shift float64, cfg drift.Config, seed uint64) float64 {
		rng := rand.New(rand.NewPCG(seed, seed+1))
		alarms, trials := 0, 0
		for range windows {
			rep, err := drift.Compare(ref, window(t, ref, rng, w, shift), cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Features {
				if shift != 0 && f.Name == "k" {
					continue // the category does not shift
				}
				trials++
				if f.MethodSeverity == drift.Drift {
					alarms++
				}
			}
		}
		return float64(alarms) / float64(trials)
	}
	falseAlarms := rate(0, calibrated, 11)
	// 1800 trials at p = 0.01: mean 18, sd 4.2; allow 4 sd.
	if n := falseAlarms * 3 * windows; n < 18-4*4.2 || n > 18+4*4.2 {
		t.Errorf("false alarm rate %.4f (%g alarms of %d), want about 0.01", falseAlarms, n, 3*windows)
	}
	t.Logf("no drift, window %d: false alarm rate calibrated %.4f, fixed %.4f", w, falseAlarms, rate(0, drift.Config{}, 11))
	var prev float64
	for _, shift := range []float64{0.1, 0.2, 0.3} {
		c, f := rate(shift, calibrated, 21), rate(shift, drift.Config{}, 21)
		t.Logf("shift %.1f sd: detection rate calibrated %.3f, fixed PSI 0.25 %.3f", shift, c, f)
		if c < prev || c < f {
			t.Errorf("shift %.1f: calibrated detection %.3f (previous %.3f, fixed %.3f)", shift, c, prev, f)
		}
		prev = c
	}
	if prev < 0.9 {
		t.Errorf("a 0.3 sd shift in windows of %d is detected in %.2f of windows, want most", w, prev)
	}
}

// TestFalseAlarmRateSmallReference repeats the no-drift check with a
// reference only twice the window: its own sampling noise matters then, and
// over many references (seeds) the rate must still be about 1 − quantile.
func TestFalseAlarmRateSmallReference(t *testing.T) {
	const refs, windows, w = 12, 50, 1000
	alarms, trials := 0, 0
	for seed := range uint64(refs) {
		ref := referenceSeed(t, 2*w, 1000+seed)
		cal, err := calibrate.FromReference(context.Background(), ref, calibrate.SamplingOptions{WindowSize: w, Draws: 300, Seed: seed + 1})
		if err != nil {
			t.Fatal(err)
		}
		cfg := drift.Config{Decide: drift.DecideCalibrated, Calibration: cal}
		rng := rand.New(rand.NewPCG(seed, 99))
		for range windows {
			rep, err := drift.Compare(ref, window(t, ref, rng, w, 0), cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Features {
				trials++
				if f.MethodSeverity == drift.Drift {
					alarms++
				}
			}
		}
	}
	// 1800 trials at p = 0.01: mean 18, sd 4.2; allow 4 sd.
	if alarms < 2 || alarms > 35 {
		t.Errorf("%d false alarms in %d trials with references of %d records, want about 1%%", alarms, trials, 2*w)
	}
	t.Logf("reference of %d, windows of %d: false alarm rate %.4f", 2*w, w, float64(alarms)/float64(trials))
}

func TestFromHistory(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var windows []calibrate.Window
	for i := range 40 {
		psi := 0.02 + 0.005*rng.NormFloat64()
		sev := drift.OK
		if i%10 == 0 {
			psi, sev = 0.9, drift.Drift // drifted windows are left out
		}
		var w calibrate.Window
		w.Current.Rows = 1000
		w.Features = []drift.FeatureResult{{Name: "x", PSI: &psi, Severity: sev}}
		windows = append(windows, w)
	}
	cal, err := calibrate.FromHistory(windows, calibrate.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := cal.Features["x"][drift.PSI]
	if got.Drift < 0.03 || got.Drift > 0.04 || got.Warn >= got.Drift {
		t.Errorf("history thresholds %+v, want about 0.02 + 3·0.005", got)
	}
	if cal.WindowSize != 1000 || cal.Windows != 40 {
		t.Errorf("window size %d windows %d", cal.WindowSize, cal.Windows)
	}
	if _, err := calibrate.FromHistory(windows[:3], calibrate.HistoryOptions{}); err == nil {
		t.Error("calibrated from 3 windows")
	}
	if _, err := calibrate.DecodeWindow([]byte(`{"schema_version":1}`)); !errors.Is(err, calibrate.ErrNotReport) {
		t.Errorf("report without features: error %v, want ErrNotReport", err)
	}
	// A reference profile has features too, but is not a report.
	profileJSON := `{"schema_version":1,"type":"reference","rows":3,"features":[{"name":"x","kind":"numeric","missing":0}]}`
	if _, err := calibrate.DecodeWindow([]byte(profileJSON)); !errors.Is(err, calibrate.ErrNotReport) {
		t.Errorf("profile: error %v, want ErrNotReport", err)
	}
}

// TestFromHistoryPValues pins issue 14 item 5: p-value methods are
// calibrated on −log10 p, so their thresholds are never 0 (a rule that can
// never fire) and a strong shift fires them; a statistic that never varied
// is not calibrated at all.
func TestFromHistoryPValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var windows []calibrate.Window
	for range 40 {
		p := rng.Float64() // p-values are uniform under no drift
		psi := 0.0
		var w calibrate.Window
		w.Current.Rows = 1000
		w.Features = []drift.FeatureResult{{Name: "x", KS: &drift.KSResult{PValue: p}, PSI: &psi, Severity: drift.OK}}
		windows = append(windows, w)
	}
	cal, err := calibrate.FromHistory(windows, calibrate.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := cal.Features["x"][drift.KS]
	if !ok {
		t.Fatalf("no ks thresholds: %+v", cal.Features)
	}
	// −log10 U has mean and sd 1/ln 10 = 0.434: drift near 10^−1.74 = 0.018.
	if !(got.Drift > 0.001 && got.Drift < got.Warn && got.Warn < 0.2) {
		t.Errorf("ks thresholds %+v: want 0 < drift < warn, drift near 0.02", got)
	}
	if _, ok := cal.Features["x"][drift.PSI]; ok {
		t.Errorf("psi calibrated from a statistic that was always 0: %+v", cal.Features["x"][drift.PSI])
	}
	// The calibrated rule fires on a strong shift.
	cfg := drift.Config{Method: drift.KS, Decide: drift.DecideCalibrated, Calibration: cal}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := 1e-6; !(p < got.Drift) {
		t.Errorf("p = %g does not cross the drift threshold %g", p, got.Drift)
	}
}

func TestSamplingOptionsErrors(t *testing.T) {
	ref := reference(t, 1000)
	for _, opts := range []calibrate.SamplingOptions{{}, {WindowSize: 10, Draws: 5}, {WindowSize: 10, Quantile: 0.9, WarnQuantile: 0.95}} {
		if _, err := calibrate.FromReference(context.Background(), ref, opts); err == nil {
			t.Errorf("options %+v accepted", opts)
		}
	}
}

// FuzzDecodeWindow: any input is decoded or refused, never a panic; what is
// decoded has a features array.
func FuzzDecodeWindow(f *testing.F) {
	for _, seed := range []string{
		`{"dataset_drift":{},"features":[]}`,
		`{"dataset_drift":{"drifted":1},"current":{"rows":5},"features":[{"name":"x","psi":0.1,"severity":"ok","ks":{"p_value":0.3}}]}`,
		`{"schema_version":1,"type":"reference","features":[{"name":"x","missing":0}]}`,
		`{"dataset_drift":null,"features":null}`, `[]`, ``, `{"features":[{"missing":3}],"dataset_drift":{}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := calibrate.DecodeWindow(data)
		if err == nil && w.Features == nil {
			t.Fatalf("decoded %q without a features array", data)
		}
	})
}
