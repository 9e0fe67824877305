package drift_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// profiles builds a reference from refCSV and counts curCSV over its bins.
func profiles(t *testing.T, refCSV, curCSV string) (*profile.Profile, *profile.Profile, []string) {
	t.Helper()
	ctx := context.Background()
	rr, err := dataset.NewReader(strings.NewReader(refCSV), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := profile.Build(ctx, rr, "ref.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cr, err := dataset.NewReader(strings.NewReader(curCSV), "cur.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	cur, warnings, err := profile.Count(ctx, cr, "cur.csv", ref, profile.Columns{})
	if err != nil {
		t.Fatal(err)
	}
	return ref, cur, warnings
}

// data writes n rows of x (normal, shifted by shift), k (a category, "new"
// for a share of newShare) and m (normal, missing for a share missShare).
func data(seed uint64, n int, shift, newShare, missShare float64) string {
	rng := rand.New(rand.NewPCG(seed, seed))
	var b strings.Builder
	b.WriteString("x,k,m\n")
	for range n {
		k := []string{"a", "b", "c"}[rng.IntN(3)]
		if rng.Float64() < newShare {
			k = "new"
		}
		m := fmt.Sprint(rng.NormFloat64())
		if rng.Float64() < missShare {
			m = ""
		}
		fmt.Fprintf(&b, "%g,%s,%s\n", rng.NormFloat64()+shift, k, m)
	}
	return b.String()
}

func byName(r *drift.Report) map[string]drift.FeatureResult {
	out := map[string]drift.FeatureResult{}
	for _, f := range r.Features {
		out[f.Name] = f
	}
	return out
}

func TestCompareSeverities(t *testing.T) {
	tests := []struct {
		name                  string
		shift, newShare, miss float64
		want                  map[string]drift.Severity
		datasetDrift          bool
	}{
		{"same distribution", 0, 0, 0, map[string]drift.Severity{"x": drift.OK, "k": drift.OK, "m": drift.OK}, false},
		{"shifted numeric", 1, 0, 0, map[string]drift.Severity{"x": drift.Drift, "k": drift.OK, "m": drift.OK}, false},
		{"new category", 0, 0.4, 0, map[string]drift.Severity{"x": drift.OK, "k": drift.Drift, "m": drift.OK}, false},
		{"feed sends nulls", 0, 0, 0.5, map[string]drift.Severity{"x": drift.OK, "k": drift.OK, "m": drift.Drift}, false},
		{"everything", 1, 0.4, 0.5, map[string]drift.Severity{"x": drift.Drift, "k": drift.Drift, "m": drift.Drift}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref, cur, _ := profiles(t, data(1, 5000, 0, 0, 0), data(2, 3000, tc.shift, tc.newShare, tc.miss))
			rep, err := drift.Compare(ref, cur, drift.Config{})
			if err != nil {
				t.Fatal(err)
			}
			got := byName(rep)
			for name, want := range tc.want {
				if got[name].Severity != want {
					t.Errorf("%s: severity %s (psi %v, missing %+v), want %s", name, got[name].Severity, deref(got[name].PSI), got[name].Missing, want)
				}
			}
			if rep.DatasetDrift.Detected != tc.datasetDrift {
				t.Errorf("dataset drift %+v, want detected=%v", rep.DatasetDrift, tc.datasetDrift)
			}
		})
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestCompareMethodsAndFallbacks(t *testing.T) {
	ref, cur, _ := profiles(t, data(1, 4000, 0, 0, 0), data(2, 2000, 0.2, 0.05, 0))
	tests := []struct {
		cfg        string
		feature    string
		wantMethod drift.Method
	}{
		{"method: ks", "x", drift.KS},
		{"method: ks", "k", drift.Chi2},
		{"method: chi2", "x", drift.KS},
		{"method: wasserstein", "k", drift.PSI},
		{"method: js", "k", drift.JS},
		{"features: {x: {method: hellinger}}", "x", drift.Hellinger},
		{"method: kl", "x", drift.KL},
	}
	for _, tc := range tests {
		t.Run(tc.cfg+"/"+tc.feature, func(t *testing.T) {
			cfg, err := drift.ParseConfig([]byte(tc.cfg))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := drift.Compare(ref, cur, cfg)
			if err != nil {
				t.Fatal(err)
			}
			f := byName(rep)[tc.feature]
			if f.Method != tc.wantMethod || f.Value == nil {
				t.Fatalf("method %s value %v, want %s", f.Method, f.Value, tc.wantMethod)
			}
			if tc.wantMethod.PValue() != (f.Thresholds.Warn > f.Thresholds.Drift) {
				t.Errorf("thresholds %+v do not suit %s", f.Thresholds, f.Method)
			}
		})
	}
}

func TestBenjaminiHochbergAdjustsDecidingPValues(t *testing.T) {
	ref, cur, _ := profiles(t, data(1, 4000, 0, 0, 0), data(2, 2000, 0.1, 0.02, 0))
	plain, err := drift.Compare(ref, cur, drift.Config{Method: drift.KS})
	if err != nil {
		t.Fatal(err)
	}
	adjusted, err := drift.Compare(ref, cur, drift.Config{Method: drift.KS, Correction: drift.BenjaminiHochberg})
	if err != nil {
		t.Fatal(err)
	}
	p, a := byName(plain), byName(adjusted)
	for _, name := range []string{"x", "k", "m"} {
		if *a[name].Value < *p[name].Value {
			t.Errorf("%s: adjusted p %g < raw p %g", name, *a[name].Value, *p[name].Value)
		}
	}
	if a["x"].KS.Adjusted == nil || a["k"].Chi2.Adjusted == nil {
		t.Error("adjusted p-values not reported")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ cfg, want string }{
		{"method: psy", `method "psy"`},
		{"thresholds: {warn: 0.3, drift: 0.2}", "warn 0.3 > drift 0.2"},
		{"method: ks\nthresholds: {warn: 0.01, drift: 0.05}", "drift <= warn"},
		{"drift_share: 1.5", "drift_share"},
		{"correction: bonferroni", "correction"},
		{"missing: {warn: 0.5, drift: 0.1}", "missing thresholds"},
		{"features: {x: {method: nope}}", "feature x"},
		{"unknown: 1", "unknown"},
		{"[1, 2]", "cannot unmarshal"},
	}
	for _, tc := range tests {
		_, err := drift.ParseConfig([]byte(tc.cfg))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
	cfg, err := drift.ParseConfig([]byte(`{"method": "js", "features": {"x": {"ignore": true}}}`))
	if err != nil || cfg.Method != drift.JS || !cfg.Features["x"].Ignore {
		t.Errorf("JSON config: %+v %v", cfg, err)
	}
	if _, err := drift.ParseConfig(nil); err != nil {
		t.Errorf("empty config: %v", err)
	}
}

func TestCompareRefusesOtherReference(t *testing.T) {
	ref, _, _ := profiles(t, data(1, 500, 0, 0, 0), data(2, 100, 0, 0, 0))
	_, cur, _ := profiles(t, data(3, 500, 0, 0, 0), data(4, 100, 0, 0, 0))
	if _, err := drift.Compare(ref, cur, drift.Config{}); err == nil || !strings.Contains(err.Error(), "counted against reference") {
		t.Errorf("error = %v", err)
	}
	if _, err := drift.Compare(cur, cur, drift.Config{}); err == nil {
		t.Error("compared a batch profile as a reference")
	}
}

func TestWorstFirst(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	fs := []drift.FeatureResult{
		{Name: "a", Severity: drift.OK, Method: drift.PSI, Value: v(0.01), Thresholds: drift.DefaultThresholds(drift.PSI)},
		{Name: "b", Severity: drift.Drift, Method: drift.PSI, Value: v(0.3), Thresholds: drift.DefaultThresholds(drift.PSI)},
		{Name: "c", Severity: drift.Drift, Method: drift.KS, Value: v(1e-9), Thresholds: drift.DefaultThresholds(drift.KS)},
		{Name: "d", Severity: drift.Warn, Method: drift.PSI, Value: v(0.2), Thresholds: drift.DefaultThresholds(drift.PSI)},
	}
	var names []string
	for _, f := range drift.WorstFirst(fs) {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ""); got != "cbda" {
		t.Errorf("order %s, want cbda", got)
	}
}

// TestTimeColumnIsLeftOutWithANote pins issue 14 item 2 in the report: an
// ISO-8601 column whose every current value is new to the reference is not a
// drifted categorical feature; the report says it was left out.
func TestTimeColumnIsLeftOutWithANote(t *testing.T) {
	rows := func(day int) string {
		var b strings.Builder
		b.WriteString("x,event_time\n")
		for i := range 500 {
			fmt.Fprintf(&b, "%d,2026-11-%02dT%02d:%02d:00Z\n", i%9, day, i%24, i%60)
		}
		return b.String()
	}
	ref, cur, _ := profiles(t, rows(1), rows(20))
	r, err := drift.Compare(ref, cur, drift.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := byName(r)["event_time"]; ok || len(r.Features) != 1 {
		t.Errorf("features %v: want x only", byName(r))
	}
	if strings.Join(r.Notes, "\n") != "column event_time holds date-times: left out of drift" {
		t.Errorf("notes %q", r.Notes)
	}
	if r.DatasetDrift.Detected {
		t.Error("dataset drift detected; the time column must not count")
	}
}

// TestUnseenMeansNeverSeen pins issue 14 item 3: with more reference
// categories than the profile keeps, values of the rare pooled ones are
// __other__, not unseen; only values the reference never saw are.
func TestUnseenMeansNeverSeen(t *testing.T) {
	levels := func(rng *rand.Rand, n int, extra string) string {
		var b strings.Builder
		b.WriteString("k\n")
		for i := range n {
			if extra != "" && i%20 == 0 {
				fmt.Fprintln(&b, extra)
				continue
			}
			// 500 levels, a few frequent and many rare; every one of
			// them in the reference's first 500 rows.
			level := int(500 * rng.Float64() * rng.Float64())
			if i < 500 {
				level = i
			}
			fmt.Fprintf(&b, "level%d\n", level)
		}
		return b.String()
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(9, 9))
	rr, _ := dataset.NewReader(strings.NewReader(levels(rng, 20000, "")), "ref.csv", dataset.FormatCSV)
	settings := profile.DefaultSettings()
	settings.MaxCategories = 50
	ref, err := profile.Build(ctx, rr, "ref.csv", profile.BuildOptions{Settings: settings, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Features[0].Pooled) == 0 || ref.Features[0].PooledUnhashed != 0 {
		t.Fatalf("pooled hashes %d, unhashed %d", len(ref.Features[0].Pooled), ref.Features[0].PooledUnhashed)
	}
	for _, tc := range []struct {
		name  string
		extra string
		want  float64
	}{
		{"same distribution", "", 0},
		{"one new category in 5% of rows", "brand-new", 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr, _ := dataset.NewReader(strings.NewReader(levels(rng, 4000, tc.extra)), "cur.csv", dataset.FormatCSV)
			cur, _, err := profile.Count(ctx, cr, "cur.csv", ref, profile.Columns{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := drift.Compare(ref, cur, drift.Config{})
			if err != nil {
				t.Fatal(err)
			}
			f := r.Features[0]
			if f.Unseen == nil || f.Unseen.Share != tc.want {
				t.Fatalf("unseen %+v, want share %g", f.Unseen, tc.want)
			}
			if other := f.Bins.Current[len(f.Bins.Current)-1]; other <= tc.want {
				t.Errorf("__other__ share %g: want the pooled rare categories counted there too", other)
			}
			if tc.extra != "" && (len(f.Unseen.Top) != 1 || f.Unseen.Top[0].Name != tc.extra) {
				t.Errorf("top unseen %+v, want only %s", f.Unseen.Top, tc.extra)
			}
		})
	}
}

// TestWindowSizeWarning pins issue 14 item 9: a window far from the size the
// thresholds were calibrated for is reported.
func TestWindowSizeWarning(t *testing.T) {
	ref, cur, _ := profiles(t, data(1, 2000, 0, 0, 0), data(2, 500, 0, 0, 0))
	for _, tc := range []struct {
		window int
		warn   bool
	}{{500, false}, {1000, false}, {250, false}, {5000, true}, {200, true}} {
		cal := &drift.Calibration{Method: "sampling", WindowSize: tc.window, Features: map[string]map[drift.Method]drift.Thresholds{}}
		r, err := drift.Compare(ref, cur, drift.Config{Calibration: cal})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(r.Warnings, "\n"), fmt.Sprintf("the current window has 500 records, but the thresholds were calibrated (sampling) for windows of %d", tc.window))
		if got != tc.warn {
			t.Errorf("calibrated for %d: warnings %q, want a window-size warning: %v", tc.window, r.Warnings, tc.warn)
		}
	}
}

func TestReason(t *testing.T) {
	v, p := 0.31, 0.001
	for _, tc := range []struct {
		f    drift.FeatureResult
		want string
	}{
		{drift.FeatureResult{Method: drift.PSI, Value: &v, Thresholds: drift.DefaultThresholds(drift.PSI), MethodSeverity: drift.Drift, Severity: drift.Drift}, "psi 0.31 >= 0.25"},
		{drift.FeatureResult{Method: drift.KS, Value: &p, Thresholds: drift.DefaultThresholds(drift.KS), MethodSeverity: drift.Drift, Severity: drift.Drift}, "ks p 0.001 < 0.05"},
		{drift.FeatureResult{Method: drift.PSI, Value: &v, Thresholds: drift.Thresholds{Warn: 0.3, Drift: 0.5}, MethodSeverity: drift.Warn, Severity: drift.Drift,
			Missing: drift.Missing{Reference: 0.01, Current: 0.4, Severity: drift.Drift}}, "psi 0.31 >= 0.3; missing 1.0% -> 40.0%"},
		{drift.FeatureResult{Method: drift.PSI, Value: &v, MethodSeverity: drift.OK, Severity: drift.OK}, ""},
	} {
		if got := tc.f.Reason(); got != tc.want {
			t.Errorf("Reason() = %q, want %q", got, tc.want)
		}
	}
}

// TestUnseenUpperBound: a reference that pooled categories without their
// hashes (an older profile) reports its unseen share as an upper bound.
func TestUnseenUpperBound(t *testing.T) {
	ctx := context.Background()
	rr, _ := dataset.NewReader(strings.NewReader("k\na\na\nb\nc\n"), "ref.csv", dataset.FormatCSV)
	settings := profile.DefaultSettings()
	settings.MaxCategories = 1
	ref, err := profile.Build(ctx, rr, "ref.csv", profile.BuildOptions{Settings: settings, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		strip bool
		share float64
		upper bool
	}{{"hashed", false, 0.5, false}, {"older profile", true, 0.75, true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := *ref
			f := *ref.Features[0]
			if tc.strip {
				f.Pooled = nil
			}
			r.Features = []*profile.Feature{&f}
			cr, _ := dataset.NewReader(strings.NewReader("k\na\nb\nnew\nnew\n"), "cur.csv", dataset.FormatCSV)
			cur, _, err := profile.Count(ctx, cr, "cur.csv", &r, profile.Columns{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := drift.Compare(&r, cur, drift.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if u := rep.Features[0].Unseen; u.Share != tc.share || u.UpperBound != tc.upper {
				t.Errorf("unseen %+v, want share %g, upper bound %v", u, tc.share, tc.upper)
			}
		})
	}
}
