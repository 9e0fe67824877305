package chart

import (
	"math"
	"strconv"
)

// Ticks returns round values from lo to hi, at most about n of them (1, 2,
// 2.5 or 5 times a power of ten apart), starting at the first multiple of
// the step not below lo. lo >= hi or n < 1 gives lo alone.
func Ticks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 || math.IsInf(hi-lo, 0) || math.IsNaN(hi-lo) {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	// Decimals enough for the step (2.5e-3 needs 4), so values print as written.
	decimals := max(0, 1-int(math.Floor(math.Log10(step))))
	var out []float64
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		// Rounding to the step's precision keeps 0.30000000000000004 out of labels.
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
		out = append(out, r)
	}
	return out
}
