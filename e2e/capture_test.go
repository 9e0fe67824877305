package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
)

// TestDeployedCaptureImport deploys template.yaml with a capture bucket
// (CaptureBucketName, CapturePrefix, GroundTruthPrefix) onto a MiniStack of
// its own, drops the Data Capture files of testdata/capture (CSV, JSON and
// BASE64 encodings, single and multi-record requests) and a ground-truth file
// into the capture bucket, and checks that S3 → EventBridge → the deployed
// capture-import function stores each object as exactly one batch, that
// uploading an object again (a new event, the same ETag) stores nothing, and
// that the deployed drift function's report of that hour holds the captured
// predictions with the imported ground truth joined to them.
func TestDeployedCaptureImport(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys the stack on a local emulator; not under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root := repoRoot(t)
	captureBucket := fmt.Sprintf("sagemaker-capture-%d", time.Now().UnixNano()%1_000_000)
	d := deployOwn(t, ctx, "modelwatch-capture",
		"CaptureBucketName="+captureBucket+" CapturePrefix=datacapture/ GroundTruthPrefix=ground-truth/")
	for _, id := range []string{"CaptureImportFunction", "CaptureImportLogGroup", "CaptureImportFunctionCaptureObjectCreated", "CaptureImportEventsDLQ"} {
		d.physicalID(t, id)
	}

	// The model's reference and capture mapping, as a user publishes them.
	r, err := dataset.Open(filepath.Join(root, "testdata", "example", "reference.csv"), dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := profile.Build(ctx, r, "reference.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), Model: "credit-default", Version: "v1"})
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reference.Publish(ctx, d.store, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	mapping, err := os.ReadFile(filepath.Join(root, "testdata", "capture", "capture.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.store.Put(ctx, "config/credit-default/capture.yaml", mapping); err != nil {
		t.Fatal(err)
	}

	// The capture bucket belongs to another stack; it sends its events to
	// EventBridge.
	if _, err := d.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(captureBucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(captureBucket), NotificationConfiguration: &s3types.NotificationConfiguration{EventBridgeConfiguration: &s3types.EventBridgeConfiguration{}},
	}); err != nil {
		t.Fatal(err)
	}

	// The example files, moved to the last hour so that the deployed
	// function's MAX_EVENT_AGE accepts them.
	hour := time.Now().UTC().Add(-time.Hour).Truncate(time.Hour)
	files := map[string]string{}
	for _, name := range []string{"00-05-100-csv.jsonl", "00-10-200-json.jsonl", "00-15-300-base64.jsonl"} {
		files["datacapture/credit-endpoint/AllTraffic/"+hour.Format("2006/01/02/15")+"/"+name] =
			"datacapture/credit-endpoint/AllTraffic/2026/12/01/10/" + name
	}
	files["ground-truth/credit-endpoint/"+hour.Add(30*time.Minute).Format("2006/01/02/15")+"/labels.jsonl"] = "ground-truth/credit-endpoint/2026/12/01/12/labels.jsonl"
	etags := map[string]string{}
	put := func(key string) {
		body, err := os.ReadFile(filepath.Join(root, "testdata", "capture", filepath.FromSlash(files[key])))
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.ReplaceAll(body, []byte("2026-12-01T10:"), []byte(hour.Format("2006-01-02T15:")))
		out, err := d.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(captureBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		etags[key] = strings.Trim(aws.ToString(out.ETag), `"`)
	}
	keys := func() []string {
		objs, err := d.store.List(ctx, "")
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
	for key := range files {
		put(key)
	}
	deadline := time.Now().Add(90 * time.Second)
	for len(stored(keys(), "receipts/")) < len(files) {
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s the bucket has %v; want a batch for each of the %d objects", keys(), len(files))
		}
		time.Sleep(500 * time.Millisecond)
	}
	got := keys()
	for key := range files {
		id := captureimport.BatchID(captureBucket, key, etags[key])
		mine := stored(got, id)
		want := 3 // receipt, data, profile
		switch {
		case strings.HasPrefix(key, "ground-truth/"):
			want = 2 // receipt, labels
		case strings.HasSuffix(key, "csv.jsonl"):
			want = 4 // and its unreadable line
		}
		if len(mine) != want {
			t.Errorf("%s: batch %s has objects %v, want %d", key, id, mine, want)
		}
	}
	if n := len(got); n != 3+3+4+2 {
		t.Errorf("%d objects in the bucket: %v", n, got)
	}

	// The same object again: a new event, the same batch.
	for key := range files {
		if strings.HasSuffix(key, "base64.jsonl") {
			put(key)
		}
	}
	time.Sleep(10 * time.Second)
	if again := keys(); !slices.Equal(again, got) {
		t.Errorf("uploading an object again stored objects:\n%v\nwas\n%v", again, got)
	}

	// The imported window through the deployed drift function (a backfill
	// invocation for the hour): a report of the captured predictions, with
	// the imported ground truth joined to them.
	windowEnd := hour.Add(time.Hour)
	event := fmt.Sprintf(`{"models": ["credit-default"], "window_end": %q, "window": "1h"}`, windowEnd.Format(time.RFC3339))
	d.invoke(t, ctx, d.output(t, "DriftFunctionName"), []byte(event))
	doc, err := d.store.Get(ctx, layout.Report("credit-default", windowEnd, "json"))
	if err != nil {
		t.Fatalf("the drift report of the imported window: %v", err)
	}
	var rep monitor.Report
	if err := json.Unmarshal(doc, &rep); err != nil {
		t.Fatalf("the drift report of the imported window: %v", err)
	}
	if rep.Current.Rows == 0 || rep.Performance == nil || rep.Performance.LabelCoverage <= 0 {
		t.Errorf("the report of the imported window: %d rows, performance %+v; want the captured rows and their imported labels", rep.Current.Rows, rep.Performance)
	} else {
		t.Logf("imported window: %d rows, label coverage %.2f", rep.Current.Rows, rep.Performance.LabelCoverage)
	}
}

// stored lists the keys that contain s.
func stored(keys []string, s string) []string {
	var out []string
	for _, k := range keys {
		if strings.Contains(k, s) {
			out = append(out, k)
		}
	}
	return out
}
