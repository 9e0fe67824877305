package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Runtime is the ingest path as a Lambda function runs it: a Handler on the
// S3 bucket of cfg, with its reference cache, writing EMF lines to out.
type Runtime struct {
	Handler *Handler
	// Client is the S3 client of the bucket, for other buckets the
	// function reads (the capture-import function's capture bucket).
	Client *s3.Client
}

// NewRuntime builds the ingest path of a function from cfg: one S3 client
// (AWS_ENDPOINT_URL honoured), the reference cache, the EMF writer on out.
func NewRuntime(ctx context.Context, cfg Config, out io.Writer, log *slog.Logger) (*Runtime, error) {
	client, err := store.NewS3Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("build the S3 client: %w", err)
	}
	bucket := store.NewS3(client, cfg.Bucket)
	emf, err := metrics.NewEMFWriter(out, cfg.Namespace)
	if err != nil {
		return nil, fmt.Errorf("build the EMF writer: %w", err)
	}
	refs := NewReferenceCache(bucket, cfg.ReferenceTTL, log)
	return &Runtime{Handler: New(cfg, bucket, refs, emf, WithLogger(log)), Client: client}, nil
}
