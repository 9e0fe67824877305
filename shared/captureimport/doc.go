// Package captureimport imports SageMaker Data Capture and ground-truth
// objects into modelwatch: it finds the model whose mapping
// (config/{model}/capture.yaml) covers an object, decodes the object with the
// capture package and hands the records to the ingest package, so that they
// go through the same validation, batch, profile and receipt path as a batch
// sent to the ingest API.
//
// One object is one batch. Its batch id is derived from the bucket, key and
// ETag of the object, so a redelivered event, a retry or a backfill of an
// object that was imported already stores nothing twice. Records the ingest
// package rejects are kept in its rejected/ object; lines that became no
// record (not JSON, an unknown encoding, a response that does not match the
// request) are kept with their reasons in rejected/…/{batch_id}-lines.json.
//
// Handler is the logic of the capture-import function: it takes the
// EventBridge "Object Created" event of the capture bucket.
package captureimport
