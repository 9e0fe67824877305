package apigwshim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type echo struct{ calls int }

func (e *echo) Invoke(context.Context, []byte) ([]byte, error) {
	e.calls++
	return []byte(`{"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"}`), nil
}

// The shim must refuse what API Gateway's AWS_IAM authorizer refuses, or the
// clients' signing tests prove nothing.
func TestVerifyRefusesBadSignatures(t *testing.T) {
	body := []byte(`{"records": []}`)
	sign := func(req *http.Request, secret, region, service string, at time.Time, payload []byte) {
		sum := sha256.Sum256(payload)
		creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		prep   func(*http.Request)
		status int
	}{
		{"signed", func(r *http.Request) { sign(r, "secret", "us-east-1", "execute-api", time.Now(), body) }, 200},
		{"unsigned", func(r *http.Request) {}, 403},
		{"wrong secret", func(r *http.Request) { sign(r, "other", "us-east-1", "execute-api", time.Now(), body) }, 403},
		{"wrong region", func(r *http.Request) { sign(r, "secret", "eu-west-1", "execute-api", time.Now(), body) }, 403},
		{"wrong service", func(r *http.Request) { sign(r, "secret", "us-east-1", "s3", time.Now(), body) }, 403},
		{"other body", func(r *http.Request) { sign(r, "secret", "us-east-1", "execute-api", time.Now(), []byte("{}")) }, 403},
		{"an hour old", func(r *http.Request) { sign(r, "secret", "us-east-1", "execute-api", time.Now().Add(-time.Hour), body) }, 403},
		{"header changed after signing", func(r *http.Request) {
			sign(r, "secret", "us-east-1", "execute-api", time.Now(), body)
			r.Header.Set("Idempotency-Key", "other")
		}, 403},
	}
	fn := &echo{}
	srv := httptest.NewServer(New(fn, "AKID", "secret", "us-east-1"))
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/models/m/predictions", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "b-1")
			tt.prep(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	if fn.calls != 1 {
		t.Errorf("the function was invoked %d times, want once (the signed request)", fn.calls)
	}
}
