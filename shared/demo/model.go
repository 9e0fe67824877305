package demo

import (
	"errors"
	"fmt"
	"math"
)

// Model is the deployed credit-default model: a logistic regression over
// the standardised numeric features, the loan-to-income ratio and the
// one-hot categories, fitted on the training data by iteratively
// reweighted least squares. A missing number counts as the training mean;
// a category it never saw counts as none of the known ones.
type Model struct {
	mean, std map[string]float64
	cats      map[string][]string
	coef      []float64 // intercept, numeric..., ratio, one-hot...
}

// inputs returns the model's input vector of app (with the intercept).
func (m *Model) inputs(app Application, x []float64) []float64 {
	x = append(x[:0], 1)
	for _, f := range NumericFeatures {
		v := m.mean[f]
		if p := app.Numeric[f]; p != nil {
			v = *p
		}
		x = append(x, (v-m.mean[f])/m.std[f])
	}
	x = append(x, (ratio(app)-m.mean["ratio"])/m.std["ratio"])
	for _, f := range CategoricalFeatures {
		got := app.Categorical[f]
		for _, c := range m.cats[f][1:] { // the first category is the baseline
			if got == c {
				x = append(x, 1)
			} else {
				x = append(x, 0)
			}
		}
	}
	return x
}

func ratio(app Application) float64 {
	loan, income := app.Numeric[FeatLoanAmount], app.Numeric[FeatIncome]
	if loan == nil || income == nil || *income <= 0 {
		return 0
	}
	return *loan / *income
}

// Score returns the model's probability of default for app.
func (m *Model) Score(app Application) float64 {
	x := m.inputs(app, make([]float64, 0, len(m.coef)))
	z := 0.0
	for i, c := range m.coef {
		z += c * x[i]
	}
	return sigmoid(z)
}

// Fit fits the model to applications and their outcomes (true: default).
func Fit(apps []Application, defaulted []bool) (*Model, error) {
	if len(apps) == 0 || len(apps) != len(defaulted) {
		return nil, errors.New("fit model: need as many outcomes as applications, at least one")
	}
	m := &Model{mean: map[string]float64{}, std: map[string]float64{}, cats: map[string][]string{}}
	standardise := func(name string, value func(Application) (float64, bool)) {
		var n, sum, sq float64
		for _, a := range apps {
			if v, ok := value(a); ok {
				n++
				sum += v
				sq += v * v
			}
		}
		mean := sum / n
		m.mean[name], m.std[name] = mean, math.Max(math.Sqrt(sq/n-mean*mean), 1e-9)
	}
	for _, f := range NumericFeatures {
		standardise(f, func(a Application) (float64, bool) {
			if p := a.Numeric[f]; p != nil {
				return *p, true
			}
			return 0, false
		})
	}
	standardise("ratio", func(a Application) (float64, bool) { return ratio(a), true })
	for _, f := range CategoricalFeatures {
		m.cats[f] = categories[f].values
	}

	// Iteratively reweighted least squares with a small ridge, so that the
	// fit is unique even for a rare category.
	const ridge = 1e-3
	var x []float64
	p := 1 + len(NumericFeatures) + 1
	for _, f := range CategoricalFeatures {
		p += len(m.cats[f]) - 1
	}
	m.coef = make([]float64, p)
	for iter := 0; iter < 25; iter++ {
		h := make([]float64, p*p)
		g := make([]float64, p)
		for i, a := range apps {
			x = m.inputs(a, x)
			z := 0.0
			for j, c := range m.coef {
				z += c * x[j]
			}
			mu := sigmoid(z)
			y := 0.0
			if defaulted[i] {
				y = 1
			}
			w := math.Max(mu*(1-mu), 1e-9)
			for j := range p {
				if x[j] == 0 {
					continue
				}
				g[j] += (y - mu) * x[j]
				for k := range p {
					h[j*p+k] += w * x[j] * x[k]
				}
			}
		}
		for j := range p {
			h[j*p+j] += ridge * float64(len(apps))
			g[j] -= ridge * float64(len(apps)) * m.coef[j]
		}
		step, err := solve(h, g, p)
		if err != nil {
			return nil, fmt.Errorf("fit model: %w", err)
		}
		change := 0.0
		for j := range p {
			m.coef[j] += step[j]
			change = math.Max(change, math.Abs(step[j]))
		}
		if change < 1e-8 {
			break
		}
	}
	return m, nil
}

// solve solves a·x = b for a symmetric positive definite p×p matrix a
// (row-major) by Cholesky decomposition.
func solve(a, b []float64, p int) ([]float64, error) {
	l := make([]float64, p*p)
	for i := range p {
		for j := 0; j <= i; j++ {
			s := a[i*p+j]
			for k := range j {
				s -= l[i*p+k] * l[j*p+k]
			}
			if i == j {
				if s <= 0 {
					return nil, errors.New("the normal equations are not positive definite")
				}
				l[i*p+i] = math.Sqrt(s)
			} else {
				l[i*p+j] = s / l[j*p+j]
			}
		}
	}
	y := make([]float64, p)
	for i := range p {
		s := b[i]
		for k := range i {
			s -= l[i*p+k] * y[k]
		}
		y[i] = s / l[i*p+i]
	}
	x := make([]float64, p)
	for i := p - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < p; k++ {
			s -= l[k*p+i] * x[k]
		}
		x[i] = s / l[i*p+i]
	}
	return x, nil
}
