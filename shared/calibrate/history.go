package calibrate

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/modelwatch/modelwatch/shared/drift"
)

// HistoryOptions configure FromHistory.
type HistoryOptions struct {
	// K is the number of standard deviations above the mean (default 3).
	K float64
	// MinWindows is the fewest usable past windows per feature (default 8).
	MinWindows int
}

// Window is what calibration reads from one past report: the JSON of
// `modelwatch compare --json` or of a drift-function report (both carry the
// features array and the current row count).
type Window struct {
	Current struct {
		Rows int64 `json:"rows"`
	} `json:"current"`
	Features []drift.FeatureResult `json:"features"`
}

// DecodeWindow parses one past report.
func DecodeWindow(data []byte) (Window, error) {
	var w Window
	if err := json.Unmarshal(data, &w); err != nil {
		return Window{}, fmt.Errorf("decode report: %w", err)
	}
	if w.Features == nil {
		return Window{}, fmt.Errorf("decode report: no features array")
	}
	return w, nil
}

// FromHistory calibrates thresholds from past windows' statistics: per
// feature and statistic, mean + K·σ over the windows in which the feature was
// not flagged as drifted (for p-value methods, mean − K·σ of the p-value,
// floored at 0). Features with fewer than MinWindows usable windows get no
// calibrated thresholds (the fixed ones keep deciding for them).
func FromHistory(windows []Window, opts HistoryOptions) (*drift.Calibration, error) {
	if opts.K == 0 {
		opts.K = 3
	}
	if opts.MinWindows == 0 {
		opts.MinWindows = 8
	}
	if opts.K < 0 || opts.MinWindows < 2 {
		return nil, fmt.Errorf("calibrate from history: k %g and min windows %d: want k >= 0 and at least 2 windows", opts.K, opts.MinWindows)
	}
	if len(windows) == 0 {
		return nil, fmt.Errorf("calibrate from history: no past windows")
	}
	samples := map[string]map[drift.Method][]float64{}
	var rows []float64
	for _, w := range windows {
		rows = append(rows, float64(w.Current.Rows))
		for _, f := range w.Features {
			if f.Severity == drift.Drift {
				continue // a drifted window is not normal drift
			}
			collect(samples, f)
		}
	}
	cal := &drift.Calibration{
		Method:     "history",
		WindowSize: int(median(rows)),
		Windows:    len(windows),
		K:          opts.K,
		Features:   map[string]map[drift.Method]drift.Thresholds{},
	}
	for name, byMethod := range samples {
		for m, values := range byMethod {
			if len(values) < opts.MinWindows {
				continue
			}
			mean, sd := meanStd(values)
			t := drift.Thresholds{Warn: mean + opts.K/1.5*sd, Drift: mean + opts.K*sd}
			if m.PValue() {
				t = drift.Thresholds{Warn: math.Max(0, mean-opts.K/1.5*sd), Drift: math.Max(0, mean-opts.K*sd)}
			}
			if cal.Features[name] == nil {
				cal.Features[name] = map[drift.Method]drift.Thresholds{}
			}
			cal.Features[name][m] = t
		}
	}
	if len(cal.Features) == 0 {
		return nil, fmt.Errorf("calibrate from history: no feature has %d undrifted windows among %d", opts.MinWindows, len(windows))
	}
	return cal, nil
}

func meanStd(v []float64) (float64, float64) {
	var sum float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
