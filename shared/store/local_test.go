package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/store"
)

func TestLocalBadKeys(t *testing.T) {
	root := t.TempDir()
	l, err := store.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	bad := []string{
		"",
		"/etc/passwd",
		"../escape",
		"a/../../escape",
		"a/../b",
		"..",
		".",
		"./a",
		"a/./b",
		"a//b",
		"a/",
		"a\\b",
		"a\x00b",
		".mwtmp-x",
		"a/.mwtmp-x",
	}
	for _, key := range bad {
		if err := l.Put(ctx, key, []byte("x")); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Put(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if err := l.PutIfAbsent(ctx, key, []byte("x")); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("PutIfAbsent(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if _, err := l.Get(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Get(%q) err = %v, want ErrInvalidKey", key, err)
		}
		if err := l.Delete(ctx, key); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("Delete(%q) err = %v, want ErrInvalidKey", key, err)
		}
	}
	for _, prefix := range []string{"../", "/abs/", "a/../", "a//b"} {
		if _, err := l.List(ctx, prefix); !errors.Is(err, store.ErrInvalidKey) {
			t.Errorf("List(%q) err = %v, want ErrInvalidKey", prefix, err)
		}
	}
	// Nothing was written anywhere.
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Fatalf("root not empty after rejected writes: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "escape")); err == nil {
		t.Fatal("a key escaped the root")
	}
}

func TestLocalLayoutOnDisk(t *testing.T) {
	root := t.TempDir()
	l, err := store.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	key := "reference/churn/v3/profile.json"
	if err := l.Put(ctx, key, []byte("{}"), store.WithContentType("application/json")); err != nil {
		t.Fatal(err)
	}
	if err := l.PutIfAbsent(ctx, "retrain/model=churn/s1.json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "reference", "churn", "v3", "profile.json")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatalf("object not at the expected path: %v", err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	if got, _ := l.Path(key); got != p {
		t.Errorf("Path(%q) = %q, want %q", key, got, p)
	}
	// No temporary files are left behind.
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".mwtmp-") {
			t.Errorf("leftover temp file %s", path)
		}
		return nil
	})
	// A key whose "parent" is an object: reads are not-found, writes fail.
	if _, err := l.Get(ctx, key+"/child"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get below a file err = %v, want ErrNotFound", err)
	}
	if err := l.Delete(ctx, key+"/child"); err != nil {
		t.Errorf("Delete below a file err = %v", err)
	}
	if objs, err := l.List(ctx, key+"/"); err != nil || len(objs) != 0 {
		t.Errorf("List below a file = %v, %v", objs, err)
	}
}

func TestNewLocalErrors(t *testing.T) {
	if _, err := store.NewLocal(""); err == nil {
		t.Error("NewLocal(\"\") succeeded")
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := store.NewLocal(f); err == nil {
		t.Error("NewLocal(file) succeeded")
	}
	// A missing root is fine: it is created on first write.
	root := filepath.Join(t.TempDir(), "not", "yet")
	l, err := store.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	if objs, err := l.List(ctx, ""); err != nil || len(objs) != 0 {
		t.Fatalf("List on missing root = %v, %v", objs, err)
	}
	if _, err := l.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on missing root err = %v", err)
	}
	if err := l.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
}

func TestMemoryMetadata(t *testing.T) {
	m := store.NewMemory()
	ctx := ctxT(t)
	if err := m.Put(ctx, "a.jsonl.gz", []byte("x"), store.WithContentType("application/x-ndjson"), store.WithContentEncoding("gzip")); err != nil {
		t.Fatal(err)
	}
	ct, ce, ok := m.Metadata("a.jsonl.gz")
	if !ok || ct != "application/x-ndjson" || ce != "gzip" {
		t.Fatalf("Metadata = %q, %q, %v", ct, ce, ok)
	}
	if _, _, ok := m.Metadata("missing"); ok {
		t.Fatal("Metadata(missing) ok")
	}
	if got := m.Keys(); len(got) != 1 || got[0] != "a.jsonl.gz" {
		t.Fatalf("Keys = %v", got)
	}
}
