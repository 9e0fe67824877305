package record

import (
	"math"
	"slices"
	"time"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// Prediction is one prediction record:
//
//	{"request_id": "r-1", "timestamp": "2026-11-26T20:00:00Z", "model_version": "v3",
//	 "features": {"amount": 12.5, "country": "DE", "age": null},
//	 "prediction": "fraud", "scores": {"fraud": 0.91, "legit": 0.09}, "latency_ms": 12.3, "error": null}
//
// A Prediction returned by a PredictionReader, and the strings in it, are
// valid until the reader's next Next.
type Prediction struct {
	Raw
	RequestID, ModelVersion string
	// Time is the event time; HasTime is false when it is absent or invalid.
	Time    time.Time
	HasTime bool
	// Failed says that the model call failed ("error" is set). The record's
	// features, prediction and scores are then neither checked nor profiled.
	Failed bool
	// Prediction is the model output (Missing when absent).
	Prediction dataset.Value
	// Confidence is the highest class score, when the record has scores.
	Confidence    float64
	HasConfidence bool
	// Latency is latency_ms, when present.
	Latency    float64
	HasLatency bool
	// Unknown are the names of features the reference profile lacks (only
	// under AcceptUnknown; under RejectUnknown they are problems).
	Unknown []string
	// HasFeatures says that the record has a "features" object.
	HasFeatures bool

	values []dataset.Value
	seen   []uint32
	gen    uint32
	// content collects the problems of features, prediction and scores,
	// which count only when the model call did not fail.
	content Raw
}

// Feature returns the value of feature column col (Missing when the record
// does not have it).
func (r *Prediction) Feature(col int) dataset.Value {
	if r.seen[col] != r.gen {
		return dataset.Value{}
	}
	return r.values[col]
}

// The members of a prediction record, as bits for duplicate detection.
const (
	fRequestID uint16 = 1 << iota
	fTimestamp
	fModelVersion
	fFeatures
	fPrediction
	fScores
	fLatency
	fError
	fLabel
)

// PredictionReader reads the prediction records of a body and checks each
// against a model's schema and the rules.
type PredictionReader struct {
	it     records
	schema *Schema
	rules  Rules
	rec    Prediction
	// scoreNames are the class names of the current record's scores.
	scoreNames []string
	// order is the column of each feature key of the previous record, in
	// its order (-1: unknown): records of one client list their features
	// in the same order, so the next name is compared with the expected
	// one before it is looked up in the map.
	order []int
	val   value // scratch for feature values
}

// NewPredictionReader returns a reader of the records of b.
func NewPredictionReader(b *Body, schema *Schema, rules Rules) *PredictionReader {
	n := len(schema.Features)
	r := &PredictionReader{it: newRecords(b), schema: schema, rules: rules}
	r.rec.values = make([]dataset.Value, n)
	r.rec.seen = make([]uint32, n)
	return r
}

// Next reads the next record. It returns false at the end of the records or
// when the body is not valid JSON; Err tells which.
func (r *PredictionReader) Next() bool {
	return r.it.next(&r.rec.Raw, func() error { return r.decode(&r.rec) })
}

// Record returns the record read by the last Next.
func (r *PredictionReader) Record() *Prediction { return &r.rec }

// Err returns the error that ended the reading: nil at the end of a valid
// body, a *SyntaxError when the body is not JSON, a *BodyError or an error
// wrapping ErrNoRecords when it is not a batch body.
func (r *PredictionReader) Err() error { return r.it.err }

// Index is the index of the last record read, -1 before the first.
func (r *PredictionReader) Index() int { return r.it.index }

func (rec *Prediction) clear() {
	rec.RequestID, rec.ModelVersion = "", ""
	rec.Time, rec.HasTime = time.Time{}, false
	rec.Failed, rec.HasFeatures = false, false
	rec.Prediction = dataset.Value{}
	rec.Confidence, rec.HasConfidence = 0, false
	rec.Latency, rec.HasLatency = 0, false
	rec.Unknown = rec.Unknown[:0]
	rec.content.Problems = rec.content.Problems[:0]
	rec.gen++
	if rec.gen == 0 { // wrapped: forget every old mark
		clear(rec.seen)
		rec.gen = 1
	}
}

func (r *PredictionReader) decode(rec *Prediction) error {
	p := r.it.p
	rec.clear()
	start := p.Pos
	var seen uint16
	err := p.Members(func(k string) error {
		bit := predictionField(k)
		if bit != 0 && seen&bit != 0 {
			rec.problem("%s: appears twice", k)
			return p.Skip(1)
		}
		seen |= bit
		return r.member(rec, k, bit)
	})
	if err != nil {
		return err
	}
	rec.Text, rec.Compact = p.Text[start:p.Pos], !p.Spaced
	r.finish(rec, seen)
	return nil
}

func predictionField(k string) uint16 {
	switch k {
	case "request_id":
		return fRequestID
	case "timestamp":
		return fTimestamp
	case "model_version":
		return fModelVersion
	case "features":
		return fFeatures
	case "prediction":
		return fPrediction
	case "scores":
		return fScores
	case "latency_ms":
		return fLatency
	case "error":
		return fError
	}
	return 0
}

func (r *PredictionReader) member(rec *Prediction, k string, bit uint16) error {
	p := r.it.p
	switch bit {
	case fRequestID:
		return p.readString(&rec.Raw, "request_id", &rec.RequestID, r.rules.MaxRequestID)
	case fModelVersion:
		return p.readString(&rec.Raw, "model_version", &rec.ModelVersion, 0)
	case fTimestamp:
		return p.readTime(&rec.Raw, "timestamp", &rec.Time, &rec.HasTime)
	case fLatency:
		return p.readLatency(&rec.Raw, &rec.Latency, &rec.HasLatency)
	case fFeatures:
		return r.features(rec)
	case fPrediction:
		return r.prediction(rec)
	case fScores:
		return r.scores(rec)
	case fError:
		return r.errorField(rec)
	}
	if err := p.Skip(1); err != nil {
		return err
	}
	rec.problem("%s: unknown field; a prediction record has request_id, timestamp, model_version, features, prediction, scores, latency_ms and error", k)
	return nil
}

func (r *PredictionReader) features(rec *Prediction) error {
	p := r.it.p
	if object, err := p.objectOrNull(&rec.content, "features", "an object of feature values"); !object {
		return err
	}
	rec.HasFeatures = true
	features := r.schema.Features
	k := -1
	return p.Members(func(name string) error {
		k++
		col, known := -1, false
		if k < len(r.order) {
			if c := r.order[k]; c >= 0 && features[c].Name == name {
				col, known = c, true
			}
		}
		if !known {
			col, known = r.schema.index[name]
			if !known {
				col = -1
			}
			if k < len(r.order) {
				r.order[k] = col
			} else if k < 4*len(features)+16 {
				r.order = append(r.order, col)
			}
		}
		if !known {
			if !r.schema.timeColumns[name] {
				r.unknown(rec, name)
			}
			return p.Skip(1)
		}
		v := &r.val
		if err := p.scalar(v); err != nil {
			return err
		}
		if f := features[col]; rec.seen[col] == rec.gen {
			rec.content.problem("features.%s: appears twice", name)
		} else {
			if msg := checkKind(v, f.Kind, func() string { return name + " is " + string(f.Kind) + " in the reference" }); msg != "" {
				rec.content.problem("features.%s: %s", name, msg)
			}
			rec.values[col] = v.v
			rec.seen[col] = rec.gen
		}
		return nil
	})
}

func (r *PredictionReader) unknown(rec *Prediction, name string) {
	for _, u := range rec.Unknown {
		if u == name {
			rec.content.problem("features.%s: appears twice", name)
			return
		}
	}
	rec.Unknown = append(rec.Unknown, name)
	if r.rules.UnknownFeatures == RejectUnknown {
		rec.content.problem("features.%s: not a feature of the model's reference profile (unknown features are rejected)", name)
	}
}

func (r *PredictionReader) prediction(rec *Prediction) error {
	var v value
	if err := r.it.p.scalar(&v); err != nil {
		return err
	}
	var kind profile.Kind
	if ref := r.schema.Reference.Prediction; ref != nil {
		kind = ref.Kind
	}
	if msg := checkKind(&v, kind, func() string { return "the reference prediction is " + string(kind) }); msg != "" {
		rec.content.problem("prediction: %s", msg)
		return nil
	}
	rec.Prediction = v.v
	return nil
}

func (r *PredictionReader) scores(rec *Prediction) error {
	p := r.it.p
	if object, err := p.objectOrNull(&rec.content, "scores", "an object of class probabilities"); !object {
		return err
	}
	names := r.scoreNames[:0]
	defer func() { r.scoreNames = names[:0] }()
	var sum, best float64
	ok := true
	err := p.Members(func(class string) error {
		var v value
		if err := p.scalar(&v); err != nil {
			return err
		}
		dup := slices.Contains(names, class)
		names = append(names, class)
		switch {
		case dup:
			rec.content.problem("scores.%s: appears twice", class)
			ok = false
		case v.v.Kind != dataset.Number:
			rec.content.problem("scores.%s: got %s, want a probability (a number in [0, 1])", class, v.typeName())
			ok = false
		case v.numErr != "" || v.v.Num < 0 || v.v.Num > 1:
			rec.content.problem("scores.%s: %g is outside [0, 1]", class, v.v.Num)
			ok = false
		default:
			sum += v.v.Num
			if len(names) == 1 || v.v.Num > best {
				best = v.v.Num
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(names) == 0 {
		rec.content.problem("scores: empty object; omit scores or give one probability per class")
		return nil
	}
	if !ok {
		return nil
	}
	if tol := r.rules.ScoreSumTolerance; math.Abs(sum-1) > tol {
		rec.content.problem("scores: sum to %.6g, want 1 ± %g", sum, tol)
		return nil
	}
	rec.Confidence, rec.HasConfidence = best, true
	return nil
}

func (r *PredictionReader) errorField(rec *Prediction) error {
	p := r.it.p
	switch c := p.Peek(); c {
	case 'n':
		return p.Literal("null")
	case '{':
		rec.Failed = true
		return p.Skip(1)
	case '"':
		s, err := p.String()
		if err != nil {
			return err
		}
		if s == "" {
			rec.problem("error: empty string; use null for a successful call")
			return nil
		}
		rec.Failed = true
		return nil
	default:
		if err := p.Skip(1); err != nil {
			return err
		}
		rec.problem("error: got %s, want null, a message or an object", jsonscan.TypeName(c))
		return nil
	}
}

// finish applies the checks that need the whole record.
func (r *PredictionReader) finish(rec *Prediction, seen uint16) {
	if !rec.HasTime {
		switch {
		case seen&fTimestamp == 0:
			rec.problem("timestamp: required (an RFC 3339 time such as 2026-11-26T20:00:00Z)")
		case !hasPrefixed(rec.Problems, "timestamp:"):
			rec.problem("timestamp: null; want an RFC 3339 time such as 2026-11-26T20:00:00Z")
		}
	} else if msg := r.rules.checkTime("timestamp", rec.Time, r.rules.MaxAge); msg != "" {
		rec.problem("%s", msg)
	}
	if rec.Failed {
		return
	}
	for _, msg := range rec.content.Problems {
		if len(rec.Problems) < maxProblems {
			rec.Problems = append(rec.Problems, msg)
		}
	}
	if !rec.HasFeatures && !hasPrefixed(rec.content.Problems, "features:") {
		rec.problem("features: required unless error is set")
	}
	if rec.Prediction.Kind == dataset.Missing && seen&fPrediction == 0 {
		rec.problem("prediction: required unless error is set")
	} else if rec.Prediction.Kind == dataset.Missing && !hasPrefixed(rec.content.Problems, "prediction:") {
		rec.problem("prediction: null; it is required unless error is set")
	}
}

func hasPrefixed(list []string, prefix string) bool {
	for _, s := range list {
		if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
