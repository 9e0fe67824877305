// Package ingest is the logic of the ingest function: it takes a batch of
// prediction or label records (from API Gateway or a direct invocation),
// checks every record against the model's reference profile, and stores the
// valid ones in the bucket with a batch profile per event hour, so that the
// drift function can compare live traffic with the reference.
//
// What a request stores, in order:
//
//  1. receipts/model={model}/{batch_id}.json with a conditional write: the
//     batch's outcome. Of several requests with one batch id (retries,
//     concurrent duplicates) exactly one writes it; the others read it,
//     answer with its outcome and "duplicate": true, and only complete
//     objects an earlier attempt left missing.
//  2. For each event hour the batch spans: the records as gzip JSON Lines
//     (predictions/… or labels/…), then, for predictions, the batch profile
//     (profiles/…). A profile never exists without its data, and the drift
//     function counts a batch only through its profile.
//  3. rejected/… with the rejected records and their reasons.
//
// Every object is written with If-None-Match: *, under a key derived from the
// batch id, so nothing is ever stored or counted twice.
//
// The handler also writes per-request system metrics (records accepted and
// rejected, model errors, model latencies) as CloudWatch Embedded Metric
// Format lines; only the request that creates an hour's last object counts
// that hour's records.
//
// See docs/ingest.md for the API, the configuration and the table of bad
// inputs and their answers.
package ingest
