package perf

import "math"

// Regression are the metrics of a regressor over labelled predictions.
type Regression struct {
	MAE  float64 `json:"mae"`
	RMSE float64 `json:"rmse"`
	// MAPE is the mean of |y−ŷ|/|y| over the pairs whose label is not 0
	// (scikit-learn divides by a tiny epsilon instead, which makes one zero
	// label dominate); absent when every label is 0.
	MAPE *float64 `json:"mape,omitempty"`
	// ZeroLabels counts the pairs left out of MAPE.
	ZeroLabels int64 `json:"zero_labels,omitempty"`
	// Used is the number of pairs with a numeric prediction and label;
	// NotNumeric the pairs left out because one of them is not a number.
	Used       int64 `json:"used"`
	NotNumeric int64 `json:"not_numeric,omitempty"`
}

// Regress computes the regression metrics of pairs. It returns nil when no
// pair has a numeric prediction and label.
func Regress(pairs []Pair) *Regression {
	out := &Regression{}
	var abs, sq, pct float64
	var nPct int64
	for _, p := range pairs {
		y, ok1 := p.Label.Value.Number()
		yhat, ok2 := p.Prediction.Output.Number()
		if !ok1 || !ok2 {
			out.NotNumeric++
			continue
		}
		out.Used++
		d := y - yhat
		abs += math.Abs(d)
		sq += d * d
		if y == 0 {
			out.ZeroLabels++
			continue
		}
		pct += math.Abs(d) / math.Abs(y)
		nPct++
	}
	if out.Used == 0 {
		return nil
	}
	n := float64(out.Used)
	out.MAE = abs / n
	out.RMSE = math.Sqrt(sq / n)
	if nPct > 0 {
		v := pct / float64(nPct)
		out.MAPE = &v
	}
	return out
}
