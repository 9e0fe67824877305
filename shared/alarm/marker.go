package alarm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
)

// MarkerSchemaVersion is the version of the marker document.
const MarkerSchemaVersion = 1

// MarkerState is the progress of a retraining request.
type MarkerState string

// Marker states. A marker is written pending by the invocation that wins the
// conditional write and becomes started when every configured target (state
// machine, topic) has accepted the request.
const (
	MarkerPending MarkerState = "pending"
	MarkerStarted MarkerState = "started"
)

// Marker is the document at retrain/model={model}/{slot}.json. Its
// conditional creation decides which invocation requests retraining for a
// model and slot; afterwards only the invocation holding the lease writes it.
type Marker struct {
	SchemaVersion int         `json:"schema_version"`
	Model         string      `json:"model"`
	Slot          string      `json:"slot"`
	State         MarkerState `json:"state"`
	ExecutionName string      `json:"execution_name"`
	// Request is the request as first built; every attempt sends exactly
	// this, so the state machine input and the message never change.
	Request Request `json:"request"`
	// Attempt counts takeovers: 0 for the invocation that created the
	// marker, n for the holder of claim n.
	Attempt int `json:"attempt"`
	// LeaseUntil is when the current attempt's holder is known to have
	// stopped (its Lambda deadline plus a margin, or the moment it gave up
	// after an error). A pending marker whose lease has passed is taken
	// over.
	LeaseUntil time.Time `json:"lease_until"`
	// ExecutionStarted and Published record which targets accepted the
	// request, so a takeover skips them.
	ExecutionStarted bool `json:"execution_started"`
	Published        bool `json:"published"`
	// PublishAttempted is written before the publish: an attempt that
	// finds it set without Published does not publish again, because the
	// earlier attempt may have published and failed to record it. It is
	// cleared when the topic certainly refused the message.
	PublishAttempted bool `json:"publish_attempted,omitempty"`
	// MessageID is the SNS message that created the marker.
	MessageID string    `json:"message_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// LastError is the error of the last failed attempt.
	LastError string `json:"last_error,omitempty"`
}

// Encode returns the marker's JSON document.
func (m *Marker) Encode() ([]byte, error) {
	b, err := encodeJSON(m, "  ")
	if err != nil {
		return nil, fmt.Errorf("encode retrain marker %s/%s: %w", m.Model, m.Slot, err)
	}
	return b, nil
}

// DecodeMarker decodes and checks a marker document.
func DecodeMarker(data []byte) (*Marker, error) {
	var m Marker
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("retrain marker: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("retrain marker: data after the JSON object")
	}
	switch {
	case m.SchemaVersion != MarkerSchemaVersion:
		return nil, fmt.Errorf("retrain marker: schema_version %d, want %d", m.SchemaVersion, MarkerSchemaVersion)
	case m.State != MarkerPending && m.State != MarkerStarted:
		return nil, fmt.Errorf("retrain marker: state %q, want pending or started", m.State)
	case layout.CheckModel(m.Model) != nil || m.Request.Model != m.Model:
		return nil, fmt.Errorf("retrain marker: model %q, request for %q", m.Model, m.Request.Model)
	case m.Slot == "" || m.ExecutionName != ExecutionName(m.Model, m.Slot):
		return nil, fmt.Errorf("retrain marker: execution name %q does not match model %q and slot %q", m.ExecutionName, m.Model, m.Slot)
	case m.Attempt < 0 || m.Attempt > maxAttempts:
		return nil, fmt.Errorf("retrain marker: attempt %d out of range 0..%d", m.Attempt, maxAttempts)
	}
	return &m, nil
}

// maxAttempts bounds takeovers of one request; claim names have four digits.
const maxAttempts = 9999

// Claim is the document of a takeover claim,
// retrain/model={model}/{slot}.attempt-NNNN.json: its conditional creation
// makes exactly one invocation the holder of attempt NNNN.
type Claim struct {
	Attempt    int       `json:"attempt"`
	LeaseUntil time.Time `json:"lease_until"`
	MessageID  string    `json:"message_id"`
	ClaimedAt  time.Time `json:"claimed_at"`
}

// claimKey is the key of claim attempt of a marker.
func claimKey(model, slot string, attempt int) string {
	return layout.RetrainMarker(model, fmt.Sprintf("%s.attempt-%04d", slot, attempt))
}

// claimPrefix is the prefix listing a marker's claims.
func claimPrefix(model, slot string) string {
	return strings.TrimSuffix(claimKey(model, slot, 0), "0000.json")
}

// claimAttempt parses the attempt number of a claim key; ok is false for
// other keys.
func claimAttempt(model, slot, key string) (int, bool) {
	rest, ok := strings.CutPrefix(key, claimPrefix(model, slot))
	if !ok {
		return 0, false
	}
	digits, ok := strings.CutSuffix(rest, ".json")
	if !ok || len(digits) != 4 {
		return 0, false
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func decodeClaim(data []byte) (*Claim, error) {
	var c Claim
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("retrain claim: %w", err)
	}
	return &c, nil
}

func jsonIndent(v any) ([]byte, error) {
	b, err := encodeJSON(v, "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b, nil
}
