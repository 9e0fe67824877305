package capture

import (
	"encoding/json"
	"testing"
	"time"
)

// The decoders take bytes from other people's buckets: none may panic, and
// what they accept must be well-formed.

func FuzzDecodeLine(f *testing.F) {
	f.Add([]byte(captureLine(f, "text/csv", EncodingCSV, "1,2,a", "text/csv", EncodingCSV, "0.5", nil)))
	f.Add([]byte(`{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "e"}}`))
	f.Add([]byte(`{"captureData": {}, "groundTruthData": {}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeLine(data)
		if err != nil {
			return
		}
		if (l.CaptureData == nil) == (l.GroundTruthData == nil) {
			t.Fatal("accepted a line that is not exactly one of capture and ground truth")
		}
	})
}

func FuzzPayloadBytes(f *testing.F) {
	f.Add(`"1,2"`, "CSV", "text/csv")
	f.Add(`"eyJhIjogMX0="`, "BASE64", "application/json")
	f.Add(`{"a": 1}`, "JSON", "application/json")
	f.Add(`"x"`, "", "")
	f.Fuzz(func(t *testing.T, data, enc, ct string) {
		if !json.Valid([]byte(data)) {
			return
		}
		p := &Payload{Data: json.RawMessage(data), Encoding: enc, ObservedContentType: ct}
		_, _ = p.Bytes()
		if f, err := p.format(FormatAuto); err == nil && f == FormatAuto {
			t.Fatal("format resolved to auto")
		}
	})
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte(csvMapping))
	f.Add([]byte("endpoint: e\nrequest_id: custom_attribute:x\noutput: {scores: ., classes: [a, b]}\n"))
	f.Add([]byte("ground_truth: {prefix: p/, label: a.b}\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := ParseMapping("m", doc)
		if err != nil {
			return
		}
		if m.Endpoint == "" && m.GroundTruth.Prefix == "" {
			t.Fatal("accepted a mapping that reads nothing")
		}
		if m.Output.Probability != "" && len(m.Output.Classes) != 2 {
			t.Fatal("accepted a probability without two classes")
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add(csvMapping, []byte(captureLine(f, "text/csv", EncodingCSV, "1,2,a\n3,,b", "text/csv", EncodingCSV, "0.5\n0.7", nil)))
	f.Add("endpoint: e\ninput: {records: instances}\noutput: {records: predictions, label: l, scores: s, classes: [a, b]}\n",
		[]byte(captureLine(f, "application/json", EncodingBase64, `{"instances": [{"x": 1}]}`, "application/json", EncodingJSON, `{"predictions": [{"l": 1, "s": [0.5, 0.5]}]}`, nil)))
	f.Add("ground_truth: {prefix: g/}\noutput: {classes: [a, b]}\n", []byte(`{"groundTruthData": {"data": "[1, 0]", "encoding": "JSON"}, "eventMetadata": {"eventId": "e"}}`))
	f.Fuzz(func(t *testing.T, doc string, data []byte) {
		m, err := ParseMapping("m", []byte(doc))
		if err != nil {
			return
		}
		b, err := Decode(m, File{Key: "c/e/v/2026/12/01/10/x.jsonl", Time: time.Unix(0, 0), Data: data})
		if err != nil {
			return
		}
		if b.Records != len(b.RecordLines) {
			t.Fatalf("%d records, %d record lines", b.Records, len(b.RecordLines))
		}
		if b.Records == 0 {
			if b.Body != "" {
				t.Fatal("a body without records")
			}
			return
		}
		var body struct {
			Records []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal([]byte(b.Body), &body); err != nil || len(body.Records) != b.Records {
			t.Fatalf("body with %d records is not valid: %v", b.Records, err)
		}
	})
}

func FuzzCustomAttributes(f *testing.F) {
	f.Add(`"a=1,b=2"`)
	f.Add(`["a=1", "b=2;c=3"]`)
	f.Fuzz(func(t *testing.T, raw string) {
		_, _ = customAttributes(json.RawMessage(raw))
	})
}

func FuzzCaptureKey(f *testing.F) {
	f.Add("dc/ep/v/2026/12/01/10/x.jsonl")
	f.Fuzz(func(t *testing.T, key string) {
		e, v, h, ok := CaptureKey(key)
		if ok && (e == "" || v == "" || h.IsZero()) {
			t.Fatal("ok without endpoint, variant or hour")
		}
	})
}
