package reference_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

func buildProfile(t *testing.T, model, version string) *profile.Profile {
	t.Helper()
	r, err := dataset.NewReader(strings.NewReader("x,c\n1,a\n2,b\n3,a\n"), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Build(context.Background(), r, "ref.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), Model: model, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPublishLoadModels(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	for _, v := range []string{"v1", "v2"} {
		if _, err := reference.Publish(ctx, st, buildProfile(t, "fraud", v), now); err != nil {
			t.Fatal(err)
		}
	}
	reference.Publish(ctx, st, buildProfile(t, "churn", "v1"), now)
	p, ptr, err := reference.Load(ctx, st, "fraud")
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != "v2" || ptr.Version != "v2" || ptr.Key != "reference/fraud/v2/profile.json" {
		t.Errorf("loaded %s via %+v, want v2", p.Version, ptr)
	}
	models, err := reference.Models(ctx, st)
	if err != nil || strings.Join(models, ",") != "churn,fraud" {
		t.Errorf("models %v %v", models, err)
	}
	if _, _, err := reference.Load(ctx, st, "nope"); !errors.Is(err, reference.ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := reference.Publish(ctx, st, buildProfile(t, "", "v1"), now); err == nil || !strings.Contains(err.Error(), "--model") {
		t.Errorf("publish without a model: %v", err)
	}
}
