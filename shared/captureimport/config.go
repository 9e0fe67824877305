package captureimport

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/ingest"
)

// Config is the capture-import function's configuration.
type Config struct {
	// Ingest configures the ingest path every record goes through (the
	// ingest function's variables; docs/ingest.md). A capture object is one
	// batch, so MAX_RECORDS defaults to 100000 and MAX_BODY_BYTES to 256 MiB
	// here.
	Ingest ingest.Config
	// CaptureBucket is the bucket Data Capture writes to (CAPTURE_BUCKET).
	CaptureBucket string
	// MappingTTL is how long the mappings are used before they are listed
	// again (MAPPING_TTL, default 5m).
	MappingTTL time.Duration
}

// The ingest limits of a capture batch when the variables are not set.
const (
	DefaultMaxRecords   = 100_000
	DefaultMaxBodyBytes = 256 << 20
)

// ConfigFromEnv reads the configuration with getenv (os.Getenv).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	withDefaults := func(name string) string {
		v := getenv(name)
		if strings.TrimSpace(v) != "" {
			return v
		}
		switch name {
		case "MAX_RECORDS":
			return fmt.Sprint(DefaultMaxRecords)
		case "MAX_BODY_BYTES":
			return fmt.Sprint(DefaultMaxBodyBytes)
		}
		return v
	}
	var errs []error
	ic, err := ingest.ConfigFromEnv(withDefaults)
	if err != nil {
		errs = append(errs, err)
	}
	c := Config{Ingest: ic, CaptureBucket: strings.TrimSpace(getenv("CAPTURE_BUCKET")), MappingTTL: 5 * time.Minute}
	if c.CaptureBucket == "" {
		errs = append(errs, errors.New("CAPTURE_BUCKET is not set: name the bucket SageMaker Data Capture writes to"))
	}
	if v := strings.TrimSpace(getenv("MAPPING_TTL")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("MAPPING_TTL=%q: want a duration such as 5m", v))
		} else {
			c.MappingTTL = d
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("capture import configuration: %w", err)
	}
	return c, nil
}
