package metrics_test

// The moto tests need moto's server (pip install 'moto[server]'); they start it
// themselves and fail when it is missing, except under go test -short.

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/modelwatch/modelwatch/internal/motoserver"
	"github.com/modelwatch/modelwatch/shared/metrics"
)

func TestMain(m *testing.M) { os.Exit(motoserver.RunMain(m)) }

// fakeCloudWatch records requests and fails the first calls with the
// errors in fail.
type fakeCloudWatch struct {
	mu       sync.Mutex
	fail     []error
	calls    int
	requests []*cloudwatch.PutMetricDataInput
}

func (f *fakeCloudWatch) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		if err != nil {
			return nil, err
		}
	}
	f.requests = append(f.requests, in)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

func datum(name string, v float64, dims ...string) types.MetricDatum {
	d := types.MetricDatum{MetricName: aws.String(name), Value: aws.Float64(v), Unit: types.StandardUnitNone,
		Timestamp: aws.Time(time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))}
	for i := 0; i+1 < len(dims); i += 2 {
		d.Dimensions = append(d.Dimensions, types.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return d
}

func noSleep(context.Context, time.Duration) error { return nil }

func newPublisher(t *testing.T, c metrics.CloudWatchAPI, opts ...metrics.CloudWatchOption) *metrics.CloudWatchPublisher {
	t.Helper()
	p, err := metrics.NewCloudWatchPublisher(c, "ModelWatch", append([]metrics.CloudWatchOption{metrics.WithCloudWatchSleep(noSleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCloudWatchBatching(t *testing.T) {
	for _, c := range []struct {
		name      string
		n         int
		dims      []string
		batchSize int
		want      []int
	}{
		{"empty", 0, nil, 0, nil},
		{"one", 1, nil, 0, []int{1}},
		{"exactly the limit", 1000, nil, 0, []int{1000}},
		{"2500", 2500, nil, 0, []int{1000, 1000, 500}},
		{"custom size", 25, nil, 10, []int{10, 10, 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeCloudWatch{}
			var opts []metrics.CloudWatchOption
			if c.batchSize > 0 {
				opts = append(opts, metrics.WithCloudWatchBatchSize(c.batchSize))
			}
			p := newPublisher(t, fake, opts...)
			var data []types.MetricDatum
			for i := range c.n {
				data = append(data, datum("FeaturePSI", float64(i), c.dims...))
			}
			if err := p.Publish(context.Background(), data); err != nil {
				t.Fatal(err)
			}
			var got []int
			seen := 0
			for _, r := range fake.requests {
				got = append(got, len(r.MetricData))
				if aws.ToString(r.Namespace) != "ModelWatch" {
					t.Errorf("namespace %q", aws.ToString(r.Namespace))
				}
				for _, d := range r.MetricData {
					if *d.Value != float64(seen) {
						t.Fatalf("datum %d has value %g: data reordered or lost", seen, *d.Value)
					}
					seen++
				}
			}
			if seen != c.n || !equalInts(got, c.want) {
				t.Errorf("requests of %v data (%d in all), want %v", got, seen, c.want)
			}
		})
	}
}

// recordingHTTP answers every request like CloudWatch answers
// PutMetricData in the query protocol and records the body sizes.
type recordingHTTP struct {
	mu    sync.Mutex
	sizes []int
}

func (r *recordingHTTP) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.sizes = append(r.sizes, len(body))
	r.mu.Unlock()
	const ok = `<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></PutMetricDataResponse>`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(strings.NewReader(ok)), Request: req}, nil
}

// TestCloudWatchRequestSize sends 1000 data with long dimension values
// through the real client in the query protocol (the largest encoding) and
// checks that no request body exceeds the API's 1 MB.
func TestCloudWatchRequestSize(t *testing.T) {
	rec := &recordingHTTP{}
	proto, err := metrics.CloudWatchProtocol("query")
	if err != nil {
		t.Fatal(err)
	}
	client := cloudwatch.New(cloudwatch.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: rec,
		Credentials:               credentials.NewStaticCredentialsProvider("a", "b", ""),
		DisableRequestCompression: true, // measure the uncompressed body
	}, proto)
	p := newPublisher(t, client)
	long := strings.Repeat("f/ ", 85) // 255 characters, most of them percent-encoded
	var data []types.MetricDatum
	for i := range 1000 {
		data = append(data, datum("FeaturePSI", float64(i), "Model", long, "Feature", long+strconv.Itoa(i)))
	}
	if err := p.Publish(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	if len(rec.sizes) < 2 {
		t.Fatalf("%d requests: 1000 data this large do not fit one", len(rec.sizes))
	}
	for i, n := range rec.sizes {
		if n > metrics.CloudWatchMaxRequestBytes {
			t.Errorf("request %d is %d bytes, over the limit", i, n)
		}
	}
	t.Logf("request sizes %v", rec.sizes)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func apiError(code string, fault smithy.ErrorFault) error {
	return &smithy.GenericAPIError{Code: code, Message: "test", Fault: fault}
}

func TestCloudWatchRetries(t *testing.T) {
	throttled := apiError("Throttling", smithy.FaultClient)
	for _, c := range []struct {
		name      string
		fail      []error
		wantCalls int
		wantErr   string
	}{
		{"throttled twice", []error{throttled, apiError("ThrottlingException", smithy.FaultClient)}, 3, ""},
		{"server error", []error{apiError("InternalFailure", smithy.FaultServer)}, 2, ""},
		{"throttled past the attempts", []error{throttled, throttled, throttled, throttled}, 4, "after 4 attempts"},
		{"invalid parameter is not retried", []error{apiError("InvalidParameterValue", smithy.FaultClient)}, 1, "InvalidParameterValue"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeCloudWatch{fail: c.fail}
			var slept []time.Duration
			p := newPublisher(t, fake, metrics.WithCloudWatchRetries(4, 100*time.Millisecond, time.Second),
				metrics.WithCloudWatchSleep(func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }))
			err := p.Publish(context.Background(), []types.MetricDatum{datum("Accuracy", 0.9, "Model", "m")})
			if fake.calls != c.wantCalls {
				t.Errorf("%d calls, want %d", fake.calls, c.wantCalls)
			}
			if c.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
			for k, d := range slept {
				if ceiling := min(time.Second, 100*time.Millisecond<<k); d < 0 || d > ceiling {
					t.Errorf("delay %d = %v, want within [0, %v]", k, d, ceiling)
				}
			}
		})
	}
}

// TestCloudWatchPartialFailure checks that a failed request does not stop
// the others, and that the error says which failed.
func TestCloudWatchPartialFailure(t *testing.T) {
	fake := &fakeCloudWatch{fail: []error{apiError("InvalidParameterCombination", smithy.FaultClient)}}
	p := newPublisher(t, fake, metrics.WithCloudWatchBatchSize(2))
	data := []types.MetricDatum{datum("A", 1), datum("B", 2), datum("C", 3)}
	err := p.Publish(context.Background(), data)
	if err == nil || !strings.Contains(err.Error(), "request 1 of 2 (2 metrics)") {
		t.Fatalf("error %v", err)
	}
	if len(fake.requests) != 1 || aws.ToString(fake.requests[0].MetricData[0].MetricName) != "C" {
		t.Errorf("the second request was not sent after the first failed")
	}
}

func TestCloudWatchContextCancelled(t *testing.T) {
	fake := &fakeCloudWatch{fail: []error{apiError("Throttling", smithy.FaultClient)}}
	p, err := metrics.NewCloudWatchPublisher(fake, "ModelWatch", metrics.WithCloudWatchRetries(5, time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Publish(ctx, []types.MetricDatum{datum("A", 1)})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the deadline", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("the backoff ignored the context")
	}
}

func TestCloudWatchRefusesBadData(t *testing.T) {
	many := datum("A", 1)
	for i := range 31 {
		many.Dimensions = append(many.Dimensions, types.Dimension{Name: aws.String("D" + string(rune('a'+i))), Value: aws.String("v")})
	}
	for _, c := range []struct {
		name string
		d    types.MetricDatum
		want string
	}{
		{"no name", types.MetricDatum{Value: aws.Float64(1)}, "has no name"},
		{"NaN", datum("A", math.NaN()), "not a finite number"},
		{"Inf", datum("A", math.Inf(1)), "not a finite number"},
		{"huge", datum("A", 1e300), "not a finite number"},
		{"NaN in values", types.MetricDatum{MetricName: aws.String("A"), Values: []float64{1, math.NaN()}}, "not a finite number"},
		{"empty dimension value", datum("A", 1, "Model", ""), "must not be empty"},
		{"31 dimensions", many, "31 dimensions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeCloudWatch{}
			err := newPublisher(t, fake).Publish(context.Background(), []types.MetricDatum{datum("ok", 1), c.d})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if fake.calls != 0 {
				t.Error("bad data was sent")
			}
		})
	}
}

func TestNewCloudWatchPublisherChecks(t *testing.T) {
	fake := &fakeCloudWatch{}
	for _, c := range []struct {
		name      string
		client    metrics.CloudWatchAPI
		namespace string
		opts      []metrics.CloudWatchOption
	}{
		{"nil client", nil, "ModelWatch", nil},
		{"empty namespace", fake, "", nil},
		{"AWS namespace", fake, "AWS/Lambda", nil},
		{"batch too large", fake, "ModelWatch", []metrics.CloudWatchOption{metrics.WithCloudWatchBatchSize(1001)}},
		{"no attempts", fake, "ModelWatch", []metrics.CloudWatchOption{metrics.WithCloudWatchRetries(0, 0, 0)}},
	} {
		if _, err := metrics.NewCloudWatchPublisher(c.client, c.namespace, c.opts...); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

func TestCloudWatchProtocol(t *testing.T) {
	for _, name := range []string{"", "cbor", "query", "QUERY", "json"} {
		if _, err := metrics.CloudWatchProtocol(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	if _, err := metrics.CloudWatchProtocol("xml"); err == nil || !strings.Contains(err.Error(), "want cbor, query or json") {
		t.Errorf("xml: %v", err)
	}
	o := cloudwatch.Options{}
	fn, _ := metrics.CloudWatchProtocol("query")
	fn(&o)
	if o.Protocol == nil || o.Protocol.ID().Name != "awsQuery" {
		t.Errorf("query selects %v", o.Protocol)
	}
}

// TestCloudWatchMoto publishes more than one request's worth of data to
// moto's CloudWatch with the query protocol, the way the drift function
// does under CLOUDWATCH_PROTOCOL=query, and reads them back.
func TestCloudWatchMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.Env(t)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "")
	ctx := context.Background()
	client, err := metrics.NewCloudWatchClient(ctx, "query")
	if err != nil {
		t.Fatal(err)
	}
	ns := "ModelWatchTest" + time.Now().Format("150405.000000")
	p, err := metrics.NewCloudWatchPublisher(client, ns)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Hour)
	var data []types.MetricDatum
	for i := range 1200 {
		d := datum("FeaturePSI", float64(i)/1000, "Model", "m", "Feature", "f"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Duration(i).String())
		d.Timestamp = aws.Time(at)
		data = append(data, d)
	}
	if err := p.Publish(ctx, data); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(at.Add(-time.Hour)), EndTime: aws.Time(at.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("q"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String("FeaturePSI"), Dimensions: data[1199].Dimensions},
			Period: aws.Int32(3600), Stat: aws.String("Maximum")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 1 || len(out.MetricDataResults[0].Values) != 1 || out.MetricDataResults[0].Values[0] != 1.199 {
		t.Fatalf("read back %+v", out.MetricDataResults)
	}
	list, err := client.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String(ns)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Metrics) == 0 {
		t.Error("no metrics listed")
	}
}
