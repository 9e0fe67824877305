package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/record"
)

// Config is the ingest function's configuration; ConfigFromEnv reads it
// from the environment (docs/ingest.md lists the variables).
type Config struct {
	// Bucket is the modelwatch bucket (BUCKET).
	Bucket string
	// MaxRecords bounds the records of one request (MAX_RECORDS).
	MaxRecords int
	// MaxBodyBytes bounds the body after base64 and gzip decoding
	// (MAX_BODY_BYTES).
	MaxBodyBytes int
	// MaxHours bounds the event hours (hour partitions) the accepted
	// records of one request span (MAX_HOURS): each hour costs a data
	// object and, for predictions, a profile.
	MaxHours int
	// UnknownFeatures is accept or reject (UNKNOWN_FEATURES).
	UnknownFeatures record.UnknownFeatures
	// MaxEventAge, MaxLabelAge and MaxEventFuture are the timestamp skew
	// limits (MAX_EVENT_AGE, MAX_LABEL_AGE, MAX_EVENT_FUTURE); 0 means no
	// limit.
	MaxEventAge, MaxLabelAge, MaxEventFuture time.Duration
	// ScoreSumTolerance is how far class scores may sum from 1
	// (SCORE_SUM_TOLERANCE).
	ScoreSumTolerance float64
	// ReferenceTTL is how long a loaded reference profile is used before
	// it is looked up again (REFERENCE_TTL).
	ReferenceTTL time.Duration
	// Namespace is the CloudWatch namespace of the EMF metrics
	// (METRICS_NAMESPACE).
	Namespace string
}

// DefaultConfig is the configuration without any variable set (and no
// bucket).
func DefaultConfig() Config {
	r := record.DefaultRules(time.Time{})
	return Config{
		MaxRecords:        10_000,
		MaxBodyBytes:      6 << 20,
		MaxHours:          24,
		UnknownFeatures:   r.UnknownFeatures,
		MaxEventAge:       r.MaxAge,
		MaxLabelAge:       r.MaxLabelAge,
		MaxEventFuture:    r.MaxFuture,
		ScoreSumTolerance: r.ScoreSumTolerance,
		ReferenceTTL:      5 * time.Minute,
		Namespace:         "ModelWatch",
	}
}

// ConfigFromEnv reads the configuration with getenv (os.Getenv), starting
// from DefaultConfig. Every malformed variable is reported, by name.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	var errs []error
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	positive := func(name string, dst *int) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", name, v))
			return
		}
		*dst = n
	}
	duration := func(name string, dst *time.Duration) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		if v == "0" {
			*dst = 0
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 168h or 5m, or 0 for no limit", name, v))
			return
		}
		*dst = d
	}
	str("BUCKET", &c.Bucket)
	str("METRICS_NAMESPACE", &c.Namespace)
	positive("MAX_RECORDS", &c.MaxRecords)
	positive("MAX_BODY_BYTES", &c.MaxBodyBytes)
	positive("MAX_HOURS", &c.MaxHours)
	duration("MAX_EVENT_AGE", &c.MaxEventAge)
	duration("MAX_LABEL_AGE", &c.MaxLabelAge)
	duration("MAX_EVENT_FUTURE", &c.MaxEventFuture)
	duration("REFERENCE_TTL", &c.ReferenceTTL)
	if v := strings.TrimSpace(getenv("UNKNOWN_FEATURES")); v != "" {
		u, err := record.ParseUnknownFeatures(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("UNKNOWN_FEATURES: %w", err))
		}
		c.UnknownFeatures = u
	}
	if v := strings.TrimSpace(getenv("SCORE_SUM_TOLERANCE")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f >= 1 || math.IsNaN(f) {
			errs = append(errs, fmt.Errorf("SCORE_SUM_TOLERANCE=%q: want a number in [0, 1)", v))
		} else {
			c.ScoreSumTolerance = f
		}
	}
	if c.Bucket == "" {
		errs = append(errs, errors.New("BUCKET is not set: name the modelwatch bucket"))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("ingest configuration: %w", err)
	}
	return c, nil
}

// limits are the bounds of c on one request.
func (c Config) limits() limits { return limits{records: c.MaxRecords, hours: c.MaxHours} }

// rules are the record validation rules of c at time now.
func (c Config) rules(now time.Time) record.Rules {
	r := record.DefaultRules(now)
	r.MaxAge, r.MaxLabelAge, r.MaxFuture = c.MaxEventAge, c.MaxLabelAge, c.MaxEventFuture
	r.ScoreSumTolerance = c.ScoreSumTolerance
	r.UnknownFeatures = c.UnknownFeatures
	return r
}
