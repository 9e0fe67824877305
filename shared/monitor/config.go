package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/driftevent"
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

// eventWindow resolves the window of an event: its length is the event's
// window, whole hours up to MaxWindow, or the configured one; its end is the
// event's pin or now, aligned down to the schedule's grid.
func eventWindow(ev driftevent.Event, cfg Config, now time.Time) (Window, error) {
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
	at, field, pinned, err := ev.PinTime()
	if err != nil {
		return Window{}, err
	}
	if !pinned {
		at, field = now, "clock"
	}
	end := AlignEnd(at, cfg.Window)
	if end.After(now) {
		return Window{}, fmt.Errorf("event %s %s: the window ends in the future (now %s)", field, end.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return NewWindow(end, length), nil
}

// eventModels are the models an event names, or else the configured ones.
func eventModels(ev driftevent.Event, cfg Config) ([]string, error) {
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
