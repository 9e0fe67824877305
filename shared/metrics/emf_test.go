package metrics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/metrics"
)

// emfDoc is the shape of an EMF document, for decoding what was written.
type emfDoc struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

func decodeLines(t *testing.T, out string) ([]emfDoc, []map[string]any) {
	t.Helper()
	var docs []emfDoc
	var roots []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var d emfDoc
		var root map[string]any
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, line)
		}
		if err := json.Unmarshal([]byte(line), &root); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
		roots = append(roots, root)
	}
	return docs, roots
}

func TestEMFWriterDocument(t *testing.T) {
	var buf bytes.Buffer
	w, err := metrics.NewEMFWriter(&buf, "ModelWatch")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	err = w.Write(metrics.EMFEntry{
		Timestamp:  at,
		Dimensions: []metrics.EMFDimension{{Name: "Model", Value: `fr"aud`}},
		Metrics: []metrics.EMFMetric{
			{Name: "RecordsAccepted", Unit: metrics.EMFCount, Values: []float64{998}},
			{Name: "ModelLatency", Unit: metrics.EMFMilliseconds, Values: []float64{1.5, 2, 12.25}},
			{Name: "Empty", Unit: metrics.EMFCount},
		},
		Properties: map[string]string{"batch_id": "b-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, roots := decodeLines(t, buf.String())
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1:\n%s", len(docs), buf.String())
	}
	d := docs[0]
	if d.AWS.Timestamp != at.UnixMilli() {
		t.Errorf("timestamp %d, want %d", d.AWS.Timestamp, at.UnixMilli())
	}
	cw := d.AWS.CloudWatchMetrics[0]
	if cw.Namespace != "ModelWatch" || len(cw.Dimensions) != 1 || cw.Dimensions[0][0] != "Model" {
		t.Errorf("directive %+v", cw)
	}
	if len(cw.Metrics) != 2 || cw.Metrics[0].Name != "RecordsAccepted" || cw.Metrics[0].Unit != "Count" || cw.Metrics[1].Unit != "Milliseconds" {
		t.Errorf("metrics %+v (Empty must be left out)", cw.Metrics)
	}
	root := roots[0]
	if root["Model"] != `fr"aud` || root["RecordsAccepted"] != 998.0 || root["batch_id"] != "b-1" {
		t.Errorf("root members %v", root)
	}
	lat, ok := root["ModelLatency"].([]any)
	if !ok || len(lat) != 3 || lat[2] != 12.25 {
		t.Errorf("ModelLatency = %v, want [1.5 2 12.25]", root["ModelLatency"])
	}
}

func TestEMFWriterSplitsLongValueLists(t *testing.T) {
	var buf bytes.Buffer
	w, _ := metrics.NewEMFWriter(&buf, "NS")
	lat := make([]float64, 250)
	for i := range lat {
		lat[i] = float64(i)
	}
	err := w.Write(metrics.EMFEntry{
		Dimensions: []metrics.EMFDimension{{Name: "Model", Value: "m"}},
		Metrics: []metrics.EMFMetric{
			{Name: "RecordsAccepted", Unit: metrics.EMFCount, Values: []float64{250}},
			{Name: "ModelLatency", Unit: metrics.EMFMilliseconds, Values: lat},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, roots := decodeLines(t, buf.String())
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	var total, sum float64
	for i, root := range roots {
		vals := root["ModelLatency"].([]any)
		if len(vals) > metrics.EMFMaxValues {
			t.Errorf("document %d has %d values", i, len(vals))
		}
		for _, v := range vals {
			sum += v.(float64)
		}
		if n, ok := root["RecordsAccepted"]; ok {
			total += n.(float64)
			if i != 0 {
				t.Errorf("RecordsAccepted repeated in document %d: it would be counted twice", i)
			}
		}
		declared := len(docs[i].AWS.CloudWatchMetrics[0].Metrics)
		if want := map[bool]int{true: 2, false: 1}[i == 0]; declared != want {
			t.Errorf("document %d declares %d metrics, want %d", i, declared, want)
		}
	}
	if total != 250 || sum != 249*250/2 {
		t.Errorf("count %g and latency sum %g, want 250 and %d", total, sum, 249*250/2)
	}
}

func TestEMFWriterRejects(t *testing.T) {
	w, _ := metrics.NewEMFWriter(&bytes.Buffer{}, "NS")
	model := []metrics.EMFDimension{{Name: "Model", Value: "m"}}
	tests := map[string]metrics.EMFEntry{
		"NaN":            {Dimensions: model, Metrics: []metrics.EMFMetric{{Name: "X", Values: []float64{math.NaN()}}}},
		"Inf":            {Dimensions: model, Metrics: []metrics.EMFMetric{{Name: "X", Values: []float64{math.Inf(1)}}}},
		"name collision": {Dimensions: model, Metrics: []metrics.EMFMetric{{Name: "Model", Values: []float64{1}}}},
		"reserved":       {Metrics: []metrics.EMFMetric{{Name: "_aws", Values: []float64{1}}}},
		"empty name":     {Metrics: []metrics.EMFMetric{{Name: "", Values: []float64{1}}}},
		"empty dim":      {Dimensions: []metrics.EMFDimension{{Name: "Model"}}},
		"ten dims": {Dimensions: []metrics.EMFDimension{{"a", "1"}, {"b", "1"}, {"c", "1"}, {"d", "1"}, {"e", "1"},
			{"f", "1"}, {"g", "1"}, {"h", "1"}, {"i", "1"}, {"j", "1"}}},
	}
	for name, e := range tests {
		if err := w.Write(e); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := metrics.NewEMFWriter(&bytes.Buffer{}, ""); err == nil {
		t.Error("empty namespace accepted")
	}
}

func TestEMFWriterNothingToWrite(t *testing.T) {
	var buf bytes.Buffer
	w, _ := metrics.NewEMFWriter(&buf, "NS")
	if err := w.Write(metrics.EMFEntry{Metrics: []metrics.EMFMetric{{Name: "X"}}}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q for an entry without values", buf.String())
	}
}

func ExampleEMFWriter() {
	var buf bytes.Buffer
	w, _ := metrics.NewEMFWriter(&buf, "ModelWatch")
	w.Write(metrics.EMFEntry{
		Timestamp:  time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC),
		Dimensions: []metrics.EMFDimension{{Name: "Model", Value: "fraud"}},
		Metrics: []metrics.EMFMetric{
			{Name: "RecordsAccepted", Unit: metrics.EMFCount, Values: []float64{2}},
			{Name: "ModelLatency", Unit: metrics.EMFMilliseconds, Values: []float64{12.3, 8}},
		},
	})
	fmt.Print(buf.String())
	// Output:
	// {"_aws":{"Timestamp":1795723200000,"CloudWatchMetrics":[{"Namespace":"ModelWatch","Dimensions":[["Model"]],"Metrics":[{"Name":"RecordsAccepted","Unit":"Count"},{"Name":"ModelLatency","Unit":"Milliseconds"}]}]},"Model":"fraud","RecordsAccepted":2,"ModelLatency":[12.3,8]}
}
