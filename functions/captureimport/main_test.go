package main

// Integration tests: the real bootstrap, built as for deployment, runs
// under aws-lambda-rie against moto's S3 server, both started by the tests
// (see internal/motoserver and internal/lambdarie); they fail when either is
// missing, and are skipped with -short.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

const model = "credit-default"

// The example capture files (testdata/capture) as SageMaker writes them.
var captureFiles = []string{
	"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-05-100-csv.jsonl",
	"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-10-200-json.jsonl",
	"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/00-15-300-base64.jsonl",
}

const groundTruthFile = "ground-truth/credit-endpoint/2026/12/01/12/labels.jsonl"

func TestCaptureObjectsBecomeOneBatchEachAndRedeliveryStoresNothing(t *testing.T) {
	ctx := context.Background()
	srv := motoserver.Shared(t)
	bin := lambdarie.Build(t, "./functions/captureimport")
	data, capture := srv.NewBucket(t), srv.NewBucket(t)
	st := store.NewS3(srv.S3Client(), data)

	r, err := dataset.Open(filepath.Join("..", "..", "testdata", "example", "reference.csv"), dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := profile.Build(ctx, r, "reference.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), Model: model, Version: "v1"})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(ctx, st, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile(filepath.Join("..", "..", "testdata", "capture", "capture.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "config/"+model+"/capture.yaml", mapping); err != nil {
		t.Fatal(err)
	}
	etags := map[string]string{}
	for _, key := range append(slices.Clone(captureFiles), groundTruthFile) {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "capture", filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		out, err := srv.S3Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(capture), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		etags[key] = strings.Trim(aws.ToString(out.ETag), `"`)
	}

	fn := lambdarie.Start(t, bin,
		"BUCKET="+data, "CAPTURE_BUCKET="+capture,
		"AWS_ENDPOINT_URL="+srv.URL,
		"AWS_ACCESS_KEY_ID="+motoserver.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+motoserver.SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"MAX_EVENT_AGE=0", // the files are stamped 2026-12-01
		"MAX_EVENT_FUTURE=0",
	)
	fixture, err := os.ReadFile(filepath.Join("..", "..", "events", "captureimport-object-created.json"))
	if err != nil {
		t.Fatal(err)
	}
	invoke := func(key string) captureimport.Result {
		t.Helper()
		var ev map[string]any
		if err := json.Unmarshal(fixture, &ev); err != nil {
			t.Fatal(err)
		}
		d := ev["detail"].(map[string]any)
		d["bucket"].(map[string]any)["name"] = capture
		d["object"].(map[string]any)["key"] = key
		d["object"].(map[string]any)["etag"] = etags[key]
		payload, _ := json.Marshal(ev)
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := fn.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("invoke: %v\n%s", err, fn.Output())
		}
		var res captureimport.Result
		if err := json.Unmarshal(out, &res); err != nil || res.BatchID == "" {
			t.Fatalf("answer %s: %v\n%s", out, err, fn.Output())
		}
		return res
	}
	keys := func() []string {
		objs, err := st.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range objs {
			if !strings.HasPrefix(o.Key, "reference/") && !strings.HasPrefix(o.Key, "config/") {
				out = append(out, o.Key)
			}
		}
		return out
	}

	wantAccepted := map[string]int{captureFiles[0]: 3, captureFiles[1]: 3, captureFiles[2]: 2, groundTruthFile: 5}
	for _, key := range append(slices.Clone(captureFiles), groundTruthFile) {
		before := keys()
		res := invoke(key)
		id := captureimport.BatchID(capture, key, etags[key])
		if res.BatchID != id || res.Accepted != wantAccepted[key] || res.Duplicate {
			t.Fatalf("%s: %+v", key, res)
		}
		var added []string
		for _, k := range keys() {
			if !slices.Contains(before, k) {
				added = append(added, k)
				if !strings.Contains(k, id) {
					t.Errorf("%s: object %s is not of batch %s", key, k, id)
				}
			}
		}
		if want := len(res.Objects) + 1; len(added) != want { // the batch's objects and its receipt
			t.Errorf("%s: %d objects stored (%v), want %d", key, len(added), added, want)
		}
	}
	stored := keys()
	for _, key := range append(slices.Clone(captureFiles), groundTruthFile) {
		if res := invoke(key); !res.Duplicate || res.Accepted != wantAccepted[key] {
			t.Errorf("redelivery of %s: %+v", key, res)
		}
	}
	if got := keys(); !slices.Equal(got, stored) {
		t.Errorf("the redeliveries stored objects:\n%v\nwas\n%v", got, stored)
	}
	if strings.Contains(fn.Output(), "self_employed") {
		t.Error("the function's logs carry feature values")
	}
}
