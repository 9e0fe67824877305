package monitor

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/drift"
)

// Settings are what the drift function reads from its environment.
type Settings struct {
	Config
	// Bucket is the modelwatch bucket (BUCKET).
	Bucket string
	// Namespace is the CloudWatch namespace (METRICS_NAMESPACE).
	Namespace string
	// CloudWatchProtocol selects the CloudWatch wire protocol
	// (CLOUDWATCH_PROTOCOL: cbor, query or json).
	CloudWatchProtocol string
}

// SettingsFromEnv reads the drift function's environment:
//
//	BUCKET               the modelwatch bucket (required)
//	MODELS               comma-separated models (default: every model with a reference)
//	WINDOW               schedule period and default window, whole hours (default 1h)
//	LOOKBACK             label lookback (default 168h; "0" turns late labels off)
//	CONCURRENCY          concurrent S3 requests (default 32)
//	DRIFT_CONFIG         default drift config, YAML or JSON (default: the drift defaults)
//	FEATURE_METRICS      per-feature metrics: psi,kl,js,hellinger,wasserstein,ks or none (default psi)
//	POSITIVE_CLASS       positive class of binary classifiers for ROC AUC
//	METRICS_NAMESPACE    CloudWatch namespace (default ModelWatch)
//	CLOUDWATCH_PROTOCOL  cbor (default), query (moto) or json
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{
		Bucket:             strings.TrimSpace(getenv("BUCKET")),
		Namespace:          strings.TrimSpace(getenv("METRICS_NAMESPACE")),
		CloudWatchProtocol: strings.TrimSpace(getenv("CLOUDWATCH_PROTOCOL")),
	}
	if s.Bucket == "" {
		return s, fmt.Errorf("BUCKET is not set")
	}
	if s.Namespace == "" {
		s.Namespace = catalog.DefaultNamespace
	}
	for _, m := range strings.Split(getenv("MODELS"), ",") {
		if m = strings.TrimSpace(m); m != "" {
			s.Models = append(s.Models, m)
		}
	}
	var err error
	if s.Window, err = envDuration(getenv, "WINDOW"); err != nil {
		return s, err
	}
	if v := strings.TrimSpace(getenv("LOOKBACK")); v == "0" || v == "off" {
		s.Lookback = -1
	} else if s.Lookback, err = envDuration(getenv, "LOOKBACK"); err != nil {
		return s, err
	}
	if v := strings.TrimSpace(getenv("CONCURRENCY")); v != "" {
		if s.Concurrency, err = strconv.Atoi(v); err != nil || s.Concurrency < 1 {
			return s, fmt.Errorf("CONCURRENCY %q: want a positive integer", v)
		}
	}
	if v := getenv("DRIFT_CONFIG"); strings.TrimSpace(v) != "" {
		cfg, err := drift.ParseConfig([]byte(v))
		if err != nil {
			return s, fmt.Errorf("DRIFT_CONFIG: %w", err)
		}
		s.Drift = &cfg
	}
	if s.FeatureMetrics, err = ParseFeatureMetrics(getenv("FEATURE_METRICS")); err != nil {
		return s, fmt.Errorf("FEATURE_METRICS: %w", err)
	}
	if s.FeatureMetrics == nil {
		s.FeatureMetrics = []drift.Method{}
	}
	s.PositiveClass = getenv("POSITIVE_CLASS")
	if _, err := s.Config.withDefaults(); err != nil {
		return s, err
	}
	return s, nil
}

func envDuration(getenv func(string) string, name string) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive duration such as 1h", name, v)
	}
	return d, nil
}
