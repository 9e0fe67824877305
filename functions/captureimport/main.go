package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/store"
)

func main() {
	log := slog.New(ingest.NewLogHandler(os.Stdout, slog.LevelInfo))
	slog.SetDefault(log)
	cfg, err := captureimport.ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	rt, err := ingest.NewRuntime(context.Background(), cfg.Ingest, os.Stdout, log)
	if err != nil {
		log.Error("capture-import function cannot start", "error", err.Error())
		os.Exit(1)
	}
	bucket := store.NewS3(rt.Client, cfg.Ingest.Bucket)
	imp := captureimport.New(bucket, rt.Handler, captureimport.WithLogger(log), captureimport.WithMappingTTL(cfg.MappingTTL))
	lambda.Start(captureimport.NewHandler(imp, store.NewS3(rt.Client, cfg.CaptureBucket), cfg.CaptureBucket, log).Invoke)
}
