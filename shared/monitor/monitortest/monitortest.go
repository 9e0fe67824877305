package monitortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Numeric and Categorical name the generated features: ten in all.
var (
	Numeric     = []string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"}
	Categorical = []string{"c0", "c1"}
	c0Values    = []string{"a", "b", "c", "d", "e"}
	c1Values    = []string{"x", "y", "z"}
)

// Shift changes the generated distributions: Mean[f] is added to numeric
// feature f (in units of its standard deviation), and a categorical feature
// named in Skew draws its last category with the given probability.
type Shift struct {
	Mean map[string]float64
	Skew map[string]float64
	// Missing[f] is the probability that feature f is null.
	Missing map[string]float64
}

// Record is one prediction record, with the label the model's world gives it.
type Record struct {
	RequestID  string
	Time       time.Time
	Features   map[string]any
	Prediction string
	Scores     map[string]float64
	LatencyMS  float64
	Error      string
	Label      string
}

// Generate makes n records starting at start, step apart.
func Generate(n int, start time.Time, step time.Duration, shift Shift, seed uint64, idPrefix string) []Record {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Record, n)
	for i := range out {
		r := Record{
			RequestID: fmt.Sprintf("%s-%06d", idPrefix, i),
			Time:      start.Add(time.Duration(i) * step),
			Features:  map[string]any{},
			LatencyMS: math.Round(rng.ExpFloat64()*20*1000) / 1000,
		}
		var z float64
		for k, f := range Numeric {
			if rng.Float64() < shift.Missing[f] {
				r.Features[f] = nil
				continue
			}
			sd := 1 + float64(k)
			v := float64(k) + sd*(rng.NormFloat64()+shift.Mean[f])
			r.Features[f] = math.Round(v*1e4) / 1e4
			if k < 3 {
				z += (v - float64(k)) / sd
			}
		}
		for _, f := range Categorical {
			vals := c0Values
			if f == "c1" {
				vals = c1Values
			}
			if p, ok := shift.Skew[f]; ok && rng.Float64() < p {
				r.Features[f] = vals[len(vals)-1]
			} else {
				r.Features[f] = vals[rng.IntN(len(vals))]
			}
		}
		// The label depends on f0..f2; the model's score sees them with noise.
		pYes := 1 / (1 + math.Exp(-1.5*z))
		r.Label = "no"
		if rng.Float64() < pYes {
			r.Label = "yes"
		}
		s := 1 / (1 + math.Exp(-1.5*(z+0.5*rng.NormFloat64())))
		s = math.Round(s*1e4) / 1e4
		r.Scores = map[string]float64{"yes": s, "no": math.Round((1-s)*1e4) / 1e4}
		r.Prediction = "no"
		if s >= 0.5 {
			r.Prediction = "yes"
		}
		out[i] = r
	}
	return out
}

// Reference builds the reference profile of n generated training records
// (with their predictions, scores and labels) with profile.Build.
func Reference(t testing.TB, model, version string, n int, seed uint64) *profile.Profile {
	t.Helper()
	return build(t, model, version, n, seed, false)
}

// build builds the reference profile of n training records, with the
// multivariate model when mv.
func build(t testing.TB, model, version string, n int, seed uint64, mv bool) *profile.Profile {
	t.Helper()
	data := trainingCSV(n, seed)
	rd, err := dataset.NewReader(strings.NewReader(data), "train.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	opts := profile.BuildOptions{
		Settings: profile.DefaultSettings(), Model: model, Version: version, TempDir: t.TempDir(),
		Now: func() time.Time { return time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC) },
	}
	if mv {
		opts.Multivariate = &profile.MultivariateOptions{Reopen: func(context.Context) (dataset.Reader, error) {
			return dataset.NewReader(strings.NewReader(data), "train.csv", dataset.FormatCSV)
		}}
	}
	p, err := profile.Build(context.Background(), rd, "train.csv", opts)
	if err != nil {
		t.Fatal(err)
	}
	if mv && p.Multivariate == nil {
		t.Fatalf("no multivariate model: %v", p.Notes)
	}
	return p
}

// MultivariateReference is Reference with the multivariate reconstruction
// model of its features, as `modelwatch profile build` fits it.
func MultivariateReference(t testing.TB, model, version string, n int, seed uint64) *profile.Profile {
	t.Helper()
	return build(t, model, version, n, seed, true)
}

func trainingCSV(n int, seed uint64) string {
	var b strings.Builder
	cols := append(append(append([]string{}, Numeric...), Categorical...), "prediction", "score_yes", "score_no", "label")
	b.WriteString(strings.Join(cols, ",") + "\n")
	for _, r := range Generate(n, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Second, Shift{}, seed, "train") {
		var row []string
		for _, f := range Numeric {
			row = append(row, strconv.FormatFloat(r.Features[f].(float64), 'g', -1, 64))
		}
		for _, f := range Categorical {
			row = append(row, r.Features[f].(string))
		}
		row = append(row, r.Prediction, strconv.FormatFloat(r.Scores["yes"], 'g', -1, 64), strconv.FormatFloat(r.Scores["no"], 'g', -1, 64), r.Label)
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	return b.String()
}

// BatchProfile counts records over ref's bins as the ingest function does.
func BatchProfile(t testing.TB, ref *profile.Profile, recs []Record) *profile.Profile {
	t.Helper()
	acc, err := profile.NewAccumulator(ref)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i, ok := acc.Column(name)
		if !ok {
			t.Fatalf("reference has no column %s", name)
		}
		return i
	}
	for _, r := range recs {
		acc.AddRecord()
		acc.AddEventTime(r.Time)
		if err := acc.AddLatency(r.LatencyMS); err != nil {
			t.Fatal(err)
		}
		if r.Error != "" {
			acc.AddError()
			continue
		}
		for name, v := range r.Features {
			switch v := v.(type) {
			case nil:
				acc.AddMissing(col(name))
			case float64:
				if err := acc.AddNumber(col(name), v); err != nil {
					t.Fatal(err)
				}
			case string:
				if err := acc.AddCategory(col(name), v); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := acc.AddCategory(col(ref.Prediction.Name), r.Prediction); err != nil {
			t.Fatal(err)
		}
		if ref.Confidence != nil {
			if err := acc.AddNumber(col(ref.Confidence.Name), math.Max(r.Scores["yes"], r.Scores["no"])); err != nil {
				t.Fatal(err)
			}
		}
		if ref.Label != nil {
			acc.AddMissing(col(ref.Label.Name))
		}
		acc.EndRecord()
	}
	return acc.Profile()
}

// WriteBatch writes a batch of records (all in one hour) as the ingest
// function does: the predictions object first, then the batch profile
// (compact JSON).
func WriteBatch(t testing.TB, st store.Store, ref *profile.Profile, batchID string, recs []Record) {
	t.Helper()
	ctx := context.Background()
	hour := recs[0].Time
	var lines bytes.Buffer
	for _, r := range recs {
		if layout.Hour(r.Time) != layout.Hour(hour) {
			t.Fatalf("batch %s spans hours", batchID)
		}
		rec := map[string]any{
			"request_id": r.RequestID, "timestamp": r.Time.UTC().Format(time.RFC3339Nano), "model_version": ref.Version,
			"features": r.Features, "latency_ms": r.LatencyMS,
		}
		if r.Error != "" {
			rec["error"] = r.Error
		} else {
			rec["prediction"], rec["scores"], rec["error"] = r.Prediction, r.Scores, nil
		}
		line, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(append(line, '\n'))
	}
	if err := st.Put(ctx, layout.DataObject(layout.Predictions, ref.Model, hour, batchID), gzipBytes(t, lines.Bytes()),
		store.WithContentType("application/x-ndjson"), store.WithContentEncoding("gzip")); err != nil {
		t.Fatal(err)
	}
	// Compact JSON, as the ingest function writes batch profiles.
	data, err := json.Marshal(BatchProfile(t, ref, recs))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, layout.DataObject(layout.Profiles, ref.Model, hour, batchID), data, store.WithContentType("application/json")); err != nil {
		t.Fatal(err)
	}
}

// WriteLabels writes the labels of recs, all timestamped at (an hour's
// partition), as one labels object.
func WriteLabels(t testing.TB, st store.Store, model, batchID string, at time.Time, recs []Record) {
	t.Helper()
	var lines bytes.Buffer
	for i, r := range recs {
		line, err := json.Marshal(map[string]any{"request_id": r.RequestID, "label": r.Label,
			"timestamp": at.Add(time.Duration(i) * time.Millisecond).UTC().Format(time.RFC3339Nano)})
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(append(line, '\n'))
	}
	key := layout.DataObject(layout.Labels, model, at, batchID)
	if err := st.Put(context.Background(), key, gzipBytes(t, lines.Bytes()), store.WithContentEncoding("gzip")); err != nil {
		t.Fatal(err)
	}
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Accuracy is the share of records whose prediction equals their label.
func Accuracy(recs []Record) float64 {
	var ok int
	for _, r := range recs {
		if r.Prediction == r.Label {
			ok++
		}
	}
	return float64(ok) / float64(len(recs))
}
