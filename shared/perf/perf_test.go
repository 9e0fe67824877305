package perf

import (
	"math"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/profile"
)

var t0 = time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)

func pred(id, class string, scores map[string]float64) Prediction {
	return Prediction{RequestID: id, Timestamp: t0, Output: Value{Text: class}, Scores: scores}
}

func label(id, class string, at time.Duration) Label {
	return Label{RequestID: id, Timestamp: t0.Add(at), Value: Value{Text: class}}
}

func TestLatestLabels(t *testing.T) {
	got := LatestLabels([]Label{
		label("a", "x", 2*time.Hour), label("a", "y", time.Hour), // older correction loses
		label("b", "x", time.Hour), label("b", "y", time.Hour), // same time: the later one wins
		label("c", "z", 0),
	})
	if len(got) != 3 || got["a"].Value.Text != "x" || got["b"].Value.Text != "y" || got["c"].Value.Text != "z" {
		t.Errorf("%+v", got)
	}
}

func TestJoinCountsEachRequestOnce(t *testing.T) {
	preds := []Prediction{
		pred("a", "x", nil), pred("b", "y", nil),
		pred("a", "y", nil), // a retried request: counted once, as its first record
		{RequestID: "c", Timestamp: t0, Failed: true},
		{RequestID: "c", Timestamp: t0, Failed: true},
		pred("d", "x", nil),
	}
	labels := LatestLabels([]Label{label("a", "x", time.Hour), label("c", "x", time.Hour), label("zz", "x", time.Hour)})
	pairs, st := Join(preds, labels)
	want := JoinStats{Predictions: 3, Failed: 1, Duplicates: 2, Labelled: 1}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	if len(pairs) != 1 || pairs[0].Prediction.Output.Text != "x" {
		t.Errorf("pairs %+v", pairs)
	}
	s := Evaluate("", preds, labels, "", t0.Add(24*time.Hour))
	if s.Task != TaskClassification || s.LabelCoverage != 1.0/3 || s.Classification == nil || s.Classification.Accuracy != 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestClassifyEdgeCases(t *testing.T) {
	if Classify(nil, "") != nil {
		t.Error("metrics of no pairs")
	}
	// One class only: AUC is undefined, precision and recall are 1.
	pairs := []Pair{{pred("a", "x", map[string]float64{"x": 0.7}), label("a", "x", 0)}}
	m := Classify(pairs, "")
	if m.AUC != nil || m.Accuracy != 1 || m.Classes[0].F1 != 1 || m.LogLoss == nil || math.Abs(*m.LogLoss+math.Log(1)) > 1e-9 {
		t.Errorf("%+v", m)
	}
	// A label class the scores do not mention gets probability ~0: a large,
	// finite loss.
	pairs = []Pair{{pred("a", "x", map[string]float64{"x": 1}), label("a", "y", 0)}}
	m = Classify(pairs, "")
	if m.LogLoss == nil || math.IsInf(*m.LogLoss, 0) || *m.LogLoss < 30 {
		t.Errorf("log loss %v", m.LogLoss)
	}
	// An explicit positive class.
	pairs = []Pair{
		{pred("a", "fraud", map[string]float64{"fraud": 0.9, "legit": 0.1}), label("a", "fraud", 0)},
		{pred("b", "legit", map[string]float64{"fraud": 0.2, "legit": 0.8}), label("b", "legit", 0)},
		{pred("c", "legit", map[string]float64{"fraud": 0.4, "legit": 0.6}), label("c", "fraud", 0)},
	}
	m = Classify(pairs, "fraud")
	if m.PositiveClass != "fraud" || m.AUC == nil || *m.AUC != 1 {
		t.Errorf("positive %q AUC %v", m.PositiveClass, m.AUC)
	}
}

func TestRocAUCTies(t *testing.T) {
	// All scores equal: 0.5, whatever the labels.
	if auc, ok := rocAUC([]float64{0.3, 0.3, 0.3, 0.3}, []bool{true, false, true, false}); !ok || auc != 0.5 {
		t.Errorf("ties: %g %v", auc, ok)
	}
	if auc, _ := rocAUC([]float64{0.1, 0.9}, []bool{false, true}); auc != 1 {
		t.Errorf("perfect: %g", auc)
	}
	if _, ok := rocAUC([]float64{0.1, 0.9}, []bool{true, true}); ok {
		t.Error("AUC without negatives")
	}
}

func TestRegressEdgeCases(t *testing.T) {
	num := func(v float64) Value { return Value{Num: v, Numeric: true} }
	pairs := []Pair{
		{Prediction{Output: num(1)}, Label{Value: num(0)}},
		{Prediction{Output: num(2)}, Label{Value: Value{Text: "n/a"}}},
		{Prediction{Output: num(3)}, Label{Value: num(4)}},
	}
	r := Regress(pairs)
	if r.Used != 2 || r.NotNumeric != 1 || r.ZeroLabels != 1 || r.MAE != 1 || r.MAPE == nil || *r.MAPE != 0.25 {
		t.Errorf("%+v", r)
	}
	if Regress(pairs[1:2]) != nil {
		t.Error("metrics without numbers")
	}
	if r := Regress(pairs[:1]); r.MAPE != nil {
		t.Error("MAPE of zero labels only")
	}
}

func confidence(counts profile.Counts, mean float64) (*profile.Feature, *profile.Feature) {
	ref := &profile.Feature{Name: "confidence", Kind: profile.Numeric, Edges: []float64{0.6, 0.7, 0.8, 0.9},
		Moments: &profile.Moments{Count: 100, Mean: 0.8, Min: 0.5, Max: 1}}
	cur := &profile.Feature{Name: "confidence", Kind: profile.Numeric, Grid: counts,
		Moments: &profile.Moments{Count: counts.Total(), Mean: mean}}
	return ref, cur
}

func TestEstimateAccuracy(t *testing.T) {
	ref, cur := confidence(profile.Counts{0, 0, 10, 0, 30}, 0.85)
	e, ok, err := EstimateAccuracy(ref, cur, nil)
	if err != nil || !ok || e.Method != EstimateUncalibrated || e.Accuracy != 0.85 || e.Predictions != 40 {
		t.Errorf("uncalibrated: %+v %v %v", e, ok, err)
	}
	// Calibration bins (-inf,0.7] (0.7,0.9] (0.9,inf): the reference was
	// right 50 %, 60 % and never labelled above 0.9.
	cal := &profile.Calibration{Edges: []float64{0.7, 0.9}, Labelled: []int64{10, 10, 0}, Correct: []int64{5, 6, 0}}
	e, ok, err = EstimateAccuracy(ref, cur, cal)
	// 10 in (0.7, 0.8] → 0.6; 30 in (0.9, 1] → no reference labels, the
	// middle of the bin, 0.95.
	if want := (10*0.6 + 30*0.95) / 40; err != nil || !ok || e.Method != EstimateCalibrated || math.Abs(e.Accuracy-want) > 1e-12 {
		t.Errorf("calibrated: %+v, want %g (%v)", e, want, err)
	}
	if _, ok, _ := EstimateAccuracy(ref, &profile.Feature{Moments: &profile.Moments{}}, nil); ok {
		t.Error("estimate of nothing")
	}
	bad := &profile.Calibration{Edges: []float64{0.7}, Labelled: []int64{1, 1}, Correct: []int64{2, 0}}
	if _, _, err := EstimateAccuracy(ref, cur, bad); err == nil {
		t.Error("bad calibration accepted")
	}
}
