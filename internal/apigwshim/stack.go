package apigwshim

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// The credentials and region the shim of StartIngest accepts.
const (
	AccessKeyID     = "AKIDMODELWATCHSHIM"
	SecretAccessKey = "modelwatch-shim-secret"
	Region          = "us-east-1"
	// Model is the example model whose reference StartIngest publishes.
	Model = "credit-default"
)

// Stack is the ingest API as the clients see it: the real ingest bootstrap
// under aws-lambda-rie, storing into a fresh bucket of moto's S3 that holds
// the example reference (testdata/example), behind a Shim on 127.0.0.1.
type Stack struct {
	// URL is the API's base URL (the stack output IngestApiUrl).
	URL    string
	Shim   *Shim
	Bucket string
	Store  *store.S3
	Moto   *motoserver.Server
	Fn     *lambdarie.Function
}

// StartIngest starts a Stack for the test; the test's TestMain must run
// motoserver.RunMain. It fails the test when moto or the emulator is
// missing, and skips it with -short.
func StartIngest(t testing.TB) *Stack {
	t.Helper()
	bin := lambdarie.Build(t, "./functions/ingest")
	srv := motoserver.Shared(t)
	s := &Stack{Moto: srv, Bucket: srv.NewBucket(t)}
	s.Store = store.NewS3(srv.S3Client(), s.Bucket)

	root := moduleRoot(t)
	r, err := dataset.Open(filepath.Join(root, "testdata", "example", "reference.csv"), dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := profile.Build(context.Background(), r, "reference.csv", profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: Model, Version: "v1"})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(context.Background(), s.Store, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Fn = lambdarie.Start(t, bin,
		"BUCKET="+s.Bucket,
		"AWS_ENDPOINT_URL="+srv.URL,
		"AWS_ACCESS_KEY_ID="+motoserver.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+motoserver.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	s.Shim = New(s.Fn, AccessKeyID, SecretAccessKey, Region)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s.Shim, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	s.URL = "http://" + ln.Addr().String()
	return s
}

// Keys lists the bucket's keys under prefix.
func (s *Stack) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	objs, err := s.Store.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(b)))
}

// Records counts the JSON Lines records of the gzip objects under prefix
// (predictions/ or labels/).
func (s *Stack) Records(t testing.TB, prefix string) int {
	t.Helper()
	n := 0
	for _, key := range s.Keys(t, prefix) {
		data, err := s.Store.Get(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		n += bytes.Count(text, []byte{'\n'})
	}
	return n
}
