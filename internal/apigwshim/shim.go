package apigwshim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Invoker invokes the function with an event: *lambdarie.Function.
type Invoker interface {
	Invoke(ctx context.Context, event []byte) ([]byte, error)
}

// Fault is what the shim does to one request instead of, or after,
// invoking the function.
type Fault string

// The faults.
const (
	// Unavailable answers 503 without invoking the function.
	Unavailable Fault = "503"
	// Throttled answers 429 without invoking the function, as API Gateway
	// does when a route's rate limit is exceeded.
	Throttled Fault = "429"
	// Drop invokes the function and then closes the connection without an
	// answer: the batch is stored, the client does not know.
	Drop Fault = "drop"
)

// Stats counts requests.
type Stats struct {
	Requests    int `json:"requests"`
	Invocations int `json:"invocations"`
	Faults      int `json:"faults"`
	Unsigned    int `json:"unsigned"`
}

// Shim is the HTTP server's handler.
type Shim struct {
	fn                Invoker
	accessKey, secret string
	region            string
	maxSkew           time.Duration
	mu                sync.Mutex
	faults            []Fault
	stats             Stats
}

// New returns a shim in front of fn that accepts requests signed with the
// access key and secret for region.
func New(fn Invoker, accessKey, secret, region string) *Shim {
	return &Shim{fn: fn, accessKey: accessKey, secret: secret, region: region, maxSkew: 5 * time.Minute}
}

// Inject queues faults for the next requests, one each.
func (s *Shim) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Stats returns the request counts so far.
func (s *Shim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func (s *Shim) next() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	if len(s.faults) == 0 {
		return "", false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	s.stats.Faults++
	return f, true
}

func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_shim/faults":
		var fs []Fault
		if err := json.NewDecoder(r.Body).Decode(&fs); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.Inject(fs...)
		w.WriteHeader(http.StatusNoContent)
		return
	case "/_shim/stats":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Stats())
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.verify(r, body); err != nil {
		s.mu.Lock()
		s.stats.Requests++
		s.stats.Unsigned++
		s.mu.Unlock()
		writeJSON(w, http.StatusForbidden, map[string]string{"message": err.Error()})
		return
	}
	fault, faulty := s.next()
	switch {
	case faulty && fault == Unavailable:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"message": "Service Unavailable"})
		return
	case faulty && fault == Throttled:
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
		return
	}
	out, err := s.invoke(r, body)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal Server Error"})
		return
	}
	if faulty && fault == Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	var resp struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		writeJSON(w, http.StatusBadGateway, map[string]string{"message": "the function's answer is not an HTTP response"})
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	io.WriteString(w, resp.Body)
}

// invoke sends the request to the function as an HTTP API event.
func (s *Shim) invoke(r *http.Request, body []byte) ([]byte, error) {
	s.mu.Lock()
	s.stats.Invocations++
	s.mu.Unlock()
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = r.Host
	b64 := r.Header.Get("Content-Encoding") != "" || !utf8.Valid(body)
	text := string(body)
	if b64 {
		text = base64.StdEncoding.EncodeToString(body)
	}
	route, model := "", ""
	if parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/"); len(parts) == 4 && parts[0] == "v1" && parts[1] == "models" {
		route, model = "POST /v1/models/{model}/"+parts[3], parts[2]
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": route, "rawPath": r.URL.Path, "rawQueryString": r.URL.RawQuery,
		"headers": headers, "pathParameters": map[string]string{"model": model}, "body": text, "isBase64Encoded": b64,
		"requestContext": map[string]any{
			"requestId": fmt.Sprintf("shim-%d", time.Now().UnixNano()), "routeKey": route, "stage": "$default",
			"http": map[string]string{"method": r.Method, "path": r.URL.Path, "protocol": r.Proto, "sourceIp": "127.0.0.1"},
		},
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	return s.fn.Invoke(ctx, payload)
}

// verify checks the request's SigV4 signature for service execute-api, as
// API Gateway's AWS_IAM authorization does.
func (s *Shim) verify(r *http.Request, body []byte) error {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return fmt.Errorf("missing or non-SigV4 Authorization header")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[4] != "aws4_request" {
		return fmt.Errorf("malformed Credential %q", fields["Credential"])
	}
	if cred[0] != s.accessKey {
		return fmt.Errorf("unknown access key %q", cred[0])
	}
	if cred[2] != s.region || cred[3] != "execute-api" {
		return fmt.Errorf("signed for %s/%s, want %s/execute-api", cred[2], cred[3], s.region)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return fmt.Errorf("X-Amz-Date %q", amzDate)
	}
	if d := time.Since(t); d > s.maxSkew || d < -s.maxSkew {
		return fmt.Errorf("signature time %s is too far from now", amzDate)
	}
	if cred[1] != amzDate[:8] {
		return fmt.Errorf("credential date %s does not match X-Amz-Date", cred[1])
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !sort.StringsAreSorted(signed) {
		return fmt.Errorf("SignedHeaders not sorted")
	}
	var canon strings.Builder
	hasHost := false
	for _, h := range signed {
		var v string
		switch h {
		case "host":
			v, hasHost = r.Host, true
		case "content-length":
			v = fmt.Sprint(len(body))
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		canon.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	if !hasHost {
		return fmt.Errorf("host is not signed")
	}
	payloadHash := sha256.Sum256(body)
	creq := strings.Join([]string{
		r.Method, escapePath(r.URL.EscapedPath()), canonicalQuery(r.URL.Query()), canon.String(),
		fields["SignedHeaders"], hex.EncodeToString(payloadHash[:]),
	}, "\n")
	scope := strings.Join(cred[1:], "/")
	creqHash := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creqHash[:])
	key := []byte("AWS4" + s.secret)
	for _, p := range cred[1:] {
		key = hmacSHA256(key, p)
	}
	want := hex.EncodeToString(hmacSHA256(key, sts))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return fmt.Errorf("the request signature we calculated does not match the signature you provided")
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// escapePath is the canonical URI of a path: each segment URI-encoded.
func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			u = s
		}
		segs[i] = strings.ReplaceAll(url.QueryEscape(u), "+", "%20")
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
