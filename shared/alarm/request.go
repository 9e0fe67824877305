package alarm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/modelwatch/modelwatch/shared/layout"
	"github.com/modelwatch/modelwatch/shared/reference"
	"github.com/modelwatch/modelwatch/shared/store"
)

// Request is a retraining request: the input of the retraining state
// machine and the message published to the retrain topic.
type Request struct {
	Model string `json:"model"`
	// ModelVersion is the reference version the latest report compared
	// with, else the active reference version; empty when neither exists.
	ModelVersion string `json:"model_version"`
	// Reason is CloudWatch's NewStateReason.
	Reason    string `json:"reason"`
	AlarmName string `json:"alarm_name"`
	Metric    string `json:"metric"`
	// Value is the most recent datapoint of the alarm's reason, Threshold
	// the alarm's threshold; null when the notification has none.
	Value     *float64 `json:"value"`
	Threshold *float64 `json:"threshold"`
	// ReportKey is the key of the JSON report of the window that the model's
	// latest report covers (reports/model={model}/dt=…/{window_end}.json, a
	// key that later runs do not replace), or latest.json itself when that
	// report names no window; empty when there is none.
	ReportKey string `json:"report_key"`
	// RequestedAt is when the dedup marker was written; a retry of the
	// same request keeps it, so the state machine input does not change.
	RequestedAt time.Time `json:"requested_at"`
}

// Encode returns the request as the JSON document sent to the state machine
// and the topic.
func (r Request) Encode() ([]byte, error) {
	b, err := encodeJSON(r, "")
	if err != nil {
		return nil, fmt.Errorf("encode retraining request for %s: %w", r.Model, err)
	}
	return b, nil
}

// encodeJSON marshals v without escaping <, > and & (reasons contain
// "OK -> ALARM"), indented when indent is not empty, without a final newline.
func encodeJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// maxExecutionName is Step Functions' limit on execution names.
const maxExecutionName = 80

// ExecutionName is the deterministic name of the retraining execution of
// model in a cooldown slot: {model}-{slot}, e.g.
// credit-default-20261126T000000Z. A model name too long for the 80
// characters Step Functions allows is shortened and made unique with a hash
// of the whole name. The same model and slot always give the same name, so
// Step Functions itself refuses a second execution (ExecutionAlreadyExists).
func ExecutionName(model, slot string) string {
	name := model + "-" + slot
	if len(name) <= maxExecutionName {
		return name
	}
	sum := sha256.Sum256([]byte(model))
	hash := hex.EncodeToString(sum[:4])
	keep := maxExecutionName - len(slot) - len(hash) - 2
	return model[:keep] + "-" + hash + "-" + slot
}

// latestReport is the part of reports/model={model}/latest.json (a
// drift.Report) the request needs.
type latestReport struct {
	Reference struct {
		Version string `json:"version"`
	} `json:"reference"`
	Window struct {
		End time.Time `json:"end"`
	} `json:"window"`
}

// describeModel finds the latest report key and the model version for a
// request. Missing objects leave the fields empty; a read failure is an
// error (retry), an unreadable document is logged and skipped.
func (h *Handler) describeModel(ctx context.Context, model string) (version, reportKey string, err error) {
	key := layout.LatestReport(model)
	data, err := h.store.Get(ctx, key)
	switch {
	case err == nil:
		reportKey = key
		var rep latestReport
		if jerr := json.Unmarshal(data, &rep); jerr != nil {
			h.log.WarnContext(ctx, "latest report is not a JSON report; model version taken from the reference pointer",
				"model", model, "key", key, "error", jerr.Error())
		} else {
			if !rep.Window.End.IsZero() {
				// The window's own report: latest.json is replaced every hour.
				reportKey = layout.Report(model, rep.Window.End, "json")
			}
			if layout.CheckVersion(rep.Reference.Version) == nil {
				return rep.Reference.Version, reportKey, nil
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		return "", "", fmt.Errorf("read latest report of %s: %w", model, err)
	}
	data, err = h.store.Get(ctx, layout.ReferencePointer(model))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", reportKey, nil
	case err != nil:
		return "", "", fmt.Errorf("read reference pointer of %s: %w", model, err)
	}
	var ptr reference.Pointer
	if jerr := json.Unmarshal(data, &ptr); jerr != nil || layout.CheckVersion(ptr.Version) != nil {
		h.log.WarnContext(ctx, "reference pointer unreadable; model_version left empty", "model", model,
			"key", layout.ReferencePointer(model))
		return "", reportKey, nil
	}
	return ptr.Version, reportKey, nil
}
