package profile

import "math"

// Moments are the count, mean, second central moment (sum of squared
// deviations from the mean), minimum and maximum of the non-missing values of a
// numeric feature. Two Moments merge exactly in count, minimum and maximum, and
// to rounding error in mean and M2 (Chan et al.'s parallel update).
type Moments struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean"`
	M2    float64 `json:"m2"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// Std is the population standard deviation (ddof 0); 0 when Count is 0.
func (m Moments) Std() float64 {
	if m.Count == 0 {
		return 0
	}
	return math.Sqrt(m.M2 / float64(m.Count))
}

// Merge returns the moments of the union of the two underlying samples.
func (m Moments) Merge(o Moments) Moments {
	switch {
	case o.Count == 0:
		return m
	case m.Count == 0:
		return o
	}
	n := m.Count + o.Count
	na, nb, nn := float64(m.Count), float64(o.Count), float64(n)
	delta := o.Mean - m.Mean
	return Moments{
		Count: n,
		Mean:  (na*m.Mean + nb*o.Mean) / nn,
		M2:    m.M2 + o.M2 + delta*delta*na*nb/nn,
		Min:   math.Min(m.Min, o.Min),
		Max:   math.Max(m.Max, o.Max),
	}
}

// momentAccumulator collects moments without a division per value: sums are
// kept relative to a shift (the first value), which keeps the sum of squares
// numerically stable for data far from zero.
type momentAccumulator struct {
	count      int64
	shift      float64
	sum, sumSq float64
	min, max   float64
}

func (a *momentAccumulator) add(v float64) {
	if a.count == 0 {
		a.shift, a.min, a.max = v, v, v
	}
	d := v - a.shift
	a.count++
	a.sum += d
	a.sumSq += d * d
	if v < a.min {
		a.min = v
	}
	if v > a.max {
		a.max = v
	}
}

func (a *momentAccumulator) moments() Moments {
	if a.count == 0 {
		return Moments{}
	}
	n := float64(a.count)
	meanShifted := a.sum / n
	m2 := a.sumSq - a.sum*meanShifted
	if m2 < 0 {
		m2 = 0
	}
	return Moments{Count: a.count, Mean: a.shift + meanShifted, M2: m2, Min: a.min, Max: a.max}
}
