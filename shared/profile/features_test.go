package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// mixedCSV returns rows of every kind of column a build profiles: numeric
// (one large enough to spill), discrete, categorical, a prediction with
// class scores (so a confidence column) and a label.
func mixedCSV(rows int) []byte {
	r := rand.New(rand.NewPCG(15, 4))
	var buf bytes.Buffer
	buf.WriteString("x,heavy,ties,colour,prediction,score_a,score_b,label\n")
	colours := []string{"red", "green", "blue", "cyan"}
	for range rows {
		pa := r.Float64()
		pred := "a"
		if pa < 0.5 {
			pred = "b"
		}
		fmt.Fprintf(&buf, "%g,%g,%d,%s,%s,%g,%g,%s\n",
			r.NormFloat64(), math.Exp(3*r.NormFloat64()), r.IntN(5), colours[r.IntN(len(colours))],
			pred, pa, 1-pa, []string{"a", "b"}[r.IntN(2)])
	}
	return buf.Bytes()
}

func buildJSON(t *testing.T, data []byte, workers int) []byte {
	t.Helper()
	out, err := buildWith(t, data, dataset.FormatCSV, workers, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildSameBytesForEveryWorkerCount: binning the columns concurrently
// gives the profile one worker gives, byte for byte.
func TestBuildSameBytesForEveryWorkerCount(t *testing.T) {
	for _, rows := range []int{50, spillChunk + 100} {
		data := mixedCSV(rows)
		want := buildJSON(t, data, 1)
		for _, workers := range []int{2, 3, 16} {
			if got := buildJSON(t, data, workers); !bytes.Equal(got, want) {
				t.Errorf("%d rows, %d workers: profile differs from one worker's", rows, workers)
			}
		}
	}
}

func TestBuildProfilesConfidence(t *testing.T) {
	var p Profile
	if err := json.Unmarshal(buildJSON(t, mixedCSV(200), 2), &p); err != nil {
		t.Fatal(err)
	}
	if p.Confidence == nil || p.Prediction == nil || p.Label == nil || len(p.Features) != 4 {
		t.Errorf("confidence %v, prediction %v, label %v, %d features; want all three and 4 features",
			p.Confidence != nil, p.Prediction != nil, p.Label != nil, len(p.Features))
	}
}

func TestSortWorkers(t *testing.T) {
	col := func(n int64) *refColumn { return &refColumn{values: &spill{n: n}} }
	tests := []struct {
		name    string
		cols    []*refColumn
		workers int
		want    int
	}{
		{"no columns", nil, 2, 1},
		{"categorical only", []*refColumn{{}, {}}, 4, 2},
		{"fewer columns than workers", []*refColumn{col(10)}, 4, 1},
		{"1M rows fit twice", []*refColumn{col(1e6), col(1e6), col(1e6)}, 2, 2},
		{"10M rows fit once", []*refColumn{col(1e7), col(1e7)}, 2, 1},
		{"past the budget alone", []*refColumn{col(1e9), col(1)}, 2, 1},
		{"zero workers", []*refColumn{col(1), col(1)}, 0, 1},
	}
	for _, tc := range tests {
		if got := sortWorkers(tc.cols, tc.workers); got != tc.want {
			t.Errorf("%s: %d workers, want %d", tc.name, got, tc.want)
		}
	}
}
