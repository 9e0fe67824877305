package ingest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/modelwatch/modelwatch/shared/record"
)

// Error is a request that failed as a whole: an HTTP status, a stable
// machine-readable code and a message for people. BatchID is set when the
// batch had an id by then, so that a client can retry a 5xx with it.
type Error struct {
	Status  int
	Code    string
	Message string
	BatchID string
	// Err is the underlying cause (logged, not sent to the client).
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%d %s): %s: %v", e.Code, e.Status, http.StatusText(e.Status), e.Message, e.Err)
	}
	return fmt.Sprintf("%s (%d %s): %s", e.Code, e.Status, http.StatusText(e.Status), e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// The error codes; docs/ingest.md has the table of inputs that cause them.
const (
	CodeInvalidJSON         = "invalid_json"
	CodeInvalidBody         = "invalid_body"
	CodeNoRecords           = "no_records"
	CodeTooManyRecords      = "too_many_records"
	CodeTooManyHours        = "too_many_hours"
	CodeBodyTooLarge        = "body_too_large"
	CodeInvalidBase64       = "invalid_base64"
	CodeInvalidEncoding     = "invalid_content_encoding"
	CodeUnsupportedMedia    = "unsupported_media_type"
	CodeInvalidModel        = "invalid_model"
	CodeModelMismatch       = "model_mismatch"
	CodeInvalidKind         = "invalid_kind"
	CodeKindMismatch        = "kind_mismatch"
	CodeInvalidBatchID      = "invalid_batch_id"
	CodeBatchIDMismatch     = "batch_id_mismatch"
	CodeUnknownModel        = "unknown_model"
	CodeNotFound            = "not_found"
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeIdempotencyConflict = "idempotency_conflict"
	CodeStorage             = "storage_error"
	CodeReference           = "reference_error"
	CodeInternal            = "internal_error"
	CodeInvalidInvocation   = "invalid_invocation"
)

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// bodyError classifies an error from the record package.
func bodyError(err error) *Error {
	var syn *record.SyntaxError
	var body *record.BodyError
	switch {
	case errors.As(err, &syn):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidJSON, Message: syn.Error()}
	case errors.Is(err, record.ErrNoRecords):
		return &Error{Status: http.StatusBadRequest, Code: CodeNoRecords, Message: err.Error()}
	case errors.As(err, &body):
		return &Error{Status: http.StatusBadRequest, Code: CodeInvalidBody, Message: body.Error()}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "the body could not be read", Err: err}
}

// storageError is a failure of the bucket: the client may retry with the
// same batch id and nothing will be stored twice.
func storageError(batchID, doing string, err error) *Error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Code:    CodeStorage,
		Message: fmt.Sprintf("storage failed while %s; nothing was counted twice: retry with Idempotency-Key %s", doing, batchID),
		BatchID: batchID,
		Err:     err,
	}
}
