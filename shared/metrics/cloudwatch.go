package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/modelwatch/modelwatch/shared/sleep"
)

// CloudWatch API limits of one PutMetricData request.
const (
	// CloudWatchMaxDatums is the most metric data one request may carry.
	CloudWatchMaxDatums = 1000
	// CloudWatchMaxRequestBytes is the largest request payload (1 MB).
	CloudWatchMaxRequestBytes = 1 << 20
	// cloudWatchMaxDimensions is the most dimensions a datum may have.
	cloudWatchMaxDimensions = 30
	// cloudWatchMaxValue bounds a value's magnitude (2^360); NaN and
	// infinities are refused by the API.
	cloudWatchMaxValue = 0x1p360
)

// The wire protocols the CloudWatch client can speak. The SDK's default is
// Smithy RPC v2 CBOR; emulators that lack it (moto) need awsQuery.
const (
	CloudWatchProtocolCBOR  = "cbor"
	CloudWatchProtocolQuery = "query"
	CloudWatchProtocolJSON  = "json"
)

// CloudWatchProtocol returns the client option that selects a wire protocol
// by name: "" or "cbor" keeps the SDK's default (Smithy RPC v2 CBOR),
// "query" selects awsQuery (moto) and "json" awsJson 1.0. Any other name is
// an error.
func CloudWatchProtocol(name string) (func(*cloudwatch.Options), error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", CloudWatchProtocolCBOR:
		return func(*cloudwatch.Options) {}, nil
	case CloudWatchProtocolQuery:
		return func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) }, nil
	case CloudWatchProtocolJSON:
		return func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801) }, nil
	}
	return nil, fmt.Errorf("cloudwatch protocol %q: want %s, %s or %s", name, CloudWatchProtocolCBOR, CloudWatchProtocolQuery, CloudWatchProtocolJSON)
}

// NewCloudWatchClient builds a CloudWatch client from the default AWS
// configuration chain (which honours AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_CLOUDWATCH), speaking the named protocol (see
// CloudWatchProtocol). optFns are applied after the protocol.
func NewCloudWatchClient(ctx context.Context, protocol string, optFns ...func(*cloudwatch.Options)) (*cloudwatch.Client, error) {
	proto, err := CloudWatchProtocol(protocol)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return cloudwatch.NewFromConfig(cfg, append([]func(*cloudwatch.Options){proto}, optFns...)...), nil
}

// CloudWatchAPI is the part of *cloudwatch.Client the publisher uses; tests
// substitute a fake.
type CloudWatchAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

var _ CloudWatchAPI = (*cloudwatch.Client)(nil)

// CloudWatchPublisher publishes metric data with PutMetricData: in requests
// within the API's limits (at most 1000 data and 1 MB each), retrying
// throttled and server-side failures with capped exponential backoff and
// jitter.
type CloudWatchPublisher struct {
	client      CloudWatchAPI
	namespace   string
	batchSize   int
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	sleep       func(context.Context, time.Duration) error
	logger      *slog.Logger
}

// CloudWatchOption configures a CloudWatchPublisher.
type CloudWatchOption func(*CloudWatchPublisher)

// WithCloudWatchBatchSize sets the most data per request (1 to 1000;
// default 1000).
func WithCloudWatchBatchSize(n int) CloudWatchOption {
	return func(p *CloudWatchPublisher) { p.batchSize = n }
}

// WithCloudWatchRetries sets the attempts per request (default 4) and the
// backoff: the delay before retry k is uniform in [0, min(max, base·2^k)].
// The SDK client's own retries come on top of these.
func WithCloudWatchRetries(attempts int, base, max time.Duration) CloudWatchOption {
	return func(p *CloudWatchPublisher) { p.maxAttempts, p.baseDelay, p.maxDelay = attempts, base, max }
}

// WithCloudWatchSleep replaces the backoff sleep (tests).
func WithCloudWatchSleep(sleep func(context.Context, time.Duration) error) CloudWatchOption {
	return func(p *CloudWatchPublisher) { p.sleep = sleep }
}

// WithCloudWatchLogger sets the logger of retries (default slog.Default()).
func WithCloudWatchLogger(l *slog.Logger) CloudWatchOption {
	return func(p *CloudWatchPublisher) { p.logger = l }
}

// NewCloudWatchPublisher returns a publisher into namespace.
func NewCloudWatchPublisher(client CloudWatchAPI, namespace string, opts ...CloudWatchOption) (*CloudWatchPublisher, error) {
	p := &CloudWatchPublisher{
		client:      client,
		namespace:   namespace,
		batchSize:   CloudWatchMaxDatums,
		maxAttempts: 4,
		baseDelay:   200 * time.Millisecond,
		maxDelay:    10 * time.Second,
		sleep:       sleep.For,
		logger:      slog.Default(),
	}
	for _, o := range opts {
		o(p)
	}
	switch {
	case client == nil:
		return nil, errors.New("cloudwatch publisher: nil client")
	case namespace == "" || strings.HasPrefix(namespace, "AWS/") || len(namespace) > 255:
		return nil, fmt.Errorf("cloudwatch publisher: namespace %q: want 1-255 characters, not starting with AWS/", namespace)
	case p.batchSize < 1 || p.batchSize > CloudWatchMaxDatums:
		return nil, fmt.Errorf("cloudwatch publisher: batch size %d: want 1-%d", p.batchSize, CloudWatchMaxDatums)
	case p.maxAttempts < 1:
		return nil, fmt.Errorf("cloudwatch publisher: %d attempts: want at least 1", p.maxAttempts)
	}
	return p, nil
}

// Namespace is the namespace the publisher writes to.
func (p *CloudWatchPublisher) Namespace() string { return p.namespace }

// Publish sends data in as few requests as the limits allow. Every request
// is attempted even when an earlier one failed; the error lists the
// requests that could not be published after their retries. Data that the
// API would refuse (no name, a non-finite value, too many dimensions) is an
// error before anything is sent.
func (p *CloudWatchPublisher) Publish(ctx context.Context, data []types.MetricDatum) error {
	if err := CheckCloudWatchData(data); err != nil {
		return fmt.Errorf("publish metrics to %s: %w", p.namespace, err)
	}
	batches := p.batches(data)
	var errs []error
	for i, b := range batches {
		if err := p.put(ctx, b); err != nil {
			errs = append(errs, fmt.Errorf("request %d of %d (%d metrics): %w", i+1, len(batches), len(b), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("publish metrics to %s: %w", p.namespace, errors.Join(errs...))
	}
	return nil
}

// CheckCloudWatchData checks what PutMetricData would refuse: a datum
// without a name, with a value that is not finite or beyond ±2^360, or with
// more than 30 dimensions or an empty dimension name or value.
func CheckCloudWatchData(data []types.MetricDatum) error {
	for i, d := range data {
		name := aws.ToString(d.MetricName)
		if name == "" {
			return fmt.Errorf("metric %d has no name", i)
		}
		if d.Value != nil {
			if v := *d.Value; math.IsNaN(v) || math.Abs(v) > cloudWatchMaxValue {
				return fmt.Errorf("metric %s: value %g is not a finite number within ±2^360", name, v)
			}
		}
		for _, v := range d.Values {
			if math.IsNaN(v) || math.Abs(v) > cloudWatchMaxValue {
				return fmt.Errorf("metric %s: value %g is not a finite number within ±2^360", name, v)
			}
		}
		if len(d.Dimensions) > cloudWatchMaxDimensions {
			return fmt.Errorf("metric %s has %d dimensions, at most %d", name, len(d.Dimensions), cloudWatchMaxDimensions)
		}
		for _, dim := range d.Dimensions {
			if aws.ToString(dim.Name) == "" || aws.ToString(dim.Value) == "" {
				return fmt.Errorf("metric %s: dimension %q=%q: name and value must not be empty", name, aws.ToString(dim.Name), aws.ToString(dim.Value))
			}
		}
	}
	return nil
}

// datumBytes estimates a datum's size in a request (awsQuery encoding, the
// largest of the protocols): its strings plus the member keys around them.
func datumBytes(d types.MetricDatum) int {
	n := 160 + len(aws.ToString(d.MetricName)) + 24*len(d.Values) + 8*len(d.Counts)
	for _, dim := range d.Dimensions {
		n += 80 + 3*(len(aws.ToString(dim.Name))+len(aws.ToString(dim.Value))) // percent-encoding at worst
	}
	return n
}

// batches splits data into requests of at most batchSize data and about
// 900 kB (leaving room for the request's own fields).
func (p *CloudWatchPublisher) batches(data []types.MetricDatum) [][]types.MetricDatum {
	const budget = CloudWatchMaxRequestBytes * 9 / 10
	var out [][]types.MetricDatum
	start, size := 0, 0
	for i, d := range data {
		b := datumBytes(d)
		if i > start && (i-start == p.batchSize || size+b > budget) {
			out = append(out, data[start:i])
			start, size = i, 0
		}
		size += b
	}
	if start < len(data) {
		out = append(out, data[start:])
	}
	return out
}

func (p *CloudWatchPublisher) put(ctx context.Context, batch []types.MetricDatum) error {
	in := &cloudwatch.PutMetricDataInput{Namespace: aws.String(p.namespace), MetricData: batch}
	for attempt := 1; ; attempt++ {
		_, err := p.client.PutMetricData(ctx, in)
		if err == nil {
			return nil
		}
		if attempt >= p.maxAttempts || !retryableCloudWatchError(err) || ctx.Err() != nil {
			if attempt > 1 {
				return fmt.Errorf("after %d attempts: %w", attempt, err)
			}
			return err
		}
		delay := p.backoff(attempt)
		p.logger.WarnContext(ctx, "PutMetricData failed, retrying", "namespace", p.namespace, "attempt", attempt, "delay_ms", delay.Milliseconds(), "error", err.Error())
		if err := p.sleep(ctx, delay); err != nil {
			return fmt.Errorf("waiting to retry: %w", err)
		}
	}
}

// backoff is "full jitter": uniform in [0, min(max, base·2^(attempt-1))].
func (p *CloudWatchPublisher) backoff(attempt int) time.Duration {
	ceiling := p.maxDelay
	if shift := attempt - 1; shift < 30 {
		if d := p.baseDelay << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// retryableCloudWatchError reports whether a failed request may succeed
// when repeated: throttling (by error code or HTTP 429) and server-side
// failures (HTTP 5xx).
func retryableCloudWatchError(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if _, ok := retry.DefaultThrottleErrorCodes[apiErr.ErrorCode()]; ok {
			return true
		}
		if apiErr.ErrorFault() == smithy.FaultServer {
			return true
		}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		status := respErr.HTTPStatusCode()
		return status == http.StatusTooManyRequests || status >= 500
	}
	return false
}
