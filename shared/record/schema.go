package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/profile"
)

// Schema is what validation knows about a model, taken from its reference
// profile: the features and their kinds, and the kinds of the prediction and
// the label. Column numbers are the positions in Reference.Columns(), which
// are the columns of a profile.Accumulator over that reference.
//
// A Schema is immutable and safe for concurrent use.
type Schema struct {
	Reference *profile.Profile
	// Features are the reference features, in order; feature i is column i.
	Features []*profile.Feature
	index    map[string]int
	// timeColumns are the reference's date-time columns: not features, and
	// not unknown either (they are skipped).
	timeColumns map[string]bool
	// PredictionColumn, ConfidenceColumn and LabelColumn are the accumulator
	// columns of the prediction, the confidence (highest class score) and
	// the label, or -1 when the reference has none.
	PredictionColumn, ConfidenceColumn, LabelColumn int
}

// NewSchema returns the schema of reference profile ref.
func NewSchema(ref *profile.Profile) (*Schema, error) {
	if ref == nil || ref.Type != profile.Reference {
		return nil, fmt.Errorf("record schema: need a reference profile")
	}
	s := &Schema{
		Reference:        ref,
		Features:         ref.Features,
		index:            make(map[string]int, len(ref.Features)),
		PredictionColumn: -1, ConfidenceColumn: -1, LabelColumn: -1,
	}
	for i, f := range ref.Features {
		s.index[f.Name] = i
	}
	for _, c := range ref.TimeColumns {
		if s.timeColumns == nil {
			s.timeColumns = make(map[string]bool, len(ref.TimeColumns))
		}
		s.timeColumns[c] = true
	}
	for i, f := range ref.Columns() {
		switch {
		case i < len(ref.Features):
		case f == ref.Prediction:
			s.PredictionColumn = i
		case f == ref.Confidence:
			s.ConfidenceColumn = i
		case f == ref.Label:
			s.LabelColumn = i
		}
	}
	return s, nil
}

// Feature returns the column of the feature named name.
func (s *Schema) Feature(name string) (int, bool) {
	i, ok := s.index[name]
	return i, ok
}

// labelKind is the kind a label must have: the reference's label, else its
// prediction (a label is compared with the prediction), else anything.
func (s *Schema) labelKind() (profile.Kind, string) {
	switch {
	case s.Reference.Label != nil:
		return s.Reference.Label.Kind, "the reference label is " + string(s.Reference.Label.Kind)
	case s.Reference.Prediction != nil:
		return s.Reference.Prediction.Kind, "the reference prediction is " + string(s.Reference.Prediction.Kind)
	}
	return "", ""
}

// UnknownFeatures says what happens to a record with a feature that the
// reference profile does not have.
type UnknownFeatures string

// The unknown-feature policies.
const (
	// AcceptUnknown stores the record (the feature with it) and reports the
	// feature in a warning; the feature is not profiled.
	AcceptUnknown UnknownFeatures = "accept"
	// RejectUnknown rejects the record.
	RejectUnknown UnknownFeatures = "reject"
)

// ParseUnknownFeatures parses "accept" or "reject".
func ParseUnknownFeatures(s string) (UnknownFeatures, error) {
	switch u := UnknownFeatures(strings.ToLower(strings.TrimSpace(s))); u {
	case AcceptUnknown, RejectUnknown:
		return u, nil
	}
	return "", fmt.Errorf("unknown-feature policy %q: want accept or reject", s)
}

// Rules are the validation settings that are not in the reference profile.
type Rules struct {
	// Now is the time event timestamps are checked against.
	Now time.Time
	// MaxAge is how far in the past a prediction's timestamp may be, and
	// MaxLabelAge a label's; MaxFuture how far in the future either may be.
	// Zero means no limit.
	MaxAge, MaxLabelAge, MaxFuture time.Duration
	// ScoreSumTolerance is how far the class scores of a record may sum
	// from 1.
	ScoreSumTolerance float64
	// UnknownFeatures is the policy for features the reference lacks.
	UnknownFeatures UnknownFeatures
	// MaxRequestID bounds the length of a request_id in bytes.
	MaxRequestID int
}

// DefaultRules are a week of age for predictions, 90 days for labels, five
// minutes into the future, scores summing to 1 ± 0.01, unknown features
// accepted, request ids up to 256 bytes.
func DefaultRules(now time.Time) Rules {
	return Rules{
		Now:               now,
		MaxAge:            7 * 24 * time.Hour,
		MaxLabelAge:       90 * 24 * time.Hour,
		MaxFuture:         5 * time.Minute,
		ScoreSumTolerance: 0.01,
		UnknownFeatures:   AcceptUnknown,
		MaxRequestID:      256,
	}
}

// checkTime applies the skew limits to an event time.
func (r *Rules) checkTime(field string, t time.Time, maxAge time.Duration) string {
	switch {
	case maxAge > 0 && t.Before(r.Now.Add(-maxAge)):
		return fmt.Sprintf("%s: %s is more than %s in the past", field, t.Format(time.RFC3339Nano), fmtDuration(maxAge))
	case r.MaxFuture > 0 && t.After(r.Now.Add(r.MaxFuture)):
		return fmt.Sprintf("%s: %s is more than %s in the future", field, t.Format(time.RFC3339Nano), fmtDuration(r.MaxFuture))
	}
	return ""
}

// fmtDuration writes whole hours as "168h" and other durations as Go does.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
