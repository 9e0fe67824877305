package profile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

func build(t *testing.T, csv string, opts profile.BuildOptions) (*profile.Profile, error) {
	t.Helper()
	r, err := dataset.NewReader(strings.NewReader(csv), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Settings == (profile.Settings{}) {
		opts.Settings = profile.DefaultSettings()
	}
	opts.TempDir = t.TempDir()
	return profile.Build(context.Background(), r, "ref.csv", opts)
}

func mustBuild(t *testing.T, csv string, opts profile.BuildOptions) *profile.Profile {
	t.Helper()
	p, err := build(t, csv, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sampleCSV has a continuous column, a discrete one, a categorical one with
// missing values, prediction, scores and a label.
func sampleCSV(rng *rand.Rand, n int, shift float64) string {
	var b strings.Builder
	b.WriteString("amount,count,country,note,prediction,score_yes,score_no,label\n")
	countries := []string{"DE", "FR", "IT", "ES"}
	for i := range n {
		amount := fmt.Sprint(rng.NormFloat64()*10 + 50 + shift)
		if i%17 == 0 {
			amount = ""
		}
		country := countries[rng.IntN(len(countries))]
		if shift != 0 && i%5 == 0 {
			country = "PL"
		}
		yes := rng.Float64()
		pred := "no"
		if yes > 0.5 {
			pred = "yes"
		}
		fmt.Fprintf(&b, "%s,%d,%s,%s,%s,%.4f,%.4f,%s\n", amount, rng.IntN(5), country, "NA", pred, yes, 1-yes, pred)
	}
	return b.String()
}

func TestBuildInfersKindsAndRoles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := mustBuild(t, sampleCSV(rng, 2000, 0), profile.BuildOptions{Model: "m", Version: "v1"})
	kinds := map[string]profile.Kind{}
	for _, f := range p.Features {
		kinds[f.Name] = f.Kind
	}
	want := map[string]profile.Kind{"amount": profile.Numeric, "count": profile.Discrete, "country": profile.Categorical, "note": profile.Numeric}
	for name, k := range want {
		if kinds[name] != k {
			t.Errorf("feature %s kind = %q, want %q", name, kinds[name], k)
		}
	}
	if len(p.Features) != len(want) {
		t.Errorf("features = %v, want only %v (prediction, scores and label are not features)", kinds, want)
	}
	if p.Prediction == nil || p.Prediction.Kind != profile.Categorical || p.Label == nil || p.Confidence == nil {
		t.Fatalf("prediction %+v, label %+v, confidence %+v: want all three", p.Prediction, p.Label, p.Confidence)
	}
	amount := p.Feature("amount")
	if got := amount.Missing; got != 2000/17+1 {
		t.Errorf("amount missing = %d, want %d", got, 2000/17+1)
	}
	if len(amount.CoarseEdges) != 9 || len(amount.Edges) != 999 {
		t.Errorf("amount has %d coarse and %d fine edges, want 9 and 999", len(amount.CoarseEdges), len(amount.Edges))
	}
	for _, e := range amount.CoarseEdges {
		if _, found := slicesIndex(amount.Edges, e); !found {
			t.Errorf("coarse edge %g is not a fine edge", e)
		}
	}
	if note := p.Feature("note"); note.Missing != 2000 || note.Present() != 0 {
		t.Errorf("all-missing column: missing %d present %d", note.Missing, note.Present())
	}
	if c := p.Feature("count"); len(c.Edges) != 5 || c.Values.Total() != 2000 {
		t.Errorf("discrete column: edges %v, values %v", c.Edges, c.Values)
	}
	if p.Fingerprint == "" || p.Rows != 2000 {
		t.Errorf("fingerprint %q rows %d", p.Fingerprint, p.Rows)
	}
}

func slicesIndex(s []float64, v float64) (int, bool) {
	for i, x := range s {
		if x == v {
			return i, true
		}
	}
	return -1, false
}

func TestBuildOverridesAndSettings(t *testing.T) {
	csv := "zip,score\n10115,1.5\n80331,2.5\n20095,3.5\n"
	p := mustBuild(t, csv, profile.BuildOptions{Categorical: []string{"zip"}, Columns: profile.Columns{Ignore: []string{"score"}}})
	if f := p.Feature("zip"); f == nil || f.Kind != profile.Categorical || len(f.Categories) != 3 {
		t.Fatalf("zip: %+v", f)
	}
	if p.Feature("score") != nil {
		t.Error("ignored column was profiled")
	}
	p = mustBuild(t, "c\na\nb\nb\nc\nc\nc\n", profile.BuildOptions{Settings: profile.Settings{Bins: 10, Grid: 100, MaxCategories: 2, DiscreteMax: 20}})
	c := p.Feature("c")
	if strings.Join(c.Categories, ",") != "c,b" || fmt.Sprint(c.Values) != "[3 2 1]" {
		t.Errorf("top categories %v counts %v, want [c b] [3 2 1]", c.Categories, c.Values)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, csv string
		opts      profile.BuildOptions
		want      string
	}{
		{"nan text", "x\n1\n2\nNaN\n", profile.BuildOptions{}, "ref.csv:4: column x: "},
		{"inf text", "x\n1\n-Inf\n", profile.BuildOptions{}, "ref.csv:3: column x: "},
		{"header only", "x,y\n", profile.BuildOptions{}, "no data rows"},
		{"unknown override", "x\n1\n", profile.BuildOptions{Categorical: []string{"nope"}}, "column nope is not in ref.csv"},
		{"both kinds", "x\n1\n", profile.BuildOptions{Categorical: []string{"x"}, Numeric: []string{"x"}}, "both categorical and numeric"},
		{"score out of range after the sample", "x,score_a\n" + strings.Repeat("1,0.5\n", 10000) + "1,1.5\n", profile.BuildOptions{},
			"ref.csv:10002: column score_a: score 1.5 is outside [0, 1] (the column held class scores in the first 10000 rows; --numeric score_a profiles it as a feature)"},
		{"unknown timestamp", "x\n1\n", profile.BuildOptions{Columns: profile.Columns{Timestamp: "when"}}, "timestamp column when is not in ref.csv"},
		{"beyond max magnitude", "x\n1\n1e300\n", profile.BuildOptions{}, "ref.csv:3: column x: number 1e+300 is beyond"},
		{"bad bins", "x\n1\n", profile.BuildOptions{Settings: profile.Settings{Bins: 1, Grid: 10, MaxCategories: 1}}, "bins 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(t, tc.csv, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestBuildEdgeCases covers constant, single-row, huge-valued and negative-zero
// columns: none may panic or produce a non-finite number.
func TestBuildEdgeCases(t *testing.T) {
	tests := []struct {
		name, csv string
		kind      profile.Kind
		edges     int
	}{
		{"constant", "x\n7\n7\n7\n7\n", profile.Discrete, 1},
		{"single row", "x\n3.25\n", profile.Discrete, 1},
		{"negative zero", "x\n-0\n0\n-0.0\n", profile.Discrete, 1},
		{"huge", "x\n" + strings.Repeat("1e150\n-1e150\n1.5e149\n", 10) + strings.Repeat("0.5\n", 20), profile.Discrete, 4},
		{"huge continuous", "x\n" + hugeColumn(), profile.Numeric, 999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustBuild(t, tc.csv, profile.BuildOptions{})
			f := p.Feature("x")
			if f.Kind != tc.kind || len(f.Edges) != tc.edges {
				t.Fatalf("kind %s edges %v, want %s with %d edges", f.Kind, f.Edges, tc.kind, tc.edges)
			}
			for _, e := range f.Edges {
				if math.Signbit(e) && e == 0 {
					t.Errorf("edge is negative zero")
				}
			}
			if _, err := p.Encode(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func hugeColumn() string {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "%g\n", float64(i-2500)*3e146)
	}
	return b.String()
}

func TestDecodeRejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	good, err := mustBuild(t, sampleCSV(rng, 100, 0), profile.BuildOptions{}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Decode(good); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	tests := []struct{ name, data, want string }{
		{"not json", "{", "decode profile"},
		{"no version", `{"type":"reference"}`, "no schema_version"},
		{"future version", `{"schema_version":2,"type":"reference"}`, "schema_version 2"},
		{"bad type", `{"schema_version":1,"type":"x","features":[]}`, `type "x"`},
		{"negative count", `{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1,-2]}]}`, "negative"},
		{"sparse out of range", `{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":2,"index":[5],"count":[1]}}]}`, "out of range"},
		{"unsorted edges", `{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"numeric","edges":[2,1],"grid":[0,0,0],"moments":{"count":0},"tail_sums":[0,0]}]}`, "strictly increasing"},
		{"wrong bins", `{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"numeric","edges":[1,2],"grid":[0,0],"moments":{"count":0},"tail_sums":[0,0]}]}`, "grid bins"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := profile.Decode([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if tc.name == "future version" && !errors.Is(err, profile.ErrSchemaVersion) {
				t.Errorf("error %v does not wrap ErrSchemaVersion", err)
			}
		})
	}
}

func TestCountsJSON(t *testing.T) {
	for _, c := range []profile.Counts{
		{},
		{1, 2, 3},
		append(make(profile.Counts, 999), 5),
		func() profile.Counts { c := make(profile.Counts, 1000); c[3], c[500] = 7, 1; return c }(),
	} {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back profile.Counts
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(back) != fmt.Sprint(c) {
			t.Errorf("round trip of %d counts via %s changed them", len(c), data)
		}
		if len(c) == 1000 && len(data) > 100 {
			t.Errorf("sparse counts encoded in %d bytes: %s", len(data), data)
		}
	}
}

// countRows counts csv (without building a reference) over ref's bins.
func countRows(t *testing.T, ref *profile.Profile, csv string) (*profile.Profile, []string) {
	t.Helper()
	r, err := dataset.NewReader(strings.NewReader(csv), "cur.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	p, warnings, err := profile.Count(context.Background(), r, "cur.csv", ref, profile.Columns{})
	if err != nil {
		t.Fatal(err)
	}
	return p, warnings
}

func TestCountMissingAndUnknownColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ref := mustBuild(t, sampleCSV(rng, 500, 0), profile.BuildOptions{})
	cur, warnings := countRows(t, ref, "amount,extra,country\n1.5,x,DE\n2.5,y,XX\n")
	if len(warnings) == 0 || !strings.Contains(strings.Join(warnings, "\n"), "column extra is not in the reference") {
		t.Errorf("warnings = %q", warnings)
	}
	if !strings.Contains(strings.Join(warnings, "\n"), "reference column count is absent") {
		t.Errorf("warnings = %q, want the absent column named", warnings)
	}
	if f := cur.Feature("count"); f.Missing != 2 || f.Present() != 0 {
		t.Errorf("absent column: missing %d present %d, want 2 and 0", f.Missing, f.Present())
	}
	if f := cur.Feature("country"); len(f.Unseen) != 1 || f.Unseen[0].Name != "XX" {
		t.Errorf("unseen = %+v", f.Unseen)
	}
	r, _ := dataset.NewReader(strings.NewReader("amount\nabc\n"), "cur.csv", dataset.FormatCSV)
	if _, _, err := profile.Count(context.Background(), r, "cur.csv", ref, profile.Columns{}); err == nil || !strings.Contains(err.Error(), "cur.csv:2: column amount:") {
		t.Errorf("error = %v, want the file, line and column", err)
	}
}

// TestMergeIsExact splits live records at random, profiles the parts, merges
// them in random order and grouping, and checks the result equals the profile
// of the whole: counts exactly, moments to 1e-12 relative.
func TestMergeIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ref := mustBuild(t, sampleCSV(rng, 3000, 0), profile.BuildOptions{})
	lines := strings.Split(strings.TrimSpace(sampleCSV(rng, 4000, 3)), "\n")
	header, rows := lines[0], lines[1:]
	whole, _ := countRows(t, ref, strings.Join(lines, "\n")+"\n")
	for trial := range 20 {
		k := 1 + rng.IntN(12)
		parts := make([][]string, k)
		for _, row := range rows {
			i := rng.IntN(k)
			parts[i] = append(parts[i], row)
		}
		var profiles []*profile.Profile
		for _, part := range parts {
			if len(part) == 0 {
				continue
			}
			p, _ := countRows(t, ref, header+"\n"+strings.Join(part, "\n")+"\n")
			profiles = append(profiles, p)
		}
		rng.Shuffle(len(profiles), func(i, j int) { profiles[i], profiles[j] = profiles[j], profiles[i] })
		merged := mergeRandomTree(t, rng, profiles)
		assertSameCounts(t, fmt.Sprintf("trial %d (%d parts)", trial, k), merged, whole)
	}
}

func mergeRandomTree(t *testing.T, rng *rand.Rand, ps []*profile.Profile) *profile.Profile {
	t.Helper()
	for len(ps) > 1 {
		i := rng.IntN(len(ps) - 1)
		m, err := profile.Merge(ps[i], ps[i+1])
		if err != nil {
			t.Fatal(err)
		}
		ps = append(append(ps[:i:i], m), ps[i+2:]...)
	}
	return ps[0]
}

func assertSameCounts(t *testing.T, what string, got, want *profile.Profile) {
	t.Helper()
	if got.Rows != want.Rows || got.Errors != want.Errors {
		t.Fatalf("%s: rows %d errors %d, want %d %d", what, got.Rows, got.Errors, want.Rows, want.Errors)
	}
	gc, wc := got.Columns(), want.Columns()
	if len(gc) != len(wc) {
		t.Fatalf("%s: %d columns, want %d", what, len(gc), len(wc))
	}
	for i := range wc {
		g, w := gc[i], wc[i]
		if fmt.Sprint(g.Grid) != fmt.Sprint(w.Grid) || fmt.Sprint(g.Values) != fmt.Sprint(w.Values) || g.Missing != w.Missing {
			t.Errorf("%s: column %s counts differ", what, w.Name)
		}
		if w.Moments == nil {
			continue
		}
		gm, wm := *g.Moments, *w.Moments
		if gm.Count != wm.Count || gm.Min != wm.Min || gm.Max != wm.Max ||
			!scalar.EqualWithinRel(gm.Mean, wm.Mean, 1e-12) || !scalar.EqualWithinRel(gm.M2, wm.M2, 1e-12) {
			t.Errorf("%s: column %s moments %+v, want %+v", what, w.Name, gm, wm)
		}
	}
}

func TestMergeRejectsMismatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	refA := mustBuild(t, sampleCSV(rng, 300, 0), profile.BuildOptions{})
	refB := mustBuild(t, sampleCSV(rng, 300, 1), profile.BuildOptions{})
	a, _ := countRows(t, refA, "amount\n1\n")
	b, _ := countRows(t, refB, "amount\n1\n")
	if _, err := profile.Merge(a, b); err == nil || !strings.Contains(err.Error(), "counted against reference") {
		t.Errorf("merge across references: %v", err)
	}
	if _, err := profile.Merge(refA, a); err == nil {
		t.Error("merged a reference profile as a batch")
	}
	if _, err := profile.Merge(); err == nil {
		t.Error("merged nothing")
	}
	m, err := profile.Merge(a, a)
	if err != nil || m.Rows != 2 {
		t.Errorf("merge(a, a) = %v rows, %v", m, err)
	}
}
