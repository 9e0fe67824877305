package demo

import (
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/chart"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/htmlwrite"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor"
)

// palette colours the series of a chart; the first colours go to the
// series that matter (drifted features, the first class).
var palette = []string{"#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"}

// chartSpec says how to draw one metric.
type chartSpec struct {
	metric string
	// stat is the statistic per hour: a CloudWatch statistic, or "Last"
	// for the last value published (what the window's report says after
	// every late label).
	stat string
	// psi draws the 0.1 and 0.25 PSI lines on a log scale.
	psi  bool
	note string
	// alarmOf draws the threshold of the alarm on that other metric, for
	// reference (the accuracy alarm watches LabelledAccuracy, not Accuracy).
	alarmOf string
}

// sections group the charts by what they answer, as the design does.
var sections = []struct {
	title, question string
	charts          []chartSpec
}{
	{"Data drift", "Have the inputs changed?", []chartSpec{
		{catalog.MaxFeaturePSI, "Maximum", true, "The largest PSI of any feature in the window.", ""},
		{catalog.FeaturePSI, "Maximum", true, "Every feature; the ones that drifted are coloured.", ""},
		{catalog.DriftedFeatureShare, "Maximum", false, "Share of features whose severity is drift.", ""},
		{catalog.ReconstructionError, "Maximum", false, "Mean multivariate reconstruction error of the window's records (a PCA model of the reference): it rises when features move together differently, which no per-feature statistic sees.", ""},
		{catalog.ReconstructionErrorSigma, "Maximum", false, "Standard errors of the window's mean reconstruction error above the reference's: drift at 3, whatever the traffic.", ""},
		{catalog.ReconstructionErrorUpper, "Maximum", false, "Upper threshold of the window's mean reconstruction error (reference mean + 3 standard errors at the window's size).", ""},
		{catalog.ReconstructionErrorLower, "Maximum", false, "Lower threshold of the window's mean reconstruction error.", ""},
	}},
	{"Prediction distribution", "Are the outputs abnormal?", []chartSpec{
		{catalog.PredictionPSI, "Maximum", true, "PSI of the predicted classes.", ""},
		{catalog.ClassShare, "Maximum", false, "Share of each predicted class.", ""},
		{catalog.MeanConfidence, "Maximum", false, "Mean of the highest class score.", ""},
		{catalog.EstimatedAccuracy, "Maximum", false, "Accuracy estimated from confidence alone: blind to a concept change.", ""},
	}},
	{"Performance", "Is the model still right? Labels arrive hours late, so these fill in behind the other charts.", []chartSpec{
		{catalog.Accuracy, "Last", false, "Each window's accuracy with every label that has arrived since, re-published at the window's own time as labels arrive; an alarm no longer evaluates those old timestamps, so the accuracy alarm watches LabelledAccuracy (next chart). The red line is its threshold, for reference.", catalog.LabelledAccuracy},
		{catalog.LabelledAccuracy, "Minimum", false, "Accuracy of the predictions whose labels arrived in the hour, whichever hour they were made in: the fresh signal the accuracy alarm evaluates.", ""},
		{catalog.F1, "Last", false, "Macro F1.", ""},
		{catalog.AUC, "Last", false, "ROC AUC of the default class.", ""},
		{catalog.LogLoss, "Last", false, "", ""},
		{catalog.LabelCoverage, "Last", false, "Share of the window's predictions whose label arrived.", ""},
	}},
	{"System", "Is the service healthy?", []chartSpec{
		{catalog.PredictionCount, "Maximum", false, "Records in the window (a daily cycle).", ""},
		{catalog.ErrorRate, "Maximum", false, "Failed model calls, percent.", ""},
		{catalog.LatencyP50, "Maximum", false, "", ""},
		{catalog.LatencyP95, "Maximum", false, "", ""},
		{catalog.LatencyP99, "Maximum", false, "", ""},
	}},
	{"Ingest function (Embedded Metric Format)", "What the ingest function logged per request, as CloudWatch extracts it.", []chartSpec{
		{catalog.RecordsAccepted, "Sum", false, "Predictions accepted per hour.", ""},
		{catalog.LabelsAccepted, "Sum", false, "Labels accepted per hour.", ""},
		{catalog.ModelErrors, "Sum", false, "Failed model calls reported per hour.", ""},
		{catalog.ModelLatency, "p99", false, "p99 of the latencies the requests reported.", ""},
		{catalog.RecordsRejected, "Sum", false, "", ""},
		{catalog.LabelsRejected, "Sum", false, "", ""},
		{catalog.DuplicateRequests, "Sum", false, "", ""},
	}},
}

// Dashboard writes index.html for a run: the story, the alarm and retrain
// timeline, a chart of every metric that was published, the worst features
// and a link to every window's report. The page is self-contained (inline
// CSS and SVG, no script) and a deterministic function of the run.
func Dashboard(w io.Writer, res *Result) error {
	d, err := newDashboard(res)
	if err != nil {
		return err
	}
	if err := htmlwrite.WritePage(w, func(hw *htmlwrite.Writer) { writeDashboard(hw, d) }); err != nil {
		return fmt.Errorf("write the dashboard: %w", err)
	}
	return nil
}

type dashboard struct {
	S           *Summary
	End         time.Time
	Cards       []card
	Story       []storyRow
	Timeline    htmlwrite.HTML
	Events      []timelineRow
	Sections    []sectionView
	Unpublished []string
	Features    []featureRow
	Windows     []windowLink
	Retrain     []RetrainRecord
}

type card struct{ Label, Value, Detail, Class string }

type storyRow struct {
	Hours, Title, Description, Class string
}

type timelineRow struct {
	Hour       int
	Time, What string
	Detail     string
	Class      string
}

type sectionView struct {
	Title, Question string
	Charts          []chartView
}

type chartView struct {
	Title, Stat, Unit, Note string
	SVG                     htmlwrite.HTML
	Legend                  []legendItem
	Alarm                   string
}

type legendItem struct{ Name, Color string }

type featureRow struct {
	Name, Kind    string
	MaxPSI        string
	MaxHour       int
	LastPSI       string
	FirstDrift    string
	FirstDriftURL string
	Severity      string
	Bar           float64 // width in percent
}

type windowLink struct {
	Hour         int
	URL, Title   string
	Severity     string
	Accuracy     string
	AlarmsActive bool
}

func newDashboard(res *Result) (*dashboard, error) {
	s := res.Summary
	o := Options{Hours: s.Hours, DriftAt: s.DriftAt, Start: s.Start}
	d := &dashboard{S: s, End: s.Start.Add(time.Duration(s.Hours) * time.Hour), Retrain: s.RetrainRequests}

	// Cards.
	var predictions, labels float64
	for _, p := range res.Sink.Points() {
		switch p.Metric {
		case catalog.RecordsAccepted:
			predictions += p.Value
		case catalog.LabelsAccepted:
			labels += p.Value
		}
	}
	drifted := map[string]bool{}
	for _, names := range s.DriftedFeatures {
		for _, n := range names {
			drifted[n] = true
		}
	}
	driftedNames := sortedKeys(drifted)
	d.Cards = []card{
		{"Predictions ingested", thousands(predictions), fmt.Sprintf("%s an hour on average, for %d hours", thousands(float64(s.Rate)), s.Hours), ""},
		{"Labels received", thousands(labels), labelDetail(s), ""},
		{"Alarms", fmt.Sprint(len(s.Alarms)), alarmKinds(s.Alarms), classIf(len(s.Alarms) > 0, "bad")},
		{"Retraining requests", fmt.Sprint(len(s.RetrainRequests)), retrainDetail(s), classIf(len(s.RetrainRequests) > 0, "warn")},
		{"Drifted features", fmt.Sprint(len(driftedNames)), strings.Join(driftedNames, ", "), classIf(len(driftedNames) > 0, "warn")},
	}

	// The story.
	d.Story = append(d.Story, storyRow{Hours: fmt.Sprintf("0–%d h", s.DriftAt), Title: "Baseline",
		Description: "Applications come from the same world as the training data. Nothing should fire.", Class: "baseline"})
	for _, e := range s.Events {
		hours := fmt.Sprintf("from %d h", e.From)
		if e.Until < s.Hours {
			hours = fmt.Sprintf("%d–%d h", e.From, e.Until)
		}
		d.Story = append(d.Story, storyRow{Hours: hours, Title: e.Title, Description: e.Description, Class: e.Kind})
	}

	d.Timeline = htmlwrite.HTML(timelineSVG(s))
	d.Events = timelineRows(s)

	// Charts.
	alarmsByMetric := map[string]catalog.Alarm{}
	for _, a := range catalog.Alarms {
		alarmsByMetric[a.Metric] = a
	}
	published := map[string]bool{}
	for _, p := range res.Sink.Points() {
		published[p.Metric] = true
	}
	shown := map[string]bool{}
	var features []string
	if len(res.Windows) > 0 {
		for _, f := range res.Windows[0].Features {
			features = append(features, f.Name)
		}
	}
	for _, sec := range sections {
		sv := sectionView{Title: sec.title, Question: sec.question}
		for _, spec := range sec.charts {
			if !published[spec.metric] {
				continue
			}
			shown[spec.metric] = true
			sv.Charts = append(sv.Charts, chartFor(res, o, spec, alarmsByMetric, features, drifted))
		}
		if len(sv.Charts) > 0 {
			d.Sections = append(d.Sections, sv)
		}
	}
	for _, m := range catalog.Metrics {
		if !shown[m.Name] {
			d.Unpublished = append(d.Unpublished, m.Name)
		}
	}

	d.Features = featureRows(res, o)
	d.Windows = windowLinks(res, o)
	return d, nil
}

func classIf(cond bool, class string) string {
	if cond {
		return class
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func alarmKinds(alarms []AlarmRecord) string {
	var kinds []string
	for _, a := range alarms {
		kinds = append(kinds, a.Kind)
	}
	return strings.Join(kinds, ", ")
}

func retrainDetail(s *Summary) string {
	if len(s.RetrainRequests) == 0 {
		return "none"
	}
	var parts []string
	for _, r := range s.RetrainRequests {
		parts = append(parts, fmt.Sprintf("hour %d, by %s", r.Hour, r.Metric))
	}
	dups := 0
	for _, a := range s.Alarms {
		if a.Handler == alarm.Duplicate {
			dups++
		}
	}
	detail := strings.Join(parts, "; ")
	if dups > 0 {
		detail += fmt.Sprintf(" (%d later trigger%s inside the cooldown: no new request)", dups, plural(dups))
	}
	return detail
}

// hourSeries reads one series from the sink: for each hour [h, h+1) of the
// story the statistic of its samples, placed at h+0.5. A drift window's
// datapoints are stamped with the window's end, the ingest function's with
// the time of the request, inside the hour.
func hourSeries(res *Result, o Options, metric string, dims map[string]string, stat string) []chart.Point {
	key := SeriesKey{Metric: metric, Dimensions: dimensionKey(dims)}
	offset := 1
	if isEMF(metric) {
		offset = 0
	}
	far := o.Start.Add(time.Duration(o.Hours+1000) * time.Hour)
	var out []chart.Point
	for h := range o.Hours {
		samples := res.Sink.Samples(catalog.DefaultNamespace, key, o.hourTime(h+offset), time.Hour, far)
		if len(samples) == 0 {
			continue
		}
		v := samples[len(samples)-1]
		if stat != "Last" {
			v, _ = Statistic(stat, samples)
		}
		out = append(out, chart.Point{X: float64(h) + 0.5, Value: v, Label: fmt.Sprintf("hours %d–%d", h, h+1)})
	}
	return out
}

func isEMF(metric string) bool {
	switch metric {
	case catalog.RecordsAccepted, catalog.RecordsRejected, catalog.ModelErrors, catalog.ModelLatency,
		catalog.LabelsAccepted, catalog.LabelsRejected, catalog.DuplicateRequests:
		return true
	}
	return false
}

func chartFor(res *Result, o Options, spec chartSpec, alarms map[string]catalog.Alarm, features []string, drifted map[string]bool) chartView {
	s := res.Summary
	unit := ""
	if m, ok := catalog.Lookup(spec.metric); ok {
		switch m.Unit {
		case catalog.UnitPercent:
			unit = " %"
		case catalog.UnitMilliseconds:
			unit = " ms"
		}
	}
	c := &chart.TimeSeries{Hours: s.Hours, Log: spec.psi, Unit: unit}
	model := map[string]string{catalog.DimModel: s.Model}
	cv := chartView{Title: spec.metric, Stat: spec.stat, Unit: strings.TrimSpace(unit), Note: spec.note}
	switch spec.metric {
	case catalog.FeaturePSI:
		colour := 0
		for _, f := range features {
			pts := hourSeries(res, o, spec.metric, map[string]string{catalog.DimModel: s.Model, catalog.DimFeature: f}, spec.stat)
			sr := chart.Trace{Name: f, Points: pts, Color: "#94a3b8", Faint: !drifted[f]}
			if drifted[f] {
				sr.Color = palette[colour%len(palette)]
				colour++
				cv.Legend = append(cv.Legend, legendItem{f, sr.Color})
			}
			c.Traces = append(c.Traces, sr)
		}
		cv.Legend = append(cv.Legend, legendItem{"other features", "#94a3b8"})
	case catalog.ClassShare:
		for i, class := range res.Sink.DimensionValues(catalog.DefaultNamespace, spec.metric, catalog.DimClass) {
			pts := hourSeries(res, o, spec.metric, map[string]string{catalog.DimModel: s.Model, catalog.DimClass: class}, spec.stat)
			colour := palette[i%len(palette)]
			c.Traces = append(c.Traces, chart.Trace{Name: class, Points: pts, Color: colour})
			cv.Legend = append(cv.Legend, legendItem{class, colour})
		}
	default:
		c.Traces = append(c.Traces, chart.Trace{Name: spec.metric, Points: hourSeries(res, o, spec.metric, model, spec.stat), Color: palette[0]})
	}
	if spec.psi {
		c.Thresholds = append(c.Thresholds, chart.Threshold{Value: 0.1, Label: "warn 0.1", Class: "warn"}, chart.Threshold{Value: 0.25, Label: "drift 0.25", Class: "drift"})
	}
	if a, ok := alarms[spec.alarmOf]; ok {
		c.Thresholds = append(c.Thresholds, chart.Threshold{Value: a.DefaultThreshold, Label: "alarm on " + a.Metric + " " + comparisonSymbol[a.Comparison] + " " + formatValue(a.DefaultThreshold), Class: "alarm"})
	}
	if a, ok := alarms[spec.metric]; ok {
		cv.Alarm = fmt.Sprintf("Alarm %s: %s per hour %s %s", catalog.KindAlarmName(catalog.DefaultAlarmNamePrefix, a.Kind)+" (contributor "+s.Model+")", a.Statistic,
			comparisonSymbol[a.Comparison], formatValue(a.DefaultThreshold))
		if !spec.psi || a.DefaultThreshold != 0.25 {
			c.Thresholds = append(c.Thresholds, chart.Threshold{Value: a.DefaultThreshold, Label: "alarm " + comparisonSymbol[a.Comparison] + " " + formatValue(a.DefaultThreshold), Class: "alarm"})
		}
		if spec.stat != a.Statistic {
			c.Traces = append(c.Traces, chart.Trace{Name: a.Statistic + " (alarm)", Points: hourSeries(res, o, spec.metric, model, a.Statistic), Color: "#dc2626", Dots: true})
			cv.Legend = append(cv.Legend, legendItem{"last value", palette[0]}, legendItem{a.Statistic + ", as the alarm sees it", "#dc2626"})
		}
		for _, rec := range s.Alarms {
			if rec.Metric != spec.metric {
				continue
			}
			until := s.Hours
			if rec.ResolvedHour != nil {
				until = *rec.ResolvedHour
			}
			c.Bands = append(c.Bands, chart.Band{From: float64(rec.Hour), Until: float64(until), Class: "alarm",
				Title: fmt.Sprintf("%s in ALARM from hour %d", rec.Name, rec.Hour)})
		}
	}
	for _, e := range s.Events {
		switch e.Kind {
		case EventLatencySpike, EventErrorBurst:
			c.Bands = append(c.Bands, chart.Band{From: float64(e.From), Until: float64(e.Until), Class: "incident", Title: e.Title})
		default:
			c.Marks = append(c.Marks, chart.Mark{Hour: e.From, Label: shortEvent[e.Kind]})
		}
	}
	cv.SVG = htmlwrite.HTML(c.SVG(spec.metric))
	return cv
}

var comparisonSymbol = map[string]string{
	catalog.GreaterThanOrEqual: "≥",
	catalog.GreaterThan:        ">",
	catalog.LessThan:           "<",
}

var shortEvent = map[string]string{
	EventRelationChange: "relation",
	EventCovariateShift: "shift",
	EventConceptChange:  "concept",
	EventLatencySpike:   "latency",
	EventErrorBurst:     "errors",
}

// timelineSVG draws the story, each alarm's time in ALARM and the
// retraining requests on one hour axis.
func timelineSVG(s *Summary) string {
	const rowH, labelW, w = 22, 170, 980
	rows := 2 + len(catalog.Alarms)
	h := rowH*rows + 34
	x := func(hour float64) float64 { return labelW + (w-labelW-14)*hour/float64(max(s.Hours, 1)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" role="img" aria-label="alarm and retraining timeline" xmlns="http://www.w3.org/2000/svg">`, w, h)
	label := func(row int, text string) {
		fmt.Fprintf(&b, `<text class="rowlabel" x="%d" y="%d">%s</text>`, labelW-8, row*rowH+rowH/2+4, htmlwrite.EscapeText(text))
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/>`, labelW, w-14, (row+1)*rowH, (row+1)*rowH)
	}
	seg := func(row int, from, until float64, class, title string) {
		fmt.Fprintf(&b, `<rect class="seg %s" x="%.1f" y="%d" width="%.1f" height="%d" rx="3"><title>%s</title></rect>`,
			class, x(from), row*rowH+4, math.Max(x(until)-x(from), 3), rowH-8, htmlwrite.EscapeText(title))
	}
	label(0, "story")
	seg(0, 0, float64(s.DriftAt), "baseline", "Baseline")
	for _, e := range s.Events {
		switch e.Kind {
		case EventCovariateShift, EventConceptChange:
			seg(0, float64(e.From), float64(e.Until), e.Kind, fmt.Sprintf("%s (from hour %d)", e.Title, e.From))
		}
	}
	for _, e := range s.Events {
		switch e.Kind {
		case EventRelationChange, EventLatencySpike, EventErrorBurst:
			seg(0, float64(e.From), float64(e.Until), e.Kind, fmt.Sprintf("%s (hours %d–%d)", e.Title, e.From, e.Until))
		}
	}
	for i, a := range catalog.Alarms {
		row := 1 + i
		label(row, a.Kind)
		for _, rec := range s.Alarms {
			if rec.Kind != a.Kind {
				continue
			}
			until := s.Hours
			if rec.ResolvedHour != nil {
				until = *rec.ResolvedHour
			}
			v := "no value"
			if rec.Value != nil {
				v = chart.ValueLabel(*rec.Value)
			}
			seg(row, float64(rec.Hour), float64(until), "alarm", fmt.Sprintf("%s: ALARM from hour %d (%s %s), alarm handler: %s", rec.Name, rec.Hour, rec.Metric, v, rec.Handler))
		}
	}
	row := 1 + len(catalog.Alarms)
	label(row, "retraining requested")
	for _, r := range s.RetrainRequests {
		cx, cy := x(float64(r.Hour)), row*rowH+rowH/2
		fmt.Fprintf(&b, `<path class="retrain" d="M%.1f %d l7 7 l-7 7 l-7 -7 z"><title>%s</title></path>`, cx, cy-7,
			htmlwrite.EscapeText(fmt.Sprintf("hour %d: retraining requested (%s), execution %s", r.Hour, r.AlarmName, r.ExecutionName)))
	}
	for hour := 0; hour <= s.Hours; hour += 6 {
		fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%d">%dh</text>`, x(float64(hour)), rows*rowH+16, hour)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// timelineRows lists the story's events, the alarm transitions and the
// retraining requests by hour.
func timelineRows(s *Summary) []timelineRow {
	var rows []timelineRow
	at := func(h int) string { return s.Start.Add(time.Duration(h) * time.Hour).Format("Mon 15:04") }
	for _, e := range s.Events {
		rows = append(rows, timelineRow{Hour: e.From, Time: at(e.From), What: e.Title, Detail: e.Description, Class: "event"})
	}
	for _, a := range s.Alarms {
		v := ""
		if a.Value != nil {
			v = fmt.Sprintf("%s = %s (%s %s). ", a.Metric, chart.ValueLabel(*a.Value), comparisonSymbol[a.Comparison], formatValue(a.Threshold))
		}
		rows = append(rows, timelineRow{Hour: a.Hour, Time: at(a.Hour), What: "ALARM " + a.Name,
			Detail: v + "Alarm handler: " + outcomeText[a.Handler].long, Class: "alarm"})
		if a.ResolvedHour != nil {
			rows = append(rows, timelineRow{Hour: *a.ResolvedHour, Time: at(*a.ResolvedHour), What: "OK " + a.Name,
				Detail: "Back under the threshold.", Class: "ok"})
		}
	}
	for _, r := range s.RetrainRequests {
		rows = append(rows, timelineRow{Hour: r.Hour, Time: at(r.Hour), What: "Retraining requested",
			Detail: fmt.Sprintf("Execution %s, triggered by %s.", r.ExecutionName, r.AlarmName), Class: "retrain"})
	}
	order := map[string]int{"event": 0, "alarm": 1, "retrain": 2, "ok": 3}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Hour != rows[j].Hour {
			return rows[i].Hour < rows[j].Hour
		}
		return order[rows[i].Class] < order[rows[j].Class]
	})
	return rows
}

// reportURL is the link from index.html to a window's HTML report.
func reportURL(o Options, hour int) string {
	return path.Join(BucketDir, layout.Report(ModelName, o.hourTime(hour), "html"))
}

func featureRows(res *Result, o Options) []featureRow {
	type acc struct {
		row   featureRow
		max   float64
		first int
	}
	byName := map[string]*acc{}
	var names []string
	for i, w := range res.Windows {
		hour := i + 1
		for _, f := range w.Features {
			a := byName[f.Name]
			if a == nil {
				a = &acc{row: featureRow{Name: f.Name, Kind: f.Kind}, max: -1}
				byName[f.Name] = a
				names = append(names, f.Name)
			}
			psi := 0.0
			if f.PSI != nil {
				psi = *f.PSI
			}
			if psi > a.max {
				a.max, a.row.MaxHour = psi, hour
			}
			a.row.LastPSI = chart.ValueLabel(psi)
			a.row.Severity = string(f.Severity)
			if f.Severity == drift.Drift && a.first == 0 {
				a.first = hour
			}
		}
	}
	top := 0.0
	for _, a := range byName {
		top = math.Max(top, a.max)
	}
	var out []featureRow
	for _, n := range names {
		a := byName[n]
		a.row.MaxPSI = chart.ValueLabel(a.max)
		if top > 0 {
			a.row.Bar = math.Max(1, 100*a.max/top)
		}
		if a.first > 0 {
			a.row.FirstDrift = fmt.Sprintf("hour %d", a.first)
			a.row.FirstDriftURL = reportURL(o, a.first)
		}
		out = append(out, a.row)
	}
	sort.SliceStable(out, func(i, j int) bool { return byName[out[i].Name].max > byName[out[j].Name].max })
	return out
}

func windowLinks(res *Result, o Options) []windowLink {
	var out []windowLink
	for i, w := range res.Windows {
		hour := i + 1
		sev := drift.OK
		for _, f := range w.Features {
			if f.Severity == drift.Drift || (f.Severity == drift.Warn && sev == drift.OK) {
				sev = f.Severity
			}
		}
		acc := "–"
		if p := w.Performance; p != nil && p.Classification != nil && p.Labelled > 0 {
			acc = fmt.Sprintf("%.0f %%", 100*p.Classification.Accuracy)
		}
		title := fmt.Sprintf("window %s–%s UTC: %s", w.Window.Start.Format("Mon 15:04"), w.Window.End.Format("15:04"), windowSummary(w))
		out = append(out, windowLink{Hour: hour, URL: reportURL(o, hour), Title: title, Severity: string(sev), Accuracy: acc})
	}
	return out
}

func windowSummary(w *monitor.Report) string {
	var drifted []string
	for _, f := range w.Features {
		if f.Severity == drift.Drift {
			drifted = append(drifted, f.Name)
		}
	}
	s := fmt.Sprintf("%d records", w.System.Records)
	if len(drifted) > 0 {
		s += ", drifted: " + strings.Join(drifted, ", ")
	}
	return s
}

// thousands writes a count with thousands separators: 47,950.
func thousands(v float64) string {
	digits := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// labelDetail says which predictions get labels, and when.
func labelDetail(s *Summary) string {
	longest, err := time.ParseDuration(s.LabelDelay)
	if err != nil {
		return fmt.Sprintf("for %.0f %% of the predictions", 100*s.LabelShare)
	}
	return fmt.Sprintf("for %.0f %% of the predictions, %s to %s after them", 100*s.LabelShare, hoursText(longest/6), hoursText(longest))
}

// hoursText writes a duration in hours: "6 h", "1.5 h".
func hoursText(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64) + " h"
}
