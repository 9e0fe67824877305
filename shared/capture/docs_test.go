package capture

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the capture tables in docs/ingest.md")

const docsPath = "../../docs/ingest.md"

// TestDocsErrorTables generates the tables of mapping errors and unreadable
// capture lines in docs/ingest.md, and fails when they are stale (-update
// rewrites them).
func TestDocsErrorTables(t *testing.T) {
	mappings := []struct{ input, doc string }{
		{"an empty file", ""},
		{"not YAML", "endpoint: [credit"},
		{"an unknown field", "endpoint: e\nfeatures: [a]\noutput: {label: .}"},
		{"no endpoint and no ground_truth", "output: {label: .}"},
		{"variant without endpoint", "variant: AllTraffic\nground_truth: {prefix: gt/}"},
		{"endpoint with a slash", "endpoint: a/b\noutput: {label: .}"},
		{"nothing to read the output with", "endpoint: e"},
		{"`model_version: \"v 1\"`", "endpoint: e\nmodel_version: \"v 1\"\noutput: {label: .}"},
		{"`request_id: header`", "endpoint: e\nrequest_id: header\noutput: {label: .}"},
		{"`input.format: xml`", "endpoint: e\ninput: {format: xml}\noutput: {label: .}"},
		{"`ground_truth.format: jsonlines`", "ground_truth: {prefix: gt/, format: jsonlines}"},
		{"CSV input without features", "endpoint: e\ninput: {format: csv}\noutput: {label: .}"},
		{"a feature named twice", "endpoint: e\ninput: {features: [a, a]}\noutput: {label: .}"},
		{"an empty feature name", "endpoint: e\ninput: {features: [a, \"\"]}\noutput: {label: .}"},
		{"a path with an empty segment", "endpoint: e\ninput: {records: \"a..b\"}\noutput: {label: .}"},
		{"`input.records: .`", "endpoint: e\ninput: {records: .}\noutput: {label: .}"},
		{"probability without two classes", "endpoint: e\noutput: {probability: p, classes: [yes]}"},
		{"a class named twice", "endpoint: e\noutput: {scores: s, classes: [a, a]}"},
		{"`threshold: 1.5`", "endpoint: e\noutput: {probability: p, classes: [n, y], threshold: 1.5}"},
		{"threshold without probability", "endpoint: e\noutput: {label: l, threshold: 0.3}"},
	}
	var mt strings.Builder
	mt.WriteString("| mapping | error |\n|---|---|\n")
	for _, c := range mappings {
		_, err := ParseMapping("credit-default", []byte(c.doc))
		if err == nil {
			t.Fatalf("%s: no error", c.input)
		}
		fmt.Fprintf(&mt, "| %s | %s |\n", c.input, mdEscape(strings.ReplaceAll(err.Error(), "\n", "; ")))
	}
	checkDocsTable(t, "capture-mapping-errors", mt.String())

	m := mustMapping(t, `
endpoint: credit-endpoint
request_id: custom_attribute:request-id
input: {features: [age, income, region], records: instances}
output: {probability: ".", classes: [no_default, default]}
ground_truth: {prefix: gt/}
`)
	good := captureLine(t, "text/csv", EncodingCSV, "41,1,north", "text/csv", EncodingCSV, "0.2", map[string]any{"customAttributes": "request-id=r-1"})
	swap := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("%q not in %s", old, good)
		}
		return strings.Replace(good, old, new, 1)
	}
	lines := []struct{ input, line string }{
		{"a line cut short", good[:40]},
		{"a JSON array", "[1, 2]"},
		{"neither captureData nor groundTruthData", `{"eventMetadata": {"eventId": "e-1"}}`},
		{"no endpointOutput (responses not captured)", swap(`,"endpointOutput":{"data":"0.2","encoding":"CSV","mode":"OUTPUT","observedContentType":"text/csv"}`, "")},
		{"no inferenceTime", swap(`,"inferenceTime":"2026-12-01T10:15:00Z"`, "")},
		{"the custom attribute absent", swap(`request-id=r-1`, `tenant=a`)},
		{"`encoding: XML`", swap(`"encoding":"CSV"`, `"encoding":"XML"`)},
		{"BASE64 data that is not base64", swap(`"data":"41,1,north","encoding":"CSV"`, `"data":"@@","encoding":"BASE64"`)},
		{"a CSV row with 2 of 3 features", swap(`"data":"41,1,north"`, `"data":"41,1"`)},
		{"2 records, 1 output", swap(`"data":"41,1,north"`, `"data":"41,1,north\n42,2,south"`)},
		{"a probability of 1.2", swap(`"data":"0.2"`, `"data":"1.2"`)},
		{"an unknown content type", swap(`"data":"41,1,north","encoding":"CSV","mode":"INPUT","observedContentType":"text/csv"`, `"data":"QUJD","encoding":"BASE64","mode":"INPUT","observedContentType":"application/x-npy"`)},
		{"JSON input without `instances`", swap(`"data":"41,1,north","encoding":"CSV","mode":"INPUT","observedContentType":"text/csv"`, `"data":"{\"rows\": []}","encoding":"JSON","mode":"INPUT","observedContentType":"application/json"`)},
		{"a ground-truth line in a capture file", `{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "e-1"}}`},
	}
	var lt strings.Builder
	lt.WriteString("| line | reason |\n|---|---|\n")
	for _, c := range lines {
		b, err := Decode(m, File{Key: "dc/credit-endpoint/AllTraffic/2026/12/01/10/x.jsonl", Time: time.Now(), Data: []byte(good + "\n" + c.line + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Unreadable) != 1 {
			t.Fatalf("%s: unreadable %+v", c.input, b.Unreadable)
		}
		fmt.Fprintf(&lt, "| %s | %s |\n", c.input, mdEscape(b.Unreadable[0].Reason))
	}
	gt := func(data, enc, id string) string {
		return fmt.Sprintf(`{"groundTruthData": {"data": %q, "encoding": %q}, "eventMetadata": {"eventId": %q}, "eventVersion": "0"}`, data, enc, id)
	}
	gtLines := []struct{ input, line string }{
		{"ground truth without eventId", gt("1", "CSV", "")},
		{"ground truth label 7 with two classes", gt("7", "CSV", "e-1")},
		{"ground truth with an empty label", gt(`""`, "JSON", "e-1")},
	}
	for _, c := range gtLines {
		b, err := Decode(m, File{Key: "gt/2026/12/01/12/x.jsonl", Time: time.Now(), Data: []byte(gt("1", "CSV", "e-0") + "\n" + c.line + "\n")})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Unreadable) != 1 {
			t.Fatalf("%s: unreadable %+v", c.input, b.Unreadable)
		}
		fmt.Fprintf(&lt, "| %s | %s |\n", c.input, mdEscape(b.Unreadable[0].Reason))
	}
	checkDocsTable(t, "capture-line-errors", lt.String())
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func checkDocsTable(t *testing.T, name, table string) {
	t.Helper()
	path := filepath.Clean(docsPath)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no %s section", path, name)
	}
	if string(doc[i+len(begin):j]) == table {
		return
	}
	if !*update {
		t.Errorf("the %s table in %s is stale; run go test ./shared/capture -run TestDocsErrorTables -update\nwant:\n%s", name, path, table)
		return
	}
	out := append(append(append([]byte{}, doc[:i+len(begin)]...), table...), doc[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
