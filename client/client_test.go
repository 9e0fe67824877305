package client_test

// These tests send batches through the real ingest bootstrap under
// aws-lambda-rie, behind a local stand-in for API Gateway that checks the
// SigV4 signatures (internal/apigwshim), into moto's S3. The tests start
// moto and the emulator themselves and fail when either is missing.

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/modelwatch/modelwatch/client"
	"github.com/modelwatch/modelwatch/internal/apigwshim"
	"github.com/modelwatch/modelwatch/internal/motoserver"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

func newClient(t *testing.T, s *apigwshim.Stack, edit func(*client.Config)) *client.Client {
	t.Helper()
	cfg := client.Config{
		Endpoint: s.URL, Model: apigwshim.Model, Region: apigwshim.Region,
		Credentials:   credentials.NewStaticCredentialsProvider(apigwshim.AccessKeyID, apigwshim.SecretAccessKey, ""),
		FlushInterval: time.Hour, RetryBase: time.Millisecond, RetryMax: 10 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := client.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func prediction(id string) client.Prediction {
	return client.Prediction{
		RequestID: id,
		Features: map[string]any{"age": 41, "income": 35294.56, "loan_amount": 19916.16, "term": 60, "credit_score": 698,
			"open_accounts": 5, "debt_to_income": 0.4561, "region": "north", "purpose": "car", "employment": "self_employed"},
		Prediction: "no_default",
		Scores:     map[string]float64{"default": 0.2113, "no_default": 0.7887},
	}
}

func TestPredictionsAndLabelsLand(t *testing.T) {
	s := apigwshim.StartIngest(t)
	c := newClient(t, s, func(c *client.Config) { c.BatchSize = 50 })
	for i := range 120 {
		if !c.LogPrediction(prediction(string(rune('a'+i%26)) + time.Now().Format("150405.000000000"))) {
			t.Fatal("dropped")
		}
	}
	for i := range 10 {
		c.LogLabel(client.Label{RequestID: "r-" + string(rune('a'+i)), Label: "default"})
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	if st.Queued != 130 || st.Sent != 130 || st.Failed != 0 || st.Dropped != 0 || st.Rejected != 0 || st.Batches != 4 || st.Retries != 0 {
		t.Errorf("stats %+v", st)
	}
	if n := s.Records(t, "predictions/"); n != 120 {
		t.Errorf("%d predictions stored, want 120", n)
	}
	if n := s.Records(t, "labels/"); n != 10 {
		t.Errorf("%d labels stored, want 10", n)
	}
	if c.LogPrediction(prediction("late")) || c.Stats().Dropped != 1 {
		t.Error("a closed client took a record")
	}
}

func TestRetriesKeepTheBatchID(t *testing.T) {
	s := apigwshim.StartIngest(t)
	c := newClient(t, s, nil)
	// A 503 and a 429 that never reach the function, then a dropped
	// connection after the function stored the batch: the fourth attempt
	// is a duplicate that stores nothing.
	s.Shim.Inject(apigwshim.Unavailable, apigwshim.Throttled, apigwshim.Drop)
	for i := range 5 {
		c.LogPrediction(prediction("retry-" + string(rune('0'+i))))
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	// Go's transport itself resends a request with an Idempotency-Key
	// header once when the connection drops, so the client counts two or
	// three retries of its own; the shim saw all four attempts.
	if st.Sent != 5 || st.Batches != 1 || st.Retries < 2 || st.Retries > 3 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
	if got := s.Keys(t, "receipts/"); len(got) != 1 {
		t.Errorf("receipts %v, want one batch", got)
	}
	if n := s.Records(t, "predictions/"); n != 5 {
		t.Errorf("%d predictions stored, want 5", n)
	}
	if sh := s.Shim.Stats(); sh.Requests != 4 || sh.Invocations != 2 {
		t.Errorf("shim %+v", sh)
	}
}

func TestIntervalFlush(t *testing.T) {
	s := apigwshim.StartIngest(t)
	c := newClient(t, s, func(c *client.Config) { c.FlushInterval = 100 * time.Millisecond })
	c.LogPrediction(prediction("tick-1"))
	c.LogPrediction(prediction("tick-2"))
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Sent < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("not sent by the interval: %+v", c.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFailuresAreCounted(t *testing.T) {
	s := apigwshim.StartIngest(t)
	tests := []struct {
		name    string
		edit    func(*client.Config)
		faults  []apigwshim.Fault
		retries int64
	}{
		{"wrong secret is not retried", func(c *client.Config) {
			c.Credentials = credentials.NewStaticCredentialsProvider(apigwshim.AccessKeyID, "wrong", "")
		}, nil, 0},
		{"gives up after MaxAttempts", func(c *client.Config) { c.MaxAttempts = 3 },
			[]apigwshim.Fault{apigwshim.Unavailable, apigwshim.Unavailable, apigwshim.Unavailable}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, s, tt.edit)
			s.Shim.Inject(tt.faults...)
			c.LogPrediction(prediction("f-1"))
			c.LogPrediction(prediction("f-2"))
			if err := c.Flush(context.Background()); err == nil {
				t.Fatal("Flush reported no failure")
			}
			if st := c.Stats(); st.Failed != 2 || st.Sent != 0 || st.Retries != tt.retries {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestFullQueueDropsAndCounts(t *testing.T) {
	s := apigwshim.StartIngest(t)
	c := newClient(t, s, func(c *client.Config) { c.QueueSize = 5; c.BatchSize = 100 })
	took := 0
	for i := range 8 {
		if c.LogPrediction(prediction("q-" + string(rune('0'+i)))) {
			took++
		}
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); took != 5 || st.Dropped != 3 || st.Sent != 5 {
		t.Errorf("took %d, stats %+v", took, st)
	}
}

func TestNewNeedsEndpointAndModel(t *testing.T) {
	if _, err := client.New(context.Background(), client.Config{Model: "m"}); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("no endpoint: %v", err)
	}
}
