package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/drift"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/stats"
	"github.com/modelwatch/modelwatch/shared/store"
)

// The day the benchmark's window covers: 10,000 batch profiles of 100
// records × 50 features (40 numeric over 1000-bin grids, 10 categorical),
// written compactly as the ingest function writes them; 5 features shift by
// 0.3 standard deviations in the second half of the day (a mild shift: the
// KS p-values land in the range where they are the most expensive).
const (
	benchBatches  = 10000
	benchRecords  = 100
	benchNumeric  = 40
	benchCategory = 10
	benchModel    = "bench"
	benchDataEnv  = "MODELWATCH_BENCH_GENERATE"
)

var benchEnd = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// benchData returns the directory of the benchmark's bucket, generating it
// (once, in $TMPDIR) in a child process so that the generator's memory does
// not count in this process's peak.
func benchData(b *testing.B) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("modelwatch-bench-window-%d-%d-v2", benchBatches, benchRecords))
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	b.Logf("generating %s (once)", dir)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchDataEnv+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("generate benchmark data: %v\n%s", err, out)
	}
	return dir
}

// TestMain runs the tests, or, in the benchmark's child process (benchDataEnv
// set), only writes the benchmark's bucket.
func TestMain(m *testing.M) {
	if dir := os.Getenv(benchDataEnv); dir != "" {
		if err := generateBenchData(dir); err != nil {
			fmt.Fprintln(os.Stderr, "generate benchmark data:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// generateBenchData writes the benchmark's bucket into dir.
func generateBenchData(dir string) error {
	os.RemoveAll(dir)
	tmp, err := os.MkdirTemp("", "modelwatch-bench-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	st, err := store.NewLocal(dir)
	if err != nil {
		return err
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	var sb strings.Builder
	for i := range benchNumeric + benchCategory {
		fmt.Fprintf(&sb, "x%02d,", i)
	}
	sb.WriteString("prediction,score_yes,score_no\n")
	row := func(shift float64) []string {
		var out []string
		for i := range benchNumeric {
			s := 0.0
			if i < 5 {
				s = shift
			}
			out = append(out, fmt.Sprintf("%.4f", (rng.NormFloat64()+s)*float64(i+1)))
		}
		for range benchCategory {
			out = append(out, cats[rng.IntN(len(cats))])
		}
		p := rng.Float64()
		pred := "no"
		if p >= 0.5 {
			pred = "yes"
		}
		return append(out, pred, fmt.Sprintf("%.4f", p), fmt.Sprintf("%.4f", 1-p))
	}
	for range 50000 {
		sb.WriteString(strings.Join(row(0), ",") + "\n")
	}
	rd, err := dataset.NewReader(strings.NewReader(sb.String()), "train.csv", dataset.FormatCSV)
	if err != nil {
		return err
	}
	ref, err := profile.Build(ctx, rd, "train.csv", profile.BuildOptions{Settings: profile.DefaultSettings(), Model: benchModel, Version: "v1", TempDir: tmp})
	if err != nil {
		return err
	}
	if _, err := reference.Publish(ctx, st, ref, benchEnd.Add(-48*time.Hour)); err != nil {
		return err
	}
	start := benchEnd.Add(-24 * time.Hour)
	for k := range benchBatches {
		at := start.Add(time.Duration(k) * 24 * time.Hour / benchBatches)
		shift := 0.0
		if k >= benchBatches/2 {
			shift = 0.3
		}
		acc, err := profile.NewAccumulator(ref)
		if err != nil {
			return err
		}
		for range benchRecords {
			acc.AddRecord()
			acc.AddEventTime(at)
			acc.AddLatency(rng.ExpFloat64() * 20)
			for i, v := range row(shift) {
				if i < benchNumeric || i == benchNumeric+benchCategory+1 || i == benchNumeric+benchCategory+2 {
					continue
				}
				if err := acc.AddCategory(i, v); err != nil {
					return err
				}
			}
			for i := range benchNumeric {
				s := 0.0
				if i < 5 {
					s = shift
				}
				acc.AddNumber(i, (rng.NormFloat64()+s)*float64(i+1))
			}
			conf, _ := acc.Column(ref.Confidence.Name)
			acc.AddNumber(conf, 0.5+rng.Float64()/2)
		}
		data, err := json.Marshal(acc.Profile())
		if err != nil {
			return err
		}
		if err := st.Put(ctx, layout.DataObject(layout.Profiles, benchModel, at, fmt.Sprintf("b%05d", k)), data); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
}

type discardPublisher struct{}

func (discardPublisher) Publish(context.Context, []types.MetricDatum) error { return nil }

func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024
}

// BenchmarkWindow24h is the drift function's work for one model and a
// 24-hour window: list the 24 hour partitions, GET the 10,000 batch profiles
// (from a local directory here, not S3), decode and merge them, compare with
// the reference. Run it on one core:
//
//	go test -run '^$' -bench Window24h -benchtime 3x -cpu 1 ./shared/monitor/
func BenchmarkWindow24h(b *testing.B) {
	dir := benchData(b)
	st, err := store.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ref, ptr, err := reference.Load(ctx, st, benchModel)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(st, discardPublisher{}, Config{Now: func() time.Time { return benchEnd }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	mc := &modelRun{model: benchModel, ref: ref, refKey: ptr.Key}
	w := NewWindow(benchEnd, 24*time.Hour)
	var bytes int64
	objs, _ := st.List(ctx, "profiles/")
	for _, o := range objs {
		bytes += o.Size
	}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	var rep *Report
	for range b.N {
		if rep, _, err = m.windowReport(ctx, mc, w); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if rep.System.Batches != benchBatches || rep.Current.Rows != benchBatches*benchRecords || len(rep.Features) != benchNumeric+benchCategory {
		b.Fatalf("merged %d batches, %d rows, %d features", rep.System.Batches, rep.Current.Rows, len(rep.Features))
	}
	b.ReportMetric(float64(bytes)/1e6, "MB-of-profiles")
	b.ReportMetric(float64(b.N*benchBatches)/b.Elapsed().Seconds(), "profiles/s")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkCompareDay times drift.Compare alone on the merged 24-hour
// profile (10^6 current records against 5·10^4 reference rows) and reports
// the slowest KS p-value among the features (the exact Smirnov sum costs
// O(n) when the statistic is in its middle range).
func BenchmarkCompareDay(b *testing.B) {
	dir := benchData(b)
	st, err := store.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ref, _, err := reference.Load(ctx, st, benchModel)
	if err != nil {
		b.Fatal(err)
	}
	_, keys, err := listHours(ctx, st, layout.Profiles, benchModel, NewWindow(benchEnd, 24*time.Hour).Hours(), 32)
	if err != nil {
		b.Fatal(err)
	}
	merge := newWindowMerge(ref)
	for _, k := range keys {
		data, err := st.Get(ctx, k)
		if err != nil {
			b.Fatal(err)
		}
		bp, err := decodeBatch(data)
		if err != nil {
			b.Fatal(err)
		}
		if err := merge.add(bp); err != nil {
			b.Fatal(err)
		}
	}
	cur := merge.profile()
	var slowest time.Duration
	for i, rf := range ref.Features {
		if rf.Kind == profile.Categorical {
			continue
		}
		d := stats.KSStatisticCounts(rf.Grid, cur.Features[i].Grid)
		t0 := time.Now()
		stats.KSPValue(d, rf.Grid.Total(), cur.Features[i].Grid.Total())
		slowest = max(slowest, time.Since(t0))
	}
	b.ResetTimer()
	for range b.N {
		if _, err := drift.Compare(ref, cur, drift.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-KS-p-ms")
}

// BenchmarkMergeDay is BenchmarkWindow24h without the object store: the
// 10,000 profiles are read into memory first (so its peak RSS is not the
// function's), and only decoding, merging and comparing are timed.
func BenchmarkMergeDay(b *testing.B) {
	dir := benchData(b)
	st, err := store.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ref, _, err := reference.Load(ctx, st, benchModel)
	if err != nil {
		b.Fatal(err)
	}
	_, keys, err := listHours(ctx, st, layout.Profiles, benchModel, NewWindow(benchEnd, 24*time.Hour).Hours(), 32)
	if err != nil {
		b.Fatal(err)
	}
	blobs := make([][]byte, len(keys))
	for i, k := range keys {
		if blobs[i], err = st.Get(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		merge := newWindowMerge(ref)
		for _, data := range blobs {
			bp, err := decodeBatch(data)
			if err != nil {
				b.Fatal(err)
			}
			if err := merge.add(bp); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := drift.Compare(ref, merge.profile(), drift.Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(blobs))/b.Elapsed().Seconds(), "profiles/s")
}
