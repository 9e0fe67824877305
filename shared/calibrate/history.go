package calibrate

import (
	"encoding/json"
	"errors"
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

// ErrNotReport is returned by DecodeWindow for JSON that is not a drift
// report (a profile, say), so that callers can skip it.
var ErrNotReport = errors.New("not a drift report")

// DecodeWindow parses one past report. JSON without the report's
// dataset_drift and features is ErrNotReport.
func DecodeWindow(data []byte) (Window, error) {
	var head struct {
		DatasetDrift json.RawMessage   `json:"dataset_drift"`
		Features     []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.DatasetDrift == nil || head.Features == nil {
		return Window{}, fmt.Errorf("decode report: %w (a report has dataset_drift and features)", ErrNotReport)
	}
	var w Window
	if err := json.Unmarshal(data, &w); err != nil {
		return Window{}, fmt.Errorf("decode report: %w", err)
	}
	return w, nil
}

// minPValue bounds p-values away from 0 before their logarithm is taken.
const minPValue = 1e-300

// FromHistory calibrates thresholds from past windows' statistics: per
// feature and statistic, mean + K·σ (drift) and mean + K/1.5·σ (warn) over
// the windows in which the feature was not flagged as drifted. P-values are
// calibrated on −log10 p (p floored at 1e-300), whose spread under no drift
// is that of an exponential, and the thresholds are 10^−(mean + K·σ): a
// p-value threshold is never 0, so the rule can fire. Features with fewer
// than MinWindows usable windows, or whose statistic did not vary at all
// across them (nothing to tell normal from drift by), get no calibrated
// thresholds for it: the fixed ones keep deciding.
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
			if m.PValue() {
				values = negLog10(values)
			}
			mean, sd := meanStd(values)
			if !(sd > 0) {
				continue
			}
			t := drift.Thresholds{Warn: mean + opts.K/1.5*sd, Drift: mean + opts.K*sd}
			if m.PValue() {
				t = drift.Thresholds{Warn: math.Pow(10, -t.Warn), Drift: math.Pow(10, -t.Drift)}
			}
			if cal.Features[name] == nil {
				cal.Features[name] = map[drift.Method]drift.Thresholds{}
			}
			cal.Features[name][m] = t
		}
	}
	if len(cal.Features) == 0 {
		return nil, fmt.Errorf("calibrate from history: no feature has %d undrifted windows among %d in which its statistics varied", opts.MinWindows, len(windows))
	}
	return cal, nil
}

// negLog10 returns −log10 of each p-value, p floored at minPValue.
func negLog10(ps []float64) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = -math.Log10(math.Max(p, minPValue))
	}
	return out
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
