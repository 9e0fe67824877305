package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/modelwatch/modelwatch/shared/sleep"
)

// S3API is the subset of *s3.Client that S3 uses; tests can substitute a
// fake.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// S3 is a Store over one S3 bucket.
type S3 struct {
	client   S3API
	bucket   string
	pageSize int32
	// conflictRetries bounds how often PutIfAbsent retries a 409
	// ConditionalRequestConflict before reporting ErrExists.
	conflictRetries int
	conflictBackoff time.Duration
}

// NewS3 returns a Store over bucket using client (normally an *s3.Client
// from NewS3Client).
func NewS3(client S3API, bucket string) *S3 {
	return &S3{client: client, bucket: bucket, conflictRetries: 3, conflictBackoff: 50 * time.Millisecond}
}

// WithPageSize sets the MaxKeys page size List asks for (S3's default and
// maximum is 1000; n <= 0 restores the default). It returns s so it can be
// chained onto NewS3. Mainly useful to exercise pagination in tests.
func (s *S3) WithPageSize(n int32) *S3 {
	s.pageSize = n
	return s
}

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

func (s *S3) url(key string) string { return "s3://" + s.bucket + "/" + key }

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, fmt.Errorf("get %s: %w", s.url(key), err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		if isS3NotFound(err) {
			return nil, fmt.Errorf("get %s: %w: %w", s.url(key), ErrNotFound, err)
		}
		return nil, fmt.Errorf("get %s: %w", s.url(key), err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if out.ContentLength != nil && *out.ContentLength > 0 {
		buf.Grow(int(*out.ContentLength))
	}
	if _, err := io.Copy(&buf, out.Body); err != nil {
		return nil, fmt.Errorf("get %s: read body: %w", s.url(key), err)
	}
	return buf.Bytes(), nil
}

func (s *S3) putInput(key string, data []byte, opts []PutOption) *s3.PutObjectInput {
	o := applyPutOptions(opts)
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	if o.contentType != "" {
		in.ContentType = aws.String(o.contentType)
	}
	if o.contentEncoding != "" {
		in.ContentEncoding = aws.String(o.contentEncoding)
	}
	return in
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, data []byte, opts ...PutOption) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put %s: %w", s.url(key), err)
	}
	if _, err := s.client.PutObject(ctx, s.putInput(key, data, opts)); err != nil {
		return fmt.Errorf("put %s: %w", s.url(key), err)
	}
	return nil
}

// PutIfAbsent implements Store with a conditional PutObject
// (If-None-Match: *). 412 PreconditionFailed means the key exists. 409
// ConditionalRequestConflict (a concurrent write to the same key was in
// flight) is retried a few times, after which the key almost certainly
// exists; if the conflict persists it is reported as ErrExists too.
func (s *S3) PutIfAbsent(ctx context.Context, key string, data []byte, opts ...PutOption) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put-if-absent %s: %w", s.url(key), err)
	}
	for attempt := 0; ; attempt++ {
		in := s.putInput(key, data, opts)
		in.IfNoneMatch = aws.String("*")
		_, err := s.client.PutObject(ctx, in)
		if err == nil {
			return nil
		}
		switch classifyConditional(err) {
		case condExists:
			return fmt.Errorf("put-if-absent %s: %w: %w", s.url(key), ErrExists, err)
		case condConflict:
			if attempt < s.conflictRetries {
				if werr := sleep.For(ctx, s.conflictBackoff<<attempt); werr != nil {
					return fmt.Errorf("put-if-absent %s: %w", s.url(key), werr)
				}
				continue
			}
			return fmt.Errorf("put-if-absent %s: %w: %w", s.url(key), ErrExists, err)
		}
		return fmt.Errorf("put-if-absent %s: %w", s.url(key), err)
	}
}

// Delete implements Store. S3 itself treats deleting an absent key as
// success; a NoSuchKey answer (some S3 look-alikes) is ignored as well.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("delete %s: %w", s.url(key), err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !isS3NotFound(err) {
		return fmt.Errorf("delete %s: %w", s.url(key), err)
	}
	return nil
}

// List implements Store, following continuation tokens until the listing
// is complete.
func (s *S3) List(ctx context.Context, prefix string) ([]Object, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	out := make([]Object, 0)
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.url(prefix), err)
		}
		for _, o := range page.Contents {
			obj := Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size)}
			if o.LastModified != nil {
				obj.LastModified = *o.LastModified
			}
			out = append(out, obj)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// isS3NotFound reports whether err says the object does not exist. A
// missing bucket (NoSuchBucket, also a 404) is deliberately not "not
// found": it is a configuration error and must surface as such.
func isS3NotFound(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "", "404":
			// fall through to the status code check
		default:
			return false
		}
	}
	var respErr *awshttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusNotFound
}

type condResult int

const (
	condOther condResult = iota
	condExists
	condConflict
)

// classifyConditional sorts the error of a conditional PutObject.
func classifyConditional(err error) condResult {
	code := ""
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	switch code {
	case "PreconditionFailed":
		return condExists
	case "ConditionalRequestConflict":
		return condConflict
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		switch respErr.HTTPStatusCode() {
		case http.StatusPreconditionFailed:
			return condExists
		case http.StatusConflict:
			if code == "" || code == "409" || code == "Conflict" {
				return condConflict
			}
		}
	}
	return condOther
}
