package alarm

import (
	"context"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/store"
)

func TestStoredPolicyReloadsAfterTTL(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	st.Put(ctx, "p.json", []byte(`{"cooldown": "1h"}`))
	now := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	src := NewStoredPolicy(st, "p.json", DefaultPolicy(), time.Minute)
	src.now = func() time.Time { return now }
	if p, err := src.Policy(ctx); err != nil || p.Cooldown != time.Hour {
		t.Fatalf("%+v %v", p, err)
	}
	st.Put(ctx, "p.json", []byte(`{"cooldown": "2h"}`))
	now = now.Add(59 * time.Second)
	if p, _ := src.Policy(ctx); p.Cooldown != time.Hour {
		t.Errorf("reloaded inside the TTL: %v", p.Cooldown)
	}
	now = now.Add(time.Second)
	if p, err := src.Policy(ctx); err != nil || p.Cooldown != 2*time.Hour {
		t.Errorf("not reloaded after the TTL: %+v %v", p, err)
	}
}
