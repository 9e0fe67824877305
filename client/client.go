package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/klauspost/compress/gzip"

	"github.com/modelwatch/modelwatch/shared/sleep"
)

// Config configures a Client. Endpoint and Model are required.
type Config struct {
	// Endpoint is the ingest API's URL, the stack output IngestApiUrl.
	Endpoint string
	// Model is the monitored model the records are for.
	Model string
	// Region is the API's region (default: from the AWS configuration).
	Region string
	// Credentials sign the requests (default: the AWS default chain).
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// BatchSize is how many records a batch holds at most (default 500);
	// a batch is sent as soon as this many are queued.
	BatchSize int
	// FlushInterval is how long a record waits at most before it is sent
	// (default 5 s).
	FlushInterval time.Duration
	// QueueSize bounds the queued records (default 10000); beyond it
	// records are dropped and counted.
	QueueSize int
	// MaxAttempts is how often a batch is sent before it is given up
	// (default 6); RetryBase and RetryMax bound the backoff between
	// attempts (default 200 ms and 20 s, with full jitter).
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
	// Logger receives one line per failed batch (default slog.Default()).
	// It never sees feature values.
	Logger *slog.Logger
}

// Prediction is one model call. Timestamp defaults to the time it is
// logged, RequestID to a random id (labels join predictions by it).
type Prediction struct {
	RequestID    string             `json:"request_id"`
	Timestamp    time.Time          `json:"timestamp"`
	ModelVersion string             `json:"model_version,omitempty"`
	Features     map[string]any     `json:"features,omitempty"`
	Prediction   any                `json:"prediction"`
	Scores       map[string]float64 `json:"scores,omitempty"`
	LatencyMs    *float64           `json:"latency_ms,omitempty"`
	Error        any                `json:"error,omitempty"`
}

// Label is the true outcome of an earlier prediction.
type Label struct {
	RequestID string    `json:"request_id"`
	Label     any       `json:"label"`
	Timestamp time.Time `json:"timestamp"`
}

// Stats counts what happened to the logged records.
type Stats struct {
	// Queued counts records accepted onto the queue; Dropped those refused
	// because it was full.
	Queued, Dropped int64
	// Sent counts records of batches the API answered 200 (including
	// records it rejected as invalid: see Rejected); Failed those of
	// batches given up after MaxAttempts or answered with a 4xx.
	Sent, Failed, Rejected int64
	// Batches counts batches answered 200; Retries the extra attempts.
	Batches, Retries int64
}

type kind string

const (
	predictions kind = "predictions"
	labels      kind = "labels"
)

type item struct {
	kind kind
	data json.RawMessage
}

// Client queues records and sends them in the background. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	signer *v4.Signer
	log    *slog.Logger

	mu      sync.Mutex
	queue   []item
	stats   Stats
	closed  bool
	wake    chan struct{}
	flushes chan chan error
	stop    chan struct{}
	done    chan struct{}
	sleep   func(ctx context.Context, d time.Duration) error
}

// New returns a client and starts its flusher; Close stops it.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Endpoint == "" || cfg.Model == "" {
		return nil, errors.New("client: Endpoint and Model are required")
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	if cfg.Credentials == nil || cfg.Region == "" {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("client: load the AWS configuration: %w", err)
		}
		if cfg.Credentials == nil {
			cfg.Credentials = awsCfg.Credentials
		}
		if cfg.Region == "" {
			cfg.Region = awsCfg.Region
		}
	}
	if cfg.Region == "" {
		return nil, errors.New("client: no region: set Config.Region or AWS_REGION")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.BatchSize, 500)
	def(&cfg.QueueSize, 10_000)
	def(&cfg.MaxAttempts, 6)
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 5 * time.Second
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 200 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 20 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Client{
		cfg: cfg, signer: v4.NewSigner(), log: log,
		wake: make(chan struct{}, 1), flushes: make(chan chan error), stop: make(chan struct{}), done: make(chan struct{}),
		sleep: sleep.For,
	}
	go c.run()
	return c, nil
}

// LogPrediction queues a prediction and returns at once; false means the
// queue was full (or the client closed) and the record was dropped.
func (c *Client) LogPrediction(p Prediction) bool {
	if p.Timestamp.IsZero() {
		p.Timestamp = time.Now()
	}
	if p.RequestID == "" {
		p.RequestID = newID()
	}
	p.Timestamp = p.Timestamp.UTC()
	return c.enqueue(predictions, p)
}

// LogLabel queues a label and returns at once; false means it was dropped.
func (c *Client) LogLabel(l Label) bool {
	if l.Timestamp.IsZero() {
		l.Timestamp = time.Now()
	}
	l.Timestamp = l.Timestamp.UTC()
	return c.enqueue(labels, l)
}

func (c *Client) enqueue(k kind, rec any) bool {
	data, err := json.Marshal(rec)
	c.mu.Lock()
	if err != nil || c.closed || len(c.queue) >= c.cfg.QueueSize {
		c.stats.Dropped++
		c.mu.Unlock()
		if err != nil {
			c.log.Warn("modelwatch client: record dropped: not encodable as JSON", "model", c.cfg.Model, "kind", string(k), "error", err.Error())
		}
		return false
	}
	c.queue = append(c.queue, item{k, data})
	c.stats.Queued++
	full := len(c.queue) >= c.cfg.BatchSize
	c.mu.Unlock()
	if full {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// Stats returns the counts so far.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Flush sends everything queued so far and returns when it is sent or
// given up; the error says how many records failed.
func (c *Client) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case c.flushes <- reply:
	case <-c.done:
		return errors.New("client: closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is queued, stops the flusher and refuses new records.
// Records still queued when ctx ends are counted as failed.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	err := c.Flush(ctx)
	close(c.stop)
	<-c.done
	c.mu.Lock()
	if n := len(c.queue); n > 0 {
		c.stats.Failed += int64(n)
		c.queue = nil
		err = errors.Join(err, fmt.Errorf("client: %d records not sent before Close returned", n))
	}
	c.mu.Unlock()
	return err
}

// run is the flusher.
func (c *Client) run() {
	defer close(c.done)
	ticker := time.NewTicker(c.cfg.FlushInterval)
	defer ticker.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.stop
		cancel()
	}()
	for {
		select {
		case <-c.stop:
			return
		case <-ticker.C:
			c.drain(ctx, false)
		case <-c.wake:
			c.drain(ctx, true)
		case reply := <-c.flushes:
			reply <- c.drain(ctx, false)
		}
	}
}

// drain sends the queue in batches; with fullOnly it sends full batches only.
func (c *Client) drain(ctx context.Context, fullOnly bool) error {
	var errs []error
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || (fullOnly && len(c.queue) < c.cfg.BatchSize) {
			c.mu.Unlock()
			return errors.Join(errs...)
		}
		// A batch is of one kind: the first record's, in queue order.
		k := c.queue[0].kind
		var batch []json.RawMessage
		rest := c.queue[:0:0]
		for _, it := range c.queue {
			if it.kind == k && len(batch) < c.cfg.BatchSize {
				batch = append(batch, it.data)
			} else {
				rest = append(rest, it)
			}
		}
		c.queue = rest
		c.mu.Unlock()
		if err := c.send(ctx, k, batch); err != nil {
			errs = append(errs, err)
		}
	}
}

// response is the ingest API's answer.
type response struct {
	BatchID   string `json:"batch_id"`
	Accepted  int    `json:"accepted"`
	Rejected  []any  `json:"rejected"`
	Duplicate bool   `json:"duplicate"`
	Error     *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// send posts one batch, retrying with the same batch id.
func (c *Client) send(ctx context.Context, k kind, recs []json.RawMessage) error {
	id := newID()
	body, err := encodeBatch(id, recs)
	if err != nil {
		return c.fail(k, id, len(recs), err)
	}
	url := c.cfg.Endpoint + "/v1/models/" + c.cfg.Model + "/" + string(k)
	var last error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		if attempt > 1 {
			c.mu.Lock()
			c.stats.Retries++
			c.mu.Unlock()
			if err := c.sleep(ctx, c.backoff(attempt-1)); err != nil {
				return c.fail(k, id, len(recs), fmt.Errorf("%w (last: %v)", err, last))
			}
		}
		status, resp, err := c.post(ctx, url, id, body)
		switch {
		case err != nil:
			last = err
			continue
		case status == http.StatusOK:
			c.mu.Lock()
			c.stats.Sent += int64(len(recs))
			c.stats.Rejected += int64(len(resp.Rejected))
			c.stats.Batches++
			c.mu.Unlock()
			return nil
		case status == http.StatusTooManyRequests || status >= 500:
			last = fmt.Errorf("HTTP %d", status)
			continue
		default:
			msg := fmt.Sprintf("HTTP %d", status)
			if resp.Error != nil {
				msg += " " + resp.Error.Code + ": " + resp.Error.Message
			}
			return c.fail(k, id, len(recs), errors.New(msg))
		}
	}
	return c.fail(k, id, len(recs), fmt.Errorf("gave up after %d attempts: %w", c.cfg.MaxAttempts, last))
}

func (c *Client) fail(k kind, id string, n int, err error) error {
	c.mu.Lock()
	c.stats.Failed += int64(n)
	c.mu.Unlock()
	c.log.Error("modelwatch client: batch not sent", "model", c.cfg.Model, "kind", string(k), "batch_id", id,
		"records", n, "error", err.Error())
	return fmt.Errorf("client: batch %s of %d %s: %w", id, n, k, err)
}

// backoff is the wait before retry n (from 1): full jitter over an
// exponentially growing bound.
func (c *Client) backoff(n int) time.Duration {
	bound := float64(c.cfg.RetryBase) * math.Pow(2, float64(n-1))
	bound = min(bound, float64(c.cfg.RetryMax))
	return time.Duration(bound/2 + mrand.Float64()*bound/2)
}

// post sends one signed attempt.
func (c *Client) post(ctx context.Context, url, id string, body []byte) (int, *response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Idempotency-Key", id)
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("retrieve credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", c.cfg.Region, time.Now()); err != nil {
		return 0, nil, fmt.Errorf("sign: %w", err)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("read the answer: %w", err)
	}
	var r response
	_ = json.Unmarshal(data, &r) // error bodies of a proxy may not be JSON
	return resp.StatusCode, &r, nil
}

func encodeBatch(id string, recs []json.RawMessage) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	head, _ := json.Marshal(id)
	zw.Write([]byte(`{"batch_id":`))
	zw.Write(head)
	zw.Write([]byte(`,"records":[`))
	for i, r := range recs {
		if i > 0 {
			zw.Write([]byte{','})
		}
		zw.Write(r)
	}
	zw.Write([]byte("]}"))
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress the batch: %w", err)
	}
	return buf.Bytes(), nil
}

// newID is a random id usable as a batch id and a request id.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
