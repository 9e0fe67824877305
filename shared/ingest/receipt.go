package ingest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch/shared/layout"
)

// receiptSchemaVersion is the version of the receipt document. Version 1
// listed every rejection; version 2 lists at most MaxListedRejections and
// keeps the full set of rejected indexes as a bitmap. Both are read.
const receiptSchemaVersion = 2

// The bounds of a response and a receipt: however many records a batch
// rejects, both list at most MaxListedRejections of them (the first, by
// index) with their reasons cut to MaxReasonBytes, and count the
// rejections by reason for at most MaxReasonCounts distinct reasons (the
// rest are counted under OtherReasons). The rejected/ object holds every
// rejected record with its full reason.
const (
	MaxListedRejections = 100
	MaxReasonBytes      = 512
	MaxReasonCounts     = 20
	OtherReasons        = "(other reasons)"
)

// ReceiptKey is the key of a batch's receipt: the first object written for
// a batch id, with a conditional write, so that of several requests with
// one batch id exactly one decides the batch's outcome. It records the
// outcome and the objects the batch consists of; a retry reads it, answers
// with the same outcome and writes whatever of those objects is still
// missing.
//
// Receipts are bookkeeping: the drift function never reads them.
func ReceiptKey(model, batchID string) string { return layout.Receipt(model, batchID) }

// ReasonCount is how many records of a batch were rejected for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// RejectionSummary is the bounded account of a batch's rejected records
// that a response and a receipt both give: RejectedCount counts every one,
// Rejected lists the first MaxListedRejections of them (by index, never
// nil) and RejectedReasons counts them by reason.
type RejectionSummary struct {
	RejectedCount   int           `json:"rejected_count"`
	Rejected        []Rejection   `json:"rejected"`
	RejectedReasons []ReasonCount `json:"rejected_reasons,omitempty"`
}

// summariseRejections returns the summary of all of a batch's rejections.
func summariseRejections(all []Rejection) RejectionSummary {
	return RejectionSummary{
		RejectedCount:   len(all),
		Rejected:        listRejections(all),
		RejectedReasons: countReasons(all),
	}
}

// receipt is the document at ReceiptKey.
type receipt struct {
	SchemaVersion        int       `json:"schema_version"`
	BatchID              string    `json:"batch_id"`
	Model                string    `json:"model"`
	Kind                 string    `json:"kind"`
	BodySHA256           string    `json:"body_sha256"`
	Records              int       `json:"records"`
	ReferenceVersion     string    `json:"reference_version"`
	ReferenceFingerprint string    `json:"reference_fingerprint"`
	ReceivedAt           time.Time `json:"received_at"`
	Accepted             int       `json:"accepted"`
	RejectionSummary
	// RejectedIndexes is the bitmap of the rejected records' indexes (bit
	// i of byte i/8, least significant first), base64: the decisions a
	// retry must repeat, in Records/8 bytes.
	RejectedIndexes string   `json:"rejected_indexes,omitempty"`
	Warnings        []string `json:"warnings,omitempty"`
	Objects         []string `json:"objects"`
}

func newReceipt(b *batch) *receipt {
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
		RejectionSummary:     summariseRejections(b.rejected),
		RejectedIndexes:      indexBitmap(b.records, b.rejected),
		Warnings:             cutAll(b.warnings),
		Objects:              b.objects(),
	}
}

// listRejections returns the first MaxListedRejections rejections with
// their reasons cut to MaxReasonBytes; never nil.
func listRejections(all []Rejection) []Rejection {
	out := make([]Rejection, 0, min(len(all), MaxListedRejections))
	for _, r := range all[:min(len(all), MaxListedRejections)] {
		out = append(out, Rejection{Index: r.Index, Reason: cutReason(r.Reason)})
	}
	return out
}

// cutReason shortens a reason to at most MaxReasonBytes, on a rune
// boundary, marking the cut.
func cutReason(s string) string {
	if len(s) <= MaxReasonBytes {
		return s
	}
	const mark = "…"
	n := MaxReasonBytes - len(mark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}

// cutAll cuts every line to MaxReasonBytes (a warning names an unknown
// feature, whose name the client chose).
func cutAll(lines []string) []string {
	for i, l := range lines {
		lines[i] = cutReason(l)
	}
	return lines
}

// countReasons counts rejections by reason, most frequent first (ties in
// order of first occurrence), with at most MaxReasonCounts entries: the
// rarer reasons are added up under OtherReasons.
func countReasons(all []Rejection) []ReasonCount {
	if len(all) == 0 {
		return nil
	}
	idx := map[string]int{}
	var out []ReasonCount
	for _, r := range all {
		reason := cutReason(r.Reason)
		i, ok := idx[reason]
		if !ok {
			i = len(out)
			idx[reason] = i
			out = append(out, ReasonCount{Reason: reason})
		}
		out[i].Count++
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	if len(out) <= MaxReasonCounts {
		return out
	}
	other := ReasonCount{Reason: OtherReasons}
	for _, rc := range out[MaxReasonCounts-1:] {
		other.Count += rc.Count
	}
	return append(out[:MaxReasonCounts-1], other)
}

// indexBitmap encodes the rejected indexes of a batch of n records.
func indexBitmap(n int, rejected []Rejection) string {
	if len(rejected) == 0 {
		return ""
	}
	bits := make([]byte, (n+7)/8)
	for _, r := range rejected {
		bits[r.Index/8] |= 1 << (r.Index % 8)
	}
	return base64.StdEncoding.EncodeToString(bits)
}

// rejectedIndexes decodes the receipt's bitmap into the rejected indexes,
// in order.
func (r *receipt) rejectedIndexes() ([]int, error) {
	if r.RejectedIndexes == "" {
		return nil, nil
	}
	bits, err := base64.StdEncoding.DecodeString(r.RejectedIndexes)
	if err != nil {
		return nil, fmt.Errorf("decode receipt: rejected_indexes: %w", err)
	}
	var out []int
	for i, b := range bits {
		for j := range 8 {
			if b&(1<<j) != 0 {
				out = append(out, 8*i+j)
			}
		}
	}
	return out, nil
}

func decodeReceipt(data []byte) (*receipt, error) {
	var r receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode receipt: %w", err)
	}
	switch r.SchemaVersion {
	case receiptSchemaVersion:
	case 1:
		// Version 1 listed every rejection.
		r.RejectedIndexes = indexBitmap(r.Records, r.Rejected)
		r.RejectionSummary = summariseRejections(r.Rejected)
	default:
		return nil, fmt.Errorf("decode receipt: schema_version %d, this build reads 1 and %d", r.SchemaVersion, receiptSchemaVersion)
	}
	if r.Rejected == nil {
		r.Rejected = []Rejection{}
	}
	return &r, nil
}

// response is the outcome the receipt records.
func (r *receipt) response(duplicate bool) *Response {
	return &Response{
		BatchID:          r.BatchID,
		Accepted:         r.Accepted,
		RejectionSummary: r.RejectionSummary,
		Duplicate:        duplicate,
		Objects:          r.Objects,
		Warnings:         r.Warnings,
	}
}

// sameDecisions reports whether batch b rejected exactly the records the
// receipt rejected, against the same reference, so that what b would write
// is what the receipt promised.
func (r *receipt) sameDecisions(b *batch) bool {
	return r.ReferenceFingerprint == b.ref.Profile.Fingerprint && r.ReferenceVersion == b.ref.Version &&
		r.RejectedCount == len(b.rejected) && r.Accepted == b.accepted &&
		r.RejectedIndexes == indexBitmap(b.records, b.rejected)
}

// forced returns the receipt's decisions for a rebuild: every rejected
// index, with its listed reason, or "" when the receipt does not list it
// (the rebuild then gives the record's present reason).
func (r *receipt) forced() (map[int]string, error) {
	idx, err := r.rejectedIndexes()
	if err != nil {
		return nil, err
	}
	out := make(map[int]string, len(idx))
	for _, i := range idx {
		out[i] = ""
	}
	for _, rj := range r.Rejected {
		out[rj.Index] = rj.Reason
	}
	return out, nil
}
