package motoserver_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/modelwatch/modelwatch/internal/motoserver"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

func TestSharedServerBucketAndReset(t *testing.T) {
	srv := motoserver.Shared(t)
	if srv2 := motoserver.Shared(t); srv2 != srv {
		t.Fatal("Shared returned a different server on the second call")
	}
	ctx := context.Background()
	client := srv.S3Client()
	bucket := srv.NewBucket(t)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}); err != nil {
		t.Fatalf("put: %v", err)
	}
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("after Reset, HeadBucket = %v, want NotFound", err)
	}
}

func TestEnvDefaultConfigChain(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Env(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := srv.NewBucket(t)
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list via env config: %v", err)
	}
	if len(out.Contents) != 0 {
		t.Fatalf("new bucket has %d objects", len(out.Contents))
	}
}

func TestStartDedicated(t *testing.T) {
	var srv *motoserver.Server
	t.Run("server", func(t *testing.T) {
		srv = motoserver.Start(t)
		if srv.URL == "" {
			t.Fatal("empty URL")
		}
		srv.NewBucket(t)
	})
	if srv == nil || t.Failed() || t.Skipped() {
		return
	}
	// The subtest's cleanup must have stopped the server.
	if err := srv.Reset(); err == nil {
		t.Fatal("server still answers after its test ended")
	}
}
