package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// URL schemes returned by ParseURL.
const (
	SchemeS3   = "s3"
	SchemeFile = "file"
)

// NewS3Client builds an *s3.Client from the default AWS configuration
// chain (environment, shared config files, IMDS, ...). When
// AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 is set (moto, LocalStack, MinIO)
// it switches to path-style addressing, which such endpoints need. optFns
// are applied after that. A configuration without a region is an error that
// says how to set one (the SDK would fail every call with "Invalid region").
func NewS3Client(ctx context.Context, optFns ...func(*s3.Options)) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("load AWS config: no AWS region: set AWS_REGION (or region in the profile of ~/.aws/config)")
	}
	customEndpoint := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	fns := make([]func(*s3.Options), 0, len(optFns)+1)
	fns = append(fns, func(o *s3.Options) {
		if customEndpoint {
			o.UsePathStyle = true
		}
		// Objects written without a checksum (by emulators, or by older
		// writers) are normal here; don't log a warning for each read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	fns = append(fns, optFns...)
	return s3.NewFromConfig(cfg, fns...), nil
}

// ParseURL splits a location into scheme, bucket and key.
//
//	"s3://bucket/a/b.json"  → "s3", "bucket", "a/b.json"
//	"s3://bucket"           → "s3", "bucket", ""
//	"out/report.json"       → "file", "", "out/report.json"
//	"file:///tmp/r.json"    → "file", "", "/tmp/r.json"
//
// For local paths the key is the path as given (cleaned, OS separators).
// S3 keys are taken literally (no percent-decoding). Other schemes, an
// empty string and an s3 URL without a bucket are errors.
func ParseURL(u string) (scheme, bucket, key string, err error) {
	if u == "" {
		return "", "", "", errors.New("store: empty location")
	}
	sch, rest, ok := strings.Cut(u, "://")
	if !ok {
		return SchemeFile, "", filepath.Clean(u), nil
	}
	switch strings.ToLower(sch) {
	case SchemeS3:
		bucket, key, _ = strings.Cut(rest, "/")
		if bucket == "" {
			return "", "", "", fmt.Errorf("store: %q: missing bucket name", u)
		}
		return SchemeS3, bucket, key, nil
	case SchemeFile:
		if rest == "" {
			return "", "", "", fmt.Errorf("store: %q: missing path", u)
		}
		if strings.HasPrefix(rest, "localhost/") {
			rest = rest[len("localhost"):]
		}
		return SchemeFile, "", filepath.Clean(filepath.FromSlash(rest)), nil
	default:
		return "", "", "", fmt.Errorf("store: %q: unsupported scheme %q (want s3:// or a local path)", u, sch)
	}
}

// OpenURL returns a Store and the key within it for a location:
// "s3://bucket/key" gives an S3 store on bucket (client from NewS3Client)
// and key; anything else is a local file path and gives a Local store
// rooted at the file's directory with key = the file's base name. The
// S3 key may be empty ("s3://bucket/"), e.g. for use as a List prefix;
// a local path must name a file.
func OpenURL(ctx context.Context, u string) (Store, string, error) {
	scheme, bucket, key, err := ParseURL(u)
	if err != nil {
		return nil, "", err
	}
	if scheme == SchemeS3 {
		client, err := NewS3Client(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("open %s: %w", u, err)
		}
		return NewS3(client, bucket), key, nil
	}
	abs, err := filepath.Abs(key)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", u, err)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, "", fmt.Errorf("open %s: %s is a directory, want a file path", u, abs)
	}
	base := filepath.Base(abs)
	if base == "." || base == string(filepath.Separator) || base == ".." {
		return nil, "", fmt.Errorf("open %s: no file name", u)
	}
	local, err := NewLocal(filepath.Dir(abs))
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", u, err)
	}
	return local, base, nil
}
