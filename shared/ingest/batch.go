package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/record"
)

// maxUnknownNames bounds how many distinct unknown feature names a batch
// reports by name.
const maxUnknownNames = 50

// batch is everything a request would store, computed before anything is
// written: the gzip JSON Lines and the batch profile of each event hour, the
// rejected records, and the outcome.
type batch struct {
	model string
	kind  record.Kind
	ref   *Reference

	// The body's own members, complete once the records are read.
	bodyModel, bodyKind, bodyBatchID string

	records  int
	accepted int
	hash     string
	rejected []Rejection
	// rejectedText holds the compact JSON text of each rejected record.
	rejectedText []string
	warnings     []string
	hours        []*hourOutput

	// Set by finalize.
	id, rejectedKey string
	receivedAt      time.Time
	rejectedDoc     []byte
}

// hourOutput is what a batch stores for one event hour.
type hourOutput struct {
	hour                time.Time
	dataKey, profileKey string
	data                []byte // gzip JSON Lines
	profile             []byte // nil for labels
	records, errors     int
	latencies           []float64

	zw   *gzip.Writer // compresses the records as they are accepted
	zbuf *bytes.Buffer
	acc  *profile.Accumulator
}

// Rejection is a record that was not stored, by index, and why.
type Rejection struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"`
}

// limits bound what one request may store.
type limits struct {
	// records bounds the records of the body (MAX_RECORDS).
	records int
	// hours bounds the event hours (partitions) the accepted records
	// span (MAX_HOURS); 0 means no bound.
	hours int
}

// builder turns the records of one body into a batch.
type builder struct {
	b      *batch
	limits limits
	// forced holds index → reason when replaying a receipt (nil
	// otherwise); an empty reason stands for a rejection the receipt does
	// not list.
	forced map[int]string
	hasher hash.Hash
	// requestIDs maps the request_id of every accepted prediction to its
	// index, so that a later record with the same id is rejected.
	requestIDs map[string]int
	last       *hourOutput
	unknown    map[string]int
	// present[col] says that some stored, profiled record had feature col.
	present  []bool
	profiled int
	line     []byte // the current record's JSON Lines line
	now      func() time.Time
}

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// build reads the records of body and computes the batch. When forced is
// not nil it holds the rejections of a stored receipt, and the decisions are
// taken from it instead of from validation. now stamps the batch profiles.
func build(body string, kind record.Kind, model string, ref *Reference, rules record.Rules, lim limits, forced map[int]string, now func() time.Time) (*batch, *Error) {
	bd := &builder{
		now:     now,
		b:       &batch{model: model, kind: kind, ref: ref},
		limits:  lim,
		forced:  forced,
		hasher:  sha256.New(),
		present: make([]bool, len(ref.Schema.Features)),
	}
	bd.hasher.Write([]byte(kind))
	bd.hasher.Write([]byte{'\n'})
	defer bd.release()

	body0, err := record.OpenBody(body)
	if err != nil {
		return nil, bodyError(err)
	}
	var e *Error
	if kind == record.Labels {
		e = bd.labels(body0, rules)
	} else {
		e = bd.predictions(body0, rules)
	}
	if e != nil {
		return nil, e
	}
	b := bd.b
	b.bodyModel, b.bodyKind, b.bodyBatchID = body0.Model, body0.Kind, body0.BatchID
	b.hash = hex.EncodeToString(bd.hasher.Sum(nil))
	if e := bd.seal(); e != nil {
		return nil, e
	}
	bd.warn()
	return b, nil
}

func (bd *builder) release() {
	for _, h := range bd.b.hours {
		if h.zw != nil {
			h.zw.Reset(io.Discard)
			gzipPool.Put(h.zw)
			h.zw = nil
		}
	}
}

// decide says whether record raw, with request id requestID (predictions;
// "" for none or for labels), is rejected and why.
func (bd *builder) decide(raw *record.Raw, requestID string) (reason string, rejected bool) {
	if bd.forced != nil {
		reason, rejected = bd.forced[raw.Index]
		if rejected && reason == "" {
			reason = forcedReason(raw)
		}
		return reason, rejected
	}
	if !raw.Valid() {
		return raw.Reason(), true
	}
	if requestID == "" {
		return "", false
	}
	if first, ok := bd.requestIDs[requestID]; ok {
		return fmt.Sprintf("request_id: the same as records[%d]'s; a prediction is stored and counted once per batch", first), true
	}
	if bd.requestIDs == nil {
		bd.requestIDs = make(map[string]int)
	}
	bd.requestIDs[requestID] = raw.Index
	return "", false
}

// forcedReason is the reason of a rejection that a receipt records but does
// not list: the record's present reason, or else a pointer to the first
// decision.
func forcedReason(raw *record.Raw) string {
	if !raw.Valid() {
		return raw.Reason()
	}
	return "rejected when the batch was first received; the receipt keeps the decision"
}

func (bd *builder) tooMany(index int) *Error {
	if index < bd.limits.records {
		return nil
	}
	return errorf(http.StatusRequestEntityTooLarge, CodeTooManyRecords,
		"more than %d records in one request (MAX_RECORDS); split the batch", bd.limits.records)
}

// store compresses an accepted record into its hour and returns the hour.
func (bd *builder) store(raw *record.Raw, at time.Time) (*hourOutput, *Error) {
	h, e := bd.hourOf(at)
	if e != nil {
		return nil, e
	}
	bd.line = append(raw.AppendCompact(bd.line[:0]), '\n')
	bd.hasher.Write(bd.line)
	if _, err := h.zw.Write(bd.line); err != nil {
		return nil, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "compressing the records failed", Err: err}
	}
	h.records++
	bd.b.accepted++
	return h, nil
}

// reject records a rejected record.
func (bd *builder) reject(raw *record.Raw, reason string) {
	text := string(raw.AppendCompact(nil))
	bd.hasher.Write([]byte(text))
	bd.hasher.Write([]byte{'\n'})
	bd.b.rejected = append(bd.b.rejected, Rejection{Index: raw.Index, Reason: reason})
	bd.b.rejectedText = append(bd.b.rejectedText, text)
}

// hourOf returns the output of the event hour of t, adding it unless that
// would exceed the bound on hours.
func (bd *builder) hourOf(t time.Time) (*hourOutput, *Error) {
	hr := layout.Hour(t)
	if bd.last != nil && bd.last.hour.Equal(hr) {
		return bd.last, nil
	}
	for _, h := range bd.b.hours {
		if h.hour.Equal(hr) {
			bd.last = h
			return h, nil
		}
	}
	if n := bd.limits.hours; n > 0 && len(bd.b.hours) >= n {
		return nil, errorf(http.StatusRequestEntityTooLarge, CodeTooManyHours,
			"the accepted records span more than %d event hours (MAX_HOURS); each hour is stored as objects of its own, so split the batch by the hour of timestamp", n)
	}
	h := &hourOutput{hour: hr, zbuf: bytes.NewBuffer(make([]byte, 0, 32<<10)), zw: gzipPool.Get().(*gzip.Writer)}
	h.zw.Reset(h.zbuf)
	if bd.b.kind == record.Predictions {
		h.acc, _ = profile.NewAccumulator(bd.b.ref.Profile) // the schema was built from a reference profile
		h.acc.SetClock(bd.now)
	}
	bd.b.hours = append(bd.b.hours, h)
	bd.last = h
	return h, nil
}

func (bd *builder) predictions(body *record.Body, rules record.Rules) *Error {
	schema := bd.b.ref.Schema
	r := record.NewPredictionReader(body, schema, rules)
	for r.Next() {
		rec := r.Record()
		if e := bd.tooMany(rec.Index); e != nil {
			return e
		}
		bd.b.records++
		if reason, rejected := bd.decide(&rec.Raw, rec.RequestID); rejected {
			bd.reject(&rec.Raw, reason)
			continue
		}
		if !rec.HasTime {
			return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
				Message: fmt.Sprintf("records[%d] was accepted before but has no valid timestamp now", rec.Index)}
		}
		h, e := bd.store(&rec.Raw, rec.Time)
		if e != nil {
			return e
		}
		if err := bd.profilePrediction(h, rec); err != nil {
			return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
				Message: fmt.Sprintf("records[%d] could not be profiled", rec.Index), Err: err}
		}
	}
	if err := r.Err(); err != nil {
		return bodyError(err)
	}
	return nil
}

// profilePrediction counts an accepted record in its hour's batch profile,
// the way profile.Count counts a file: features absent from the record are
// missing, records whose model call failed count as errors and are not
// profiled.
func (bd *builder) profilePrediction(h *hourOutput, rec *record.Prediction) error {
	acc, schema := h.acc, bd.b.ref.Schema
	acc.AddRecord()
	acc.AddEventTime(rec.Time)
	if rec.HasLatency {
		if err := acc.AddLatency(rec.Latency); err != nil {
			return fmt.Errorf("latency_ms: %w", err)
		}
		h.latencies = append(h.latencies, rec.Latency)
	}
	if rec.Failed {
		acc.AddError()
		h.errors++
		return nil
	}
	bd.profiled++
	for col, f := range schema.Features {
		v := rec.Feature(col)
		if v.Kind == dataset.Missing {
			acc.AddMissing(col)
			continue
		}
		bd.present[col] = true
		if err := acc.AddValue(col, v); err != nil {
			return fmt.Errorf("features.%s: %w", f.Name, err)
		}
	}
	acc.EndRecord()
	if c := schema.PredictionColumn; c >= 0 {
		if rec.Prediction.Kind == dataset.Missing {
			acc.AddMissing(c)
		} else if err := acc.AddValue(c, rec.Prediction); err != nil {
			return fmt.Errorf("prediction: %w", err)
		}
	}
	if c := schema.ConfidenceColumn; c >= 0 {
		if rec.HasConfidence {
			if err := acc.AddNumber(c, rec.Confidence); err != nil {
				return fmt.Errorf("scores: %w", err)
			}
		} else {
			acc.AddMissing(c)
		}
	}
	if c := schema.LabelColumn; c >= 0 {
		acc.AddMissing(c) // prediction records carry no label; labels arrive as label records
	}
	for _, name := range rec.Unknown {
		if bd.unknown == nil {
			bd.unknown = make(map[string]int)
		}
		if n, ok := bd.unknown[name]; ok || len(bd.unknown) < maxUnknownNames {
			if !ok {
				name = strings.Clone(name) // do not keep the body alive
			}
			bd.unknown[name] = n + 1
		} else {
			bd.unknown[""]++ // beyond the names reported
		}
	}
	return nil
}

func (bd *builder) labels(body *record.Body, rules record.Rules) *Error {
	r := record.NewLabelReader(body, bd.b.ref.Schema, rules)
	for r.Next() {
		rec := r.Record()
		if e := bd.tooMany(rec.Index); e != nil {
			return e
		}
		bd.b.records++
		if reason, rejected := bd.decide(&rec.Raw, ""); rejected {
			bd.reject(&rec.Raw, reason)
			continue
		}
		if !rec.HasTime {
			return &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
				Message: fmt.Sprintf("records[%d] was accepted before but has no valid timestamp now", rec.Index)}
		}
		if _, e := bd.store(&rec.Raw, rec.Time); e != nil {
			return e
		}
	}
	if err := r.Err(); err != nil {
		return bodyError(err)
	}
	return nil
}

// seal compresses each hour's records and encodes its profile.
func (bd *builder) seal() *Error {
	b := bd.b
	sort.Slice(b.hours, func(i, j int) bool { return b.hours[i].hour.Before(b.hours[j].hour) })
	for _, h := range b.hours {
		if err := h.zw.Close(); err != nil {
			return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "compressing the records failed", Err: err}
		}
		h.data = h.zbuf.Bytes()
		gzipPool.Put(h.zw)
		h.zw, h.zbuf = nil, nil
		if h.acc != nil {
			// Compact JSON: Profile.Encode indents every count onto its own
			// line, which doubles the encoding time and the size of a
			// profile that only machines read. profile.Decode reads both.
			p, err := json.Marshal(h.acc.Profile())
			if err != nil {
				return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the batch profile failed", Err: err}
			}
			h.profile = append(p, '\n')
			h.acc = nil
		}
	}
	return nil
}

// warn lists unknown features and reference features no record had.
func (bd *builder) warn() {
	b := bd.b
	names := make([]string, 0, len(bd.unknown))
	for n := range bd.unknown {
		if n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b.warnings = append(b.warnings, fmt.Sprintf("features.%s: not in the reference profile of %s (version %s); stored with %d record(s), not profiled",
			n, b.model, b.ref.Version, bd.unknown[n]))
	}
	if extra := bd.unknown[""]; extra > 0 {
		b.warnings = append(b.warnings, fmt.Sprintf("%d more occurrence(s) of other unknown features (only %d names are listed)", extra, maxUnknownNames))
	}
	if bd.profiled == 0 {
		return
	}
	for col, ok := range bd.present {
		if !ok {
			b.warnings = append(b.warnings, fmt.Sprintf("features.%s: absent from every record; counted as missing",
				b.ref.Schema.Features[col].Name))
		}
	}
}

// finalize names the batch's objects for batch id id, received at
// receivedAt, and renders the rejected-records document.
func (b *batch) finalize(id string, receivedAt time.Time) error {
	b.id, b.receivedAt = id, receivedAt.UTC()
	dataKind := layout.Predictions
	if b.kind == record.Labels {
		dataKind = layout.Labels
	}
	for _, h := range b.hours {
		h.dataKey = layout.DataObject(dataKind, b.model, h.hour, id)
		if h.profile != nil {
			h.profileKey = layout.DataObject(layout.Profiles, b.model, h.hour, id)
		}
	}
	b.rejectedKey, b.rejectedDoc = "", nil
	if len(b.rejected) == 0 {
		return nil
	}
	b.rejectedKey = layout.Rejected(b.model, b.receivedAt, id)
	head, err := json.Marshal(struct {
		BatchID          string    `json:"batch_id"`
		Model            string    `json:"model"`
		Kind             string    `json:"kind"`
		ReceivedAt       time.Time `json:"received_at"`
		ReferenceVersion string    `json:"reference_version"`
		Records          int       `json:"records"`
	}{id, b.model, string(b.kind), b.receivedAt, b.ref.Version, b.records})
	if err != nil {
		return fmt.Errorf("encode rejected records: %w", err)
	}
	doc := append(head[:len(head)-1], `,"rejected":[`...)
	for i, r := range b.rejected {
		if i > 0 {
			doc = append(doc, ',')
		}
		reason, _ := json.Marshal(r.Reason)
		doc = fmt.Appendf(doc, `{"index":%d,"reason":%s,"record":%s}`, r.Index, reason, b.rejectedText[i])
	}
	b.rejectedDoc = append(doc, "]}\n"...)
	return nil
}

// objects lists the keys the batch writes, in the order they are written
// for each hour (data, then profile), then the rejected records.
func (b *batch) objects() []string {
	out := make([]string, 0, 2*len(b.hours)+1)
	for _, h := range b.hours {
		out = append(out, h.dataKey)
		if h.profileKey != "" {
			out = append(out, h.profileKey)
		}
	}
	if b.rejectedKey != "" {
		out = append(out, b.rejectedKey)
	}
	return out
}
