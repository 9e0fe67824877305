package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/record"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Reference is a model's reference profile with what validation needs.
type Reference struct {
	Profile *profile.Profile
	Version string
	Schema  *record.Schema
}

// References gives the reference profile of a model: the active one, or a
// given version (to finish a batch that was validated against an older
// one). Errors for a model without an active reference wrap
// reference.ErrUnknownModel.
type References interface {
	Current(ctx context.Context, model string) (*Reference, error)
	Version(ctx context.Context, model, version string) (*Reference, error)
}

// ReferenceCache loads references from the bucket and keeps them for a TTL,
// so that a warm function reads reference/{model}/current.json at most once
// per TTL per model. When a reload fails for another reason than the model
// having no reference, the expired entry is used and the failure logged.
// Versions are immutable and kept without a TTL. It is safe for concurrent
// use.
type ReferenceCache struct {
	st  store.Store
	ttl time.Duration
	now func() time.Time
	log *slog.Logger

	mu       sync.Mutex
	current  map[string]cachedReference
	versions map[string]*Reference
}

type cachedReference struct {
	ref      *Reference
	loadedAt time.Time
}

var _ References = (*ReferenceCache)(nil)

// NewReferenceCache returns a cache over st with the given TTL (0 loads the
// reference for every request).
func NewReferenceCache(st store.Store, ttl time.Duration, log *slog.Logger) *ReferenceCache {
	if log == nil {
		log = slog.Default()
	}
	return &ReferenceCache{st: st, ttl: ttl, now: time.Now, log: log,
		current: make(map[string]cachedReference), versions: make(map[string]*Reference)}
}

// Current implements References.
func (c *ReferenceCache) Current(ctx context.Context, model string) (*Reference, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.current[model]
	c.mu.Unlock()
	if ok && now.Sub(e.loadedAt) < c.ttl {
		return e.ref, nil
	}
	p, ptr, err := reference.Load(ctx, c.st, model)
	if err != nil {
		if ok && !errors.Is(err, reference.ErrUnknownModel) {
			c.log.WarnContext(ctx, "reference reload failed; using the cached one", "model", model,
				"version", e.ref.Version, "error", err.Error())
			return e.ref, nil
		}
		if ok {
			c.mu.Lock()
			delete(c.current, model)
			c.mu.Unlock()
		}
		return nil, err
	}
	ref, err := newReference(p, ptr.Version)
	if err != nil {
		return nil, fmt.Errorf("reference of %s: %w", model, err)
	}
	if ok && e.ref.Profile.Fingerprint == p.Fingerprint && e.ref.Version == ptr.Version {
		ref = e.ref // unchanged: keep the schema already built
	}
	c.mu.Lock()
	c.current[model] = cachedReference{ref: ref, loadedAt: now}
	c.mu.Unlock()
	return ref, nil
}

// Version implements References.
func (c *ReferenceCache) Version(ctx context.Context, model, version string) (*Reference, error) {
	if err := layout.CheckModel(model); err != nil {
		return nil, err
	}
	if err := layout.CheckVersion(version); err != nil {
		return nil, err
	}
	key := model + "/" + version
	c.mu.Lock()
	ref, ok := c.versions[key]
	if e, cur := c.current[model]; !ok && cur && e.ref.Version == version {
		ref, ok = e.ref, true
	}
	c.mu.Unlock()
	if ok {
		return ref, nil
	}
	data, err := c.st.Get(ctx, layout.ReferenceProfile(model, version))
	if err != nil {
		return nil, fmt.Errorf("load reference %s %s: %w", model, version, err)
	}
	p, err := profile.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("load reference %s %s: %w", model, version, err)
	}
	ref, err = newReference(p, version)
	if err != nil {
		return nil, fmt.Errorf("load reference %s %s: %w", model, version, err)
	}
	c.mu.Lock()
	c.versions[key] = ref
	c.mu.Unlock()
	return ref, nil
}

func newReference(p *profile.Profile, version string) (*Reference, error) {
	s, err := record.NewSchema(p)
	if err != nil {
		return nil, err
	}
	return &Reference{Profile: p, Version: version, Schema: s}, nil
}
