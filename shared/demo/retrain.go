package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch/shared/alarm"
)

// RetrainRecorder is the demo's retraining workflow: an alarm.Starter that
// records each execution the alarm handler starts instead of running a
// Step Functions state machine. Like Step Functions it starts a name once
// and answers later starts of it with existed. It is safe for concurrent
// use.
type RetrainRecorder struct {
	now func() time.Time

	mu       sync.Mutex
	requests []RetrainRequest
}

var _ alarm.Starter = (*RetrainRecorder)(nil)

// RetrainRequest is one recorded execution: its name, when it started, and
// its input, the alarm handler's request.
type RetrainRequest struct {
	ExecutionName string        `json:"execution_name"`
	StartedAt     time.Time     `json:"started_at"`
	Request       alarm.Request `json:"request"`
}

// NewRetrainRecorder returns a recorder whose clock is now.
func NewRetrainRecorder(now func() time.Time) *RetrainRecorder { return &RetrainRecorder{now: now} }

// StartExecution implements alarm.Starter.
func (r *RetrainRecorder) StartExecution(ctx context.Context, name string, input []byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var req alarm.Request
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return false, fmt.Errorf("retraining execution %s: the input is not a retraining request: %w", name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.requests {
		if e.ExecutionName == name {
			return true, nil
		}
	}
	r.requests = append(r.requests, RetrainRequest{ExecutionName: name, StartedAt: r.now().UTC(), Request: req})
	return false, nil
}

// Requests returns the recorded executions, in order.
func (r *RetrainRecorder) Requests() []RetrainRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]RetrainRequest(nil), r.requests...)
}
