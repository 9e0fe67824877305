package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/modelwatch/modelwatch/shared/captureimport"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/metrics"
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
	client, err := store.NewS3Client(context.Background())
	if err != nil {
		log.Error("S3 client", "error", err.Error())
		os.Exit(1)
	}
	bucket := store.NewS3(client, cfg.Ingest.Bucket)
	emf, err := metrics.NewEMFWriter(os.Stdout, cfg.Ingest.Namespace)
	if err != nil {
		log.Error("metrics", "error", err.Error())
		os.Exit(1)
	}
	refs := ingest.NewReferenceCache(bucket, cfg.Ingest.ReferenceTTL, log)
	ing := ingest.New(cfg.Ingest, bucket, refs, emf, ingest.WithLogger(log))
	imp := captureimport.New(bucket, ing, captureimport.WithLogger(log), captureimport.WithMappingTTL(cfg.MappingTTL))
	lambda.Start(captureimport.NewHandler(imp, store.NewS3(client, cfg.CaptureBucket), cfg.CaptureBucket, log).Invoke)
}
