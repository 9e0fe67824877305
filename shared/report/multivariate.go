package report

import (
	"strconv"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/htmlwrite"
	"github.com/modelwatch/modelwatch/shared/multivariate"
)

// maxContributions is how many features the multivariate section lists.
const maxContributions = 10

// multivariateView is the section on the reconstruction error.
type multivariateView struct {
	Severity                sev
	Mean, RefMean, Sigmas   string
	Lower, Upper, StdError  string
	PSI, KS                 string
	Components, Features    string
	Rows                    string
	Chart                   htmlwrite.HTML
	ChartNote               string
	Contributions           []contributionView
	MoreContributions       int
	ContributionDescription string
}

type contributionView struct {
	Feature, Window, Reference, Increase string
	Hot                                  bool
}

func newMultivariateView(mv *multivariate.Result) (*multivariateView, error) {
	v := &multivariateView{
		Severity:   severity(drift.OK),
		Mean:       num(mv.Mean),
		RefMean:    num(mv.ReferenceMean),
		Sigmas:     numPrec(mv.Sigmas, 3),
		Lower:      num(mv.Lower),
		Upper:      num(mv.Upper),
		StdError:   num(mv.StdError),
		PSI:        num(mv.PSI),
		KS:         num(mv.KS),
		Components: strconv.Itoa(mv.Components),
		Features:   strconv.Itoa(mv.Features),
		Rows:       count(mv.Count),
	}
	if mv.Drift {
		v.Severity = severity(drift.Drift)
	}
	b := drift.Bins{Edges: mv.Edges, Reference: shares(mv.ReferenceGrid), Current: shares(mv.Grid)}
	shown := displayBins(b)
	chart, err := svgChart(shown)
	if err != nil {
		return nil, err
	}
	v.Chart, v.ChartNote = chart, shown.Note
	for i, c := range mv.Contributions {
		if i == maxContributions {
			v.MoreContributions = len(mv.Contributions) - i
			break
		}
		v.Contributions = append(v.Contributions, contributionView{
			Feature: clean(c.Feature), Window: num(c.Window), Reference: num(c.Reference), Increase: num(c.Increase),
			Hot: c.Increase > 0 && c.Reference > 0 && c.Window > 2*c.Reference,
		})
	}
	return v, nil
}

// shares turns counts into proportions (zeros for an empty histogram).
func shares(c []int64) []float64 {
	var n int64
	for _, v := range c {
		n += v
	}
	out := make([]float64, len(c))
	if n == 0 {
		return out
	}
	for i, v := range c {
		out[i] = float64(v) / float64(n)
	}
	return out
}
