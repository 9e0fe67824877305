package ingest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
)

// receiptSchemaVersion is the version of the receipt document.
const receiptSchemaVersion = 1

// ReceiptKey is the key of a batch's receipt: the first object written for
// a batch id, with a conditional write, so that of several requests with
// one batch id exactly one decides the batch's outcome. It records the
// outcome and the objects the batch consists of; a retry reads it, answers
// with the same outcome and writes whatever of those objects is still
// missing.
//
// Receipts are bookkeeping: the drift function never reads them.
func ReceiptKey(model, batchID string) string { return layout.Receipt(model, batchID) }

// receipt is the document at ReceiptKey.
type receipt struct {
	SchemaVersion        int         `json:"schema_version"`
	BatchID              string      `json:"batch_id"`
	Model                string      `json:"model"`
	Kind                 string      `json:"kind"`
	BodySHA256           string      `json:"body_sha256"`
	Records              int         `json:"records"`
	ReferenceVersion     string      `json:"reference_version"`
	ReferenceFingerprint string      `json:"reference_fingerprint"`
	ReceivedAt           time.Time   `json:"received_at"`
	Accepted             int         `json:"accepted"`
	Rejected             []Rejection `json:"rejected"`
	Warnings             []string    `json:"warnings,omitempty"`
	Objects              []string    `json:"objects"`
}

func newReceipt(b *batch) *receipt {
	rej := b.rejected
	if rej == nil {
		rej = []Rejection{}
	}
	return &receipt{
		SchemaVersion:        receiptSchemaVersion,
		BatchID:              b.id,
		Model:                b.model,
		Kind:                 string(b.kind),
		BodySHA256:           b.hash,
		Records:              b.records,
		ReferenceVersion:     b.ref.Version,
		ReferenceFingerprint: b.ref.Profile.Fingerprint,
		ReceivedAt:           b.receivedAt,
		Accepted:             b.accepted,
		Rejected:             rej,
		Warnings:             b.warnings,
		Objects:              b.objects(),
	}
}

func decodeReceipt(data []byte) (*receipt, error) {
	var r receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode receipt: %w", err)
	}
	if r.SchemaVersion != receiptSchemaVersion {
		return nil, fmt.Errorf("decode receipt: schema_version %d, this build reads %d", r.SchemaVersion, receiptSchemaVersion)
	}
	return &r, nil
}

// response is the outcome the receipt records.
func (r *receipt) response(duplicate bool) *Response {
	return &Response{
		BatchID:   r.BatchID,
		Accepted:  r.Accepted,
		Rejected:  r.Rejected,
		Duplicate: duplicate,
		Objects:   r.Objects,
		Warnings:  r.Warnings,
	}
}

// sameDecisions reports whether batch b rejected exactly the records the
// receipt rejected, against the same reference, so that what b would write
// is what the receipt promised.
func (r *receipt) sameDecisions(b *batch) bool {
	if r.ReferenceFingerprint != b.ref.Profile.Fingerprint || r.ReferenceVersion != b.ref.Version ||
		len(r.Rejected) != len(b.rejected) || r.Accepted != b.accepted {
		return false
	}
	for i := range r.Rejected {
		if r.Rejected[i].Index != b.rejected[i].Index {
			return false
		}
	}
	return true
}
