package demo

import (
	"gonum.org/v1/gonum/stat/distuv"

	"math"
	"math/rand/v2"
)

// The model's classes: a loan application defaults or not.
const (
	ClassDefault   = "default"
	ClassNoDefault = "no_default"
)

// Feature names of the credit-default model.
const (
	FeatAge             = "age"
	FeatIncome          = "income"
	FeatLoanAmount      = "loan_amount"
	FeatTerm            = "term_months"
	FeatCreditScore     = "credit_score"
	FeatOpenAccounts    = "open_accounts"
	FeatDebtToIncome    = "debt_to_income"
	FeatEmploymentYears = "employment_years"
	FeatRegion          = "region"
	FeatPurpose         = "purpose"
	FeatEmployment      = "employment"
	FeatHomeOwnership   = "home_ownership"
	FeatChannel         = "channel"
)

// NumericFeatures and CategoricalFeatures are the model's inputs, in the
// order of the training file.
var (
	NumericFeatures = []string{FeatAge, FeatIncome, FeatLoanAmount, FeatTerm, FeatCreditScore,
		FeatOpenAccounts, FeatDebtToIncome, FeatEmploymentYears}
	CategoricalFeatures = []string{FeatRegion, FeatPurpose, FeatEmployment, FeatHomeOwnership, FeatChannel}
)

// categories are the values of each categorical feature in the training
// data, with their shares.
var categories = map[string]struct {
	values []string
	shares []float64
}{
	FeatRegion:        {[]string{"north", "south", "east", "west", "central"}, []float64{0.25, 0.2, 0.2, 0.2, 0.15}},
	FeatPurpose:       {[]string{"car", "home", "education", "business", "medical", "other"}, []float64{0.3, 0.25, 0.1, 0.15, 0.1, 0.1}},
	FeatEmployment:    {[]string{"salaried", "self_employed", "contract", "unemployed"}, []float64{0.62, 0.18, 0.15, 0.05}},
	FeatHomeOwnership: {[]string{"rent", "mortgage", "own"}, []float64{0.42, 0.4, 0.18}},
	FeatChannel:       {[]string{"branch", "online", "mobile"}, []float64{0.3, 0.45, 0.25}},
}

// NewChannel is the channel that appears with the covariate shift: a broker
// partnership the training data never saw.
const NewChannel = "broker"

// Conditions are the state of the world at one moment of the story.
type Conditions struct {
	// Shifted: the broker partnership is live: a share of applications
	// arrive through the new channel and loan amounts are larger.
	Shifted bool
	// ConceptChanged: an interest-rate shock makes applicants with high
	// debt-to-income default far more often than the training data says.
	ConceptChanged bool
	// Decoupled: an HR-system migration reverses how employment years
	// go with age (older applicants now report fewer years), while each
	// feature keeps its distribution.
	Decoupled bool
	// SlowShare is the share of model calls that are slow (a latency
	// spike); ErrorShare the share that fail; MalformedShare the share of
	// records sent with a broken feature value.
	SlowShare, ErrorShare, MalformedShare float64
}

// Shift sizes of the covariate shift.
const (
	brokerShare      = 0.3
	loanAmountFactor = 1.7
)

// Application is one loan application: the model's input. A nil value is a
// missing one.
type Application struct {
	Numeric     map[string]*float64
	Categorical map[string]string
}

// drawApplication draws an application from the world under c.
func drawApplication(rng *rand.Rand, c Conditions) Application {
	num := func(v float64) *float64 { return &v }
	ageZ := rng.NormFloat64()
	age := math.Round(clamp(41+11*ageZ, 18, 80))
	income := math.Round(math.Exp(math.Log(48000)+0.45*rng.NormFloat64())/10) * 10
	loan := gamma(rng, 2) * 6000
	if c.Shifted {
		loan *= loanAmountFactor
	}
	loan = math.Round(loan/50) * 50
	term := 36.0
	if rng.Float64() < 0.3 {
		term = 60
	}
	score := math.Round(clamp(680+60*rng.NormFloat64(), 300, 850))
	accounts := math.Min(float64(poisson(rng, 4)), 15)
	a, b := gamma(rng, 2), gamma(rng, 5)
	dti := math.Round(a/(a+b)*10000) / 10000
	app := Application{
		Numeric: map[string]*float64{
			FeatAge: num(age), FeatIncome: num(income), FeatLoanAmount: num(loan), FeatTerm: num(term),
			FeatCreditScore: num(score), FeatOpenAccounts: num(accounts), FeatDebtToIncome: num(dti),
		},
		Categorical: map[string]string{},
	}
	// employment_years is not filled in by 3 % of applicants.
	if rng.Float64() >= 0.03 {
		app.Numeric[FeatEmploymentYears] = num(math.Round(math.Min(employmentYears(ageZ, rng.ExpFloat64(), c.Decoupled), 40)*10) / 10)
	} else {
		app.Numeric[FeatEmploymentYears] = nil
	}
	for _, f := range CategoricalFeatures {
		app.Categorical[f] = choose(rng, categories[f].values, categories[f].shares)
	}
	if c.Shifted && rng.Float64() < brokerShare {
		app.Categorical[FeatChannel] = NewChannel
	}
	return app
}

// defaultProbability is the true probability that the applicant defaults:
// the world the training data came from, or after the concept change.
func defaultProbability(app Application, c Conditions) float64 {
	v := func(name string) float64 {
		if p := app.Numeric[name]; p != nil {
			return *p
		}
		return 0
	}
	dti := (v(FeatDebtToIncome) - 0.286) / 0.16
	ratio := (v(FeatLoanAmount)/v(FeatIncome) - 0.27) / 0.2
	score := (v(FeatCreditScore) - 680) / 60
	z := -3.9 + 2.1*dti + 1.8*ratio - 2.2*score
	if v(FeatTerm) == 60 {
		z += 0.4
	}
	switch app.Categorical[FeatEmployment] {
	case "unemployed":
		z += 0.9
	case "contract":
		z += 0.35
	}
	if app.Categorical[FeatHomeOwnership] == "own" {
		z -= 0.4
	}
	if p := app.Numeric[FeatEmploymentYears]; p != nil {
		z -= 0.03 * *p
	}
	if c.ConceptChanged {
		// After the rate shock, debt service dominates: high
		// debt-to-income applicants default whatever their score.
		z += 3.8 + 2.6*dti + 2.2*score
	}
	return sigmoid(z)
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// yearsAgeCorrelation is the correlation, on the normal scale, of employment
// years with age.
const yearsAgeCorrelation = 0.8

// employmentYears turns an Exp(1) draw into employment years, Exp with mean
// 6 years, tied to the applicant's age by a Gaussian copula: the draw's
// normal score mixed with age's. Decoupled reverses the sign of the tie, so
// that each feature keeps its distribution (age's normal score is symmetric)
// and only how the two move together changes.
func employmentYears(ageZ, exp1 float64, decoupled bool) float64 {
	rho := yearsAgeCorrelation
	if decoupled {
		rho = -rho
	}
	u := clamp(-math.Expm1(-exp1), 1e-16, 1-1e-16) // Exp(1) → uniform
	z := rho*ageZ + math.Sqrt(1-rho*rho)*distuv.UnitNormal.Quantile(u)
	return -6 * math.Log1p(-distuv.UnitNormal.CDF(z))
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// gamma draws from Gamma(k, 1) for a whole k: a sum of k exponentials.
func gamma(rng *rand.Rand, k int) float64 {
	s := 0.0
	for range k {
		s += rng.ExpFloat64()
	}
	return s
}

// poisson draws from Poisson(lambda) (Knuth; lambda is small here).
func poisson(rng *rand.Rand, lambda float64) int {
	limit, p, k := math.Exp(-lambda), 1.0, 0
	for {
		p *= rng.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}

func choose(rng *rand.Rand, values []string, shares []float64) string {
	u := rng.Float64()
	for i, s := range shares {
		if u < s {
			return values[i]
		}
		u -= s
	}
	return values[len(values)-1]
}
