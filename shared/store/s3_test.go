package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/store"
)

func TestS3ContentTypeAndEncoding(t *testing.T) {
	t.Parallel()
	srv := motoserver.Shared(t)
	client := srv.S3Client()
	bucket := srv.NewBucket(t)
	s := store.NewS3(client, bucket)
	ctx := ctxT(t)

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"id":1}` + "\n" + `{"id":2}` + "\n"))
	zw.Close()

	key := "predictions/model=churn/dt=2024-05-01/hour=07/b1.jsonl.gz"
	if err := s.Put(ctx, key, gz.Bytes(),
		store.WithContentType("application/x-ndjson"), store.WithContentEncoding("gzip")); err != nil {
		t.Fatal(err)
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ContentType); got != "application/x-ndjson" {
		t.Errorf("ContentType = %q", got)
	}
	if got := aws.ToString(head.ContentEncoding); got != "gzip" {
		t.Errorf("ContentEncoding = %q", got)
	}
	// Get returns the stored (still compressed) bytes: no transparent
	// decompression.
	got, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, gz.Bytes()) {
		t.Fatalf("Get returned %d bytes, want the %d stored gzip bytes", len(got), gz.Len())
	}

	// Options work on conditional writes too.
	slot := "retrain/model=churn/2024-05-01T07.json"
	if err := s.PutIfAbsent(ctx, slot, []byte(`{}`), store.WithContentType("application/json")); err != nil {
		t.Fatal(err)
	}
	head, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(slot)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(head.ContentType); got != "application/json" {
		t.Errorf("PutIfAbsent ContentType = %q", got)
	}
}

func TestS3SmallPages(t *testing.T) {
	t.Parallel()
	srv := motoserver.Shared(t)
	bucket := srv.NewBucket(t)
	s := store.NewS3(srv.S3Client(), bucket).WithPageSize(7)
	var want []string
	for i := 0; i < 50; i++ {
		want = append(want, "p/"+string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	putAll(t, s, want, 8)
	objs, err := s.List(ctxT(t), "p/")
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(objs); len(got) != len(want) {
		t.Fatalf("List with 7-key pages returned %d keys, want %d", len(got), len(want))
	}
}

func TestS3MissingBucketIsNotErrNotFound(t *testing.T) {
	t.Parallel()
	srv := motoserver.Shared(t)
	s := store.NewS3(srv.S3Client(), "no-such-bucket-modelwatch")
	_, err := s.Get(ctxT(t), "k")
	if err == nil || errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get on a missing bucket err = %v, want a non-ErrNotFound error", err)
	}
	if want := "get s3://no-such-bucket-modelwatch/k:"; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Fatalf("error %q does not start with %q", err, want)
	}
}

// TestS3ClientFromEnv checks NewS3Client / OpenURL against moto through
// the environment (AWS_ENDPOINT_URL → path-style addressing).
func TestS3ClientFromEnv(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Env(t) // t.Setenv: not parallel
	bucket := srv.NewBucket(t)
	ctx := ctxT(t)

	st, key, err := store.OpenURL(ctx, "s3://"+bucket+"/reports/daily.json")
	if err != nil {
		t.Fatal(err)
	}
	if key != "reports/daily.json" {
		t.Fatalf("key = %q", key)
	}
	if _, ok := st.(*store.S3); !ok {
		t.Fatalf("OpenURL(s3://...) returned %T", st)
	}
	if err := st.Put(ctx, key, []byte("ok")); err != nil {
		t.Fatal(err)
	}
	got, err := store.NewS3(srv.S3Client(), bucket).Get(ctx, key)
	if err != nil || string(got) != "ok" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

// fakeS3 is an S3API whose PutObject is scripted; the other methods are
// unused here.
type fakeS3 struct {
	store.S3API
	puts   atomic.Int32
	putErr func(n int32) error
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	n := f.puts.Add(1)
	if err := f.putErr(n); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{}, nil
}

// awsError builds an error shaped like the SDK's: an OperationError
// wrapping an awshttp.ResponseError with the HTTP status, wrapping the
// API error (if code is non-empty).
func awsError(status int, code string) error {
	var inner error = errors.New("http error")
	if code != "" {
		inner = &smithy.GenericAPIError{Code: code, Message: code}
	}
	return &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: "PutObject",
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err:      inner,
			},
		},
	}
}

func TestS3PutIfAbsentErrorClassification(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		putErr    func(n int32) error
		wantErr   error // nil: success
		wantCalls int32
	}{
		{"412 PreconditionFailed", func(int32) error { return awsError(412, "PreconditionFailed") }, store.ErrExists, 1},
		{"412 without code", func(int32) error { return awsError(412, "") }, store.ErrExists, 1},
		{"409 conflict then success", func(n int32) error {
			if n < 3 {
				return awsError(409, "ConditionalRequestConflict")
			}
			return nil
		}, nil, 3},
		{"409 conflict then 412", func(n int32) error {
			if n == 1 {
				return awsError(409, "ConditionalRequestConflict")
			}
			return awsError(412, "PreconditionFailed")
		}, store.ErrExists, 2},
		{"409 forever", func(int32) error { return awsError(409, "ConditionalRequestConflict") }, store.ErrExists, 4},
		{"403 AccessDenied", func(int32) error { return awsError(403, "AccessDenied") }, errAny, 1},
		{"409 OperationAborted", func(int32) error { return awsError(409, "OperationAborted") }, errAny, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeS3{putErr: c.putErr}
			err := store.NewS3(f, "b").PutIfAbsent(ctx, "k", []byte("x"))
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("err = %v, want success", err)
			case c.wantErr == errAny && (err == nil || errors.Is(err, store.ErrExists)):
				t.Fatalf("err = %v, want a non-ErrExists error", err)
			case c.wantErr != nil && c.wantErr != errAny && !errors.Is(err, c.wantErr):
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if got := f.puts.Load(); got != c.wantCalls {
				t.Fatalf("PutObject called %d times, want %d", got, c.wantCalls)
			}
			if err != nil {
				// The AWS error stays inspectable.
				var apiErr smithy.APIError
				if errors.As(err, &apiErr) != (c.name != "412 without code") {
					t.Fatalf("errors.As(APIError) mismatch for %v", err)
				}
			}
		})
	}
}

var errAny = errors.New("any error")
