package main

// The integration test needs moto's server (pip install 'moto[server]') and
// the Lambda Runtime Interface Emulator (go install
// github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@...);
// it starts both itself, and fails when they are missing, except under
// go test -short.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/modelwatch/modelwatch/internal/lambdarie"
	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/fanout"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// TestDispatchFunction runs the real bootstrap under aws-lambda-rie against
// moto's S3 and SQS: the models with a reference pointer in the bucket
// (not the ones without) each get one message on the queue, pinned to the
// schedule's time.
func TestDispatchFunction(t *testing.T) {
	srv := motoserver.Shared(t)
	bootstrap := lambdarie.Build(t, "./functions/dispatch")
	ctx := context.Background()
	bucket := srv.NewBucket(t)
	st := store.NewS3(srv.S3Client(), bucket)
	var want []string
	for i := range 23 {
		m := fmt.Sprintf("model-%02d", i)
		want = append(want, m)
		if err := st.Put(ctx, layout.ReferencePointer(m), []byte(`{"model":"`+m+`","version":"v1"}`)); err != nil {
			t.Fatal(err)
		}
	}
	// A profile without a pointer is not an active model.
	if err := st.Put(ctx, layout.ReferenceProfile("draft", "v1"), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(srv.AWSConfig())
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("drift-%d", time.Now().UnixNano()))})
	if err != nil {
		t.Fatal(err)
	}
	fn := lambdarie.Start(t, bootstrap,
		"BUCKET="+bucket, "DRIFT_QUEUE_URL="+aws.ToString(created.QueueUrl),
		"AWS_ENDPOINT_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+motoserver.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+motoserver.SecretAccessKey,
		"AWS_REGION="+motoserver.Region, "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)

	ev, err := os.ReadFile("../../events/drift-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := fn.Invoke(ctx, ev)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var res fanout.Result
	if err := json.Unmarshal(out, &res); err != nil || res.Models != len(want) || res.Sent != len(want) || res.WindowTime != "2026-11-26T20:05:00Z" {
		t.Fatalf("answer %s (%v), want %d models sent for 2026-11-26T20:05:00Z", out, err, len(want))
	}
	var got []string
	for len(got) < len(want) {
		resp, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Messages) == 0 {
			break
		}
		for _, m := range resp.Messages {
			ev, err := driftevent.Parse([]byte(aws.ToString(m.Body)))
			if err != nil || len(ev.Models) != 1 || ev.ScheduledTime != "2026-11-26T20:05:00Z" {
				t.Fatalf("message %s: %v; want one model and the schedule's time", aws.ToString(m.Body), err)
			}
			got = append(got, ev.Models[0])
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("messages for %v, want %v", got, want)
	}
}
