package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/modelwatch/modelwatch/shared/store"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in                  string
		scheme, bucket, key string
		wantErr             bool
	}{
		{in: "s3://bucket/a/b.json", scheme: "s3", bucket: "bucket", key: "a/b.json"},
		{in: "s3://bucket/model=m/dt=2024-05-01/x y.json", scheme: "s3", bucket: "bucket", key: "model=m/dt=2024-05-01/x y.json"},
		{in: "S3://bucket/k", scheme: "s3", bucket: "bucket", key: "k"},
		{in: "s3://bucket", scheme: "s3", bucket: "bucket", key: ""},
		{in: "s3://bucket/", scheme: "s3", bucket: "bucket", key: ""},
		{in: "out/report.json", scheme: "file", key: filepath.FromSlash("out/report.json")},
		{in: "./out//report.json", scheme: "file", key: filepath.FromSlash("out/report.json")},
		{in: "/tmp/r.json", scheme: "file", key: filepath.FromSlash("/tmp/r.json")},
		{in: "file:///tmp/r.json", scheme: "file", key: filepath.FromSlash("/tmp/r.json")},
		{in: "", wantErr: true},
		{in: "s3://", wantErr: true},
		{in: "s3:///key", wantErr: true},
		{in: "gs://bucket/key", wantErr: true},
		{in: "https://example.com/x", wantErr: true},
	}
	for _, c := range cases {
		scheme, bucket, key, err := store.ParseURL(c.in)
		if c.wantErr {
			if err == nil {
				t.Errorf("ParseURL(%q) = %q, %q, %q; want an error", c.in, scheme, bucket, key)
			}
			continue
		}
		if err != nil || scheme != c.scheme || bucket != c.bucket || key != c.key {
			t.Errorf("ParseURL(%q) = %q, %q, %q, %v; want %q, %q, %q", c.in, scheme, bucket, key, err, c.scheme, c.bucket, c.key)
		}
	}
}

func TestOpenURLLocal(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "report.json")
	ctx := ctxT(t)
	st, key, err := store.OpenURL(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if key != "report.json" {
		t.Fatalf("key = %q, want report.json", key)
	}
	l, ok := st.(*store.Local)
	if !ok {
		t.Fatalf("OpenURL(local) returned %T", st)
	}
	if l.Root() != filepath.Join(dir, "sub") {
		t.Fatalf("Root = %q", l.Root())
	}
	if err := st.Put(ctx, key, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(target); err != nil || string(got) != "hello" {
		t.Fatalf("file = %q, %v", got, err)
	}
	if _, _, err := store.OpenURL(ctx, dir); err == nil {
		t.Fatal("OpenURL(directory) succeeded")
	}
	if _, _, err := store.OpenURL(ctx, "gs://b/k"); err == nil {
		t.Fatal("OpenURL(gs://) succeeded")
	}
}
