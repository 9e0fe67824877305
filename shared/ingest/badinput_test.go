package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/modelwatch/modelwatch/shared/ingest"
	"github.com/modelwatch/modelwatch/shared/store"
)

var update = flag.Bool("update", false, "rewrite the bad-input tables in docs/ingest.md")

const docsPath = "../../docs/ingest.md"

// okRecord is a valid record of the example model; the bad-input cases
// break one thing in it.
const okRecord = `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z","features":{"age":41,"income":35294.56,"term":36,"region":"north"},"prediction":"no_default","scores":{"default":0.2,"no_default":0.8},"latency_ms":12.5}`

func body(records ...string) string { return `{"records":[` + strings.Join(records, ",") + `]}` }

// outcome is one row of a bad-input table.
type outcome struct {
	status int
	code   string
	msg    string
}

type badInput struct {
	input  string // as the docs show it
	run    func(t *testing.T) outcome
	status int
	code   string
}

func postCase(edit func(*ingest.Config), kind, b string, headers map[string]string) func(t *testing.T) outcome {
	return func(t *testing.T) outcome {
		var f *fixture
		if edit != nil {
			f = newFixture(t, edit)
		} else {
			f = newFixture(t)
		}
		return fromHTTP(f.post(t, testModel, kind, b, headers))
	}
}

func fromHTTP(r httpResult) outcome {
	if r.Status == 200 {
		if len(r.Resp.Rejected) == 1 {
			return outcome{200, "(record rejected)", r.Resp.Rejected[0].Reason}
		}
		return outcome{200, "", r.Body}
	}
	return outcome{r.Status, r.Err.Code, r.Err.Message}
}

func eventCase(edit func(ev *events.APIGatewayV2HTTPRequest)) func(t *testing.T) outcome {
	return func(t *testing.T) outcome {
		f := newFixture(t)
		ev := httpEvent(t, "ingest-predictions.json")
		edit(ev)
		return fromHTTP(decodeHTTP(t, f.h.HandleHTTP(context.Background(), ev)))
	}
}

func directCase(payload string) func(t *testing.T) outcome {
	return func(t *testing.T) outcome {
		f := newFixture(t)
		_, err := f.h.Invoke(context.Background(), []byte(payload))
		var ie messages.InvokeResponse_Error
		if !errors.As(err, &ie) {
			t.Fatalf("direct invocation: %v", err)
		}
		return outcome{0, ie.Type, ie.Message}
	}
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// failingReads is a bucket whose reads fail, as S3 does when it is down.
type failingReads struct{ *store.Memory }

func (failingReads) Get(context.Context, string) ([]byte, error) {
	return nil, errors.New("operation error S3: GetObject, https response error StatusCode: 500, api error InternalError")
}

func requestCases() []badInput {
	rec := okRecord
	return []badInput{
		{"body `{\"records\": [` (cut short)", postCase(nil, "predictions", `{"records": [`, nil), 400, ingest.CodeInvalidJSON},
		{"empty body", postCase(nil, "predictions", ``, nil), 400, ingest.CodeInvalidBody},
		{"body `[]`", postCase(nil, "predictions", `[]`, nil), 400, ingest.CodeInvalidBody},
		{"body `{}`", postCase(nil, "predictions", `{}`, nil), 400, ingest.CodeNoRecords},
		{"body `{\"records\": []}`", postCase(nil, "predictions", `{"records": []}`, nil), 400, ingest.CodeNoRecords},
		{"body `{\"records\": {}}`", postCase(nil, "predictions", `{"records": {}}`, nil), 400, ingest.CodeInvalidBody},
		{"body `{\"rows\": [...]}`", postCase(nil, "predictions", `{"rows": [`+rec+`]}`, nil), 400, ingest.CodeInvalidBody},
		{"`records` twice", postCase(nil, "predictions", `{"records": [`+rec+`], "records": []}`, nil), 400, ingest.CodeInvalidBody},
		{"text after the body", postCase(nil, "predictions", body(rec)+` {}`, nil), 400, ingest.CodeInvalidJSON},
		{"a trailing comma in records[1]", postCase(nil, "predictions", body(rec, `{"request_id":"r-2",}`), nil), 400, ingest.CodeInvalidJSON},
		{"invalid UTF-8 in a string", postCase(nil, "predictions", body(strings.Replace(rec, "north", "nor\xfft", 1)), nil), 400, ingest.CodeInvalidJSON},
		{"arrays nested 70 deep", postCase(nil, "predictions", body(`{"x":`+strings.Repeat("[", 70)+strings.Repeat("]", 70)+`}`), nil), 400, ingest.CodeInvalidJSON},
		{"`batch_id: 7`", postCase(nil, "predictions", `{"batch_id": 7, "records": [`+rec+`]}`, nil), 400, ingest.CodeInvalidBody},
		{"body over 1,000 bytes with `MAX_BODY_BYTES=1000`", postCase(func(c *ingest.Config) { c.MaxBodyBytes = 1000 }, "predictions",
			body(rec, rec, rec, rec, rec, rec, rec, rec), nil), 413, ingest.CodeBodyTooLarge},
		{"gzip body that inflates past `MAX_BODY_BYTES=1000`", postCase(func(c *ingest.Config) { c.MaxBodyBytes = 1000 }, "predictions",
			gz(body(rec, rec, rec, rec, rec, rec, rec, rec)), map[string]string{"content-encoding": "gzip"}), 413, ingest.CodeBodyTooLarge},
		{"4 records with `MAX_RECORDS=3`", postCase(func(c *ingest.Config) { c.MaxRecords = 3 }, "predictions", body(rec, rec, rec, rec), nil), 413, ingest.CodeTooManyRecords},
		{"`isBase64Encoded: true`, body not base64", eventCase(func(ev *events.APIGatewayV2HTTPRequest) { ev.IsBase64Encoded, ev.Body = true, "{not base64}" }), 400, ingest.CodeInvalidBase64},
		{"`Content-Encoding: gzip`, body not gzip", postCase(nil, "predictions", body(rec), map[string]string{"content-encoding": "gzip"}), 400, ingest.CodeInvalidEncoding},
		{"`Content-Encoding: br`", postCase(nil, "predictions", body(rec), map[string]string{"content-encoding": "br"}), 415, ingest.CodeUnsupportedMedia},
		{"`Content-Type: text/csv`", postCase(nil, "predictions", body(rec), map[string]string{"content-type": "text/csv"}), 415, ingest.CodeUnsupportedMedia},
		{"`GET /v1/models/credit-default/predictions`", eventCase(func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Method = "GET" }), 405, ingest.CodeMethodNotAllowed},
		{"`POST /v1/models/credit-default/metrics`", eventCase(func(ev *events.APIGatewayV2HTTPRequest) {
			ev.RawPath, ev.RouteKey = "/v1/models/credit-default/metrics", "$default"
		}), 404, ingest.CodeNotFound},
		{"`POST /v1/models/credit%20default/predictions`", eventCase(func(ev *events.APIGatewayV2HTTPRequest) {
			ev.RawPath, ev.PathParameters = "/v1/models/credit%20default/predictions", map[string]string{"model": "credit default"}
		}), 400, ingest.CodeInvalidModel},
		{"`POST /v1/models//predictions` (no model in the path; the body names one)", eventCase(func(ev *events.APIGatewayV2HTTPRequest) {
			ev.RawPath, ev.RouteKey, ev.PathParameters = "/v1/models//predictions", "$default", nil
			ev.RequestContext.HTTP.Path = ev.RawPath
			ev.Body = `{"model": "credit-default", "kind": "labels", "records": [{"request_id": "r-1", "label": "default", "timestamp": "2026-11-26T20:00:00Z"}]}`
		}), 400, ingest.CodeInvalidModel},
		{"records in 3 event hours with `MAX_HOURS=2`", postCase(func(c *ingest.Config) { c.MaxHours = 2 }, "predictions",
			body(rec, strings.NewReplacer("T20:", "T19:", `"r-1"`, `"r-2"`).Replace(rec), strings.NewReplacer("T20:", "T18:", `"r-1"`, `"r-3"`).Replace(rec)), nil), 413, ingest.CodeTooManyHours},
		{"model `churn` without a reference profile", func(t *testing.T) outcome {
			return fromHTTP(newFixture(t).post(t, "churn", "predictions", body(rec), nil))
		}, 404, ingest.CodeUnknownModel},
		{"body `\"model\": \"churn\"` sent to model credit-default", postCase(nil, "predictions", `{"model": "churn", "records": [`+rec+`]}`, nil), 400, ingest.CodeModelMismatch},
		{"body `\"kind\": \"labels\"` sent to /predictions", postCase(nil, "predictions", `{"records": [`+rec+`], "kind": "labels"}`, nil), 400, ingest.CodeKindMismatch},
		{"`Idempotency-Key: ../x`", postCase(nil, "predictions", body(rec), map[string]string{"idempotency-key": "../x"}), 400, ingest.CodeInvalidBatchID},
		{"`Idempotency-Key: a` with `\"batch_id\": \"b\"`", postCase(nil, "predictions", `{"batch_id": "b", "records": [`+rec+`]}`, map[string]string{"idempotency-key": "a"}), 400, ingest.CodeBatchIDMismatch},
		{"batch id `b-1` sent again with other records", func(t *testing.T) outcome {
			f := newFixture(t)
			f.post(t, testModel, "predictions", `{"batch_id": "b-1", "records": [`+rec+`]}`, nil)
			return fromHTTP(f.post(t, testModel, "predictions", `{"batch_id": "b-1", "records": [`+rec+`,`+rec+`]}`, nil))
		}, 409, ingest.CodeIdempotencyConflict},
		{"direct invocation without `model`", directCase(`{"kind": "predictions", "records": [` + rec + `]}`), 0, ingest.CodeInvalidBody},
		{"direct invocation with `\"kind\": \"metrics\"`", directCase(`{"model": "credit-default", "kind": "metrics", "records": [` + rec + `]}`), 0, ingest.CodeInvalidKind},
		{"S3 fails while the batch is written", func(t *testing.T) outcome {
			mem := store.NewMemory()
			f := newFixtureWith(t, mem, &faultyBucket{Memory: mem, fail: func(k string) bool { return strings.HasPrefix(k, "profiles/") }})
			return fromHTTP(f.post(t, testModel, "predictions", `{"batch_id": "b-7", "records": [`+rec+`]}`, nil))
		}, 503, ingest.CodeStorage},
		{"S3 fails while the reference is read", func(t *testing.T) outcome {
			mem := store.NewMemory()
			newFixtureOn(t, mem) // publishes the reference
			h := ingest.New(ingest.DefaultConfig(), mem, ingest.NewReferenceCache(failingReads{mem}, 0, nil), nil)
			return fromHTTP((&fixture{h: h}).post(t, testModel, "predictions", body(rec), nil))
		}, 503, ingest.CodeStorage},
		{"the reference profile in the bucket is corrupt", func(t *testing.T) outcome {
			f := newFixture(t)
			f.bucket.Put(context.Background(), "reference/"+testModel+"/v1/profile.json", []byte(`{"schema_version":1,"type":"reference","features":[{]}`))
			return fromHTTP(f.post(t, testModel, "predictions", body(rec), nil))
		}, 500, ingest.CodeReference},
	}
}

func recordCases() []badInput {
	rec := okRecord
	with := func(old, new string) string { return strings.Replace(rec, old, new, 1) }
	c := func(input, record string) badInput {
		return badInput{input, postCase(nil, "predictions", body(record), nil), 200, "(record rejected)"}
	}
	l := func(input, record string) badInput {
		return badInput{input, postCase(nil, "labels", body(record), nil), 200, "(record rejected)"}
	}
	return []badInput{
		c("record `42`", `42`),
		c("no `timestamp`", with(`"timestamp":"2026-11-26T20:00:00Z",`, ``)),
		c("`\"timestamp\": \"26/11/2026 20:00\"`", with(`2026-11-26T20:00:00Z`, `26/11/2026 20:00`)),
		c("timestamp 30 days old (`MAX_EVENT_AGE=168h`)", with(`2026-11-26T20:00:00Z`, `2026-10-27T20:00:00Z`)),
		c("timestamp an hour ahead (`MAX_EVENT_FUTURE=5m`)", with(`2026-11-26T20:00:00Z`, `2026-11-26T22:00:00Z`)),
		c("no `features`", with(`"features":{"age":41,"income":35294.56,"term":36,"region":"north"},`, ``)),
		c("`\"features\": [41]`", with(`{"age":41,"income":35294.56,"term":36,"region":"north"}`, `[41]`)),
		c("`\"income\": \"35294.56\"` (numeric feature)", with(`35294.56`, `"35294.56"`)),
		c("`\"income\": \"NaN\"`", with(`35294.56`, `"NaN"`)),
		c("`\"term\": true` (discrete feature)", with(`"term":36`, `"term":true`)),
		c("`\"region\": {\"code\": \"N\"}`", with(`"north"`, `{"code":"N"}`)),
		c("`\"income\": 1e400`", with(`35294.56`, `1e400`)),
		c("`\"age\"` twice", with(`"age":41`, `"age":41,"age":42`)),
		c("unknown feature with `UNKNOWN_FEATURES=reject`", with(`"region":"north"`, `"region":"north","channel":"web"`)),
		c("no `prediction`", with(`"prediction":"no_default",`, ``)),
		c("`\"prediction\": [\"default\"]`", with(`"no_default",`, `["default"],`)),
		c("`\"scores\": [0.2, 0.8]`", with(`{"default":0.2,"no_default":0.8}`, `[0.2,0.8]`)),
		c("`\"scores\": {}`", with(`{"default":0.2,"no_default":0.8}`, `{}`)),
		c("a score of 1.2", with(`"default":0.2,"no_default":0.8`, `"default":1.2,"no_default":-0.2`)),
		c("scores summing to 0.9", with(`"no_default":0.8`, `"no_default":0.7`)),
		c("`\"latency_ms\": -1`", with(`12.5`, `-1`)),
		c("`\"latency_ms\": \"12ms\"`", with(`12.5`, `"12ms"`)),
		c("`\"error\": 500`", with(`"latency_ms":12.5`, `"latency_ms":12.5,"error":500`)),
		c("`\"request_id\": 17`", with(`"r-1"`, `17`)),
		c("unknown field `\"label\"` in a prediction", with(`"latency_ms":12.5`, `"latency_ms":12.5,"label":"default"`)),
		{"`request_id` of an earlier record of the batch", postCase(nil, "predictions", body(rec, with(`"r-1"`, `"r-2"`), rec), nil), 200, "(record rejected)"},
		l("label without `request_id`", `{"label":"default","timestamp":"2026-11-26T20:00:00Z"}`),
		l("label without `label`", `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z"}`),
		l("label 100 days old (`MAX_LABEL_AGE=2160h`)", `{"request_id":"r-1","label":"default","timestamp":"2026-08-18T20:00:00Z"}`),
	}
}

func TestBadInputs(t *testing.T) {
	reject := func(c *ingest.Config) { c.UnknownFeatures = "reject" }
	records := recordCases()
	for i, bc := range records {
		if strings.Contains(bc.input, "UNKNOWN_FEATURES=reject") {
			records[i].run = postCase(reject, "predictions", body(strings.Replace(okRecord, `"region":"north"`, `"region":"north","channel":"web"`, 1)), nil)
		}
	}
	tables := map[string][]badInput{"requests": requestCases(), "records": records}
	for name, cases := range tables {
		var rows strings.Builder
		rows.WriteString("| input | status | code | message |\n|---|---|---|---|\n")
		for _, bc := range cases {
			var got outcome
			t.Run(name+"/"+bc.input, func(t *testing.T) {
				got = bc.run(t)
				if got.status != bc.status || got.code != bc.code || got.msg == "" {
					t.Errorf("got %d %s %q, want %d %s", got.status, got.code, got.msg, bc.status, bc.code)
				}
			})
			status := fmt.Sprint(got.status)
			if got.status == 0 {
				status = "function error"
			}
			fmt.Fprintf(&rows, "| %s | %s | `%s` | %s |\n", bc.input, status, got.code, mdEscape(got.msg))
		}
		checkDocsTable(t, "bad-"+name, rows.String())
	}
	if n := len(tables["requests"]) + len(tables["records"]); n < 25 {
		t.Errorf("%d bad-input cases, the docs promise at least 25", n)
	}
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// checkDocsTable compares a generated table with the one in docs/ingest.md
// between <!-- name:begin --> and <!-- name:end -->; -update rewrites it.
func checkDocsTable(t *testing.T, name, table string) {
	t.Helper()
	path := filepath.Clean(docsPath)
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no %s section", path, name)
	}
	current := string(doc[i+len(begin) : j])
	if current == table {
		return
	}
	if !*update {
		t.Errorf("the %s table in %s is stale; run go test ./shared/ingest -run TestBadInputs -update\nwant:\n%s", name, path, table)
		return
	}
	out := append(append(append([]byte{}, doc[:i+len(begin)]...), table...), doc[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
