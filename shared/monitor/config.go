package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Limits of the configuration.
const (
	// MaxWindow is the longest window a run may cover.
	MaxWindow = 14 * 24 * time.Hour
	// MaxLookback is the longest label lookback: CloudWatch refuses data
	// more than two weeks old, and a late label re-publishes its window's
	// performance at the window's timestamp.
	MaxLookback = 13 * 24 * time.Hour
	// cloudWatchMaxAge is how old a metric timestamp CloudWatch accepts.
	cloudWatchMaxAge = 14 * 24 * time.Hour
)

// Config configures a Monitor. The zero value of each field means its
// default.
type Config struct {
	// Models lists the monitored models; empty means every model with an
	// active reference (discovered under reference/).
	Models []string
	// Window is the schedule's period: the default window length and the
	// grid window ends are aligned to (default 1h; whole hours).
	Window time.Duration
	// Lookback bounds how old a prediction may be for a label that arrives
	// now to update its window (default 7 days; at most 13 days). Negative
	// means no lookback: a window's performance is computed once, with the
	// labels that arrived by its end.
	Lookback time.Duration
	// Concurrency bounds the concurrent GETs and LISTs (default 32).
	Concurrency int
	// Drift decides drift for models without their own config object
	// (config/{model}/drift.yaml or .json); nil means the drift package's
	// defaults.
	Drift *drift.Config
	// FeatureMetrics are the statistics published per feature (default
	// PSI only: each is a custom metric per feature and costs money).
	FeatureMetrics []drift.Method
	// PositiveClass is the positive class of binary classifiers for ROC
	// AUC; empty means the greater class name, as scikit-learn does.
	PositiveClass string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives the run's structured logs (default slog.Default()).
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Window == 0 {
		c.Window = time.Hour
	}
	if c.Lookback == 0 {
		c.Lookback = 7 * 24 * time.Hour
	}
	if c.Lookback < 0 {
		c.Lookback = 0
	}
	if c.Concurrency == 0 {
		c.Concurrency = 32
	}
	if c.FeatureMetrics == nil {
		c.FeatureMetrics = []drift.Method{drift.PSI}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch {
	case c.Window < time.Hour || c.Window%time.Hour != 0 || c.Window > MaxWindow:
		return c, fmt.Errorf("window %v: want whole hours, at most %v", c.Window, MaxWindow)
	case c.Lookback > MaxLookback:
		return c, fmt.Errorf("lookback %v: at most %v (CloudWatch refuses older metrics)", c.Lookback, MaxLookback)
	case c.Concurrency < 1 || c.Concurrency > 1024:
		return c, fmt.Errorf("concurrency %d: want 1-1024", c.Concurrency)
	}
	for _, m := range c.Models {
		if err := layout.CheckModel(m); err != nil {
			return c, err
		}
	}
	if c.Drift != nil {
		if err := c.Drift.Validate(); err != nil {
			return c, fmt.Errorf("drift config: %w", err)
		}
	}
	for _, m := range c.FeatureMetrics {
		if _, ok := FeatureMetricNames[m]; !ok {
			return c, fmt.Errorf("per-feature metric %q is not publishable", m)
		}
	}
	return c, nil
}

// driftConfig returns the model's drift config and where it came from.
func driftConfig(ctx context.Context, st store.Store, model string, fallback *drift.Config) (drift.Config, string, error) {
	for _, key := range layout.DriftConfig(model) { // the first that exists wins
		data, err := st.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return drift.Config{}, "", fmt.Errorf("read drift config %s: %w", key, err)
		}
		cfg, err := drift.ParseConfig(data)
		if err != nil {
			return drift.Config{}, "", fmt.Errorf("drift config %s: %w", key, err)
		}
		return cfg, key, nil
	}
	if fallback != nil {
		return *fallback, "env", nil
	}
	return drift.Config{}, "default", nil
}

// Event is what starts a run: the scheduler's event, or a manual re-run or
// backfill. Every field is optional.
//
//	{"models": ["credit"], "window_end": "2026-11-26T20:00:00Z", "window": "24h"}
//
// The window end is, in order, window_end, scheduled_time (EventBridge
// Scheduler, with the target input {"scheduled_time":
// "<aws.scheduler.scheduled-time>"}), time (an EventBridge scheduled rule's
// event) or the clock, aligned down to the schedule's grid. Retries of the
// same event therefore cover the same window.
type Event struct {
	Models        []string `json:"models,omitempty"`
	WindowEnd     string   `json:"window_end,omitempty"`
	Window        string   `json:"window,omitempty"`
	ScheduledTime string   `json:"scheduled_time,omitempty"`
	Time          string   `json:"time,omitempty"`
}

// ParseEvent decodes an event, ignoring the fields of EventBridge events
// that do not matter here.
func ParseEvent(data []byte) (Event, error) {
	var ev Event
	if len(strings.TrimSpace(string(data))) == 0 || strings.TrimSpace(string(data)) == "null" {
		return ev, nil
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return Event{}, fmt.Errorf("event: %w", err)
	}
	return ev, nil
}

// window resolves the window of an event.
func (ev Event) window(cfg Config, now time.Time) (Window, error) {
	length := cfg.Window
	if ev.Window != "" {
		d, err := time.ParseDuration(ev.Window)
		if err != nil {
			return Window{}, fmt.Errorf("event window %q: %w", ev.Window, err)
		}
		if d < time.Hour || d%time.Hour != 0 || d > MaxWindow {
			return Window{}, fmt.Errorf("event window %q: want whole hours, at most %v", ev.Window, MaxWindow)
		}
		length = d
	}
	at, field := now, "clock"
	for _, c := range []struct{ name, v string }{{"window_end", ev.WindowEnd}, {"scheduled_time", ev.ScheduledTime}, {"time", ev.Time}} {
		if c.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, c.v)
		if err != nil {
			return Window{}, fmt.Errorf("event %s %q: want an RFC 3339 time", c.name, c.v)
		}
		at, field = t, c.name
		break
	}
	end := AlignEnd(at, cfg.Window)
	if end.After(now) {
		return Window{}, fmt.Errorf("event %s %s: the window ends in the future (now %s)", field, end.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return NewWindow(end, length), nil
}

func (ev Event) models(cfg Config) ([]string, error) {
	models := ev.Models
	if len(models) == 0 {
		models = cfg.Models
	}
	for _, m := range models {
		if err := layout.CheckModel(m); err != nil {
			return nil, fmt.Errorf("event: %w", err)
		}
	}
	return models, nil
}
