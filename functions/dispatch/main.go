package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/modelwatch/modelwatch/shared/driftevent"
	"github.com/modelwatch/modelwatch/shared/fanout"
	"github.com/modelwatch/modelwatch/shared/store"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx := context.Background()
	bucket, queueURL := os.Getenv("BUCKET"), os.Getenv("DRIFT_QUEUE_URL")
	if bucket == "" || queueURL == "" {
		slog.Error("dispatch function cannot start: BUCKET and DRIFT_QUEUE_URL are required")
		os.Exit(1)
	}
	s3Client, err := store.NewS3Client(ctx)
	if err != nil {
		fail("build S3 client", err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fail("load AWS configuration", err)
	}
	sender, err := fanout.NewSQSSender(sqs.NewFromConfig(cfg), queueURL)
	if err != nil {
		fail("build queue sender", err)
	}
	d, err := fanout.NewDispatcher(store.NewS3(s3Client, bucket), sender, nil, nil)
	if err != nil {
		fail("build dispatcher", err)
	}
	lambda.Start(func(ctx context.Context, ev driftevent.Event) (fanout.Result, error) {
		return d.Dispatch(ctx, ev)
	})
}

func fail(what string, err error) {
	slog.Error("dispatch function cannot start", "step", what, "error", err.Error())
	os.Exit(1)
}
