package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/stats"
)

// sample is a small data set written as CSV: a numeric column and a
// categorical one, the current side shifted.
type sample struct {
	refPath, curPath string
	ref, cur         []float64
}

func writeSample(t *testing.T, dir string, n int) sample {
	t.Helper()
	rnd := rand.New(rand.NewPCG(8, 8))
	s := sample{refPath: filepath.Join(dir, "reference.csv"), curPath: filepath.Join(dir, "current.csv")}
	write := func(path string, shift float64, values *[]float64) {
		var b strings.Builder
		b.WriteString("amount,region\n")
		regions := []string{"north", "south", "east"}
		for range n {
			v := math.Round((rnd.NormFloat64()*10+50+shift)*100) / 100
			*values = append(*values, v)
			fmt.Fprintf(&b, "%g,%s\n", v, regions[rnd.IntN(len(regions))])
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(s.refPath, 0, &s.ref)
	write(s.curPath, 4, &s.cur)
	return s
}

func buildReference(t *testing.T, dir, input string) string {
	t.Helper()
	r, err := dataset.Open(input, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := profile.Build(context.Background(), r, input, profile.BuildOptions{Settings: profile.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	data, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "reference.json")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCountPartsMergeToOneCount checks that profiling a file as consecutive
// batches and merging them gives the counts of profiling it at once.
func TestCountPartsMergeToOneCount(t *testing.T) {
	dir := t.TempDir()
	s := writeSample(t, dir, 3000)
	refPath := buildReference(t, dir, s.refPath)
	ref, err := loadReference(refPath)
	if err != nil {
		t.Fatal(err)
	}
	r, err := dataset.Open(s.curPath, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	whole, _, err := profile.Count(context.Background(), r, s.curPath, ref, profile.Columns{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		partRows  int64
		wantParts int
	}{
		{partRows: 700, wantParts: 5},
		{partRows: 1000, wantParts: 3},
		{partRows: 3000, wantParts: 1},
		{partRows: 5000, wantParts: 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.partRows), func(t *testing.T) {
			partsDir := filepath.Join(dir, fmt.Sprint("parts-", tt.partRows))
			res, err := countParts(context.Background(), ref, s.curPath, tt.partRows, partsDir)
			if err != nil {
				t.Fatal(err)
			}
			if res.Parts != tt.wantParts || res.Rows != 3000 {
				t.Fatalf("got %d parts, %d rows; want %d parts, 3000 rows", res.Parts, res.Rows, tt.wantParts)
			}
			paths, err := partPaths(partsDir)
			if err != nil {
				t.Fatal(err)
			}
			merged, _, err := loadMerged(paths)
			if err != nil {
				t.Fatal(err)
			}
			for _, wf := range whole.Features {
				mf := merged.Feature(wf.Name)
				if mf == nil || !slices.Equal(mf.Grid, wf.Grid) || !slices.Equal(mf.Values, wf.Values) || mf.Missing != wf.Missing {
					t.Errorf("feature %s: merged counts differ from one count", wf.Name)
				}
			}
		})
	}
}

// TestBoundsHoldOnRawSamples checks the bounds that the agreement check uses
// as tolerances against the exact statistics of the raw values.
func TestBoundsHoldOnRawSamples(t *testing.T) {
	dir := t.TempDir()
	s := writeSample(t, dir, 5000)
	refPath := buildReference(t, dir, s.refPath)
	ref, err := loadReference(refPath)
	if err != nil {
		t.Fatal(err)
	}
	partsDir := filepath.Join(dir, "parts")
	if _, err := countParts(context.Background(), ref, s.curPath, 1200, partsDir); err != nil {
		t.Fatal(err)
	}
	bounds, err := featureBounds(refPath, partsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bounds) != 1 || bounds[0].Name != "amount" {
		t.Fatalf("bounds for %+v, want amount only", bounds)
	}
	b := bounds[0]
	paths, _ := partPaths(partsDir)
	cur, _, err := loadMerged(paths)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := drift.Compare(ref, cur, drift.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var got drift.FeatureResult
	for _, f := range rep.Features {
		if f.Name == "amount" {
			got = f
		}
	}
	wExact := stats.Wasserstein(s.ref, s.cur) / populationStd(s.ref)
	if d := math.Abs(*got.Wasserstein - wExact); d > b.Wasserstein || b.Wasserstein <= 0 {
		t.Errorf("W from profiles %g, exact %g: |diff| %g, bound %g", *got.Wasserstein, wExact, d, b.Wasserstein)
	}
	dExact := ksExact(s.ref, s.cur)
	if gap := dExact - got.KS.Statistic; gap < -1e-12 || gap > b.KS {
		t.Errorf("KS D from profiles %g, exact %g: gap %g, bound %g", got.KS.Statistic, dExact, gap, b.KS)
	}
}

func populationStd(x []float64) float64 {
	var mean, m2 float64
	for i, v := range x {
		d := v - mean
		mean += d / float64(i+1)
		m2 += d * (v - mean)
	}
	return math.Sqrt(m2 / float64(len(x)))
}

// ksExact is the two-sample KS statistic: the largest distance between the
// empirical CDFs, evaluated at every sample value.
func ksExact(a, b []float64) float64 {
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	var d float64
	for _, x := range append(slices.Clone(sa), sb...) {
		fa := float64(upperBound(sa, x)) / float64(len(sa))
		fb := float64(upperBound(sb, x)) / float64(len(sb))
		d = math.Max(d, math.Abs(fa-fb))
	}
	return d
}

func upperBound(sorted []float64, x float64) int {
	i, _ := slices.BinarySearchFunc(sorted, x, func(v, x float64) int {
		if v <= x {
			return -1
		}
		return 1
	})
	return i
}

func TestTimeCompare(t *testing.T) {
	dir := t.TempDir()
	s := writeSample(t, dir, 2000)
	refPath := buildReference(t, dir, s.refPath)
	ref, err := loadReference(refPath)
	if err != nil {
		t.Fatal(err)
	}
	partsDir := filepath.Join(dir, "parts")
	if _, err := countParts(context.Background(), ref, s.curPath, 500, partsDir); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(dir, "report.json")
	res, err := timeCompare(refPath, partsDir, "", 3, reportPath)
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations != 3 || res.Parts != 4 || res.Rows != 2000 {
		t.Errorf("got %d iterations, %d parts, %d rows; want 3, 4, 2000", res.Iterations, res.Parts, res.Rows)
	}
	if !(res.MinSeconds > 0 && res.MinSeconds <= res.MedianSeconds && res.MedianSeconds <= res.MaxSeconds) {
		t.Errorf("times min %g, median %g, max %g are not ordered", res.MinSeconds, res.MedianSeconds, res.MaxSeconds)
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep drift.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Current.Rows != 2000 || len(rep.Features) != 2 {
		t.Errorf("report has %d rows and %d features, want 2000 and 2", rep.Current.Rows, len(rep.Features))
	}
	if res.ReportBytes != len(data)-1 {
		t.Errorf("report_bytes %d, the report file has %d bytes and a newline", res.ReportBytes, len(data))
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"missing flag", []string{"count", "--reference", "r.json"}, "--current is required"},
		{"stray argument", []string{"bounds", "--reference", "r.json", "--parts", "p", "extra"}, `unexpected argument "extra"`},
		{"bad part rows", []string{"count", "--reference", "missing.json", "--current", "c.csv", "--part-rows", "x", "--out", "o"}, "invalid value"},
		{"missing reference", []string{"bounds", "--reference", "missing.json", "--parts", "p"}, "read profile"},
		{"unknown pprof step", []string{"pprof", "--step", "sort", "--input", "x.csv", "--cpuprofile", "x.prof"}, `step "sort"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{1, 2}, 1.5},
		{[]float64{1, 2, 10}, 2},
		{[]float64{1, 2, 3, 10}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %g, want %g", tt.in, got, tt.want)
		}
	}
}
