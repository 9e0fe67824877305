package alarm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

// DefaultRetrainMetrics are the metrics whose alarms request retraining
// unless a policy says otherwise: those of the catalog's retrain-trigger
// alarms (the drift alarms and accuracy).
var DefaultRetrainMetrics = catalog.RetrainMetrics()

// DefaultCooldown is the default cooldown: at most one retraining request
// per model per day.
const DefaultCooldown = 24 * time.Hour

// Policy decides which alarms request retraining and how often.
type Policy struct {
	// RetrainMetrics are the metric names whose transitions into ALARM
	// request retraining; alarms on other metrics only notify people.
	RetrainMetrics []string
	// Cooldown is the length of a cooldown slot: at most one request per
	// model per slot. Slots are counted from the Unix epoch (24h slots
	// start at 00:00 UTC). Whole seconds, at least one.
	Cooldown time.Duration
	// Namespace, when set, restricts triggers to metrics of this CloudWatch
	// namespace (an alarm whose namespace is unknown still counts); empty
	// accepts any.
	Namespace string
	// Models overrides RetrainMetrics and Cooldown per model.
	Models map[string]ModelPolicy
}

// ModelPolicy overrides the policy for one model. A nil RetrainMetrics or a
// zero Cooldown keeps the policy's own.
type ModelPolicy struct {
	RetrainMetrics []string
	Cooldown       time.Duration
}

// DefaultPolicy returns the default policy: DefaultRetrainMetrics,
// DefaultCooldown, any namespace.
func DefaultPolicy() Policy {
	return Policy{RetrainMetrics: slices.Clone(DefaultRetrainMetrics), Cooldown: DefaultCooldown}
}

// IsRetrainTrigger reports whether an alarm on metric (of namespace) for
// model requests retraining.
func (p Policy) IsRetrainTrigger(model, namespace, metric string) bool {
	if metric == "" || (p.Namespace != "" && namespace != "" && namespace != p.Namespace) {
		return false
	}
	metrics := p.RetrainMetrics
	if mp, ok := p.Models[model]; ok && mp.RetrainMetrics != nil {
		metrics = mp.RetrainMetrics
	}
	return slices.Contains(metrics, metric)
}

// CooldownFor returns model's cooldown.
func (p Policy) CooldownFor(model string) time.Duration {
	if mp, ok := p.Models[model]; ok && mp.Cooldown > 0 {
		return mp.Cooldown
	}
	return p.Cooldown
}

// Validate checks cooldowns (whole seconds, at least 1s, since slots are
// named to the second), metric names and model names.
func (p Policy) Validate() error {
	if err := checkCooldown(p.Cooldown); err != nil {
		return fmt.Errorf("policy: cooldown: %w", err)
	}
	if err := checkMetrics(p.RetrainMetrics); err != nil {
		return fmt.Errorf("policy: retrain_metrics: %w", err)
	}
	for _, model := range sortedKeys(p.Models) {
		mp := p.Models[model]
		if err := layout.CheckModel(model); err != nil {
			return fmt.Errorf("policy: models: %w", err)
		}
		if mp.Cooldown != 0 {
			if err := checkCooldown(mp.Cooldown); err != nil {
				return fmt.Errorf("policy: models.%s.cooldown: %w", model, err)
			}
		}
		if err := checkMetrics(mp.RetrainMetrics); err != nil {
			return fmt.Errorf("policy: models.%s.retrain_metrics: %w", model, err)
		}
	}
	return nil
}

func checkCooldown(d time.Duration) error {
	if d < time.Second || d%time.Second != 0 {
		return fmt.Errorf("%v: want whole seconds, at least 1s", d)
	}
	return nil
}

func checkMetrics(metrics []string) error {
	for _, m := range metrics {
		if m == "" || len(m) > 255 || strings.TrimSpace(m) != m {
			return fmt.Errorf("metric name %q: want 1-255 characters without surrounding spaces", m)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// policyDocument is the JSON form of a Policy:
//
//	{"retrain_metrics": ["MaxFeaturePSI", "Accuracy"], "cooldown": "24h",
//	 "namespace": "ModelWatch",
//	 "models": {"fraud": {"retrain_metrics": ["Accuracy"], "cooldown": "6h"}}}
type policyDocument struct {
	RetrainMetrics *[]string                `json:"retrain_metrics"`
	Cooldown       *string                  `json:"cooldown"`
	Namespace      *string                  `json:"namespace"`
	Models         map[string]modelDocument `json:"models"`
}

type modelDocument struct {
	RetrainMetrics *[]string `json:"retrain_metrics"`
	Cooldown       *string   `json:"cooldown"`
}

// ParsePolicy reads a JSON policy document over base: every field the
// document sets replaces base's (models are replaced per model). Unknown
// fields, bad durations and invalid names are errors that say where.
func ParsePolicy(data []byte, base Policy) (Policy, error) {
	var doc policyDocument
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Policy{}, fmt.Errorf("policy document: %w", err)
	}
	if dec.More() {
		return Policy{}, fmt.Errorf("policy document: data after the JSON object")
	}
	p := base
	p.RetrainMetrics = slices.Clone(base.RetrainMetrics)
	p.Models = make(map[string]ModelPolicy, len(base.Models)+len(doc.Models))
	for k, v := range base.Models {
		p.Models[k] = v
	}
	if doc.RetrainMetrics != nil {
		p.RetrainMetrics = nonNilStrings(*doc.RetrainMetrics)
	}
	if doc.Cooldown != nil {
		d, err := parseCooldown(*doc.Cooldown)
		if err != nil {
			return Policy{}, fmt.Errorf("policy document: cooldown: %w", err)
		}
		p.Cooldown = d
	}
	if doc.Namespace != nil {
		p.Namespace = *doc.Namespace
	}
	for _, model := range sortedKeys(doc.Models) {
		md := doc.Models[model]
		var mp ModelPolicy
		if md.RetrainMetrics != nil {
			mp.RetrainMetrics = nonNilStrings(*md.RetrainMetrics)
		}
		if md.Cooldown != nil {
			d, err := parseCooldown(*md.Cooldown)
			if err != nil {
				return Policy{}, fmt.Errorf("policy document: models.%s.cooldown: %w", model, err)
			}
			mp.Cooldown = d
		}
		p.Models[model] = mp
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("policy document: %w", err)
	}
	return p, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func parseCooldown(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 24h or 90m", s)
	}
	if err := checkCooldown(d); err != nil {
		return 0, err
	}
	return d, nil
}

// Environment variables read by PolicyFromEnv.
const (
	EnvRetrainMetrics   = "RETRAIN_METRICS"
	EnvRetrainCooldown  = "RETRAIN_COOLDOWN"
	EnvMetricsNamespace = "METRICS_NAMESPACE"
)

// PolicyFromEnv returns DefaultPolicy with RETRAIN_METRICS (a comma-separated
// list of metric names; "none" for no trigger at all), RETRAIN_COOLDOWN (a
// Go duration such as 24h) and METRICS_NAMESPACE (the namespace of
// modelwatch's metrics) applied when set. getenv is os.Getenv in
// production.
func PolicyFromEnv(getenv func(string) string) (Policy, error) {
	p := DefaultPolicy()
	if v := strings.TrimSpace(getenv(EnvRetrainMetrics)); v != "" {
		p.RetrainMetrics = []string{}
		if !strings.EqualFold(v, "none") {
			for _, m := range strings.Split(v, ",") {
				if m = strings.TrimSpace(m); m != "" {
					p.RetrainMetrics = append(p.RetrainMetrics, m)
				}
			}
		}
	}
	if v := getenv(EnvRetrainCooldown); v != "" {
		d, err := parseCooldown(v)
		if err != nil {
			return Policy{}, fmt.Errorf("%s: %w", EnvRetrainCooldown, err)
		}
		p.Cooldown = d
	}
	p.Namespace = strings.TrimSpace(getenv(EnvMetricsNamespace))
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("%s/%s: %w", EnvRetrainMetrics, EnvRetrainCooldown, err)
	}
	return p, nil
}

// PolicySource gives the handler the policy in force.
type PolicySource interface {
	Policy(ctx context.Context) (Policy, error)
}

// StaticPolicy is a PolicySource that never changes.
type StaticPolicy Policy

// Policy implements PolicySource.
func (s StaticPolicy) Policy(context.Context) (Policy, error) { return Policy(s), nil }

// StoredPolicy is a PolicySource reading a JSON policy document (see
// ParsePolicy) from a store, over a base policy, and caching it for a TTL,
// so an edited document takes effect within the TTL without a redeploy.
type StoredPolicy struct {
	st   store.Store
	key  string
	base Policy
	ttl  time.Duration
	now  func() time.Time

	mu       sync.Mutex
	cached   Policy
	loadedAt time.Time
	loaded   bool
}

// DefaultPolicyTTL is how long NewStoredPolicy keeps a document by default.
const DefaultPolicyTTL = 5 * time.Minute

// NewStoredPolicy returns a PolicySource for the document at key in st.
// ttl <= 0 means DefaultPolicyTTL.
func NewStoredPolicy(st store.Store, key string, base Policy, ttl time.Duration) *StoredPolicy {
	if ttl <= 0 {
		ttl = DefaultPolicyTTL
	}
	return &StoredPolicy{st: st, key: key, base: base, ttl: ttl, now: time.Now}
}

// Policy implements PolicySource. A document that cannot be read or is
// invalid is an error (the alarm is retried, not judged by a stale or
// default policy).
func (s *StoredPolicy) Policy(ctx context.Context) (Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.loaded && now.Sub(s.loadedAt) < s.ttl {
		return s.cached, nil
	}
	data, err := s.st.Get(ctx, s.key)
	if err != nil {
		return Policy{}, fmt.Errorf("read alarm policy %s: %w", s.key, err)
	}
	p, err := ParsePolicy(data, s.base)
	if err != nil {
		return Policy{}, fmt.Errorf("alarm policy %s: %w", s.key, err)
	}
	s.cached, s.loadedAt, s.loaded = p, now, true
	return p, nil
}
