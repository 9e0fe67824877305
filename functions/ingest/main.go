package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/modelwatch/modelwatch/shared/ingest"
)

func main() {
	log := slog.New(ingest.NewLogHandler(os.Stdout, slog.LevelInfo))
	slog.SetDefault(log)
	cfg, err := ingest.ConfigFromEnv(os.Getenv)
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	rt, err := ingest.NewRuntime(context.Background(), cfg, os.Stdout, log)
	if err != nil {
		log.Error("ingest function cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(rt.Handler)
}
