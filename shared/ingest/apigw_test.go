package ingest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzDecodeHTTPEvent checks the API Gateway event decoder against
// encoding/json: on any valid UTF-8 payload both decode, the fields the
// handler reads agree. Seeds: testdata/fuzz/FuzzDecodeHTTPEvent and the
// events/ fixtures.
func FuzzDecodeHTTPEvent(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "..", "events", "ingest-*.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, err := decodeHTTPEvent(payload)
		var want events.APIGatewayV2HTTPRequest
		werr := json.Unmarshal(payload, &want)
		if werr != nil || !utf8.Valid(payload) {
			return // the body reader rejects what encoding/json rejects
		}
		if err != nil {
			t.Fatalf("encoding/json decodes %q, decodeHTTPEvent fails: %v", payload, err)
		}
		if got.Body != want.Body || got.RawPath != want.RawPath || got.RouteKey != want.RouteKey ||
			got.IsBase64Encoded != want.IsBase64Encoded || got.RequestContext.HTTP.Method != want.RequestContext.HTTP.Method ||
			!maps.Equal(got.Headers, want.Headers) || !maps.Equal(got.PathParameters, want.PathParameters) {
			t.Fatalf("decoded differently from encoding/json:\n%+v\n%+v", got, want)
		}
	})
}

func TestDecodeHTTPEventFixtures(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("..", "..", "events", "ingest-*.json"))
	if len(names) < 5 {
		t.Fatalf("fixtures: %v", names)
	}
	for _, n := range names {
		b, _ := os.ReadFile(n)
		got, err := decodeHTTPEvent(b)
		var want events.APIGatewayV2HTTPRequest
		if werr := json.Unmarshal(b, &want); werr != nil {
			t.Fatal(werr)
		}
		if err != nil || got.Body != want.Body || !maps.Equal(got.Headers, want.Headers) {
			t.Errorf("%s: %v", n, err)
		}
		if isHTTPEvent(got) == isBatchBody(b) {
			t.Errorf("%s: an event is %v, a batch body %v", n, isHTTPEvent(got), isBatchBody(b))
		}
	}
}

// BenchmarkDecodeHTTPEvent decodes an event whose body is 1,000 prediction
// records (every quote in it escaped).
func BenchmarkDecodeHTTPEvent(b *testing.B) {
	var recs []string
	for i := range 1000 {
		recs = append(recs, fmt.Sprintf(`{"request_id":"req-%06d","timestamp":"2026-11-26T20:00:00Z","features":{"num_00":12.5,"cat_00":"c3","num_01":-0.25,"disc_00":2},"prediction":"yes","scores":{"yes":0.7,"no":0.3},"latency_ms":3.2}`, i))
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/models/m/predictions", Body: `{"records":[` + strings.Join(recs, ",") + `]}`}
	payload, _ := json.Marshal(ev)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeHTTPEvent(payload); err != nil {
			b.Fatal(err)
		}
	}
}
