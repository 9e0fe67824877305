package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/htmlwrite"
)

// Options for the page.
type Options struct {
	// Title heads the page; empty means "Drift report", with the model and
	// version when the report names them.
	Title string
	// Generated is printed in the footer; the zero time omits it, so that the
	// page is a function of the report alone.
	Generated time.Time
	// Monitoring adds the sections of a drift function's window report:
	// the window, performance and system health, and a "no data" state.
	Monitoring *Monitoring
}

// HTML writes a self-contained page: inline CSS and inline SVG only, no
// scripts, and no external fonts, images or links (nothing is fetched from the
// network), readable in a browser and printable. The same report and options
// always give the same bytes.
func HTML(w io.Writer, r *drift.Report, opts Options) error {
	if r == nil {
		return fmt.Errorf("report: nil drift report")
	}
	p, err := newPage(r, opts)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := htmlwrite.WritePage(w, func(hw *htmlwrite.Writer) { writePage(hw, p) }); err != nil {
		return fmt.Errorf("report: write the page: %w", err)
	}
	return nil
}

// page is the view of a report that writePage writes; every string in it is
// cleaned user data or text of ours, escaped as it is written.
type page struct {
	Title              string
	Model, Version     string
	Fingerprint        string
	RefRows, CurRows   string
	CurErrors          string
	Verdict            verdict
	Features           []*featureView
	Warnings           []string
	Notes              []string
	Prediction         *predictionView
	Generated          string
	Schema             int
	NOK, NWarn, NDrift int
	Monitoring         *monitoringView
	Multivariate       *multivariateView
}

type verdict struct {
	Class, Label, Head, Detail string
	// SharePct and ThresholdPct place the bar and the marker of the meter.
	SharePct, ThresholdPct float64
}

// sev is a severity badge.
type sev struct{ Class, Label string }

func severity(s drift.Severity) sev {
	switch s {
	case drift.OK:
		return sev{"ok", "OK"}
	case drift.Warn:
		return sev{"warn", "WARN"}
	case drift.Drift:
		return sev{"drift", "DRIFT"}
	case "":
		return sev{"na", "N/A"}
	}
	return sev{"na", strings.ToUpper(clean(string(s)))}
}

func rank(s drift.Severity) int {
	switch s {
	case drift.Warn:
		return 1
	case drift.Drift:
		return 2
	}
	return 0
}

type featureView struct {
	ID, Name, Kind   string
	Method           string
	MethodShort      string
	Value            string
	Severity         sev
	PSI, KSD, Wass   string
	JS, Unseen       string
	Missing          string
	MissingSev       sev
	Decision         string
	Chart            htmlwrite.HTML
	ChartTitle       string
	ChartNote        string
	Stats            []stat
	Bins             []binRow
	UnseenTop        []nameCount
	UnseenTopCaption string
}

type stat struct {
	Name, Value string
	Sev         *sev
}

type nameCount struct{ Name, Count string }

type predictionView struct {
	Drift          *featureView
	MeanConfidence string
	Confidence     *featureView
}

// methodNames are the display names of the decision methods.
var methodNames = map[drift.Method]string{
	drift.PSI:         "PSI",
	drift.KL:          "KL divergence",
	drift.JS:          "Jensen-Shannon",
	drift.Hellinger:   "Hellinger",
	drift.Wasserstein: "Wasserstein (norm.)",
	drift.KS:          "KS p-value",
	drift.Chi2:        "χ² p-value",
}

// shortMethodNames name the methods in the summary table.
var shortMethodNames = map[drift.Method]string{
	drift.PSI:         "PSI",
	drift.KL:          "KL",
	drift.JS:          "JS",
	drift.Hellinger:   "Hellinger",
	drift.Wasserstein: "Wasserstein",
	drift.KS:          "KS p",
	drift.Chi2:        "χ² p",
}

func shortMethodName(m drift.Method) string {
	if n, ok := shortMethodNames[m]; ok {
		return n
	}
	return methodName(m)
}

func methodName(m drift.Method) string {
	if n, ok := methodNames[m]; ok {
		return n
	}
	if m == "" {
		return dash
	}
	return clean(string(m))
}

func newPage(r *drift.Report, opts Options) (*page, error) {
	p := &page{
		Title:       clean(opts.Title),
		Model:       clean(r.Reference.Model),
		Version:     clean(r.Reference.Version),
		Fingerprint: clean(r.Reference.Fingerprint),
		RefRows:     count(r.Reference.Rows),
		CurRows:     count(r.Current.Rows),
		Schema:      r.SchemaVersion,
	}
	if r.Current.Errors > 0 {
		p.CurErrors = count(r.Current.Errors)
	}
	if p.Title == "" {
		p.Title = "Drift report"
		if s := strings.TrimSpace(p.Model + " " + p.Version); s != "" {
			p.Title += ": " + s
		}
	}
	if !opts.Generated.IsZero() {
		p.Generated = opts.Generated.Format(time.RFC3339)
	}
	for _, w := range r.Warnings {
		p.Warnings = append(p.Warnings, clean(w))
	}
	for _, n := range r.Notes {
		p.Notes = append(p.Notes, clean(n))
	}
	for _, i := range worstFirst(r.Features) {
		f := &r.Features[i]
		v, err := newFeatureView(f, "f"+strconv.Itoa(i+1))
		if err != nil {
			return nil, fmt.Errorf("feature %q: %w", f.Name, err)
		}
		p.Features = append(p.Features, v)
		switch f.Severity {
		case drift.Drift:
			p.NDrift++
		case drift.Warn:
			p.NWarn++
		default:
			p.NOK++
		}
	}
	var drifted []string
	for _, f := range drift.WorstFirst(r.Features) {
		if f.Severity == drift.Drift {
			drifted = append(drifted, clean(f.Name))
		}
	}
	var crossed []Crossing
	if opts.Monitoring != nil {
		crossed = opts.Monitoring.Crossed
	}
	p.Verdict = datasetVerdict(r.DatasetDrift, p.NWarn, drifted, crossed)
	if m := opts.Monitoring; m != nil {
		p.Monitoring = newMonitoringView(m)
		if m.NoData {
			p.Verdict.Class, p.Verdict.Label, p.Verdict.Head = "na", "NO DATA", "No data in this window"
			p.Verdict.Detail = "No batch profile arrived for " + p.Monitoring.Window + ", so nothing was compared: the prediction count is 0 and no drift values were published."
		}
	}
	if mv := r.Multivariate; mv != nil {
		v, err := newMultivariateView(mv)
		if err != nil {
			return nil, fmt.Errorf("multivariate: %w", err)
		}
		p.Multivariate = v
		if mv.Drift {
			detail := "Multivariate drift: the mean reconstruction error " + num(mv.Mean) + " is outside its thresholds " +
				num(mv.Lower) + " … " + num(mv.Upper) + " (" + numPrec(mv.Sigmas, 3) + " standard errors from the reference's " +
				num(mv.ReferenceMean) + "): the features move together differently."
			if p.Verdict.Class == "ok" {
				p.Verdict.Class, p.Verdict.Label = "warn", "MULTIVARIATE DRIFT"
				p.Verdict.Head = "Multivariate drift; no per-feature drift"
			}
			p.Verdict.Detail = strings.TrimSpace(p.Verdict.Detail + " " + detail)
		}
	}
	if r.Prediction != nil {
		pv, err := newPredictionView(r.Prediction)
		if err != nil {
			return nil, fmt.Errorf("prediction: %w", err)
		}
		p.Prediction = pv
	}
	return p, nil
}

// datasetVerdict heads the page with what fired: the dataset verdict, the
// drifted features by name (worst first) and the alarm thresholds the window
// crossed.
func datasetVerdict(d drift.DatasetDrift, warn int, drifted []string, crossed []Crossing) verdict {
	v := verdict{
		SharePct:     clamp(d.Share*100, 0, 100),
		ThresholdPct: clamp(d.Threshold*100, 0, 100),
	}
	features := "features"
	if d.Features == 1 {
		features = "feature"
	}
	switch {
	case d.Features == 0:
		v.Class, v.Label, v.Head = "na", "NO DATA", "No features were compared"
		v.Detail = "The report has no features, so dataset drift cannot be decided."
	case d.Detected:
		v.Class, v.Label = "drift", "DRIFT"
		v.Head = "Dataset drift: " + nameList(drifted) + " drifted"
		v.Detail = fmt.Sprintf("%d of %d %s drifted (%s), at or above the threshold of %s.",
			d.Drifted, d.Features, features, pct(d.Share), pct(d.Threshold))
	case len(drifted) > 0:
		v.Class, v.Label = "drift", "FEATURE DRIFT"
		v.Head = "Feature drift: " + nameList(drifted) + " drifted; no dataset drift"
		v.Detail = fmt.Sprintf("%d of %d %s drifted (%s), below the dataset-drift threshold of %s.",
			d.Drifted, d.Features, features, pct(d.Share), pct(d.Threshold))
	default:
		v.Class, v.Label, v.Head = "ok", "OK", "No drift"
		if warn > 0 {
			v.Class, v.Label = "warn", "WATCH"
		}
		v.Detail = fmt.Sprintf("%d of %d %s drifted (%s), below the threshold of %s.",
			d.Drifted, d.Features, features, pct(d.Share), pct(d.Threshold))
	}
	switch warn {
	case 0:
	case 1:
		v.Detail += " 1 more feature is at warn level."
	default:
		v.Detail += fmt.Sprintf(" %d more features are at warn level.", warn)
	}
	if len(crossed) > 0 {
		var parts []string
		for _, c := range crossed {
			parts = append(parts, fmt.Sprintf("%s %s %s %s (%s)", c.Metric, num(c.Value), c.Op, num(c.Threshold), c.Alarm))
		}
		v.Head += "; alarm thresholds crossed: " + strings.Join(parts, ", ")
		if v.Class != "drift" {
			v.Class, v.Label = "drift", "ALARM"
		}
	}
	return v
}

// nameList joins up to five names, saying how many more there are.
func nameList(names []string) string {
	const shown = 5
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:shown], ", "), len(names)-shown)
}

func clamp(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return math.Min(math.Max(v, lo), hi)
}

// worstFirst returns the indexes of features, worst first: by severity, then
// by how far the deciding statistic is past its drift threshold (a distance
// over the threshold, the threshold over a p-value, so that a larger distance
// or a smaller p-value is worse), then by name and position.
func worstFirst(fs []drift.FeatureResult) []int {
	idx := make([]int, len(fs))
	scores := make([]float64, len(fs))
	for i := range fs {
		idx[i] = i
		scores[i] = badness(&fs[i])
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(rank(fs[b].Severity), rank(fs[a].Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return strings.Compare(fs[a].Name, fs[b].Name)
	})
	return idx
}

// badness is the deciding statistic relative to its drift threshold; larger
// is worse, -1 when there is no statistic.
func badness(f *drift.FeatureResult) float64 {
	if f.Value == nil || math.IsNaN(*f.Value) {
		return -1
	}
	v := *f.Value
	t := f.Thresholds.Drift
	if t <= 0 {
		t = f.Thresholds.Warn
	}
	if f.Method.PValue() {
		if t <= 0 {
			t = drift.DefaultThresholds(f.Method).Drift
		}
		if v <= 0 {
			return math.Inf(1)
		}
		return t / v
	}
	if t <= 0 {
		t = 1
	}
	return v / t
}

func newFeatureView(f *drift.FeatureResult, id string) (*featureView, error) {
	v := &featureView{
		ID:          id,
		Name:        clean(f.Name),
		Kind:        clean(f.Kind),
		Method:      methodName(f.Method),
		MethodShort: shortMethodName(f.Method),
		Value:       numPtr(f.Value),
		Severity:    severity(f.Severity),
		PSI:         numPtr(f.PSI),
		KSD:         dash,
		Wass:        numPtr(f.Wasserstein),
		JS:          numPtr(f.JS),
		Unseen:      dash,
		Missing:     pct(f.Missing.Reference) + " → " + pct(f.Missing.Current),
		MissingSev:  severity(f.Missing.Severity),
		Decision:    decision(f),
		ChartTitle:  "Share of rows per bin",
		Stats:       stats(f),
		Bins:        binTable(f.Bins),
	}
	if v.Kind == "" {
		v.Kind = dash
	}
	if adjusted(f) {
		v.MethodShort += " (adj.)"
	}
	if f.KS != nil {
		v.KSD = num(f.KS.Statistic)
	}
	if f.Unseen != nil {
		v.Unseen = pct(f.Unseen.Share)
		if f.Unseen.UpperBound {
			v.Unseen = "≤ " + v.Unseen
		}
		for _, nc := range f.Unseen.Top {
			v.UnseenTop = append(v.UnseenTop, nameCount{Name: clean(nc.Name), Count: count(nc.Count)})
		}
	}
	b := displayBins(f.Bins)
	chart, err := svgChart(b)
	if err != nil {
		return nil, err
	}
	v.Chart, v.ChartNote = chart, joinNotes(b.Note, emptySide(f.Bins))
	return v, nil
}

// emptySide notes a side of the comparison that has no values.
func emptySide(b drift.Bins) string {
	total := func(v []float64) (s float64) {
		for _, x := range v {
			s += x
		}
		return s
	}
	r, c := total(b.Reference) > 0, total(b.Current) > 0
	switch {
	case !r && !c:
		return "Neither side has values."
	case !c:
		return "The current data has no values for this feature."
	case !r:
		return "The reference has no values for this feature."
	}
	return ""
}

func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, " ")
}

func adjusted(f *drift.FeatureResult) bool {
	switch f.Method {
	case drift.KS:
		return f.KS != nil && f.KS.Adjusted != nil
	case drift.Chi2:
		return f.Chi2 != nil && f.Chi2.Adjusted != nil
	}
	return false
}

// decision explains the severity: the method's statistic against its
// thresholds, and the missing rate when it made things worse.
func decision(f *drift.FeatureResult) string {
	var s string
	name := methodName(f.Method)
	if adjusted(f) {
		name = "adjusted " + name
	}
	t := f.Thresholds
	switch {
	case f.Value == nil:
		s = name + " was not computed (no values on one side), so only the missing rate decides."
	case f.Method.PValue():
		s = fmt.Sprintf("Decided by %s = %s (warn below %s, drift below %s): %s.",
			name, num(*f.Value), num(t.Warn), num(t.Drift), strings.ToLower(severity(f.MethodSeverity).Label))
	default:
		s = fmt.Sprintf("Decided by %s = %s (warn at %s, drift at %s): %s.",
			name, num(*f.Value), num(t.Warn), num(t.Drift), strings.ToLower(severity(f.MethodSeverity).Label))
	}
	if c := f.CalibratedThresholds; c != nil && f.Value != nil {
		s = fmt.Sprintf("%s = %s. Fixed thresholds (warn %s, drift %s): %s. Calibrated thresholds (warn %s, drift %s): %s. Decided by the %s.",
			name, num(*f.Value), num(t.Warn), num(t.Drift), strings.ToLower(severity(f.FixedSeverity).Label),
			num(c.Warn), num(c.Drift), strings.ToLower(severity(f.CalibratedSeverity).Label), decidedBy(f.DecidedBy))
	}
	if f.Missing.Severity != "" && f.Missing.Severity != drift.OK {
		s += fmt.Sprintf(" The missing rate changed from %s to %s: %s.",
			pct(f.Missing.Reference), pct(f.Missing.Current), strings.ToLower(severity(f.Missing.Severity).Label))
	}
	return s
}

func decidedBy(d drift.Decide) string {
	switch d {
	case drift.DecideCalibrated:
		return "calibrated thresholds"
	case drift.DecideBoth:
		return "milder of the two (drift only when both agree)"
	}
	return "fixed thresholds"
}

// stats is the full statistics list of a feature; statistics that were not
// computed are left out.
func stats(f *drift.FeatureResult) []stat {
	ms := severity(f.MethodSeverity)
	mis := severity(f.Missing.Severity)
	out := []stat{
		{Name: "Method", Value: methodName(f.Method)},
		{Name: "Value", Value: numPtr(f.Value)},
		{Name: "Thresholds", Value: "warn " + num(f.Thresholds.Warn) + ", drift " + num(f.Thresholds.Drift)},
		{Name: "Method verdict", Sev: &ms},
	}
	if c := f.CalibratedThresholds; c != nil {
		fs, cs := severity(f.FixedSeverity), severity(f.CalibratedSeverity)
		out = append(out,
			stat{Name: "Fixed verdict", Sev: &fs},
			stat{Name: "Calibrated thresholds", Value: "warn " + num(c.Warn) + ", drift " + num(c.Drift)},
			stat{Name: "Calibrated verdict", Sev: &cs})
	}
	out = append(out, []stat{
		{Name: "Missing rate", Value: pct(f.Missing.Reference) + " → " + pct(f.Missing.Current), Sev: &mis},
	}...)
	add := func(name string, v *float64) {
		if v != nil {
			out = append(out, stat{Name: name, Value: num(*v)})
		}
	}
	add("PSI", f.PSI)
	add("KL divergence", f.KL)
	add("Jensen-Shannon distance", f.JS)
	add("Hellinger distance", f.Hellinger)
	if k := f.KS; k != nil {
		out = append(out, stat{Name: "KS statistic D", Value: num(k.Statistic)},
			stat{Name: "KS p-value", Value: num(k.PValue)})
		add("KS p-value (adjusted)", k.Adjusted)
	}
	add("Wasserstein (normalised)", f.Wasserstein)
	if c := f.Chi2; c != nil {
		out = append(out, stat{Name: "χ² statistic", Value: num(c.Statistic) + " (" + strconv.Itoa(c.DOF) + " dof)"},
			stat{Name: "χ² p-value", Value: num(c.PValue)})
		add("χ² p-value (adjusted)", c.Adjusted)
	}
	add("L∞ distance", f.LInf)
	if f.Unseen != nil {
		u := pct(f.Unseen.Share)
		if f.Unseen.UpperBound {
			u = "at most " + u + " (the reference did not remember all its rare categories)"
		}
		out = append(out, stat{Name: "Unseen share", Value: u})
	}
	pair := func(name string, p *drift.Pair) {
		if p != nil {
			out = append(out, stat{Name: name, Value: num(p.Reference) + " → " + num(p.Current)})
		}
	}
	pair("Mean", f.Mean)
	pair("Standard deviation", f.Std)
	if f.Grid > 0 {
		out = append(out, stat{Name: "Fine grid bins", Value: strconv.Itoa(f.Grid)})
	}
	out = append(out, stat{Name: "Coarse bins", Value: strconv.Itoa(max(len(f.Bins.Reference), len(f.Bins.Current)))})
	return out
}

func newPredictionView(pr *drift.PredictionResult) (*predictionView, error) {
	d, err := newFeatureView(&pr.Drift, "prediction")
	if err != nil {
		return nil, err
	}
	if d.Name == "" {
		d.Name = "prediction"
	}
	pv := &predictionView{Drift: d}
	if len(pr.ClassShares) > 0 {
		b := drift.Bins{}
		for _, c := range pr.ClassShares {
			b.Categories = append(b.Categories, c.Class)
			b.Reference = append(b.Reference, c.Reference)
			b.Current = append(b.Current, c.Current)
		}
		shown := displayBins(b)
		chart, err := svgChart(shown)
		if err != nil {
			return nil, err
		}
		d.Chart, d.ChartNote, d.ChartTitle = chart, shown.Note, "Share of predictions per class"
		d.Bins = binTable(b)
	}
	if m := pr.MeanConfidence; m != nil {
		delta := num(m.Current - m.Reference)
		if m.Current > m.Reference {
			delta = "+" + delta
		}
		pv.MeanConfidence = num(m.Reference) + " → " + num(m.Current) + " (" + delta + ")"
	}
	if pr.Confidence != nil {
		c, err := newFeatureView(pr.Confidence, "prediction-confidence")
		if err != nil {
			return nil, err
		}
		if c.Name == "" {
			c.Name = "confidence"
		}
		c.ChartTitle = "Share of predictions per confidence bin"
		pv.Confidence = c
	}
	return pv, nil
}
