package perf

import (
	"errors"
	"fmt"

	"github.com/modelwatch/modelwatch/shared/profile"
)

// The methods of an accuracy estimate.
const (
	// EstimateCalibrated uses the reference's calibration table: the
	// observed accuracy of the reference per confidence bin.
	EstimateCalibrated = "reference-calibration"
	// EstimateUncalibrated takes the highest class score as the probability
	// that the prediction is right, so the estimate is the mean confidence.
	// It is as good as the model's calibration, which nothing checked.
	EstimateUncalibrated = "uncalibrated-scores"
)

// Estimate is a confidence-based estimate of accuracy for predictions
// without labels (the idea of NannyML's CBPE). It is not a measurement.
type Estimate struct {
	Accuracy float64 `json:"accuracy"`
	Method   string  `json:"method"`
	// Predictions is the number of confidences the estimate is over.
	Predictions int64 `json:"predictions"`
	// Note says in words what the number is.
	Note string `json:"note"`
}

// EstimateAccuracy estimates the accuracy of the predictions whose highest
// class scores the batch profile column cur counted over the bins of
// reference column ref (the profiles' Confidence columns).
//
// With a calibration table cal, each fine bin of cur is given the accuracy
// the reference had in the calibration bin containing it (a calibration bin
// without labelled reference predictions takes the confidence at the middle
// of the fine bin), and the estimate is their mean weighted by the current
// counts. Without one, the estimate is the mean confidence: exact if the
// scores are calibrated probabilities, and labelled as uncalibrated.
//
// ok is false when cur counted no confidence.
func EstimateAccuracy(ref, cur *profile.Feature, cal *profile.Calibration) (Estimate, bool, error) {
	if ref == nil || cur == nil || cur.Moments == nil || cur.Moments.Count == 0 {
		return Estimate{}, false, nil
	}
	if ref.Kind == profile.Categorical {
		return Estimate{}, false, errors.New("estimate accuracy: the confidence column is categorical")
	}
	n := cur.Moments.Count
	if cal == nil {
		return Estimate{
			Accuracy:    cur.Moments.Mean,
			Method:      EstimateUncalibrated,
			Predictions: n,
			Note: "Estimate, not a measurement: the mean highest class score, which is the expected accuracy only if the " +
				"model's scores are calibrated probabilities. The reference profile has no calibration table.",
		}, true, nil
	}
	if err := cal.Validate(); err != nil {
		return Estimate{}, false, fmt.Errorf("estimate accuracy: %w", err)
	}
	if len(cur.Grid) != len(ref.Edges)+1 {
		return Estimate{}, false, fmt.Errorf("estimate accuracy: %d confidence bins, reference has %d", len(cur.Grid), len(ref.Edges)+1)
	}
	var sum float64
	var total int64
	j := 0
	for i, c := range cur.Grid {
		if c == 0 {
			continue
		}
		lo, hi := binBounds(ref.Edges, i, ref.Moments)
		mid := (lo + hi) / 2
		for j < len(cal.Edges) && cal.Edges[j] < hi {
			j++
		}
		acc := mid
		if cal.Labelled[j] > 0 {
			acc = float64(cal.Correct[j]) / float64(cal.Labelled[j])
		}
		sum += acc * float64(c)
		total += c
	}
	return Estimate{
		Accuracy:    sum / float64(total),
		Method:      EstimateCalibrated,
		Predictions: total,
		Note: "Estimate, not a measurement: the reference's accuracy at each confidence level, weighted by how often " +
			"the current predictions had that confidence (confidence-based performance estimation).",
	}, true, nil
}

// binBounds are the bounds of fine bin i of edges; the open first and last
// bins are closed by the reference's observed minimum and maximum (and by 0
// and 1, the range of a score).
func binBounds(edges []float64, i int, m *profile.Moments) (float64, float64) {
	lo, hi := 0.0, 1.0
	if m != nil && m.Count > 0 {
		lo, hi = m.Min, m.Max
	}
	if i > 0 {
		lo = edges[i-1]
	}
	if i < len(edges) {
		hi = edges[i]
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
