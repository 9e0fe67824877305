package demo_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/modelwatch/modelwatch/shared/catalog"
	"github.com/modelwatch/modelwatch/shared/demo"
	"github.com/modelwatch/modelwatch/shared/metrics"
)

func TestSinkRefusesWhatPutMetricDataRefuses(t *testing.T) {
	c := &clock{t: t0}
	sink := demo.NewMetricSink(catalog.DefaultNamespace, c.Now)
	bad := datum(catalog.Accuracy, t0, math.NaN())
	if err := sink.Publish(context.Background(), []types.MetricDatum{bad}); err == nil {
		t.Error("a NaN datum was accepted")
	}
	if len(sink.Points()) != 0 {
		t.Error("a refused publish kept datapoints")
	}
	d := datum(catalog.ModelLatency, t0, 0)
	d.Value, d.Values, d.Counts = nil, []float64{10, 20}, []float64{2, 1}
	if err := sink.Publish(context.Background(), []types.MetricDatum{d}); err != nil {
		t.Fatal(err)
	}
	key := demo.SeriesKey{Metric: catalog.ModelLatency, Dimensions: "Model=" + demo.ModelName}
	if got := sink.Samples(catalog.DefaultNamespace, key, t0, time.Hour, t0); fmt.Sprint(got) != "[10 10 20]" {
		t.Errorf("values with counts: samples %v, want [10 10 20]", got)
	}
}

// TestSinkReadsTheIngestFunctionsEMF: what metrics.EMFWriter writes (split
// over several documents beyond 100 values) arrives as one sample per value.
func TestSinkReadsTheIngestFunctionsEMF(t *testing.T) {
	c := &clock{t: t0.Add(time.Hour)}
	sink := demo.NewMetricSink(catalog.DefaultNamespace, c.Now)
	w, err := metrics.NewEMFWriter(sink.EMF(), catalog.DefaultNamespace)
	if err != nil {
		t.Fatal(err)
	}
	lat := make([]float64, 150)
	for i := range lat {
		lat[i] = float64(i + 1)
	}
	err = w.Write(metrics.EMFEntry{
		Timestamp:  t0.Add(10 * time.Minute),
		Dimensions: []metrics.EMFDimension{{Name: catalog.DimModel, Value: demo.ModelName}},
		Metrics: []metrics.EMFMetric{
			{Name: catalog.RecordsAccepted, Unit: metrics.EMFCount, Values: []float64{150}},
			{Name: catalog.ModelLatency, Unit: metrics.EMFMilliseconds, Values: lat},
		},
		Properties: map[string]string{"batch_id": "b-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dims := "Model=" + demo.ModelName
	latency := sink.Samples(catalog.DefaultNamespace, demo.SeriesKey{Metric: catalog.ModelLatency, Dimensions: dims}, t0, time.Hour, c.t)
	if len(latency) != 150 {
		t.Fatalf("%d latency samples, want 150", len(latency))
	}
	if p99, _ := demo.Statistic("p99", latency); p99 != 149 {
		t.Errorf("p99 %v, want 149 (nearest rank)", p99)
	}
	accepted := sink.Samples(catalog.DefaultNamespace, demo.SeriesKey{Metric: catalog.RecordsAccepted, Dimensions: dims}, t0, time.Hour, c.t)
	if fmt.Sprint(accepted) != "[150]" {
		t.Errorf("records accepted %v", accepted)
	}
	for _, p := range sink.Points() {
		if p.Source != demo.SourceEMF || !p.PublishedAt.Equal(c.t) || !p.Timestamp.Equal(t0.Add(10*time.Minute)) {
			t.Fatalf("datapoint %+v", p)
		}
	}
	// A partial line waits for its end; a broken line is an error.
	if _, err := sink.EMF().Write([]byte(`{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"X"}]}]},`)); err != nil {
		t.Fatalf("a partial line: %v", err)
	}
	if _, err := sink.EMF().Write([]byte(`"X":3}` + "\n")); err != nil {
		t.Fatalf("the rest of the line: %v", err)
	}
	if _, err := sink.EMF().Write([]byte("not json\n")); err == nil {
		t.Error("a line that is not EMF was accepted")
	}
}

func TestDecodeEMF(t *testing.T) {
	const head = `{"_aws":{"Timestamp":1772409600000,"CloudWatchMetrics":[{"Namespace":"ModelWatch","Dimensions":[["Model"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]}`
	tests := []struct {
		name, line string
		want       string // the values, or the error's text
	}{
		{"one value", head + `,"Model":"m","M":2}`, "[2]"},
		{"values", head + `,"Model":"m","M":[1,2.5]}`, "[1 2.5]"},
		{"no _aws", `{"Model":"m","M":1}`, "no _aws member"},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[]},"M":1}`, "Timestamp is missing"},
		{"no directive", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]}}`, "CloudWatchMetrics is empty"},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Metrics":[{"Name":"M"}]}]},"M":1}`, "no Namespace"},
		{"dimension member missing", head + `,"M":1}`, "dimension Model has no member"},
		{"dimension not a string", head + `,"Model":3,"M":1}`, "dimension Model: want a string"},
		{"metric member missing", head + `,"Model":"m"}`, "metric M has no member"},
		{"metric not a number", head + `,"Model":"m","M":"NaN"}`, "want a number or an array"},
		{"metric without a name", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{}]}]}}`, "without a Name"},
		{"not an object", `[1]`, "EMF line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := demo.DecodeEMF([]byte(tt.line))
			if err != nil {
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q, want it to say %q", err, tt.want)
				}
				return
			}
			var vs []float64
			for _, p := range pts {
				vs = append(vs, p.Value)
				if p.Dimensions[catalog.DimModel] != "m" || p.Namespace != "ModelWatch" || p.Unit != "Count" || !p.Timestamp.Equal(t0) {
					t.Errorf("datapoint %+v", p)
				}
			}
			if fmt.Sprint(vs) != tt.want {
				t.Errorf("values %v, want %s", vs, tt.want)
			}
		})
	}
}

func TestStatistic(t *testing.T) {
	samples := []float64{3, 1, 4, 1, 5, 9, 2, 6}
	tests := []struct {
		stat string
		want float64
		ok   bool
	}{
		{"Maximum", 9, true}, {"Minimum", 1, true}, {"Sum", 31, true}, {"Average", 31.0 / 8, true},
		{"SampleCount", 8, true}, {"p50", 3, true}, {"p100", 9, true}, {"p0", 0, false}, {"p101", 0, false},
		{"pxx", 0, false}, {"Median", 0, false},
	}
	for _, tt := range tests {
		got, ok := demo.Statistic(tt.stat, samples)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: %v %v, want %v %v", tt.stat, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := demo.Statistic("Maximum", nil); ok {
		t.Error("a statistic of no samples")
	}
}

func FuzzDecodeEMF(f *testing.F) {
	f.Add([]byte(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["Model"]],"Metrics":[{"Name":"M"}]}]},"Model":"m","M":[1,2]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		pts, err := demo.DecodeEMF(line)
		if err != nil {
			if pts != nil {
				t.Error("datapoints with an error")
			}
			return
		}
		for _, p := range pts {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) || p.Namespace == "" || p.Metric == "" {
				t.Errorf("decoded %+v", p)
			}
		}
	})
}
