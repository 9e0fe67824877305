package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/metrics"
	"github.com/modelwatch/modelwatch/shared/multivariate"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/store"
)

// discardBucket is S3 faked for benchmarks: it keeps nothing and counts the
// bytes it would upload.
type discardBucket struct{ bytes atomic.Int64 }

func (d *discardBucket) Get(context.Context, string) ([]byte, error) { return nil, store.ErrNotFound }

func (d *discardBucket) PutIfAbsent(_ context.Context, _ string, data []byte, _ ...store.PutOption) error {
	d.bytes.Add(int64(len(data)))
	return nil
}

// staticReferences serves one reference without a bucket.
type staticReferences struct{ ref *ingest.Reference }

func (s staticReferences) Current(context.Context, string) (*ingest.Reference, error) {
	return s.ref, nil
}
func (s staticReferences) Version(context.Context, string, string) (*ingest.Reference, error) {
	return s.ref, nil
}

// wideFeature describes a synthetic feature of the benchmark model.
type wideFeature struct {
	name string
	kind profile.Kind
	gen  func(r *rand.Rand) any
}

// wideModelN has copies × 25 features; the first 25 are wideModel25's, the
// others the same generators with a suffix _k.
func wideModelN(copies int) []wideFeature {
	var fs []wideFeature
	for k := 1; k < copies; k++ {
		for _, f := range wideModel25() {
			f.name += "_" + strconv.Itoa(k)
			fs = append(fs, f)
		}
	}
	return append(wideModel25(), fs...)
}

// wideModel25 has 25 features: 15 continuous, 4 discrete, 6 categorical.
func wideModel25() []wideFeature {
	var fs []wideFeature
	for i := range 15 {
		scale := math.Pow(10, float64(i%5))
		fs = append(fs, wideFeature{fmt.Sprintf("num_%02d", i), profile.Numeric, func(r *rand.Rand) any {
			return math.Round(r.NormFloat64()*scale*100) / 100
		}})
	}
	for i := range 4 {
		levels := 3 + 4*i
		fs = append(fs, wideFeature{fmt.Sprintf("disc_%02d", i), profile.Discrete, func(r *rand.Rand) any { return r.IntN(levels) }})
	}
	for i := range 6 {
		cats := []int{5, 12, 40, 150, 600, 30}[i]
		fs = append(fs, wideFeature{fmt.Sprintf("cat_%02d", i), profile.Categorical, func(r *rand.Rand) any {
			return "c" + strconv.Itoa(int(math.Abs(r.NormFloat64()*float64(cats)/3))%cats)
		}})
	}
	return fs
}

// wideReference builds the reference profile of the benchmark model from
// 5,000 synthetic rows.
func wideReference(b testing.TB) *profile.Profile {
	p, _ := wideReferenceN(b, 1)
	return p
}

// wideReferenceN is wideReference of wideModelN(copies), and its rows.
func wideReferenceN(b testing.TB, copies int) (*profile.Profile, []byte) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	for range 5000 {
		row := map[string]any{}
		for _, f := range wideModelN(copies) {
			row[f.name] = f.gen(r)
		}
		d := r.Float64()
		row["prediction"] = map[bool]string{true: "yes", false: "no"}[d > 0.5]
		row["score_yes"], row["score_no"] = d, 1-d
		row["label"] = map[bool]string{true: "yes", false: "no"}[r.Float64() > 0.5]
		line, _ := json.Marshal(row)
		buf.Write(append(line, '\n'))
	}
	rows := bytes.Clone(buf.Bytes())
	rd, err := dataset.NewReader(&buf, "wide.jsonl", dataset.FormatJSONL)
	if err != nil {
		b.Fatal(err)
	}
	p, err := profile.Build(context.Background(), rd, "wide.jsonl", profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: "wide", Version: "v1"})
	if err != nil {
		b.Fatal(err)
	}
	return p, rows
}

// wideBody is a compact batch body of n prediction records within one hour.
func wideBody(n int, at time.Time) []byte { return wideBodyN(n, at, 1) }

func wideBodyN(n int, at time.Time, copies int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	type rec struct {
		RequestID string             `json:"request_id"`
		Timestamp string             `json:"timestamp"`
		Version   string             `json:"model_version"`
		Features  map[string]any     `json:"features"`
		Pred      string             `json:"prediction"`
		Scores    map[string]float64 `json:"scores"`
		Latency   float64            `json:"latency_ms"`
		Error     *string            `json:"error"`
	}
	recs := make([]rec, n)
	for i := range recs {
		feats := map[string]any{}
		for _, f := range wideModelN(copies) {
			feats[f.name] = f.gen(r)
		}
		d := math.Round(r.Float64()*1e4) / 1e4
		recs[i] = rec{
			RequestID: fmt.Sprintf("req-%06d", i),
			Timestamp: at.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano),
			Version:   "v1", Features: feats, Pred: map[bool]string{true: "yes", false: "no"}[d > 0.5],
			Scores:  map[string]float64{"yes": d, "no": math.Round((1-d)*1e4) / 1e4},
			Latency: math.Round(r.ExpFloat64()*1000) / 100,
		}
	}
	body, _ := json.Marshal(map[string]any{"records": recs})
	return body
}

func benchHandler(b *testing.B) (*ingest.Handler, *discardBucket) {
	return benchHandlerFor(b, wideReference(b))
}

func benchHandlerFor(b *testing.B, ref *profile.Profile) (*ingest.Handler, *discardBucket) {
	b.Helper()
	r, err := newReferenceForBench(ref)
	if err != nil {
		b.Fatal(err)
	}
	cfg := ingest.DefaultConfig()
	cfg.Bucket = "bench"
	emf, _ := metrics.NewEMFWriter(io.Discard, cfg.Namespace)
	bucket := &discardBucket{}
	h := ingest.New(cfg, bucket, staticReferences{r}, emf,
		ingest.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))),
		ingest.WithClock(func() time.Time { return testNow }))
	return h, bucket
}

func newReferenceForBench(p *profile.Profile) (*ingest.Reference, error) {
	mem := store.NewMemory()
	if err := mem.Put(context.Background(), "reference/wide/current.json",
		[]byte(`{"model":"wide","version":"v1","key":"reference/wide/v1/profile.json"}`)); err != nil {
		return nil, err
	}
	data, err := p.Encode()
	if err != nil {
		return nil, err
	}
	if err := mem.Put(context.Background(), "reference/wide/v1/profile.json", data); err != nil {
		return nil, err
	}
	return ingest.NewReferenceCache(mem, time.Hour, nil).Current(context.Background(), "wide")
}

// BenchmarkIngest measures a 1,000-record × 25-feature batch from the
// Lambda payload to the bytes that would be uploaded (S3 faked): decoding,
// validation, JSON Lines, gzip, the batch profile, the receipt and the EMF
// line. Run with -cpu 1 for the per-core figure.
func BenchmarkIngest(b *testing.B) {
	const n = 1000
	body := wideBody(n, testNow.Add(-50*time.Minute))
	h, bucket := benchHandler(b)

	direct := append([]byte(`{"model":"wide","kind":"predictions",`), body[1:]...)
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /v1/models/{model}/predictions",
		RawPath: "/v1/models/wide/predictions", Body: string(body),
		Headers: map[string]string{"content-type": "application/json"}}
	ev.RequestContext.HTTP.Method = "POST"
	httpPayload, _ := json.Marshal(ev)

	for _, tc := range []struct {
		name    string
		payload []byte
	}{{"direct", direct}, {"http", httpPayload}} {
		b.Run(tc.name, func(b *testing.B) {
			out, err := h.Invoke(context.Background(), tc.payload)
			if err != nil || !bytes.Contains(out, []byte(`accepted`)) || !bytes.Contains(out, []byte(`:1000,`)) {
				b.Fatalf("%v: %.300s", err, out)
			}
			bucket.bytes.Store(0)
			b.SetBytes(int64(len(tc.payload)))
			b.ReportAllocs()
			cpu0 := processCPU()
			b.ResetTimer()
			for b.Loop() {
				if _, err := h.Invoke(context.Background(), tc.payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
			if cpu := processCPU() - cpu0; cpu > 0 {
				// Records per second of CPU time: the per-core figure,
				// also when other processes load the machine.
				b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "records/cpu-s")
			}
			b.ReportMetric(float64(bucket.bytes.Load())/float64(b.N), "uploaded-B/op")
		})
	}
}

// BenchmarkIngestWide measures a 1,000-record × 50-feature batch (direct
// invocation) against a reference without and with a multivariate model:
// the cost of each record's reconstruction error at ingest.
func BenchmarkIngestWide(b *testing.B) {
	const n = 1000
	body := wideBodyN(n, testNow.Add(-50*time.Minute), 2)
	payload := append([]byte(`{"model":"wide","kind":"predictions",`), body[1:]...)
	plain, rows := wideReferenceN(b, 2)
	withModel, _ := wideReferenceN(b, 2)
	fitWide(b, withModel, rows)
	for _, tc := range []struct {
		name string
		ref  *profile.Profile
	}{{"features=50/multivariate=off", plain}, {"features=50/multivariate=on", withModel}} {
		b.Run(tc.name, func(b *testing.B) {
			h, _ := benchHandlerFor(b, tc.ref)
			out, err := h.Invoke(context.Background(), payload)
			if err != nil || !bytes.Contains(out, []byte(`:1000,`)) {
				b.Fatalf("%v: %.300s", err, out)
			}
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			cpu0 := processCPU()
			b.ResetTimer()
			for b.Loop() {
				if _, err := h.Invoke(context.Background(), payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "records/cpu-s")
			}
		})
	}
}

// fitWide fits the multivariate model of p's features on rows (JSON Lines).
func fitWide(b *testing.B, p *profile.Profile, rows []byte) {
	b.Helper()
	specs := p.MultivariateSpecs()
	open := func(context.Context) (dataset.Reader, error) {
		return dataset.NewReader(bytes.NewReader(rows), "wide.jsonl", dataset.FormatJSONL)
	}
	m, err := multivariate.Fit(context.Background(), open, specs, multivariate.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.SetMultivariate(m); err != nil {
		b.Fatal(err)
	}
	b.Logf("multivariate model: %d features, %d components", len(m.Features), len(m.Components))
}
