package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Pointer is the content of reference/{model}/current.json.
type Pointer struct {
	Model     string    `json:"model"`
	Version   string    `json:"version"`
	Key       string    `json:"key"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ErrUnknownModel is wrapped when a model has no active reference.
var ErrUnknownModel = errors.New("no reference profile for this model")

// Publish stores reference profile p under its model and version and makes
// it the model's active reference: the profile first, the pointer last, so a
// reader never follows a pointer to a missing profile.
func Publish(ctx context.Context, st store.Store, p *profile.Profile, now time.Time) (Pointer, error) {
	if p.Type != profile.Reference {
		return Pointer{}, fmt.Errorf("publish reference: a %s profile, want a reference profile", p.Type)
	}
	if err := layout.CheckModel(p.Model); err != nil {
		return Pointer{}, fmt.Errorf("publish reference: %w (set --model when building the profile)", err)
	}
	if err := layout.CheckVersion(p.Version); err != nil {
		return Pointer{}, fmt.Errorf("publish reference: %w (set --version when building the profile)", err)
	}
	data, err := p.Encode()
	if err != nil {
		return Pointer{}, err
	}
	ptr := Pointer{Model: p.Model, Version: p.Version, Key: layout.ReferenceProfile(p.Model, p.Version), UpdatedAt: now.UTC()}
	if err := st.Put(ctx, ptr.Key, data, store.WithContentType("application/json")); err != nil {
		return Pointer{}, fmt.Errorf("publish reference %s %s: %w", p.Model, p.Version, err)
	}
	doc, err := json.MarshalIndent(ptr, "", "  ")
	if err != nil {
		return Pointer{}, fmt.Errorf("publish reference: %w", err)
	}
	if err := st.Put(ctx, layout.ReferencePointer(p.Model), doc, store.WithContentType("application/json")); err != nil {
		return Pointer{}, fmt.Errorf("publish reference pointer of %s: %w", p.Model, err)
	}
	return ptr, nil
}

// Load returns the active reference profile of model and its pointer.
func Load(ctx context.Context, st store.Store, model string) (*profile.Profile, Pointer, error) {
	if err := layout.CheckModel(model); err != nil {
		return nil, Pointer{}, err
	}
	doc, err := st.Get(ctx, layout.ReferencePointer(model))
	if errors.Is(err, store.ErrNotFound) {
		return nil, Pointer{}, fmt.Errorf("load reference of %s: %w", model, ErrUnknownModel)
	}
	if err != nil {
		return nil, Pointer{}, fmt.Errorf("load reference pointer of %s: %w", model, err)
	}
	var ptr Pointer
	if err := json.Unmarshal(doc, &ptr); err != nil {
		return nil, Pointer{}, fmt.Errorf("load reference pointer of %s: %w", model, err)
	}
	if ptr.Key != layout.ReferenceProfile(model, ptr.Version) {
		return nil, Pointer{}, fmt.Errorf("load reference pointer of %s: key %q does not match version %q", model, ptr.Key, ptr.Version)
	}
	data, err := st.Get(ctx, ptr.Key)
	if err != nil {
		return nil, Pointer{}, fmt.Errorf("load reference profile of %s %s: %w", model, ptr.Version, err)
	}
	p, err := profile.Decode(data)
	if err != nil {
		return nil, Pointer{}, fmt.Errorf("load reference profile of %s %s: %w", model, ptr.Version, err)
	}
	if p.Type != profile.Reference {
		return nil, Pointer{}, fmt.Errorf("load reference profile of %s %s: a %s profile", model, ptr.Version, p.Type)
	}
	return p, ptr, nil
}

// Models lists the models that have an active reference, sorted.
func Models(ctx context.Context, st store.Store) ([]string, error) {
	objs, err := st.List(ctx, layout.ReferencePrefix)
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	var models []string
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, layout.ReferencePrefix)
		if m, ok := strings.CutSuffix(rest, "/current.json"); ok && !strings.Contains(m, "/") {
			models = append(models, m)
		}
	}
	sort.Strings(models)
	return models, nil
}
