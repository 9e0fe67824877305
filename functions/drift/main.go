package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/monitor"
	"github.com/modelwatch/modelwatch/shared/store"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	ctx := context.Background()
	settings, err := monitor.SettingsFromEnv(os.Getenv)
	if err != nil {
		fail("read settings", err)
	}
	s3Client, err := store.NewS3Client(ctx)
	if err != nil {
		fail("build S3 client", err)
	}
	cwClient, err := metrics.NewCloudWatchClient(ctx, settings.CloudWatchProtocol)
	if err != nil {
		fail("build CloudWatch client", err)
	}
	publisher, err := metrics.NewCloudWatchPublisher(cwClient, settings.Namespace)
	if err != nil {
		fail("build metrics publisher", err)
	}
	mon, err := monitor.New(store.NewS3(s3Client, settings.Bucket), publisher, settings.Config)
	if err != nil {
		fail("build monitor", err)
	}
	// A direct invocation (the schedule's event, a backfill) runs every model
	// it names, or all; a drift queue message runs the one model it names.
	lambda.Start(monitor.Handler(mon, slog.Default()))
}

func fail(what string, err error) {
	slog.Error("drift function cannot start", "step", what, "error", err.Error())
	os.Exit(1)
}
