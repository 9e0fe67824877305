package multivariate_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

func smallModel(t testing.TB) *multivariate.Model {
	t.Helper()
	data := []byte("a,b,c\n1,2,x\n2,4.5,y\n3,5.5,x\n4,8,z\n,9,x\n6,13,\n7,13.5,y\n8,16,x\n")
	open := func(context.Context) (dataset.Reader, error) { return reader(t, data), nil }
	specs := []multivariate.Spec{{"a", multivariate.Numeric}, {"b", multivariate.Numeric}, {"c", multivariate.Categorical}}
	m, err := multivariate.Fit(context.Background(), open, specs, multivariate.Options{GridBins: 4})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFitEncodings(t *testing.T) {
	m := smallModel(t)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	a, c := m.Features[0], m.Features[2]
	if want := (1 + 2 + 3 + 4 + 6 + 7 + 8) / 7.0; math.Abs(a.Impute-want) > 1e-15 || math.Abs(a.Center-want) > 1e-15 {
		t.Errorf("a: impute %g, center %g, want the mean %g", a.Impute, a.Center, want)
	}
	// c: x ×4 (+1 missing imputed with the mode x) = 5, y ×2, z ×1
	if c.Mode != "x" || c.Impute != 5 || strings.Join(c.Categories, ",") != "x,y,z" || c.Counts[0] != 5 || c.Counts[1] != 2 || c.Counts[2] != 1 {
		t.Errorf("c: mode %q impute %g categories %v counts %v", c.Mode, c.Impute, c.Categories, c.Counts)
	}
	if m.Reference.Count != 8 || len(m.Reference.Grid) != len(m.Edges)+1 {
		t.Errorf("reference summary: count %d, %d bins for %d edges", m.Reference.Count, len(m.Reference.Grid), len(m.Edges))
	}
	// an unseen category encodes as 0, a missing one as the mode
	sc := multivariate.NewScorer(m)
	row := func(c string) []dataset.Value {
		v := dataset.Value{Kind: dataset.Text, Str: c}
		if c == "" {
			v = dataset.Value{}
		}
		return []dataset.Value{{Kind: dataset.Number, Num: 3}, {Kind: dataset.Number, Num: 6}, v}
	}
	if sc.Error(row(""), nil) != sc.Error(row("x"), nil) {
		t.Error("a missing category is not encoded as the mode")
	}
	if sc.Error(row("never"), nil) == sc.Error(row("z"), nil) {
		t.Error("an unseen category is encoded as a seen one")
	}
}

func TestFitErrors(t *testing.T) {
	ctx := context.Background()
	specs := []multivariate.Spec{{"a", multivariate.Numeric}}
	openData := func(s string) multivariate.Open {
		return func(context.Context) (dataset.Reader, error) { return reader(t, []byte(s)), nil }
	}
	failing := func(context.Context) (dataset.Reader, error) { return nil, errors.New("boom") }
	for _, tc := range []struct {
		name  string
		open  multivariate.Open
		specs []multivariate.Spec
		opts  multivariate.Options
		want  string
	}{
		{"no features", openData("a\n1\n"), nil, multivariate.Options{}, "no features"},
		{"bad share", openData("a\n1\n"), specs, multivariate.Options{VarianceShare: 1}, "variance share"},
		{"no rows", openData("a\n"), specs, multivariate.Options{}, "no rows"},
		{"no column", openData("b\n1\n"), specs, multivariate.Options{}, `no column "a"`},
		{"constant", openData("a\n1\n1\n"), specs, multivariate.Options{}, "no variance"},
		{"open fails", failing, specs, multivariate.Options{}, "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := multivariate.Fit(ctx, tc.open, tc.specs, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestSummaryMergeIsAddition(t *testing.T) {
	m := smallModel(t)
	sc := multivariate.NewScorer(m)
	resid := make([]float64, 3)
	all, a, b := multivariate.NewSummary(m), multivariate.NewSummary(m), multivariate.NewSummary(m)
	for i := range 50 {
		row := []dataset.Value{{Kind: dataset.Number, Num: float64(i % 9)}, {Kind: dataset.Number, Num: float64(i % 7)}, {Kind: dataset.Text, Str: string(rune('x' + i%3))}}
		e := sc.Error(row, resid)
		all.Add(m.Edges, e, resid)
		if i%2 == 0 {
			a.Add(m.Edges, e, resid)
		} else {
			b.Add(m.Edges, e, resid)
		}
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if a.Count != all.Count || math.Abs(a.Sum-all.Sum) > 1e-12*all.Sum || math.Abs(a.SumSquares-all.SumSquares) > 1e-12*all.SumSquares {
		t.Errorf("merged %+v, all at once %+v", a, all)
	}
	for i := range a.Grid {
		if a.Grid[i] != all.Grid[i] {
			t.Errorf("grid bin %d: merged %d, all at once %d", i, a.Grid[i], all.Grid[i])
		}
	}
	if err := a.Check(m); err != nil {
		t.Error(err)
	}
	if err := a.Merge(multivariate.Summary{Grid: []int64{1}}); err == nil {
		t.Error("merged summaries of different grids")
	}
}

func TestThresholds(t *testing.T) {
	m := &multivariate.Model{ErrorMean: 1, ErrorStd: 0.5}
	for _, tc := range []struct {
		n            int64
		lower, upper float64
	}{{100, 0.85, 1.15}, {1, 0, 2.5}, {10000, 0.985, 1.015}} {
		lo, hi, _ := m.Thresholds(tc.n)
		if math.Abs(lo-tc.lower) > 1e-12 || math.Abs(hi-tc.upper) > 1e-12 {
			t.Errorf("n=%d: thresholds (%g, %g), want (%g, %g)", tc.n, lo, hi, tc.lower, tc.upper)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *multivariate.Model)
		want string
	}{
		{"no features", func(m *multivariate.Model) { m.Features = nil }, "no features"},
		{"component length", func(m *multivariate.Model) { m.Components[0] = m.Components[0][:1] }, "component 0"},
		{"zero scale", func(m *multivariate.Model) { m.Features[0].Scale = 0 }, "scale"},
		{"kind", func(m *multivariate.Model) { m.Features[0].Kind = "text" }, "kind"},
		{"counts", func(m *multivariate.Model) { m.Features[2].Counts = nil }, "counts"},
		{"edges", func(m *multivariate.Model) { m.Edges[0], m.Edges[1] = m.Edges[1], m.Edges[0] }, "increasing"},
		{"grid", func(m *multivariate.Model) { m.Reference.Grid[0]++ }, "grid counts"},
		{"twice", func(m *multivariate.Model) { m.Features[1].Name = m.Features[0].Name }, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := smallModel(t)
			tc.edit(m)
			if err := m.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// FuzzModelJSON: a model read from a profile either fails Validate or can
// score any row and compare any summary that passes Check, without panicking.
func FuzzModelJSON(f *testing.F) {
	data, err := json.Marshal(smallModel(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"features":[{"name":"a","kind":"numeric","center":0,"scale":1}],"components":[[1]],"edges":[],"reference":{"count":0,"grid":[0],"residuals":[0]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m multivariate.Model
		if json.Unmarshal(b, &m) != nil || m.Validate() != nil {
			return
		}
		sc := multivariate.NewScorer(&m)
		row := make([]dataset.Value, len(m.Features))
		resid := make([]float64, len(m.Features))
		s := multivariate.NewSummary(&m)
		s.Add(m.Edges, sc.Error(row, resid), resid)
		row[0] = dataset.Value{Kind: dataset.Text, Str: "x"}
		sc.Error(row, nil)
		if s.Check(&m) == nil {
			_, _ = multivariate.Compare(&m, s)
		}
	})
}

// TestScorersOfOneModelRunConcurrently: a model decoded from a profile is
// shared by every accumulator of the reference; scorers and encodings of it
// may be made and used concurrently (run with -race).
func TestScorersOfOneModelRunConcurrently(t *testing.T) {
	data, err := json.Marshal(smallModel(t))
	if err != nil {
		t.Fatal(err)
	}
	var m multivariate.Model
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	want := multivariate.NewScorer(smallModel(t)).Error([]dataset.Value{{}, {}, {Kind: dataset.Text, Str: "y"}}, nil)
	done := make(chan float64)
	for range 8 {
		go func() {
			_ = m.Encode(2, "z")
			done <- multivariate.NewScorer(&m).Error([]dataset.Value{{}, {}, {Kind: dataset.Text, Str: "y"}}, nil)
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("error %g, want %g", got, want)
		}
	}
}
