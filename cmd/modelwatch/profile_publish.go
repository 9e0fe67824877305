package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

func newProfilePublishCommand() *cobra.Command {
	var profilePath, bucket string
	cmd := &cobra.Command{
		Use:   "publish --profile PROFILE.json --bucket s3://BUCKET|DIR",
		Short: "Make a reference profile the active reference of its model",
		Long: `Store a reference profile at reference/{model}/{version}/profile.json in the
bucket (an S3 bucket, or a local directory laid out like one) and point
reference/{model}/current.json at it. The ingest and drift functions use the
active reference from then on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := loadReference(ctx, profilePath)
			if err != nil {
				return err
			}
			st, err := openBucket(ctx, bucket)
			if err != nil {
				return err
			}
			ptr, err := reference.Publish(ctx, st, p, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "model %s now uses reference %s (%s)\n", ptr.Model, ptr.Version, ptr.Key)
			return nil
		},
	}
	cmd.Flags().StringVar(&profilePath, "profile", "", "reference profile (path or s3://bucket/key), built with --model and --version")
	cmd.Flags().StringVar(&bucket, "bucket", "", "the modelwatch bucket: s3://BUCKET or a local directory")
	required(cmd, "profile", "bucket")
	return cmd
}

// openPrefix opens s3://BUCKET/PREFIX, or a local directory, and returns the
// store and the key prefix to list.
func openPrefix(ctx context.Context, url string) (store.Store, string, error) {
	scheme, bucket, key, err := store.ParseURL(url)
	if err != nil {
		return nil, "", err
	}
	if scheme != store.SchemeS3 {
		st, err := store.NewLocal(key)
		return st, "", err
	}
	client, err := store.NewS3Client(ctx)
	if err != nil {
		return nil, "", err
	}
	return store.NewS3(client, bucket), key, nil
}

// openBucket opens s3://BUCKET, or a local directory used as a bucket.
func openBucket(ctx context.Context, url string) (store.Store, error) {
	scheme, bucket, key, err := store.ParseURL(url)
	if err != nil {
		return nil, err
	}
	if scheme != store.SchemeS3 {
		return store.NewLocal(key)
	}
	if key != "" {
		return nil, fmt.Errorf("bucket %s: want s3://BUCKET without a key", url)
	}
	client, err := store.NewS3Client(ctx)
	if err != nil {
		return nil, err
	}
	return store.NewS3(client, bucket), nil
}
