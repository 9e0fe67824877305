package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Line is one line of a Data Capture or ground-truth file.
type Line struct {
	CaptureData     *CaptureData  `json:"captureData"`
	GroundTruthData *Payload      `json:"groundTruthData"`
	EventMetadata   EventMetadata `json:"eventMetadata"`
	EventVersion    string        `json:"eventVersion"`
}

// CaptureData is an endpoint's request and response.
type CaptureData struct {
	EndpointInput  *Payload `json:"endpointInput"`
	EndpointOutput *Payload `json:"endpointOutput"`
}

// Payload is a captured request, response or ground-truth body.
type Payload struct {
	ObservedContentType string          `json:"observedContentType"`
	Mode                string          `json:"mode"`
	Data                json.RawMessage `json:"data"`
	Encoding            string          `json:"encoding"`
}

// EventMetadata identifies a request.
type EventMetadata struct {
	EventID       string `json:"eventId"`
	InferenceID   string `json:"inferenceId"`
	InferenceTime string `json:"inferenceTime"`
	// CustomAttributes is the request's CustomAttributes header: a string,
	// or a list of strings.
	CustomAttributes json.RawMessage `json:"customAttributes"`
}

// The payload encodings Data Capture writes.
const (
	EncodingCSV    = "CSV"
	EncodingJSON   = "JSON"
	EncodingBase64 = "BASE64"
)

// DecodeLine decodes one line of a capture or ground-truth file. A line is
// either a capture line (captureData) or a ground-truth line
// (groundTruthData), never both.
func DecodeLine(text []byte) (*Line, error) {
	text = bytes.TrimSpace(text)
	if len(text) == 0 || text[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var l Line
	if err := json.Unmarshal(text, &l); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	switch {
	case l.CaptureData != nil && l.GroundTruthData != nil:
		return nil, errors.New("has both captureData and groundTruthData")
	case l.CaptureData == nil && l.GroundTruthData == nil:
		return nil, errors.New("has neither captureData nor groundTruthData")
	}
	return &l, nil
}

// Bytes returns the payload's body: the text for CSV and JSON encodings, the
// decoded bytes for BASE64.
func (p *Payload) Bytes() ([]byte, error) {
	if len(p.Data) == 0 || string(p.Data) == "null" {
		return nil, errors.New("data: absent")
	}
	enc := strings.ToUpper(strings.TrimSpace(p.Encoding))
	if p.Data[0] != '"' {
		// A JSON payload written as a JSON value rather than as text.
		if enc == EncodingJSON || enc == "" {
			return p.Data, nil
		}
		return nil, fmt.Errorf("data: got a JSON value, want a string with encoding %s", enc)
	}
	var s string
	if err := json.Unmarshal(p.Data, &s); err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	switch enc {
	case EncodingCSV, EncodingJSON:
		return []byte(s), nil
	case EncodingBase64:
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("data: not valid base64: %w", err)
		}
		return b, nil
	case "":
		return nil, errors.New("encoding: absent; want CSV, JSON or BASE64")
	}
	return nil, fmt.Errorf("encoding %q: want CSV, JSON or BASE64", p.Encoding)
}

// body returns the payload's body and the format to read it in: want, the
// mapping's choice, when set (see format).
func (p *Payload) body(want Format) ([]byte, Format, error) {
	data, err := p.Bytes()
	if err != nil {
		return nil, "", err
	}
	format, err := p.format(want)
	if err != nil {
		return nil, "", err
	}
	return data, format, nil
}

// Format is how a payload's body is written.
type Format string

// The payload formats.
const (
	FormatAuto      Format = ""
	FormatCSV       Format = "csv"
	FormatJSON      Format = "json"
	FormatJSONLines Format = "jsonlines"
)

// format is the payload's format: the mapping's choice when set, else from
// the observed content type, else from the encoding.
func (p *Payload) format(want Format) (Format, error) {
	if want != FormatAuto {
		return want, nil
	}
	ct := strings.ToLower(p.ObservedContentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	switch {
	case strings.Contains(ct, "jsonlines") || strings.Contains(ct, "jsonl") || strings.Contains(ct, "ndjson"):
		return FormatJSONLines, nil
	case strings.Contains(ct, "json"):
		return FormatJSON, nil
	case strings.Contains(ct, "csv"):
		return FormatCSV, nil
	}
	switch strings.ToUpper(p.Encoding) {
	case EncodingCSV:
		return FormatCSV, nil
	case EncodingJSON:
		return FormatJSON, nil
	}
	return "", fmt.Errorf("observedContentType %q: cannot tell CSV from JSON; set format in the mapping", p.ObservedContentType)
}
