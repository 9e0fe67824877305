package drift

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/stats"
)

// Compare compares batch profile cur with the reference profile ref it was
// counted against, deciding drift as cfg says. warnings are carried into the
// report (for example columns the current file lacked).
func Compare(ref, cur *profile.Profile, cfg Config, warnings ...string) (*Report, error) {
	if ref == nil || ref.Type != profile.Reference {
		return nil, errors.New("compare: the reference is not a reference profile")
	}
	if cur == nil || cur.Type != profile.Batch {
		return nil, errors.New("compare: the current data is not a batch profile")
	}
	if cur.Fingerprint != ref.Fingerprint {
		return nil, fmt.Errorf("compare: the current profile was counted against reference %s, not %s", cur.Fingerprint, ref.Fingerprint)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("compare: config: %w", err)
	}
	r := &Report{
		SchemaVersion: ReportSchemaVersion,
		Reference:     ReferenceInfo{Model: ref.Model, Version: ref.Version, Rows: ref.Rows, Fingerprint: ref.Fingerprint},
		Current:       CurrentInfo{Rows: cur.Rows, Errors: cur.Errors},
		Features:      []FeatureResult{},
		Warnings:      warnings,
	}
	if w := windowSizeWarning(cfg.Calibration, cur.Rows); w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	for _, c := range ref.TimeColumns {
		r.Notes = append(r.Notes, fmt.Sprintf("column %s holds date-times: left out of drift", c))
	}
	type job struct {
		rf, cf *profile.Feature
		d      decision
	}
	var jobs []job
	for _, rf := range ref.Features {
		d := cfg.decisionFor(rf.Name)
		if d.ignore {
			continue
		}
		cf := cur.Feature(rf.Name)
		if cf == nil {
			return nil, fmt.Errorf("compare: feature %s is not in the current profile", rf.Name)
		}
		jobs = append(jobs, job{rf, cf, d})
	}
	results := make([]FeatureResult, len(jobs))
	errs := make([]error, len(jobs))
	forEach(len(jobs), func(i int) {
		results[i], errs[i] = compareFeature(jobs[i].rf, jobs[i].cf, jobs[i].d)
	})
	decisions := make([]decision, len(jobs))
	for i, j := range jobs {
		if errs[i] != nil {
			return nil, fmt.Errorf("compare: feature %s: %w", j.rf.Name, errs[i])
		}
		decisions[i] = j.d.applicable(j.rf.Kind)
	}
	r.Features = results
	if cfg.Correction == BenjaminiHochberg {
		adjust(r.Features, decisions)
	}
	mt := cfg.missingThresholds()
	for i := range r.Features {
		r.Features[i].settle(mt)
	}
	r.DatasetDrift = datasetDrift(r.Features, cfg.driftShare())
	if ref.Prediction != nil && cur.Prediction != nil {
		p, err := comparePrediction(ref, cur, cfg)
		if err != nil {
			return nil, fmt.Errorf("compare: prediction: %w", err)
		}
		r.Prediction = p
	}
	if m := ref.Multivariate; m != nil {
		switch rc := cur.Reconstruction; {
		case rc == nil:
			r.Warnings = append(r.Warnings, "the current data has no reconstruction errors: multivariate drift not computed")
		case rc.Count > 0:
			mv, err := multivariate.Compare(m, *rc)
			if err != nil {
				return nil, fmt.Errorf("compare: multivariate: %w", err)
			}
			r.Multivariate = mv
		}
	}
	return r, nil
}

// windowSizeWarning warns when the current window holds less than half or
// more than twice the records the thresholds were calibrated for: the
// statistics' spread under no drift depends on the window size.
func windowSizeWarning(c *Calibration, rows int64) string {
	if c == nil || c.WindowSize <= 0 {
		return ""
	}
	w := int64(c.WindowSize)
	if rows*2 >= w && rows <= 2*w {
		return ""
	}
	return fmt.Sprintf("the current window has %d records, but the thresholds were calibrated (%s) for windows of %d: "+
		"calibrated verdicts are only as good as that match (recalibrate with modelwatch calibrate --window-size %d)", rows, c.Method, w, rows)
}

func (m Missing) severity(t Thresholds) Severity {
	d := math.Abs(m.Current - m.Reference)
	switch {
	case d >= t.Drift && t.Drift > 0:
		return Drift
	case d >= t.Warn && t.Warn > 0:
		return Warn
	}
	return OK
}

// forEach calls fn(0) … fn(n−1), spread over the available cores when there
// are enough calls to be worth it (the exact KS p-value of a feature can take
// a fraction of a millisecond). fn must only write its own index's results.
func forEach(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/8)
	if workers < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// settle sets the missing-rate severity and the overall severity, the worse of
// the method's and the missing rate's.
func (f *FeatureResult) settle(missing Thresholds) {
	f.Missing.Severity = f.Missing.severity(missing)
	f.Severity = worse(f.MethodSeverity, f.Missing.Severity)
}

func datasetDrift(features []FeatureResult, threshold float64) DatasetDrift {
	d := DatasetDrift{Features: len(features), Threshold: threshold}
	for _, f := range features {
		if f.Severity == Drift {
			d.Drifted++
		}
	}
	if d.Features > 0 {
		d.Share = float64(d.Drifted) / float64(d.Features)
	}
	d.Detected = d.Features > 0 && d.Share >= threshold
	return d
}

// applicable returns the method that decides for a feature of kind k: the
// configured one when it is defined for the kind, else its counterpart (KS and
// chi-squared are each other's counterpart; other methods fall back to PSI with
// its default thresholds).
func (d decision) applicable(k profile.Kind) decision {
	switch {
	case d.method == KS && k == profile.Categorical:
		d.method = Chi2
	case d.method == Chi2 && k == profile.Numeric:
		d.method = KS
	case d.method == Wasserstein && k == profile.Categorical:
		d.method, d.thresholds = PSI, DefaultThresholds(PSI)
	}
	return d
}

func compareFeature(rf, cf *profile.Feature, d decision) (FeatureResult, error) {
	if err := checkShape(rf, cf); err != nil {
		return FeatureResult{}, err
	}
	d = d.applicable(rf.Kind)
	res := FeatureResult{Name: rf.Name, Kind: string(rf.Kind), Method: d.method, Thresholds: d.thresholds, MethodSeverity: OK}
	res.Missing = Missing{Reference: rate(rf.Missing, rf.Present()), Current: rate(cf.Missing, cf.Present())}

	var refBins, curBins profile.Counts
	switch rf.Kind {
	case profile.Numeric:
		refBins, curBins = coarse(rf, rf.Grid), coarse(rf, cf.Grid)
		res.Bins.Edges = rf.CoarseEdges
	default:
		refBins, curBins = rf.Values, cf.Values
		res.Bins.Categories = categoryNames(rf)
	}
	res.Bins.Reference = stats.Proportions(refBins)
	res.Bins.Current = stats.Proportions(curBins)
	nRef, nCur := refBins.Total(), curBins.Total()
	if nRef == 0 || nCur == 0 {
		// Nothing to compare: only the missing rates speak.
		return res, nil
	}
	p, q := res.Bins.Reference, res.Bins.Current
	res.PSI = num(stats.PSI(p, q))
	res.KL = num(stats.KL(p, q))
	res.JS = num(stats.JensenShannon(p, q))
	res.Hellinger = num(stats.Hellinger(p, q))

	if rf.Kind != profile.Categorical {
		res.Grid = len(rf.Grid)
		dKS := stats.KSStatisticCounts(rf.Grid, cf.Grid)
		res.KS = &KSResult{Statistic: dKS, PValue: stats.KSPValue(dKS, nRef, nCur)}
		lo := math.Min(rf.Moments.Min, cf.Moments.Min)
		hi := math.Max(rf.Moments.Max, cf.Moments.Max)
		w := stats.WassersteinBinnedTails(rf.Edges, lo, hi, rf.Grid, cf.Grid, tails(rf), tails(cf))
		if sd := rf.Moments.Std(); sd > 0 {
			w /= sd
		}
		res.Wasserstein = num(w)
		res.Mean = &Pair{Reference: rf.Moments.Mean, Current: cf.Moments.Mean}
		res.Std = &Pair{Reference: rf.Moments.Std(), Current: cf.Moments.Std()}
	}
	if rf.Kind != profile.Numeric {
		c := stats.ChiSquaredHomogeneity(rf.Values, cf.Values)
		res.Chi2 = &Chi2Result{Statistic: c.Statistic, DOF: c.DOF, PValue: c.PValue}
		res.LInf = num(stats.LInf(p, q))
		u := unseen(rf, cf, nCur)
		for _, nc := range cf.Unseen {
			u.Top = append(u.Top, NameCnt{Name: nc.Name, Count: nc.Count})
		}
		res.Unseen = u
	}
	res.Value = res.Statistic(d.method)
	res.decide(d)
	return res, nil
}

// tails returns the sums of the values in a feature's open-ended grid bins.
func tails(f *profile.Feature) stats.Tails {
	return stats.Tails{Low: f.TailSums[0], High: f.TailSums[1]}
}

// unseen is the share of current values the reference never saw: neither a
// kept category nor one of the reference's pooled rare categories (those
// count in __other__ but are not new). When the reference pooled more
// categories than it could remember by hash (or, built by an earlier
// version, hashed none), the share is an upper bound.
func unseen(rf, cf *profile.Feature, nCur int64) *Unseen {
	n := cf.UnseenCount
	if n == 0 && len(cf.Unseen) > 0 {
		// A batch profile written before unseen values were counted apart
		// from __other__: its __other__ count is all it has.
		n = cf.Values[len(cf.Values)-1]
	}
	// A reference built before pooled categories were hashed cannot tell
	// its rare categories from new ones either.
	unhashed := rf.Kind == profile.Categorical && len(rf.Pooled) == 0 && rf.Values[len(rf.Values)-1] > 0
	return &Unseen{Share: float64(n) / float64(nCur), UpperBound: rf.PooledUnhashed > 0 || unhashed}
}

func checkShape(rf, cf *profile.Feature) error {
	if cf.Kind != rf.Kind {
		return fmt.Errorf("current kind %s, reference %s", cf.Kind, rf.Kind)
	}
	want := len(rf.Edges) + 1
	if rf.Kind == profile.Categorical {
		want = len(rf.Categories) + 1
		if len(cf.Values) != want || len(rf.Values) != want {
			return fmt.Errorf("%d current category bins, reference has %d", len(cf.Values), want)
		}
		return nil
	}
	if len(cf.Grid) != want || len(rf.Grid) != want || cf.Moments == nil || rf.Moments == nil || len(rf.TailSums) != 2 || len(cf.TailSums) != 2 {
		return fmt.Errorf("%d current grid bins, reference has %d", len(cf.Grid), want)
	}
	if rf.Kind == profile.Discrete && (len(cf.Values) != want || len(rf.Values) != want) {
		return fmt.Errorf("%d current value bins, reference has %d", len(cf.Values), want)
	}
	return nil
}

// Statistic returns the value method m decides on — the distance, or the
// (unadjusted) p-value for ks and chi2 — nil when it was not computed.
func (f *FeatureResult) Statistic(m Method) *float64 {
	switch m {
	case PSI:
		return f.PSI
	case KL:
		return f.KL
	case JS:
		return f.JS
	case Hellinger:
		return f.Hellinger
	case Wasserstein:
		return f.Wasserstein
	case KS:
		if f.KS != nil {
			return num(f.KS.PValue)
		}
	case Chi2:
		if f.Chi2 != nil {
			return num(f.Chi2.PValue)
		}
	}
	return nil
}

// decide grades the feature's deciding value with the fixed thresholds and,
// when the feature is calibrated for its method, the calibrated ones, and
// sets MethodSeverity as the decision mode says.
func (f *FeatureResult) decide(d decision) {
	f.MethodSeverity = grade(f.Value, d.method, d.thresholds)
	ct, ok := d.calibration.thresholds(f.Name, d.method)
	if !ok {
		return
	}
	f.FixedSeverity = f.MethodSeverity
	f.CalibratedThresholds = &ct
	f.CalibratedSeverity = grade(f.Value, d.method, ct)
	f.DecidedBy = d.decide
	switch d.decide {
	case DecideCalibrated:
		f.MethodSeverity = f.CalibratedSeverity
	case DecideBoth:
		if f.CalibratedSeverity.rank() < f.MethodSeverity.rank() {
			f.MethodSeverity = f.CalibratedSeverity
		}
	}
}

func grade(v *float64, m Method, t Thresholds) Severity {
	if v == nil {
		return OK
	}
	if m.PValue() {
		switch {
		case *v < t.Drift:
			return Drift
		case *v < t.Warn:
			return Warn
		}
		return OK
	}
	switch {
	case *v >= t.Drift:
		return Drift
	case *v >= t.Warn:
		return Warn
	}
	return OK
}

// adjust replaces the p-values that decide with Benjamini-Hochberg adjusted
// ones, across all features decided by a p-value method, and re-grades them.
func adjust(features []FeatureResult, decisions []decision) {
	var idx []int
	var ps []float64
	for i, f := range features {
		if f.Method.PValue() && f.Value != nil {
			idx = append(idx, i)
			ps = append(ps, *f.Value)
		}
	}
	if len(ps) == 0 {
		return
	}
	adj := stats.BenjaminiHochberg(ps)
	for k, i := range idx {
		f := &features[i]
		a := adj[k]
		if f.Method == KS {
			f.KS.Adjusted = num(a)
		} else {
			f.Chi2.Adjusted = num(a)
		}
		f.Value = num(a)
		f.decide(decisions[i])
	}
}

// coarse folds fine grid counts onto the coarse PSI bins; every coarse edge is
// also a fine edge, so each fine bin lies inside one coarse bin.
func coarse(rf *profile.Feature, grid profile.Counts) profile.Counts {
	out := make(profile.Counts, len(rf.CoarseEdges)+1)
	j := 0
	for i, c := range grid {
		if i < len(rf.Edges) {
			for j < len(rf.CoarseEdges) && rf.CoarseEdges[j] < rf.Edges[i] {
				j++
			}
		} else {
			j = len(rf.CoarseEdges)
		}
		out[j] += c
	}
	return out
}

func categoryNames(rf *profile.Feature) []string {
	var names []string
	if rf.Kind == profile.Categorical {
		names = slices.Clone(rf.Categories)
	} else {
		for _, v := range rf.Edges {
			names = append(names, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	return append(names, profile.OtherCategory)
}

func rate(missing, present int64) float64 {
	if missing+present == 0 {
		return 0
	}
	return float64(missing) / float64(missing+present)
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func comparePrediction(ref, cur *profile.Profile, cfg Config) (*PredictionResult, error) {
	d := cfg.decisionFor(ref.Prediction.Name)
	res, err := compareFeature(ref.Prediction, cur.Prediction, d)
	if err != nil {
		return nil, err
	}
	res.settle(cfg.missingThresholds())
	out := &PredictionResult{Drift: res}
	if ref.Prediction.Kind != profile.Numeric {
		for i, c := range res.Bins.Categories {
			out.ClassShares = append(out.ClassShares, ClassShare{Class: c, Reference: res.Bins.Reference[i], Current: res.Bins.Current[i]})
		}
	}
	if ref.Confidence != nil && cur.Confidence != nil {
		conf, err := compareFeature(ref.Confidence, cur.Confidence, cfg.decisionFor(ref.Confidence.Name))
		if err != nil {
			return nil, fmt.Errorf("confidence: %w", err)
		}
		conf.Severity = conf.MethodSeverity
		out.Confidence = &conf
		if ref.Confidence.Moments != nil && cur.Confidence.Moments != nil && cur.Confidence.Moments.Count > 0 {
			out.MeanConfidence = &Pair{Reference: ref.Confidence.Moments.Mean, Current: cur.Confidence.Moments.Mean}
		}
	}
	return out, nil
}
