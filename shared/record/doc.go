// Package record is the contract of the records a model service sends to
// modelwatch: prediction records and label records, the batch body that
// carries them, and the rules that decide whether a record is accepted.
//
// A batch body is a JSON object
//
//	{"batch_id": "optional-idempotency-key", "records": [ … ]}
//
// which, for direct Lambda invocations, also names the model and the kind of
// records ("model", "kind"). OpenBody reads the body's own members, and a
// PredictionReader or LabelReader walks its records one at a time.
//
// Decoding and validation are one pass over the body text: strings are
// substrings of the body (no copies unless they contain escapes), feature
// names are resolved to the columns of the model's reference profile as they
// are read, and numbers are parsed once. A record that breaks a rule (a
// numeric feature sent as a string, a timestamp outside the allowed skew,
// scores that do not sum to one, an unknown field, …) is returned with the
// reasons in Problems, so the caller can store the valid records and answer
// each invalid one by its index. Text that is not JSON is an error for the
// whole body (*SyntaxError), with its line, column and byte offset.
//
// See docs/ingest.md for the full list of rules and their messages.
package record
