package perf

import (
	"math"
	"slices"
)

// logLossEps clips probabilities to [eps, 1-eps] before the logarithm, as
// scikit-learn's log_loss does with float64 input.
const logLossEps = 0x1p-52

// ClassMetrics are the metrics of one class.
type ClassMetrics struct {
	Class string `json:"class"`
	// Support is the number of labels of the class; Predicted the number of
	// predictions of it.
	Support   int64 `json:"support"`
	Predicted int64 `json:"predicted"`
	// Precision, Recall and F1 are 0 where they are undefined (no
	// predictions, no labels), as scikit-learn's zero_division=0.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// AUC is the one-vs-rest ROC AUC of the class's score, when the class
	// has both positives and negatives among the scored pairs.
	AUC *float64 `json:"auc,omitempty"`
}

// Classification are the metrics of a classifier over labelled predictions.
type Classification struct {
	Accuracy float64 `json:"accuracy"`
	// MacroPrecision, MacroRecall and MacroF1 are the unweighted means over
	// the classes that occur as a label or a prediction.
	MacroPrecision float64 `json:"macro_precision"`
	MacroRecall    float64 `json:"macro_recall"`
	MacroF1        float64 `json:"macro_f1"`
	// Classes are sorted by name.
	Classes []ClassMetrics `json:"classes"`
	// AUC is the ROC AUC of PositiveClass for two classes, and the mean of
	// the one-vs-rest AUCs for more; absent without scores.
	AUC           *float64 `json:"auc,omitempty"`
	PositiveClass string   `json:"positive_class,omitempty"`
	// LogLoss is the mean negative log of the probability given to the true
	// class, over the pairs with scores (scores normalised to sum to 1,
	// probabilities clipped to [2^-52, 1-2^-52]); absent without scores.
	LogLoss *float64 `json:"log_loss,omitempty"`
	// Scored is the number of pairs with scores (used for AUC and log loss).
	Scored int64 `json:"scored"`
}

// Classify computes the classification metrics of pairs, comparing classes
// as text (Value.Class). positive names the positive class of a binary
// problem; empty means the greater of the two class names, as
// scikit-learn's roc_auc_score does. It returns nil for no pairs.
func Classify(pairs []Pair, positive string) *Classification {
	if len(pairs) == 0 {
		return nil
	}
	type counts struct{ support, predicted, correct int64 }
	by := map[string]*counts{}
	get := func(c string) *counts {
		if by[c] == nil {
			by[c] = &counts{}
		}
		return by[c]
	}
	var correct int64
	for _, p := range pairs {
		y, yhat := p.Label.Value.Class(), p.Prediction.Output.Class()
		get(y).support++
		get(yhat).predicted++
		if y == yhat {
			correct++
			by[y].correct++
		}
	}
	out := &Classification{Accuracy: float64(correct) / float64(len(pairs))}
	names := make([]string, 0, len(by))
	for c := range by {
		names = append(names, c)
	}
	slices.Sort(names)
	for _, c := range names {
		k := by[c]
		m := ClassMetrics{Class: c, Support: k.support, Predicted: k.predicted}
		if k.predicted > 0 {
			m.Precision = float64(k.correct) / float64(k.predicted)
		}
		if k.support > 0 {
			m.Recall = float64(k.correct) / float64(k.support)
		}
		if m.Precision+m.Recall > 0 {
			m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
		}
		out.Classes = append(out.Classes, m)
		out.MacroPrecision += m.Precision
		out.MacroRecall += m.Recall
		out.MacroF1 += m.F1
	}
	n := float64(len(names))
	out.MacroPrecision /= n
	out.MacroRecall /= n
	out.MacroF1 /= n
	scoreMetrics(out, pairs, positive)
	return out
}

// scoreMetrics adds the AUCs and the log loss from the pairs with scores.
func scoreMetrics(out *Classification, pairs []Pair, positive string) {
	var scored []Pair
	for _, p := range pairs {
		if len(p.Prediction.Scores) > 0 {
			scored = append(scored, p)
		}
	}
	out.Scored = int64(len(scored))
	if len(scored) == 0 {
		return
	}
	// One-vs-rest AUC per class, over the scored pairs that give the class
	// a score.
	var sum float64
	var n int
	for i := range out.Classes {
		c := out.Classes[i].Class
		var s []float64
		var pos []bool
		for _, p := range scored {
			if v, ok := p.Prediction.Scores[c]; ok {
				s = append(s, v)
				pos = append(pos, p.Label.Value.Class() == c)
			}
		}
		if auc, ok := rocAUC(s, pos); ok {
			out.Classes[i].AUC = &auc
			sum += auc
			n++
		}
	}
	if len(out.Classes) == 2 {
		if positive == "" {
			positive = out.Classes[1].Class
		}
		for _, c := range out.Classes {
			if c.Class == positive && c.AUC != nil {
				v := *c.AUC
				out.AUC, out.PositiveClass = &v, positive
			}
		}
	} else if n > 0 {
		v := sum / float64(n)
		out.AUC = &v
	}
	var loss float64
	for _, p := range scored {
		var total float64
		for _, v := range p.Prediction.Scores {
			total += v
		}
		prob := 0.0
		if total > 0 {
			prob = p.Prediction.Scores[p.Label.Value.Class()] / total
		}
		prob = math.Min(math.Max(prob, logLossEps), 1-logLossEps)
		loss -= math.Log(prob)
	}
	v := loss / float64(len(scored))
	out.LogLoss = &v
}
