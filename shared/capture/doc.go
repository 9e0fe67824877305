// Package capture reads SageMaker Data Capture files and ground-truth files
// and turns them into modelwatch prediction and label records.
//
// A Data Capture file is JSON Lines, one line per endpoint request:
//
//	{"captureData": {"endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",  "data": "41,35294.56", "encoding": "CSV"},
//	                 "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": "0.21", "encoding": "CSV"}},
//	 "eventMetadata": {"eventId": "…", "inferenceId": "…", "inferenceTime": "2026-12-01T10:00:00Z"},
//	 "eventVersion": "0"}
//
// A payload's data is text (encoding CSV or JSON) or base64 (encoding
// BASE64, the observed content type then says what it holds). A request may
// carry several records (CSV lines, a JSON array, JSON Lines), and its
// response one output per record.
//
// A ground-truth file has one line per labelled request:
//
//	{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": "…"}, "eventVersion": "0"}
//
// What the payloads mean is model-specific, so a Mapping (the YAML document
// config/{model}/capture.yaml in the modelwatch bucket) says it: which
// endpoint and variant are the model, the CSV feature names in order, where
// JSON features are, how to read the output, and which identifier is the
// request id. Decode applies a mapping to a file and returns the records as a
// batch body for the ingest package, plus the lines that did not become
// records and why. docs/ingest.md documents the mapping.
package capture
