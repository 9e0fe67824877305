package record

import (
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
)

// Label is one label record, the true outcome of an earlier prediction:
//
//	{"request_id": "r-1", "label": "legit", "timestamp": "2026-11-28T09:00:00Z"}
//
// A Label returned by a LabelReader is valid until the reader's next Next.
type Label struct {
	Raw
	RequestID string
	// Label is the outcome: a class for classifiers, a number for regressors.
	Label dataset.Value
	// Time is when the label was known.
	Time    time.Time
	HasTime bool
}

// LabelReader reads the label records of a body and checks each against a
// model's schema and the rules.
type LabelReader struct {
	it     records
	schema *Schema
	rules  Rules
	rec    Label
}

// NewLabelReader returns a reader of the records of b.
func NewLabelReader(b *Body, schema *Schema, rules Rules) *LabelReader {
	return &LabelReader{it: newRecords(b), schema: schema, rules: rules}
}

// Next reads the next record; see PredictionReader.Next.
func (r *LabelReader) Next() bool {
	rec := &r.rec
	rec.RequestID, rec.Label, rec.Time, rec.HasTime = "", dataset.Value{}, time.Time{}, false
	return r.it.next(&rec.Raw, func() error { return r.decode(rec) })
}

// Record returns the record read by the last Next.
func (r *LabelReader) Record() *Label { return &r.rec }

// Err returns the error that ended the reading; see PredictionReader.Err.
func (r *LabelReader) Err() error { return r.it.err }

// Index is the index of the last record read, -1 before the first.
func (r *LabelReader) Index() int { return r.it.index }

func (r *LabelReader) decode(rec *Label) error {
	p := r.it.p
	start := p.Pos
	var seen uint16
	err := p.Members(func(k string) error {
		var bit uint16
		switch k {
		case "request_id":
			bit = fRequestID
		case "label":
			bit = fLabel
		case "timestamp":
			bit = fTimestamp
		}
		switch {
		case bit == 0:
			rec.problem("%s: unknown field; a label record has request_id, label and timestamp", k)
			return p.Skip(1)
		case seen&bit != 0:
			rec.problem("%s: appears twice", k)
			return p.Skip(1)
		}
		seen |= bit
		return r.member(rec, bit)
	})
	if err != nil {
		return err
	}
	rec.Text, rec.Compact = p.Text[start:p.Pos], !p.Spaced
	r.finish(rec)
	return nil
}

func (r *LabelReader) member(rec *Label, bit uint16) error {
	p := r.it.p
	switch bit {
	case fRequestID:
		return p.readString(&rec.Raw, "request_id", &rec.RequestID, r.rules.MaxRequestID)
	case fTimestamp:
		return p.readTime(&rec.Raw, "timestamp", &rec.Time, &rec.HasTime)
	}
	var v value
	if err := p.scalar(&v); err != nil {
		return err
	}
	kind, what := r.schema.labelKind()
	if msg := checkKind(&v, kind, func() string { return what }); msg != "" {
		rec.problem("label: %s", msg)
		return nil
	}
	rec.Label = v.v
	return nil
}

func (r *LabelReader) finish(rec *Label) {
	if rec.RequestID == "" && !hasPrefixed(rec.Problems, "request_id:") {
		rec.problem("request_id: required; it joins the label to its prediction")
	}
	if rec.Label.Kind == dataset.Missing && !hasPrefixed(rec.Problems, "label:") {
		rec.problem("label: required")
	}
	switch {
	case rec.HasTime:
		if msg := r.rules.checkTime("timestamp", rec.Time, r.rules.MaxLabelAge); msg != "" {
			rec.problem("%s", msg)
		}
	case !hasPrefixed(rec.Problems, "timestamp:"):
		rec.problem("timestamp: required (an RFC 3339 time such as 2026-11-28T09:00:00Z)")
	}
}
