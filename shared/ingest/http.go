package ingest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/klauspost/compress/gzip"

	"github.com/modelwatch/modelwatch/shared/record"
)

// Invoke is the Lambda entry point (it implements lambda.Handler, so the
// payload reaches it without a generic JSON decoding pass). An API Gateway
// HTTP API event (payload format 2.0) gets an HTTP response; any other
// payload is a direct invocation whose payload is the batch body with model
// and kind, and gets the Response, or a function error whose errorType is
// the error code.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if !isBatchBody(payload) {
		if ev, err := decodeHTTPEvent(payload); err == nil && isHTTPEvent(ev) {
			out, err := json.Marshal(h.HandleHTTP(ctx, ev))
			if err != nil {
				return nil, fmt.Errorf("encode HTTP response: %w", err)
			}
			return out, nil
		}
	}
	resp, err := h.Ingest(ctx, Request{Body: string(payload), Direct: true})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: CodeInternal, Message: err.Error()}
		}
		msg := e.Message
		if e.BatchID != "" && !strings.Contains(msg, e.BatchID) {
			msg += " (batch_id " + e.BatchID + ")" // a direct invocation's 5xx names the id to retry with, too
		}
		return nil, messages.InvokeResponse_Error{Type: e.Code, Message: msg}
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return out, nil
}

// isBatchBody tells a direct invocation's payload, a batch body, from an
// API Gateway event without reading either: by the payload's first member,
// which in a batch body is one of its four.
func isBatchBody(payload []byte) bool {
	i := 0
	skip := func() {
		for i < len(payload) && (payload[i] == ' ' || payload[i] == '\t' || payload[i] == '\n' || payload[i] == '\r') {
			i++
		}
	}
	skip()
	if i >= len(payload) || payload[i] != '{' {
		return true // not an event: let the body reader say what is wrong
	}
	i++
	skip()
	if i >= len(payload) || payload[i] != '"' {
		return true
	}
	end := bytes.IndexByte(payload[i+1:], '"')
	if end < 0 {
		return true
	}
	switch string(payload[i+1 : i+1+end]) {
	case "records", "model", "kind", "batch_id":
		return true
	}
	return false
}

func isHTTPEvent(ev *events.APIGatewayV2HTTPRequest) bool {
	return ev.RouteKey != "" || ev.RawPath != "" || ev.RequestContext.HTTP.Method != ""
}

// HandleHTTP answers an API Gateway HTTP API request (payload format 2.0)
// to POST /v1/models/{model}/predictions or /labels.
func (h *Handler) HandleHTTP(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	req, e := h.httpRequest(ev)
	if e != nil {
		h.log.InfoContext(ctx, "request refused", "status", e.Status, "code", e.Code, "message", e.Message,
			"route", ev.RouteKey, "path", ev.RawPath)
		return errorResponse(e)
	}
	resp, err := h.Ingest(ctx, req)
	if err != nil {
		var ie *Error
		if !errors.As(err, &ie) {
			ie = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error", Err: err}
		}
		return errorResponse(ie)
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return errorResponse(&Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "encoding the response failed", BatchID: resp.BatchID})
	}
	headers := map[string]string{"Content-Type": "application/json"}
	if resp.Duplicate {
		headers["Idempotent-Replayed"] = "true"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: headers, Body: string(body)}
}

// errorBody is the JSON body of every failed request.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		BatchID string `json:"batch_id,omitempty"`
	} `json:"error"`
}

func errorResponse(e *Error) events.APIGatewayV2HTTPResponse {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.BatchID = e.Code, e.Message, e.BatchID
	body, _ := json.Marshal(b)
	headers := map[string]string{"Content-Type": "application/json"}
	if e.Status == http.StatusMethodNotAllowed {
		headers["Allow"] = http.MethodPost
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: e.Status, Headers: headers, Body: string(body)}
}

// httpRequest turns an HTTP event into a Request: route, headers, body.
func (h *Handler) httpRequest(ev *events.APIGatewayV2HTTPRequest) (Request, *Error) {
	model, kind, e := route(ev)
	if e != nil {
		return Request{}, e
	}
	if m := ev.RequestContext.HTTP.Method; m != "" && m != http.MethodPost {
		return Request{}, errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s is not allowed; send the batch with POST", m)
	}
	if ct := header(ev.Headers, "Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
			return Request{}, errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
				"Content-Type %q: send application/json", ct)
		}
	}
	body := ev.Body
	if ev.IsBase64Encoded {
		raw, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return Request{}, errorf(http.StatusBadRequest, CodeInvalidBase64, "the body is marked base64-encoded but is not valid base64: %v", err)
		}
		body = string(raw)
	}
	switch enc := strings.ToLower(strings.TrimSpace(header(ev.Headers, "Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		raw, e := h.gunzip(body)
		if e != nil {
			return Request{}, e
		}
		body = raw
	default:
		return Request{}, errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
			"Content-Encoding %q: send the body as is or gzip-compressed", enc)
	}
	return Request{Model: model, Kind: kind, IdempotencyKey: strings.TrimSpace(header(ev.Headers, "Idempotency-Key")), Body: body}, nil
}

func (h *Handler) gunzip(body string) (string, *Error) {
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		return "", errorf(http.StatusBadRequest, CodeInvalidEncoding, "Content-Encoding gzip, but the body is not gzip data: %v", err)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(zr, int64(h.cfg.MaxBodyBytes)+1))
	if err != nil {
		return "", errorf(http.StatusBadRequest, CodeInvalidEncoding, "the gzip body is corrupt: %v", err)
	}
	if n > int64(h.cfg.MaxBodyBytes) {
		return "", errorf(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"the body decompresses to more than %d bytes (MAX_BODY_BYTES); split the batch", h.cfg.MaxBodyBytes)
	}
	return buf.String(), nil
}

// route finds the model and the kind in the request path.
func route(ev *events.APIGatewayV2HTTPRequest) (string, record.Kind, *Error) {
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+4 <= len(segs); i++ {
		if segs[i] != "v1" || segs[i+1] != "models" || i+4 != len(segs) {
			continue
		}
		model, err := url.PathUnescape(segs[i+2])
		if err != nil {
			break
		}
		if p := ev.PathParameters["model"]; p != "" {
			model = p
		}
		if model == "" {
			return "", "", errorf(http.StatusBadRequest, CodeInvalidModel,
				"the path %s names no model; send batches to POST /v1/models/{model}/predictions or /v1/models/{model}/labels (an HTTP request never takes its model from the body)", path)
		}
		kind, err := record.ParseKind(segs[i+3])
		if err != nil {
			break
		}
		return model, kind, nil
	}
	return "", "", errorf(http.StatusNotFound, CodeNotFound,
		"no route for %s; send batches to POST /v1/models/{model}/predictions or /v1/models/{model}/labels", path)
}

// header looks a header up case-insensitively (API Gateway lower-cases
// names, other callers may not).
func header(hs map[string]string, name string) string {
	if v, ok := hs[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range hs {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
