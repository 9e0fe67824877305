package demo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/monitor"
)

// Model is the name and reference version of the demo's model.
const (
	ModelName    = "credit-default"
	ModelVersion = "v1"
)

// DefaultStart is when the story starts (a Monday, midnight UTC), so that a
// run is reproducible to the byte.
var DefaultStart = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// Options configure a run of the story.
type Options struct {
	// Seed makes the run reproducible: the same seed and options give the
	// same output, byte for byte.
	Seed uint64
	// Hours is how long the story runs, in simulated hours.
	Hours int
	// DriftAt is the hour the covariate shift starts; the later events
	// (concept change, latency spike, error burst) follow it at fixed
	// offsets (see Events).
	DriftAt int
	// Rate is the mean number of predictions per hour (traffic follows a
	// daily cycle around it).
	Rate int
	// LabelShare is the share of predictions whose outcome becomes known,
	// and LabelDelay the longest delay until it does: each label arrives
	// between LabelDelay/6 and LabelDelay after its prediction.
	LabelShare float64
	LabelDelay time.Duration
	// Out is the output directory.
	Out string
	// Source is how the model service's traffic reaches modelwatch:
	// SourceAPI (batches to the ingest function; the default) or
	// SourceSageMakerCapture (Data Capture files and ground-truth uploads in
	// a capture bucket, imported by the capture-import code; no latency and
	// no failed calls are captured, so the latency and error-rate alarms
	// stay quiet).
	Source string
	// Start is the simulated time the story starts at (whole hours, UTC).
	Start time.Time
	// Progress, when set, is called after every simulated hour. The
	// functions' own logs go to files under Out/logs.
	Progress func(Progress)
}

// Progress is what a run reports after each simulated hour: Hour of Hours
// are played, and Notes are what happened (the story's events that began
// in the hour, the alarms that fired at its end), by hour.
type Progress struct {
	Hour, Hours int
	Notes       []Note
}

// Note is one notable thing at an hour of the story.
type Note struct {
	Hour int
	Text string
}

// DefaultOptions are the story of `make demo`: 48 hours, the shift at hour
// 24, 2,000 predictions an hour, half of them labelled 1 to 6 hours later.
func DefaultOptions() Options {
	return Options{
		Seed: 1, Hours: 48, DriftAt: 24, Rate: 1000,
		LabelShare: 0.5, LabelDelay: 6 * time.Hour,
		Out: "demo-output", Start: DefaultStart, Source: SourceAPI,
	}
}

// Limits of the options.
const (
	MinHours = 2
	// MaxHours keeps every window inside the drift job's label lookback
	// and CloudWatch's two weeks.
	MaxHours = int(monitor.MaxLookback / time.Hour)
	MinRate  = 200
	MaxRate  = 200_000
	// maxLabelDelay is the drift job's default label lookback: a later
	// label would find no prediction to join.
	maxLabelDelay = 7 * 24 * time.Hour
)

// Validate says what is wrong with o, naming the flag.
func (o Options) Validate() error {
	var errs []error
	if o.Hours < MinHours || o.Hours > MaxHours {
		errs = append(errs, fmt.Errorf("--hours %d: want %d to %d", o.Hours, MinHours, MaxHours))
	}
	if o.Hours >= MinHours && o.Hours <= MaxHours && (o.DriftAt < 1 || o.DriftAt >= o.Hours) {
		errs = append(errs, fmt.Errorf("--drift-at %d: want an hour from 1 to %d (before the end, after a baseline)", o.DriftAt, o.Hours-1))
	}
	if o.Rate < MinRate || o.Rate > MaxRate {
		errs = append(errs, fmt.Errorf("--rate %d: want %d to %d predictions an hour (fewer make the hourly statistics noise)", o.Rate, MinRate, MaxRate))
	}
	if o.LabelShare <= 0 || o.LabelShare > 1 {
		errs = append(errs, fmt.Errorf("--label-share %g: want a share in (0, 1]", o.LabelShare))
	}
	if o.LabelDelay < time.Hour || o.LabelDelay > maxLabelDelay || o.LabelDelay%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("--label-delay %v: want 1h to %v (the drift job's label lookback), in whole minutes", o.LabelDelay, maxLabelDelay))
	}
	if o.Out == "" {
		errs = append(errs, errors.New("--out: name the output directory"))
	}
	if o.Source != "" && !slices.Contains(Sources, o.Source) {
		errs = append(errs, fmt.Errorf("--source %q: want one of %s", o.Source, strings.Join(Sources, ", ")))
	}
	if o.Start.IsZero() || !o.Start.Equal(o.Start.Truncate(time.Hour)) {
		errs = append(errs, fmt.Errorf("start %v: want a whole hour", o.Start))
	}
	return errors.Join(errs...)
}

// The kinds of story events.
const (
	EventRelationChange = "relation_change"
	EventCovariateShift = "covariate_shift"
	EventConceptChange  = "concept_change"
	EventLatencySpike   = "latency_spike"
	EventErrorBurst     = "error_burst"
)

// Event is one thing that happens to the model's world, from hour From
// until hour Until (exclusive; the end of the story for lasting changes).
type Event struct {
	Kind        string `json:"kind"`
	From        int    `json:"from_hour"`
	Until       int    `json:"until_hour"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Offsets of the later events from DriftAt, and their lengths.
const (
	relationHours  = 6
	conceptOffset  = 6
	latencyOffset  = 14
	latencyHours   = 2
	errorOffset    = 19
	errorHours     = 1
	slowShare      = 0.1
	burstErrors    = 0.14
	burstMalformed = 0.01
	normalErrors   = 0.002
)

// Events are the story's events that fall inside the run, in order.
func (o Options) Events() []Event {
	relFrom := max(1, o.DriftAt/2)
	all := []Event{
		{EventRelationChange, relFrom, min(relFrom+relationHours, o.DriftAt), "Employment records migrated",
			fmt.Sprintf("For %d hours a migrated HR system reports employment years that fall with age instead of rising with it. Every feature keeps its distribution, so no per-feature statistic moves; the multivariate reconstruction error does.", relationHours)},
		{EventCovariateShift, o.DriftAt, o.Hours, "Broker channel launched",
			fmt.Sprintf("A broker partnership goes live: %.0f %% of applications arrive through a channel the training data never saw (%q), and loan amounts are %.1f× larger. Only %s and %s change.",
				100*brokerShare, NewChannel, loanAmountFactor, FeatChannel, FeatLoanAmount)},
		{EventConceptChange, o.DriftAt + conceptOffset, o.Hours, "Interest-rate shock",
			"Applicants with high debt-to-income now default far more often, whatever their credit score. The inputs do not change, so drift metrics cannot see it; the model's accuracy falls, which shows only when the delayed outcomes arrive."},
		{EventLatencySpike, o.DriftAt + latencyOffset, o.DriftAt + latencyOffset + latencyHours, "Latency spike",
			fmt.Sprintf("A slow feature store: %.0f %% of model calls take 0.7 to 2.5 s.", 100*slowShare)},
		{EventErrorBurst, o.DriftAt + errorOffset, o.DriftAt + errorOffset + errorHours, "Burst of model errors",
			fmt.Sprintf("The feature store times out: %.0f %% of model calls fail, and %.0f %% of the records are sent with the string \"NaN\" for %s, which the ingest function rejects.",
				100*burstErrors, 100*burstMalformed, FeatDebtToIncome)},
	}
	var out []Event
	for _, e := range all {
		if e.From < o.Hours && e.From < e.Until {
			e.Until = min(e.Until, o.Hours)
			out = append(out, e)
		}
	}
	return out
}

// conditions are the world's conditions during hour h.
func (o Options) conditions(h int) Conditions {
	c := Conditions{ErrorShare: normalErrors}
	for _, e := range o.Events() {
		if h < e.From || h >= e.Until {
			continue
		}
		switch e.Kind {
		case EventRelationChange:
			c.Decoupled = true
		case EventCovariateShift:
			c.Shifted = true
		case EventConceptChange:
			c.ConceptChanged = true
		case EventLatencySpike:
			c.SlowShare = slowShare
		case EventErrorBurst:
			c.ErrorShare, c.MalformedShare = burstErrors, burstMalformed
		}
	}
	return c
}

// hourTime is the start of hour h of the story.
func (o Options) hourTime(h int) time.Time { return o.Start.Add(time.Duration(h) * time.Hour) }

// hourOf is the hour of the story t falls in.
func (o Options) hourOf(t time.Time) int { return int(t.Sub(o.Start) / time.Hour) }
