package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/modelwatch/modelwatch/internal/jsonesc"
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
// quote escaped, is most of the event: it is unescaped in the same pass
// that finds its end, and only the small members go through a JSON
// decoder.
func decodeHTTPEvent(payload []byte) (*events.APIGatewayV2HTTPRequest, error) {
	out := &events.APIGatewayV2HTTPRequest{}
	i := skipSpace(payload, 0)
	if bytes.HasPrefix(payload[i:], []byte("null")) && skipSpace(payload, i+4) == len(payload) {
		return out, nil // JSON null: an empty event, as encoding/json has it
	}
	if i >= len(payload) || payload[i] != '{' {
		return nil, errors.New("the event is not a JSON object")
	}
	i = skipSpace(payload, i+1)
	if i < len(payload) && payload[i] == '}' {
		return out, nil
	}
	for {
		if i >= len(payload) || payload[i] != '"' {
			return nil, errors.New("the event is not a JSON object")
		}
		end, err := skipJSON(payload, i)
		if err != nil {
			return nil, err
		}
		var key string
		if err := json.Unmarshal(payload[i:end], &key); err != nil {
			return nil, err
		}
		i = skipSpace(payload, end)
		if i >= len(payload) || payload[i] != ':' {
			return nil, errors.New("the event is not a JSON object")
		}
		i = skipSpace(payload, i+1)
		key = canonicalKey(key)
		if key == "body" && i < len(payload) && payload[i] == '"' {
			body, n, err := unquoteJSON(payload[i:])
			if err != nil {
				return nil, fmt.Errorf("event body: %w", err)
			}
			out.Body, i = body, i+n
		} else {
			if end, err = skipJSON(payload, i); err != nil {
				return nil, err
			}
			if err := decodeEventMember(out, key, payload[i:end]); err != nil {
				return nil, fmt.Errorf("event member %s: %w", key, err)
			}
			i = end
		}
		i = skipSpace(payload, i)
		if i < len(payload) && payload[i] == ',' {
			i = skipSpace(payload, i+1)
			continue
		}
		if i < len(payload) && payload[i] == '}' {
			return out, nil
		}
		return nil, errors.New("the event is not a JSON object")
	}
}

// eventKeys are the event members the handler reads.
var eventKeys = []string{"version", "routeKey", "rawPath", "headers", "pathParameters", "isBase64Encoded", "body", "requestContext"}

// canonicalKey maps a member name to the event member it sets: like
// encoding/json, names match without regard to case.
func canonicalKey(key string) string {
	for _, k := range eventKeys {
		if key == k {
			return k
		}
	}
	for _, k := range eventKeys {
		if strings.EqualFold(key, k) {
			return k
		}
	}
	return key
}

func decodeEventMember(ev *events.APIGatewayV2HTTPRequest, key string, raw []byte) error {
	switch key {
	case "version":
		return json.Unmarshal(raw, &ev.Version)
	case "routeKey":
		return json.Unmarshal(raw, &ev.RouteKey)
	case "rawPath":
		return json.Unmarshal(raw, &ev.RawPath)
	case "headers":
		return json.Unmarshal(raw, &ev.Headers)
	case "pathParameters":
		return json.Unmarshal(raw, &ev.PathParameters)
	case "isBase64Encoded":
		return json.Unmarshal(raw, &ev.IsBase64Encoded)
	case "body":
		var s *string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		if s != nil {
			ev.Body = *s
		}
	case "requestContext":
		var rc httpEventContext
		if err := json.Unmarshal(raw, &rc); err != nil {
			return err
		}
		ev.RequestContext.RequestID, ev.RequestContext.RouteKey, ev.RequestContext.Stage = rc.RequestID, rc.RouteKey, rc.Stage
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = rc.HTTP.Method, rc.HTTP.Path
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipJSON returns the end of the JSON value starting at b[i], matching
// brackets and strings; the decoder given the value checks it.
func skipJSON(b []byte, i int) (int, error) {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return 0, errors.New("unterminated string in the event")
			}
			if depth == 0 {
				return i + 1, nil
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
			if depth < 0 {
				return i, nil
			}
		case ',':
			if depth == 0 {
				return i, nil
			}
		}
	}
	if depth != 0 {
		return 0, errors.New("unterminated value in the event")
	}
	return i, nil
}

// unquoteJSON decodes the JSON string at the start of b and returns it and
// the number of bytes it took. A batch body in an event has an escape every
// few bytes, so the bytes are copied one by one in the loop that looks for
// the escapes (a decoded string is never longer than its JSON text).
func unquoteJSON(b []byte) (string, int, error) {
	out := make([]byte, len(b))
	k := 0
	for j := 1; j < len(b); {
		// Eight bytes at a time up to the next quote or backslash (the
		// lowest bit of hasByte's mask is exact).
		for j+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[j:])
			binary.LittleEndian.PutUint64(out[k:], w)
			m := hasByte(w, '"') | hasByte(w, '\\')
			if m == 0 {
				j += 8
				k += 8
				continue
			}
			n := bits.TrailingZeros64(m) / 8
			j += n
			k += n
			break
		}
		if j >= len(b) {
			break
		}
		c := b[j]
		if c != '"' && c != '\\' {
			out[k] = c
			k++
			j++
			continue
		}
		if c == '"' {
			return string(out[:k]), j + 1, nil
		}
		if j+1 >= len(b) {
			break
		}
		switch e := b[j+1]; e {
		case '"', '\\', '/':
			out[k] = e
			k++
			j += 2
		default:
			n, r, err := unescape(b[j:])
			if err != nil {
				return "", 0, err
			}
			k += utf8.EncodeRune(out[k:], r)
			j += n
		}
	}
	return "", 0, errBadString
}

// hasByte is non-zero when one of the eight bytes of w is c.
func hasByte(w uint64, c byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	x := w ^ (lo * uint64(c))
	return (x - lo) &^ x & hi
}

// unescape decodes the escape at the start of b (b[0] == '\\').
func unescape(b []byte) (n int, r rune, err error) {
	if len(b) < 2 {
		return 0, 0, errBadString
	}
	switch c := b[1]; c {
	case '"', '\\', '/':
		return 2, rune(c), nil
	case 'b':
		return 2, '\b', nil
	case 'f':
		return 2, '\f', nil
	case 'n':
		return 2, '\n', nil
	case 'r':
		return 2, '\r', nil
	case 't':
		return 2, '\t', nil
	case 'u':
		r, n, ok, lone := jsonesc.Unicode(b)
		if !ok {
			return 0, 0, errBadString
		}
		if lone {
			return n, utf8.RuneError, nil
		}
		return n, r, nil
	}
	return 0, 0, errBadString
}

var errBadString = errors.New("invalid JSON string in the event")
