package perf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type vectorCase struct {
	Name           string               `json:"name"`
	Task           Task                 `json:"task"`
	Labels         []any                `json:"labels"`
	Predictions    []any                `json:"predictions"`
	Scores         []map[string]float64 `json:"scores"`
	Accuracy       float64              `json:"accuracy"`
	MacroPrecision float64              `json:"macro_precision"`
	MacroRecall    float64              `json:"macro_recall"`
	MacroF1        float64              `json:"macro_f1"`
	Classes        []struct {
		Class     string  `json:"class"`
		Precision float64 `json:"precision"`
		Recall    float64 `json:"recall"`
		F1        float64 `json:"f1"`
		Support   int64   `json:"support"`
	} `json:"classes"`
	AUC      *float64           `json:"auc"`
	ClassAUC map[string]float64 `json:"class_auc"`
	LogLoss  *float64           `json:"log_loss"`
	MAE      float64            `json:"mae"`
	RMSE     float64            `json:"rmse"`
	MAPE     float64            `json:"mape"`
}

func toValue(v any) Value {
	switch v := v.(type) {
	case float64:
		return Value{Num: v, Numeric: true}
	case string:
		return Value{Text: v}
	}
	panic("unexpected vector value")
}

func close(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))
}

// TestScikitLearnVectors reproduces the metrics scikit-learn computed on the
// cases of testdata/vectors.json (written by testdata/gen_vectors.py).
func TestScikitLearnVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Cases []vectorCase }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 7 {
		t.Fatalf("%d cases", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var pairs []Pair
			for i := range c.Labels {
				p := Pair{Prediction: Prediction{Output: toValue(c.Predictions[i])}, Label: Label{Value: toValue(c.Labels[i])}}
				if c.Scores != nil {
					p.Prediction.Scores = c.Scores[i]
				}
				pairs = append(pairs, p)
			}
			if c.Task == TaskRegression {
				r := Regress(pairs)
				if r == nil || !close(r.MAE, c.MAE) || !close(r.RMSE, c.RMSE) || r.MAPE == nil || !close(*r.MAPE, c.MAPE) {
					t.Fatalf("regression %+v, want MAE %g RMSE %g MAPE %g", r, c.MAE, c.RMSE, c.MAPE)
				}
				return
			}
			m := Classify(pairs, "")
			if !close(m.Accuracy, c.Accuracy) || !close(m.MacroPrecision, c.MacroPrecision) ||
				!close(m.MacroRecall, c.MacroRecall) || !close(m.MacroF1, c.MacroF1) {
				t.Errorf("accuracy %g macro P/R/F1 %g %g %g, want %g %g %g %g", m.Accuracy, m.MacroPrecision, m.MacroRecall, m.MacroF1,
					c.Accuracy, c.MacroPrecision, c.MacroRecall, c.MacroF1)
			}
			if len(m.Classes) != len(c.Classes) {
				t.Fatalf("%d classes, want %d", len(m.Classes), len(c.Classes))
			}
			for i, w := range c.Classes {
				g := m.Classes[i]
				if g.Class != w.Class || g.Support != w.Support || !close(g.Precision, w.Precision) || !close(g.Recall, w.Recall) || !close(g.F1, w.F1) {
					t.Errorf("class %+v, want %+v", g, w)
				}
				if want, ok := c.ClassAUC[g.Class]; ok && (g.AUC == nil || !close(*g.AUC, want)) {
					t.Errorf("class %s AUC %v, want %g", g.Class, g.AUC, want)
				}
			}
			switch {
			case c.AUC == nil && m.AUC != nil:
				t.Errorf("AUC %g without scores", *m.AUC)
			case c.AUC != nil && (m.AUC == nil || !close(*m.AUC, *c.AUC)):
				t.Errorf("AUC %v, want %g", m.AUC, *c.AUC)
			}
			switch {
			case c.LogLoss == nil && m.LogLoss != nil:
				t.Errorf("log loss %g without scores", *m.LogLoss)
			case c.LogLoss != nil && (m.LogLoss == nil || !close(*m.LogLoss, *c.LogLoss)):
				t.Errorf("log loss %v, want %g", m.LogLoss, *c.LogLoss)
			}
		})
	}
}
