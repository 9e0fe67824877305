package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/aws/aws-lambda-go/events"

	"github.com/modelwatch/modelwatch/internal/jsonscan"
)

// httpEventContext is the part of an event's requestContext the handler
// reads.
type httpEventContext struct {
	RequestID string `json:"requestId"`
	RouteKey  string `json:"routeKey"`
	Stage     string `json:"stage"`
	HTTP      struct {
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"http"`
}

// decodeHTTPEvent decodes an API Gateway HTTP API event (payload format
// 2.0) into the fields HandleHTTP uses. The body, the batch with every
// quote escaped, is most of the event: the tokenizer unescapes it in the
// pass that finds its end, and only the small members go through
// encoding/json.
func decodeHTTPEvent(payload []byte) (*events.APIGatewayV2HTTPRequest, error) {
	out := &events.APIGatewayV2HTTPRequest{}
	// The text is the payload itself, not a copy: the body is decoded into
	// memory of its own, and the other members by encoding/json.
	p := jsonscan.Scanner{Text: unsafe.String(unsafe.SliceData(payload), len(payload)), Strings: jsonscan.Keep, End: "the end of the event"}
	p.SkipSpace()
	if strings.HasPrefix(p.Text[p.Pos:], "null") {
		p.Pos += len("null")
		if p.SkipSpace(); p.AtEnd() {
			return out, nil // JSON null: an empty event, as encoding/json has it
		}
	}
	if p.Peek() != '{' {
		return nil, errors.New("the event is not a JSON object")
	}
	if p.Open() {
		return out, nil
	}
	for {
		key, err := p.Key()
		if err != nil {
			return nil, fmt.Errorf("the event is not a JSON object: %w", err)
		}
		key = canonicalKey(key)
		if key == "body" && p.Peek() == '"' {
			body, err := p.LongString()
			if err != nil {
				return nil, fmt.Errorf("event body: %w", err)
			}
			out.Body = body
		} else {
			start := p.Pos
			if err := p.Skip(0); err != nil {
				return nil, fmt.Errorf("event member %s: %w", key, err)
			}
			if err := decodeEventMember(out, key, payload[start:p.Pos]); err != nil {
				return nil, fmt.Errorf("event member %s: %w", key, err)
			}
		}
		more, err := p.AfterMember('}')
		if err != nil {
			return nil, fmt.Errorf("the event is not a JSON object: %w", err)
		}
		if !more {
			return out, nil
		}
	}
}

// eventKeys are the event members the handler reads.
var eventKeys = []string{"version", "routeKey", "rawPath", "headers", "pathParameters", "isBase64Encoded", "body", "requestContext"}

// canonicalKey maps a member name to the event member it sets: like
// encoding/json, names match without regard to case.
func canonicalKey(key string) string {
	if i := jsonscan.MatchName(key, eventKeys); i >= 0 {
		return eventKeys[i]
	}
	return key
}

func decodeEventMember(ev *events.APIGatewayV2HTTPRequest, key string, raw []byte) error {
	switch key {
	case "body":
		var s *string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if s != nil {
			ev.Body = *s
		}
		return nil
	case "requestContext":
		var rc httpEventContext
		if err := json.Unmarshal(raw, &rc); err != nil {
			return err
		}
		ev.RequestContext.RequestID, ev.RequestContext.RouteKey, ev.RequestContext.Stage = rc.RequestID, rc.RouteKey, rc.Stage
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = rc.HTTP.Method, rc.HTTP.Path
		return nil
	}
	// The other members the handler reads (the first of eventKeys) go where
	// encoding/json puts them.
	targets := [...]any{&ev.Version, &ev.RouteKey, &ev.RawPath, &ev.Headers, &ev.PathParameters, &ev.IsBase64Encoded}
	if i := slices.Index(eventKeys[:len(targets)], key); i >= 0 {
		return json.Unmarshal(raw, targets[i])
	}
	return nil
}
