package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/store"
)

const (
	captureTestdata = "../../testdata/capture"
	captureMapping  = captureTestdata + "/capture.yaml"
)

// bucketWithReference is a local bucket directory holding the example
// reference of model credit-default as its active reference.
func bucketWithReference(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "reference.json")
	if code, _, stderr := runCLI(t, "profile", "build", "--input", exampleRef, "--out", out, "--model", "credit-default", "--version", "v1"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, "profile", "publish", "--profile", out, "--bucket", dir); code != exitOK {
		t.Fatal(stderr)
	}
	return dir
}

func localKeys(t *testing.T, dir string) []string {
	t.Helper()
	st, err := store.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := st.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		if !strings.HasPrefix(o.Key, "reference/") {
			out = append(out, o.Key)
		}
	}
	return out
}

func TestImportSageMakerCaptureFromADirectory(t *testing.T) {
	bucket := bucketWithReference(t)
	args := []string{"import", "sagemaker-capture", "--model", "credit-default", "--bucket", bucket, "--mapping", captureMapping,
		captureTestdata + "/datacapture", captureTestdata + "/ground-truth"}
	code, stdout, stderr := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "model credit-default: 4 files imported (0 already imported), 0 skipped: 8 prediction and 5 label records, 13 accepted, 0 rejected; 1 lines unreadable\n"
	if !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout\n%s\nwant\n%s", stdout, want)
	}
	keys := localKeys(t, bucket)
	// Per capture file a receipt, data and profile; for the ground truth a
	// receipt and labels; and the unreadable lines of one file.
	if n := len(keys); n != 3*3+2+1 {
		t.Errorf("%d objects: %v", n, keys)
	}
	code, stdout, stderr = runCLI(t, args...)
	if code != exitOK || !strings.Contains(stdout, "4 files imported (4 already imported)") {
		t.Fatalf("again: exit %d: %s %s", code, stdout, stderr)
	}
	if again := localKeys(t, bucket); !slices.Equal(again, keys) {
		t.Errorf("importing again stored objects: %v", again)
	}
}

func TestImportSageMakerCaptureFromS3MatchesTheFunctionsBatchIDs(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Env(t)
	ctx := context.Background()
	data, capture := srv.NewBucket(t), srv.NewBucket(t)
	local := bucketWithReference(t)
	// The reference and the mapping, copied into the S3 bucket.
	for _, key := range []string{"reference/credit-default/current.json", "reference/credit-default/v1/profile.json"} {
		b, err := os.ReadFile(filepath.Join(local, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(data), Key: aws.String(key), Body: bytes.NewReader(b)}); err != nil {
			t.Fatal(err)
		}
	}
	mapping, err := os.ReadFile(captureMapping)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(data), Key: aws.String("config/credit-default/capture.yaml"), Body: bytes.NewReader(mapping)}); err != nil {
		t.Fatal(err)
	}
	etags := map[string]string{}
	for _, rel := range []string{
		"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-05-100-csv.jsonl",
		"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-15-300-base64.jsonl",
		// Another endpoint's capture under the same prefix is not this model's.
		"datacapture/credit-endpoint/Shadow/2026/12/01/10/00-15-300-base64.jsonl",
	} {
		src := strings.Replace(rel, "/Shadow/", "/AllTraffic/", 1)
		b, err := os.ReadFile(filepath.Join(captureTestdata, filepath.FromSlash(src)))
		if err != nil {
			t.Fatal(err)
		}
		out, err := srv.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(capture), Key: aws.String(rel), Body: bytes.NewReader(b)})
		if err != nil {
			t.Fatal(err)
		}
		etags[rel] = strings.Trim(aws.ToString(out.ETag), `"`)
	}
	code, stdout, stderr := runCLI(t, "import", "sagemaker-capture", "--model", "credit-default", "--bucket", "s3://"+data,
		"s3://"+capture+"/datacapture/credit-endpoint/")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "2 files imported (0 already imported), 1 skipped: 5 prediction and 0 label records, 5 accepted") {
		t.Errorf("stdout %s", stdout)
	}
	for _, rel := range []string{"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-05-100-csv.jsonl", "datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-15-300-base64.jsonl"} {
		id := captureimport.BatchID(capture, rel, etags[rel])
		if _, err := srv.S3Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(data), Key: aws.String("receipts/model=credit-default/" + id + ".json")}); err != nil {
			t.Errorf("%s: no receipt for batch %s: %v", rel, id, err)
		}
	}
}

func TestImportSageMakerCaptureErrors(t *testing.T) {
	bucket := bucketWithReference(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mapping in the bucket", []string{"--model", "credit-default", "--bucket", bucket, captureTestdata + "/datacapture"},
			"model credit-default has no capture mapping: write config/credit-default/capture.yaml"},
		{"no files", []string{"--model", "credit-default", "--bucket", bucket, "--mapping", captureMapping, t.TempDir()}, "no .jsonl files"},
		{"invalid mapping", []string{"--model", "credit-default", "--bucket", bucket, "--mapping", exampleRef, captureTestdata}, "capture mapping of credit-default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"import", "sagemaker-capture"}, tt.args...)...)
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, stderr, tt.want)
			}
		})
	}
}
