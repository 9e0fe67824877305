package drift

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Method names a drift statistic that decides a feature's severity.
type Method string

// The decision methods. PSI, KL, JS, Hellinger and Wasserstein are distances:
// larger is worse. KS and Chi2 decide on their p-value: smaller is worse.
const (
	PSI         Method = "psi"
	KL          Method = "kl"
	JS          Method = "js"
	Hellinger   Method = "hellinger"
	Wasserstein Method = "wasserstein"
	KS          Method = "ks"
	Chi2        Method = "chi2"
)

// Methods lists every method, in documentation order.
var Methods = []Method{PSI, KL, JS, Hellinger, Wasserstein, KS, Chi2}

// PValue reports whether m decides on a p-value.
func (m Method) PValue() bool { return m == KS || m == Chi2 }

// Thresholds are the warn and drift levels of a method: a distance at or above
// them, or a p-value below them.
type Thresholds struct {
	Warn  float64 `json:"warn" yaml:"warn"`
	Drift float64 `json:"drift" yaml:"drift"`
}

// DefaultThresholds are the conventional levels of each method: PSI and KL 0.1
// and 0.25, Jensen-Shannon and normalised Wasserstein 0.05 and 0.1 (Evidently
// drifts at 0.1), Hellinger 0.05 and 0.1, and p < 0.1 and p < 0.05 for KS and
// chi-squared.
func DefaultThresholds(m Method) Thresholds {
	switch m {
	case PSI, KL:
		return Thresholds{Warn: 0.1, Drift: 0.25}
	case JS, Wasserstein, Hellinger:
		return Thresholds{Warn: 0.05, Drift: 0.1}
	case KS, Chi2:
		return Thresholds{Warn: 0.1, Drift: 0.05}
	}
	return Thresholds{}
}

// Correction is a multiple-testing correction of p-value methods.
type Correction string

// The corrections.
const (
	NoCorrection       Correction = "none"
	BenjaminiHochberg  Correction = "bh"
	defaultDriftShare             = 0.5
	defaultMissingWarn            = 0.05
	defaultMissingDrft            = 0.2
)

// Config decides drift. The zero value is valid and means the defaults; the
// same document configures `modelwatch compare --config` and the drift
// function. YAML or JSON:
//
//	method: psi            # psi | kl | js | hellinger | wasserstein | ks | chi2
//	thresholds: {warn: 0.1, drift: 0.25}
//	drift_share: 0.5       # dataset drift when this share of features drifted
//	correction: bh         # none | bh (Benjamini-Hochberg over p-value methods)
//	missing: {warn: 0.05, drift: 0.2}   # absolute change of the missing rate
//	features:
//	  amount: {method: ks, thresholds: {warn: 0.1, drift: 0.01}}
//	  customer_id: {ignore: true}
type Config struct {
	Method Method `json:"method,omitempty" yaml:"method,omitempty"`
	// Decide says which thresholds decide when a calibration is present:
	// fixed (the default), calibrated, or both (drift only when both agree).
	Decide Decide `json:"decide,omitempty" yaml:"decide,omitempty"`
	// Calibration holds thresholds learnt from data (modelwatch calibrate).
	Calibration *Calibration             `json:"calibration,omitempty" yaml:"calibration,omitempty"`
	Thresholds  *Thresholds              `json:"thresholds,omitempty" yaml:"thresholds,omitempty"`
	DriftShare  float64                  `json:"drift_share,omitempty" yaml:"drift_share,omitempty"`
	Correction  Correction               `json:"correction,omitempty" yaml:"correction,omitempty"`
	Missing     *Thresholds              `json:"missing,omitempty" yaml:"missing,omitempty"`
	Features    map[string]FeatureConfig `json:"features,omitempty" yaml:"features,omitempty"`
}

// Decide chooses between fixed and calibrated thresholds.
type Decide string

// The decision modes.
const (
	DecideFixed      Decide = "fixed"
	DecideCalibrated Decide = "calibrated"
	DecideBoth       Decide = "both"
)

// Calibration is a set of per-feature thresholds learnt from data: from the
// reference's own sampling noise at a window size ("sampling"), or from the
// statistics of past windows ("history"). For distances, Warn and Drift are
// high quantiles (or mean + k·σ) of the statistic under no drift; for p-value
// methods, low quantiles of the p-value.
type Calibration struct {
	Method       string  `json:"method" yaml:"method"`
	WindowSize   int     `json:"window_size,omitempty" yaml:"window_size,omitempty"`
	Quantile     float64 `json:"quantile,omitempty" yaml:"quantile,omitempty"`
	WarnQuantile float64 `json:"warn_quantile,omitempty" yaml:"warn_quantile,omitempty"`
	Draws        int     `json:"draws,omitempty" yaml:"draws,omitempty"`
	Seed         uint64  `json:"seed,omitempty" yaml:"seed,omitempty"`
	Windows      int     `json:"windows,omitempty" yaml:"windows,omitempty"`
	K            float64 `json:"k,omitempty" yaml:"k,omitempty"`
	// Features maps a feature (or "prediction") to thresholds per method.
	Features map[string]map[Method]Thresholds `json:"features" yaml:"features"`
}

// thresholds returns the calibrated thresholds of a feature and method.
func (c *Calibration) thresholds(feature string, m Method) (Thresholds, bool) {
	if c == nil {
		return Thresholds{}, false
	}
	t, ok := c.Features[feature][m]
	return t, ok
}

// FeatureConfig overrides the decision for one feature.
type FeatureConfig struct {
	Method     Method      `json:"method,omitempty" yaml:"method,omitempty"`
	Thresholds *Thresholds `json:"thresholds,omitempty" yaml:"thresholds,omitempty"`
	Ignore     bool        `json:"ignore,omitempty" yaml:"ignore,omitempty"`
}

// LoadConfig reads a YAML or JSON config file; unknown keys are errors.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read drift config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("drift config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes a YAML or JSON config and validates it.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks methods, thresholds and shares.
func (c Config) Validate() error {
	if err := checkMethod(c.Method, c.Thresholds); err != nil {
		return err
	}
	if c.DriftShare < 0 || c.DriftShare > 1 {
		return fmt.Errorf("drift_share %g: want a share in [0, 1]", c.DriftShare)
	}
	if c.Correction != "" && c.Correction != NoCorrection && c.Correction != BenjaminiHochberg {
		return fmt.Errorf("correction %q: want none or bh", c.Correction)
	}
	switch c.Decide {
	case "", DecideFixed, DecideCalibrated, DecideBoth:
	default:
		return fmt.Errorf("decide %q: want fixed, calibrated or both", c.Decide)
	}
	if c.Decide != "" && c.Decide != DecideFixed && c.Calibration == nil {
		return fmt.Errorf("decide %q needs a calibration section (modelwatch calibrate writes one)", c.Decide)
	}
	if c.Calibration != nil {
		if err := c.Calibration.validate(); err != nil {
			return fmt.Errorf("calibration: %w", err)
		}
	}
	if m := c.Missing; m != nil && (m.Warn < 0 || m.Drift < m.Warn || m.Drift > 1) {
		return fmt.Errorf("missing thresholds warn %g, drift %g: want 0 <= warn <= drift <= 1", m.Warn, m.Drift)
	}
	names := make([]string, 0, len(c.Features))
	for n := range c.Features {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := c.Features[n]
		if err := checkMethod(f.Method, f.Thresholds); err != nil {
			return fmt.Errorf("feature %s: %w", n, err)
		}
	}
	return nil
}

func (c *Calibration) validate() error {
	names := make([]string, 0, len(c.Features))
	for n := range c.Features {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for m, t := range c.Features[n] {
			if err := checkMethod(m, &t); err != nil {
				return fmt.Errorf("feature %s: %w", n, err)
			}
		}
	}
	return nil
}

func checkMethod(m Method, t *Thresholds) error {
	if m != "" && !slices.Contains(Methods, m) {
		return fmt.Errorf("method %q: want one of %v", m, Methods)
	}
	if t == nil {
		return nil
	}
	if t.Warn < 0 || t.Drift < 0 {
		return fmt.Errorf("thresholds warn %g, drift %g: must not be negative", t.Warn, t.Drift)
	}
	if m.PValue() {
		if t.Drift > t.Warn || t.Warn > 1 {
			return fmt.Errorf("p-value thresholds warn %g, drift %g: want 0 <= drift <= warn <= 1", t.Warn, t.Drift)
		}
	} else if t.Warn > t.Drift {
		return fmt.Errorf("thresholds warn %g > drift %g", t.Warn, t.Drift)
	}
	return nil
}

// decision is the method and thresholds in force for one feature.
type decision struct {
	method     Method
	thresholds Thresholds
	ignore     bool
	// calibration and decide, when a calibration is configured.
	calibration *Calibration
	decide      Decide
}

func (c Config) decisionFor(name string) decision {
	m, t := c.Method, c.Thresholds
	if m == "" {
		m = PSI
	}
	f, ok := c.Features[name]
	if ok {
		if f.Method != "" {
			m = f.Method
			t = nil // another method's thresholds do not carry over
		}
		if f.Thresholds != nil {
			t = f.Thresholds
		}
	}
	d := decision{method: m, thresholds: DefaultThresholds(m), ignore: f.Ignore, calibration: c.Calibration, decide: c.Decide}
	if d.decide == "" {
		d.decide = DecideFixed
	}
	if t != nil {
		d.thresholds = *t
	}
	return d
}

func (c Config) driftShare() float64 {
	if c.DriftShare == 0 {
		return defaultDriftShare
	}
	return c.DriftShare
}

func (c Config) missingThresholds() Thresholds {
	if c.Missing == nil {
		return Thresholds{Warn: defaultMissingWarn, Drift: defaultMissingDrft}
	}
	return *c.Missing
}
