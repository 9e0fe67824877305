// Command ingest is the ingest Lambda function: it validates batches of
// prediction and label records and stores them, with batch profiles, in the
// modelwatch bucket. See docs/ingest.md.
package main
