package capture

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// captureLine writes a Data Capture line as SageMaker does.
func captureLine(t testing.TB, inType, inEnc, in, outType, outEnc, out string, meta map[string]any) string {
	t.Helper()
	payload := func(ct, enc, data, mode string) map[string]any {
		if enc == EncodingBase64 {
			data = base64.StdEncoding.EncodeToString([]byte(data))
		}
		return map[string]any{"observedContentType": ct, "mode": mode, "data": data, "encoding": enc}
	}
	md := map[string]any{"eventId": "e-1", "inferenceTime": "2026-12-01T10:15:00Z"}
	for k, v := range meta {
		md[k] = v
	}
	b, err := json.Marshal(map[string]any{
		"captureData": map[string]any{
			"endpointInput":  payload(inType, inEnc, in, "INPUT"),
			"endpointOutput": payload(outType, outEnc, out, "OUTPUT"),
		},
		"eventMetadata": md, "eventVersion": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const csvMapping = `
endpoint: credit-endpoint
variant: AllTraffic
input:
  features: [age, income, region]
output:
  probability: "."
  classes: [no_default, default]
`

func mustMapping(t testing.TB, doc string) *Mapping {
	t.Helper()
	m, err := ParseMapping("credit-default", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decodeOne(t *testing.T, m *Mapping, lines ...string) *Batch {
	t.Helper()
	b, err := Decode(m, File{
		Key:  "capture/credit-endpoint/AllTraffic/2026/12/01/10/00-00-000-abc.jsonl",
		Time: time.Date(2026, 12, 1, 10, 20, 0, 0, time.UTC),
		Data: []byte(strings.Join(lines, "\n") + "\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func records(t *testing.T, b *Batch) []map[string]any {
	t.Helper()
	if b.Body == "" {
		return nil
	}
	var body struct {
		Records []map[string]any `json:"records"`
	}
	if err := json.Unmarshal([]byte(b.Body), &body); err != nil {
		t.Fatalf("body %s: %v", b.Body, err)
	}
	return body.Records
}

func TestDecodePredictions(t *testing.T) {
	const jsonMapping = `
endpoint: credit-endpoint
model_version: v3
input:
  records: instances
output:
  records: predictions
  label: predicted_label
  scores: probabilities
  classes: [no_default, default]
`
	const arrayMapping = `
endpoint: credit-endpoint
request_id: custom_attribute:request-id
input:
  records: instances
  features_field: features
  features: [age, income, region]
output:
  scores: "."
  classes: [no_default, default]
`
	tests := []struct {
		name    string
		mapping string
		line    string
		want    []string // compact JSON of each record
	}{
		{"csv single", csvMapping,
			captureLine(t, "text/csv", EncodingCSV, "41,35294.56,north", "text/csv; charset=utf-8", EncodingCSV, "0.21\n", nil),
			[]string{`{"features":{"age":41,"income":35294.56,"region":"north"},"model_version":"AllTraffic","prediction":"no_default","request_id":"e-1","scores":{"default":0.21,"no_default":0.79},"timestamp":"2026-12-01T10:15:00Z"}`}},
		{"csv multi, one output line, inference id, missing value", csvMapping,
			captureLine(t, "text/csv", EncodingCSV, "41,35294.56,north\n52,,south", "text/csv", EncodingCSV, "0.21,0.75", map[string]any{"inferenceId": "r-9"}),
			[]string{
				`{"features":{"age":41,"income":35294.56,"region":"north"},"model_version":"AllTraffic","prediction":"no_default","request_id":"r-9#0","scores":{"default":0.21,"no_default":0.79},"timestamp":"2026-12-01T10:15:00Z"}`,
				`{"features":{"age":52,"income":null,"region":"south"},"model_version":"AllTraffic","prediction":"default","request_id":"r-9#1","scores":{"default":0.75,"no_default":0.25},"timestamp":"2026-12-01T10:15:00Z"}`,
			}},
		{"base64 csv", csvMapping,
			captureLine(t, "text/csv", EncodingBase64, "41,35294.56,north", "text/csv", EncodingBase64, "0.5", nil),
			[]string{`{"features":{"age":41,"income":35294.56,"region":"north"},"model_version":"AllTraffic","prediction":"default","request_id":"e-1","scores":{"default":0.5,"no_default":0.5},"timestamp":"2026-12-01T10:15:00Z"}`}},
		{"json objects, multi", jsonMapping,
			captureLine(t, "application/json", EncodingJSON, `{"instances": [{"age": 41, "region": "north"}, {"age": 30, "region": null}]}`,
				"application/json", EncodingJSON, `{"predictions": [{"predicted_label": 1, "probabilities": [0.4, 0.6]}, {"predicted_label": "no_default", "probabilities": [0.9, 0.1]}]}`, nil),
			[]string{
				`{"features":{"age":41,"region":"north"},"model_version":"v3","prediction":"default","request_id":"e-1#0","scores":{"default":0.6,"no_default":0.4},"timestamp":"2026-12-01T10:15:00Z"}`,
				`{"features":{"age":30,"region":null},"model_version":"v3","prediction":"no_default","request_id":"e-1#1","scores":{"default":0.1,"no_default":0.9},"timestamp":"2026-12-01T10:15:00Z"}`,
			}},
		{"json single record", jsonMapping,
			captureLine(t, "application/json", EncodingJSON, `{"instances": {"age": 41}}`,
				"application/json", EncodingJSON, `{"predictions": [{"predicted_label": "default", "probabilities": [0.3, 0.7]}]}`, nil),
			[]string{`{"features":{"age":41},"model_version":"v3","prediction":"default","request_id":"e-1","scores":{"default":0.7,"no_default":0.3},"timestamp":"2026-12-01T10:15:00Z"}`}},
		{"base64 json arrays, custom attribute id, argmax", arrayMapping,
			captureLine(t, "application/json", EncodingBase64, `{"instances": [{"features": [41, 35294.56, "north"]}]}`,
				"application/json", EncodingBase64, `[0.2, 0.8]`, map[string]any{"customAttributes": "tenant=a, request-id=req-77"}),
			[]string{`{"features":{"age":41,"income":35294.56,"region":"north"},"model_version":"AllTraffic","prediction":"default","request_id":"req-77","scores":{"default":0.8,"no_default":0.2},"timestamp":"2026-12-01T10:15:00Z"}`}},
		{"json lines request", `
endpoint: credit-endpoint
output: {label: "."}
`,
			captureLine(t, "application/jsonlines", EncodingJSON, "{\"age\": 41}\n{\"age\": 42}\n", "application/jsonlines", EncodingJSON, "\"a\"\n\"b\"\n", nil),
			[]string{
				`{"features":{"age":41},"model_version":"AllTraffic","prediction":"a","request_id":"e-1#0","timestamp":"2026-12-01T10:15:00Z"}`,
				`{"features":{"age":42},"model_version":"AllTraffic","prediction":"b","request_id":"e-1#1","timestamp":"2026-12-01T10:15:00Z"}`,
			}},
		{"regression", `
endpoint: credit-endpoint
input: {features: [x]}
output: {label: "."}
`,
			captureLine(t, "text/csv", EncodingCSV, "1.5", "text/csv", EncodingCSV, "12.25", nil),
			[]string{`{"features":{"x":1.5},"model_version":"AllTraffic","prediction":12.25,"request_id":"e-1","timestamp":"2026-12-01T10:15:00Z"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := decodeOne(t, mustMapping(t, tt.mapping), tt.line)
			if len(b.Unreadable) > 0 {
				t.Fatalf("unreadable: %+v", b.Unreadable)
			}
			if b.Kind != "predictions" || b.Records != len(tt.want) || b.Lines != 1 {
				t.Fatalf("kind %q records %d lines %d", b.Kind, b.Records, b.Lines)
			}
			for i, r := range records(t, b) {
				got, _ := json.Marshal(r)
				if string(got) != tt.want[i] {
					t.Errorf("record %d:\n got %s\nwant %s", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestDecodeUnreadableLines(t *testing.T) {
	m := mustMapping(t, csvMapping)
	good := captureLine(t, "text/csv", EncodingCSV, "41,1,north", "text/csv", EncodingCSV, "0.2", nil)
	tests := []struct {
		name, line, reason string
	}{
		{"not json", "{oops", "invalid JSON"},
		{"array", "[1]", "not a JSON object"},
		{"neither", `{"eventMetadata": {}}`, "has neither captureData nor groundTruthData"},
		{"no output", `{"captureData": {"endpointInput": {"data": "1,2,3", "encoding": "CSV", "observedContentType": "text/csv"}}, "eventMetadata": {"eventId": "e", "inferenceTime": "2026-12-01T10:00:00Z"}}`,
			"captureData.endpointOutput: absent"},
		{"bad base64", captureLine(t, "text/csv", EncodingCSV, "41,1,north", "text/csv", EncodingCSV, "0.2", nil)[:0] +
			`{"captureData": {"endpointInput": {"data": "!!", "encoding": "BASE64", "observedContentType": "text/csv"}, "endpointOutput": {"data": "0.1", "encoding": "CSV"}}, "eventMetadata": {"eventId": "e", "inferenceTime": "2026-12-01T10:00:00Z"}}`,
			"endpointInput: data: not valid base64"},
		{"column count", captureLine(t, "text/csv", EncodingCSV, "41,1", "text/csv", EncodingCSV, "0.2", nil), "endpointInput: 2 values, but input.features names 3"},
		{"output count", captureLine(t, "text/csv", EncodingCSV, "41,1,a\n42,2,b", "text/csv", EncodingCSV, "0.2", nil), "endpointOutput: 2 records but 1 output rows"},
		{"probability out of range", captureLine(t, "text/csv", EncodingCSV, "41,1,a", "text/csv", EncodingCSV, "1.2", nil), "output.probability: got a number, want a number in [0, 1]"},
		{"no time", strings.Replace(good, `"inferenceTime":"2026-12-01T10:15:00Z"`, `"x":1`, 1), "eventMetadata.inferenceTime: absent"},
		{"unknown encoding", strings.Replace(good, `"encoding":"CSV"`, `"encoding":"XML"`, 1), `encoding "XML": want CSV, JSON or BASE64`},
		{"ground truth in capture file", `{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "e"}}`, "a ground-truth line in a capture file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := decodeOne(t, m, good, tt.line)
			if b.Records != 1 || len(b.Unreadable) != 1 {
				t.Fatalf("records %d, unreadable %+v", b.Records, b.Unreadable)
			}
			u := b.Unreadable[0]
			if u.Line != 2 || !strings.Contains(u.Reason, tt.reason) || u.Text != tt.line {
				t.Errorf("got line %d reason %q, want line 2 reason containing %q", u.Line, u.Reason, tt.reason)
			}
		})
	}
}

func TestDecodeGroundTruth(t *testing.T) {
	m := mustMapping(t, csvMapping+"ground_truth: {prefix: ground-truth/credit/, label: label}\n")
	gt := func(data, enc string) string {
		if enc == EncodingBase64 {
			data = base64.StdEncoding.EncodeToString([]byte(data))
		}
		b, _ := json.Marshal(map[string]any{"groundTruthData": map[string]any{"data": data, "encoding": enc},
			"eventMetadata": map[string]any{"eventId": "r-9"}, "eventVersion": "0"})
		return string(b)
	}
	tests := []struct {
		name, line string
		want       []string
	}{
		{"csv index", gt("1", EncodingCSV), []string{`{"label":"default","request_id":"r-9","timestamp":"2026-12-01T09:00:00Z"}`}},
		{"csv name", gt("no_default", EncodingCSV), []string{`{"label":"no_default","request_id":"r-9","timestamp":"2026-12-01T09:00:00Z"}`}},
		{"json field", gt(`{"label": 0}`, EncodingJSON), []string{`{"label":"no_default","request_id":"r-9","timestamp":"2026-12-01T09:00:00Z"}`}},
		{"base64 json multi", gt(`[{"label": true}, {"label": "no_default"}]`, EncodingBase64), []string{
			`{"label":"default","request_id":"r-9#0","timestamp":"2026-12-01T09:00:00Z"}`,
			`{"label":"no_default","request_id":"r-9#1","timestamp":"2026-12-01T09:00:00Z"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// BASE64 ground truth says nothing of its format: the mapping does.
			mm := *m
			if strings.Contains(tt.name, "base64") {
				mm.GroundTruth.Format = FormatJSON
			}
			b, err := Decode(&mm, File{Key: "ground-truth/credit/2026/12/01/09/labels.jsonl", Time: time.Now(), Data: []byte(tt.line)})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Unreadable) > 0 || b.Kind != "labels" {
				t.Fatalf("kind %q unreadable %+v", b.Kind, b.Unreadable)
			}
			recs := records(t, b)
			if len(recs) != len(tt.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tt.want))
			}
			for i, r := range recs {
				got, _ := json.Marshal(r)
				if string(got) != tt.want[i] {
					t.Errorf("record %d:\n got %s\nwant %s", i, got, tt.want[i])
				}
			}
		})
	}
	// Without an hour in the key, the object's time stamps the labels.
	b, err := Decode(m, File{Key: "gt/labels.jsonl", Time: time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC), Data: []byte(gt("1", EncodingCSV))})
	if err != nil {
		t.Fatal(err)
	}
	if r := records(t, b); len(r) != 1 || r[0]["timestamp"] != "2026-12-02T03:04:05Z" {
		t.Errorf("records %v", r)
	}
}

func TestParseMappingErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"empty", "", []string{"the document is empty"}},
		{"unknown field", "endpoint: e\nfeatures: [a]\noutput: {label: .}\n", []string{"field features not found"}},
		{"nothing to read", "variant: v\n", []string{"endpoint: required", "variant: set without endpoint"}},
		{"no output", "endpoint: e\n", []string{"output: set label, probability or scores"}},
		{"csv without features", "endpoint: e\ninput: {format: csv}\noutput: {label: .}\n", []string{"input.features: required for CSV input"}},
		{"bad values", `
endpoint: e
model_version: "v 1"
request_id: header
input: {format: xml, features: [a, a, ""], records: "a..b"}
output: {probability: p, classes: [x], threshold: 1.5}
ground_truth: {format: jsonlines}
`, []string{`model_version: model version "v 1"`, `request_id "header"`, `input.format "xml"`, `ground_truth.format "jsonlines"`,
			`input.features[1]: "a" appears twice`, `input.features[2]: empty name`, `input.records: "a..b" has an empty segment`,
			"probability needs exactly two classes", "output.threshold 1.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping("m", []byte(tt.doc))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestCaptureKey(t *testing.T) {
	tests := []struct {
		key               string
		endpoint, variant string
		ok                bool
	}{
		{"dc/credit-endpoint/AllTraffic/2026/12/01/10/23-10-321-uuid.jsonl", "credit-endpoint", "AllTraffic", true},
		{"credit-endpoint/AllTraffic/2026/12/01/10/x.jsonl", "credit-endpoint", "AllTraffic", true},
		{"credit-endpoint/AllTraffic/2026/13/01/10/x.jsonl", "", "", false},
		{"AllTraffic/2026/12/01/10/x.jsonl", "", "", false},
	}
	for _, tt := range tests {
		e, v, _, ok := CaptureKey(tt.key)
		if e != tt.endpoint || v != tt.variant || ok != tt.ok {
			t.Errorf("CaptureKey(%q) = %q %q %v", tt.key, e, v, ok)
		}
	}
}
