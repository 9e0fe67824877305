package record_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/dataset"
	"github.com/modelwatch/modelwatch/shared/profile"
	"github.com/modelwatch/modelwatch/shared/record"
)

var now = time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)

var (
	schemaOnce sync.Once
	schemas    map[string]*record.Schema
)

// testSchemas builds two small references: "classifier" (numeric amount,
// discrete term, categorical country, class prediction with scores, a
// label) and "regressor" (numeric prediction, no label).
func testSchemas(t testing.TB) map[string]*record.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		schemas = map[string]*record.Schema{}
		var cls, reg strings.Builder
		cls.WriteString("amount,term,country,prediction,score_fraud,score_legit,label\n")
		reg.WriteString("amount,prediction\n")
		for i := range 200 {
			f := float64(i%17) / 17
			cls.WriteString(strconv.Itoa(i*3) + ".5," + []string{"36", "60"}[i%2] + "," + []string{"DE", "FR", "US"}[i%3] + "," +
				[]string{"fraud", "legit"}[i%2] + "," + strconv.FormatFloat(f, 'f', 4, 64) + "," + strconv.FormatFloat(1-f, 'f', 4, 64) + "," +
				[]string{"legit", "fraud"}[i%3%2] + "\n")
			reg.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(i*7%101) + ".25\n")
		}
		for name, text := range map[string]string{"classifier": cls.String(), "regressor": reg.String()} {
			r, err := dataset.NewReader(strings.NewReader(text), name+".csv", dataset.FormatCSV)
			if err != nil {
				panic(err)
			}
			p, err := profile.Build(context.Background(), r, name, profile.BuildOptions{Settings: profile.DefaultSettings(), Model: name, Version: "v1"})
			if err != nil {
				panic(err)
			}
			s, err := record.NewSchema(p)
			if err != nil {
				panic(err)
			}
			schemas[name] = s
		}
	})
	return schemas
}

func rules() record.Rules { return record.DefaultRules(now) }

// readPredictions decodes body and returns the records' problems.
func readPredictions(t *testing.T, schema *record.Schema, r record.Rules, body string) ([][]string, error) {
	t.Helper()
	b, err := record.OpenBody(body)
	if err != nil {
		return nil, err
	}
	rd := record.NewPredictionReader(b, schema, r)
	var out [][]string
	for rd.Next() {
		out = append(out, append([]string(nil), rd.Record().Problems...))
	}
	return out, rd.Err()
}

const good = `"timestamp":"2026-11-26T20:00:00Z","features":{"amount":12.5,"term":36,"country":"DE"},"prediction":"fraud","scores":{"fraud":0.9,"legit":0.1}`

func TestPredictionProblems(t *testing.T) {
	s := testSchemas(t)
	rejectUnknown := rules()
	rejectUnknown.UnknownFeatures = record.RejectUnknown
	tests := []struct {
		name   string
		record string
		want   string // substring of the reason; "" for a valid record
		schema string
		rules  *record.Rules
	}{
		{name: "valid", record: `{` + good + `}`},
		{name: "valid with nulls", record: `{"timestamp":"2026-11-26T20:00:00Z","features":{"amount":null,"country":null},"prediction":"legit","scores":null,"latency_ms":null,"error":null,"request_id":null}`},
		{name: "failed call without features", record: `{"timestamp":"2026-11-26T20:00:00Z","error":"timeout"}`},
		{name: "failed call with bad features", record: `{"timestamp":"2026-11-26T20:00:00Z","error":{"code":503},"features":{"amount":"x"}}`},
		{name: "unknown feature accepted", record: `{` + strings.Replace(good, `"country":"DE"`, `"country":"DE","channel":"web"`, 1) + `}`},
		{name: "categorical number", record: `{` + strings.Replace(good, `"country":"DE"`, `"country":49`, 1) + `}`},
		{name: "not an object", record: `"r-1"`, want: "record: got a string, want an object"},
		{name: "array record", record: `[1,2]`, want: "record: got an array, want an object"},
		{name: "timestamp missing", record: `{"features":{},"prediction":"fraud"}`, want: "timestamp: required (an RFC 3339 time"},
		{name: "timestamp null", record: `{"timestamp":null,"features":{},"prediction":"fraud"}`, want: "timestamp: null; want an RFC 3339 time"},
		{name: "timestamp format", record: `{"timestamp":"2026-11-26 20:00","features":{},"prediction":"fraud"}`, want: `timestamp: "2026-11-26 20:00" is not an RFC 3339 time`},
		{name: "timestamp number", record: `{"timestamp":1795723200,"features":{},"prediction":"fraud"}`, want: "timestamp: got a number, want an RFC 3339 time"},
		{name: "timestamp old", record: `{"timestamp":"2026-11-01T00:00:00Z","features":{},"prediction":"fraud"}`, want: "timestamp: 2026-11-01T00:00:00Z is more than 168h in the past"},
		{name: "timestamp future", record: `{"timestamp":"2026-11-26T21:10:00Z","features":{},"prediction":"fraud"}`, want: "is more than 5m in the future"},
		{name: "features missing", record: `{"timestamp":"2026-11-26T20:00:00Z","prediction":"fraud"}`, want: "features: required unless error is set"},
		{name: "features array", record: `{"timestamp":"2026-11-26T20:00:00Z","features":[1],"prediction":"fraud"}`, want: "features: got an array, want an object of feature values"},
		{name: "numeric as string", record: `{` + strings.Replace(good, `12.5`, `"12.5"`, 1) + `}`, want: "features.amount: got a string, want a number (amount is numeric in the reference)"},
		{name: "NaN string", record: `{` + strings.Replace(good, `12.5`, `"NaN"`, 1) + `}`, want: `features.amount: got the string "NaN"; NaN and infinities are not numbers`},
		{name: "Infinity string", record: `{` + strings.Replace(good, `12.5`, `"-Infinity"`, 1) + `}`, want: `got the string "-Infinity"`},
		{name: "numeric bool", record: `{` + strings.Replace(good, `"term":36`, `"term":true`, 1) + `}`, want: "features.term: got a boolean, want a number (term is discrete in the reference)"},
		{name: "value object", record: `{` + strings.Replace(good, `"country":"DE"`, `"country":{"iso":"DE"}`, 1) + `}`, want: "features.country: got an object, want a string, number, boolean or null"},
		{name: "out of range", record: `{` + strings.Replace(good, `12.5`, `1e400`, 1) + `}`, want: "features.amount: the number 1e400 is out of range"},
		{name: "beyond magnitude", record: `{` + strings.Replace(good, `12.5`, `-2e151`, 1) + `}`, want: "features.amount: the number -2e151 is beyond ±1e+150"},
		{name: "duplicate feature", record: `{` + strings.Replace(good, `"term":36`, `"term":36,"term":60`, 1) + `}`, want: "features.term: appears twice"},
		{name: "unknown feature rejected", record: `{` + strings.Replace(good, `"country":"DE"`, `"country":"DE","channel":"web"`, 1) + `}`, rules: &rejectUnknown, want: "features.channel: not a feature of the model's reference profile"},
		{name: "prediction missing", record: `{"timestamp":"2026-11-26T20:00:00Z","features":{}}`, want: "prediction: required unless error is set"},
		{name: "prediction null", record: `{"timestamp":"2026-11-26T20:00:00Z","features":{},"prediction":null}`, want: "prediction: null; it is required unless error is set"},
		{name: "prediction array", record: `{"timestamp":"2026-11-26T20:00:00Z","features":{},"prediction":["fraud"]}`, want: "prediction: got an array"},
		{name: "regression prediction string", schema: "regressor", record: `{"timestamp":"2026-11-26T20:00:00Z","features":{"amount":1},"prediction":"high"}`, want: "prediction: got a string, want a number (the reference prediction is numeric)"},
		{name: "scores not object", record: `{` + strings.Replace(good, `{"fraud":0.9,"legit":0.1}`, `[0.9,0.1]`, 1) + `}`, want: "scores: got an array, want an object of class probabilities"},
		{name: "scores empty", record: `{` + strings.Replace(good, `{"fraud":0.9,"legit":0.1}`, `{}`, 1) + `}`, want: "scores: empty object"},
		{name: "score above one", record: `{` + strings.Replace(good, `"fraud":0.9,"legit":0.1`, `"fraud":1.9,"legit":-0.9`, 1) + `}`, want: "scores.fraud: 1.9 is outside [0, 1]"},
		{name: "score string", record: `{` + strings.Replace(good, `"fraud":0.9`, `"fraud":"0.9"`, 1) + `}`, want: "scores.fraud: got a string, want a probability"},
		{name: "scores sum", record: `{` + strings.Replace(good, `"legit":0.1`, `"legit":0.2`, 1) + `}`, want: "scores: sum to 1.1, want 1 ± 0.01"},
		{name: "score duplicate", record: `{` + strings.Replace(good, `"legit":0.1`, `"legit":0.1,"legit":0.1`, 1) + `}`, want: "scores.legit: appears twice"},
		{name: "latency negative", record: `{` + good + `,"latency_ms":-1}`, want: "latency_ms: -1 is negative"},
		{name: "latency string", record: `{` + good + `,"latency_ms":"12ms"}`, want: "latency_ms: got a string, want a number of milliseconds"},
		{name: "error number", record: `{` + good + `,"error":500}`, want: "error: got a number, want null, a message or an object"},
		{name: "error empty", record: `{` + good + `,"error":""}`, want: "error: empty string; use null for a successful call"},
		{name: "request id number", record: `{` + good + `,"request_id":17}`, want: "request_id: got a number, want a string"},
		{name: "request id long", record: `{` + good + `,"request_id":"` + strings.Repeat("r", 300) + `"}`, want: "request_id: 300 bytes long, at most 256 allowed"},
		{name: "unknown field", record: `{` + good + `,"label":"fraud"}`, want: "label: unknown field; a prediction record has request_id, timestamp"},
		{name: "duplicate field", record: `{` + good + `,"prediction":"legit"}`, want: "prediction: appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			schema := s["classifier"]
			if tc.schema != "" {
				schema = s[tc.schema]
			}
			r := rules()
			if tc.rules != nil {
				r = *tc.rules
			}
			got, err := readPredictions(t, schema, r, `{"records":[`+tc.record+`]}`)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d records", len(got))
			}
			reason := strings.Join(got[0], "; ")
			switch {
			case tc.want == "" && reason != "":
				t.Errorf("rejected: %s", reason)
			case tc.want != "" && !strings.Contains(reason, tc.want):
				t.Errorf("reason %q, want %q", reason, tc.want)
			}
		})
	}
}

func TestPredictionValues(t *testing.T) {
	s := testSchemas(t)["classifier"]
	body := `{"records":[
	  {"request_id":"r-1","timestamp":"2026-11-26T20:00:00.5+01:00","model_version":"v3",
	   "features":{"country":"FR","amount":-0,"channel":"web"},"prediction":"legit",
	   "scores":{"fraud":0.25,"legit":0.75},"latency_ms":7},
	  {"timestamp":"2026-11-26T20:00:00Z","error":"boom","latency_ms":3}]}`
	b, err := record.OpenBody(body)
	if err != nil {
		t.Fatal(err)
	}
	rd := record.NewPredictionReader(b, s, rules())
	if !rd.Next() {
		t.Fatal(rd.Err())
	}
	r := rd.Record()
	amount, _ := s.Feature("amount")
	term, _ := s.Feature("term")
	country, _ := s.Feature("country")
	switch {
	case !r.Valid():
		t.Fatalf("problems %v", r.Problems)
	case r.RequestID != "r-1" || r.ModelVersion != "v3" || !r.Time.Equal(time.Date(2026, 11, 26, 19, 0, 0, 5e8, time.UTC)):
		t.Errorf("meta %q %q %v", r.RequestID, r.ModelVersion, r.Time)
	case r.Feature(amount) != (dataset.Value{Kind: dataset.Number}) || math.Signbit(r.Feature(amount).Num):
		t.Errorf("amount %+v, want +0", r.Feature(amount))
	case r.Feature(term).Kind != dataset.Missing || r.Feature(country).Str != "FR":
		t.Errorf("term %+v country %+v", r.Feature(term), r.Feature(country))
	case r.Prediction.Str != "legit" || !r.HasConfidence || r.Confidence != 0.75 || r.Latency != 7:
		t.Errorf("prediction %+v confidence %g latency %g", r.Prediction, r.Confidence, r.Latency)
	case len(r.Unknown) != 1 || r.Unknown[0] != "channel":
		t.Errorf("unknown %v", r.Unknown)
	case r.Failed || s.PredictionColumn < 0 || s.ConfidenceColumn < 0 || s.LabelColumn < 0:
		t.Errorf("failed %v columns %d %d %d", r.Failed, s.PredictionColumn, s.ConfidenceColumn, s.LabelColumn)
	}
	if !rd.Next() {
		t.Fatal(rd.Err())
	}
	r = rd.Record()
	if !r.Valid() || !r.Failed || r.Feature(country).Kind != dataset.Missing || !r.HasLatency {
		t.Errorf("second record %+v", r)
	}
	if rd.Next() || rd.Err() != nil || rd.Index() != 1 {
		t.Errorf("end: %v %v", rd.Err(), rd.Index())
	}
	if string(r.AppendCompact(nil)) != `{"timestamp":"2026-11-26T20:00:00Z","error":"boom","latency_ms":3}` {
		t.Errorf("compact %s", r.AppendCompact(nil))
	}
}

func TestLabelProblems(t *testing.T) {
	s := testSchemas(t)
	tests := []struct{ schema, record, want string }{
		{"classifier", `{"request_id":"r-1","label":"fraud","timestamp":"2026-11-26T20:00:00Z"}`, ""},
		{"classifier", `{"request_id":"r-1","label":1,"timestamp":"2026-11-01T00:00:00Z"}`, ""}, // 90 days allowed
		{"regressor", `{"request_id":"r-1","label":3.5,"timestamp":"2026-11-26T20:00:00Z"}`, ""},
		{"classifier", `{"label":"fraud","timestamp":"2026-11-26T20:00:00Z"}`, "request_id: required; it joins the label to its prediction"},
		{"classifier", `{"request_id":"r-1","timestamp":"2026-11-26T20:00:00Z"}`, "label: required"},
		{"classifier", `{"request_id":"r-1","label":{"y":1},"timestamp":"2026-11-26T20:00:00Z"}`, "label: got an object"},
		{"regressor", `{"request_id":"r-1","label":"high","timestamp":"2026-11-26T20:00:00Z"}`, "label: got a string, want a number (the reference prediction is numeric)"},
		{"classifier", `{"request_id":"r-1","label":"fraud"}`, "timestamp: required"},
		{"classifier", `{"request_id":"r-1","label":"fraud","timestamp":"2026-06-01T00:00:00Z"}`, "is more than 2160h in the past"},
		{"classifier", `{"request_id":"r-1","label":"fraud","timestamp":"2026-11-26T20:00:00Z","score":0.3}`, "score: unknown field; a label record has request_id, label and timestamp"},
		{"classifier", `{"request_id":"r-1","label":"fraud","label":"legit","timestamp":"2026-11-26T20:00:00Z"}`, "label: appears twice"},
		{"classifier", `7`, "record: got a number, want an object"},
	}
	for _, tc := range tests {
		b, err := record.OpenBody(`{"records":[` + tc.record + `]}`)
		if err != nil {
			t.Fatal(err)
		}
		rd := record.NewLabelReader(b, s[tc.schema], rules())
		if !rd.Next() {
			t.Fatalf("%s: %v", tc.record, rd.Err())
		}
		reason := rd.Record().Reason()
		if (tc.want == "") != (reason == "") || !strings.Contains(reason, tc.want) {
			t.Errorf("%s: reason %q, want %q", tc.record, reason, tc.want)
		}
	}
}

func TestBodyErrors(t *testing.T) {
	s := testSchemas(t)["classifier"]
	var syn *record.SyntaxError
	var be *record.BodyError
	tests := []struct {
		body string
		is   func(error) bool
		want string
	}{
		{``, func(e error) bool { return errors.As(e, &be) }, "the body is empty"},
		{`[]`, func(e error) bool { return errors.As(e, &be) }, "the body is an array"},
		{`{}`, func(e error) bool { return errors.Is(e, record.ErrNoRecords) }, `the body has no "records" array`},
		{`{"records":[]}`, func(e error) bool { return errors.Is(e, record.ErrNoRecords) }, "the records array is empty"},
		{`{"records":null}`, func(e error) bool { return errors.Is(e, record.ErrNoRecords) }, "records is null"},
		{`{"records":{}}`, func(e error) bool { return errors.As(e, &be) }, "records: got an object, want an array of records"},
		{`{"record":[]}`, func(e error) bool { return errors.As(e, &be) }, "record: unknown field"},
		{`{"batch_id":1,"records":[]}`, func(e error) bool { return errors.As(e, &be) }, "batch_id: got a number, want a string"},
		{`{"batch_id":"a","batch_id":"b","records":[{}]}`, func(e error) bool { return errors.As(e, &be) }, "batch_id: appears twice"},
		{`{"records":[{}],"records":[{}]}`, func(e error) bool { return errors.As(e, &be) }, "records: appears twice"},
		{`{"records":[{}]} x`, func(e error) bool { return errors.As(e, &syn) }, "unexpected 'x' after the body's object"},
		{`{"records":[{"a":1,}]}`, func(e error) bool { return errors.As(e, &syn) }, "line 1, column 20 (byte 19), in records[0]: expected a string key, found '}'"},
		{"{\"records\":[{},\n {\"a\":tru}]}", func(e error) bool { return errors.As(e, &syn) }, "line 2, column 7 (byte 22), in records[1]: invalid literal: expected true"},
		{`{"records":[{"a":"` + "\xff" + `"}]}`, func(e error) bool { return errors.As(e, &syn) }, "invalid UTF-8 in a string"},
		{`{"records":[{"a":"` + "\x01" + `"}]}`, func(e error) bool { return errors.As(e, &syn) }, "control character 0x01 in a string"},
		{`{"records":[{"a":"\x"}]}`, func(e error) bool { return errors.As(e, &syn) }, `invalid escape '\x'`},
		{`{"records":[{"a":"\ud800"}]}`, func(e error) bool { return errors.As(e, &syn) }, `unpaired UTF-16 surrogate`},
		{`{"records":[{"a":01}]}`, func(e error) bool { return errors.As(e, &syn) }, "expected ',' or '}' after an object member, found '1'"},
		{`{"records":[{"a":1.}]}`, func(e error) bool { return errors.As(e, &syn) }, "expected a digit after '.'"},
		{`{"records":[{"a":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}`, func(e error) bool { return errors.As(e, &syn) }, "nesting deeper than 64 levels"},
		{`{"records":[{}`, func(e error) bool { return errors.As(e, &syn) }, "expected ',' or ']' after an array element, found the end of the body"},
		{`{"records":["abc`, func(e error) bool { return errors.As(e, &syn) }, "unterminated string"},
	}
	for _, tc := range tests {
		_, err := readPredictions(t, s, rules(), tc.body)
		if err == nil || !tc.is(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestBodyMembers(t *testing.T) {
	s := testSchemas(t)["classifier"]
	body := `{"batch_id":"b-1","records":[{` + good + `}],"kind":"predictions","model":"classifier"}`
	b, err := record.OpenBody(body)
	if err != nil {
		t.Fatal(err)
	}
	if b.BatchID != "b-1" || b.Model != "" || b.Complete {
		t.Fatalf("before the records: %+v", b)
	}
	if err := b.SkipRecords(); err != nil || b.Model != "classifier" || b.Kind != "predictions" || !b.Complete {
		t.Fatalf("after skipping: %v %+v", err, b)
	}
	rd := record.NewPredictionReader(b, s, rules())
	n := 0
	for rd.Next() {
		n++
	}
	if rd.Err() != nil || n != 1 {
		t.Errorf("read %d records: %v", n, rd.Err())
	}
	// Without skipping, the members after the records are read at the end.
	b, _ = record.OpenBody(body)
	rd = record.NewPredictionReader(b, s, rules())
	for rd.Next() {
	}
	if rd.Err() != nil || b.Model != "classifier" || b.Kind != "predictions" {
		t.Errorf("after reading: %v %+v", rd.Err(), b)
	}
}

func TestCompact(t *testing.T) {
	s := testSchemas(t)["classifier"]
	body := "{\"records\":[ {\n \"timestamp\" : \"2026-11-26T20:00:00Z\",\t\"features\": {\"country\": \"a b\\\" \\\\\"},\r\n\"prediction\": \"fraud\" } ]}"
	b, _ := record.OpenBody(body)
	rd := record.NewPredictionReader(b, s, rules())
	if !rd.Next() {
		t.Fatal(rd.Err())
	}
	r := rd.Record()
	want := `{"timestamp":"2026-11-26T20:00:00Z","features":{"country":"a b\" \\"},"prediction":"fraud"}`
	if r.Compact || string(r.AppendCompact(nil)) != want {
		t.Errorf("compact %v %s, want %s", r.Compact, r.AppendCompact(nil), want)
	}
}

func TestParseSimpleNumberMatchesStrconv(t *testing.T) {
	s := testSchemas(t)["regressor"]
	for _, text := range []string{"0", "-0", "1", "12.5", "0.1", "0.3", "123456789012345", "1234567890123456", "9007199254740993",
		"0.000001", "3.14159265358979", "-42.000", "1e3", "2.5E-3", "100000000000000000000", "0.1234567890123456789"} {
		body := `{"records":[{"timestamp":"2026-11-26T20:00:00Z","features":{"amount":` + text + `},"prediction":1}]}`
		b, _ := record.OpenBody(body)
		rd := record.NewPredictionReader(b, s, rules())
		if !rd.Next() {
			t.Fatal(rd.Err())
		}
		col, _ := s.Feature("amount")
		got := rd.Record().Feature(col).Num
		want, _ := strconv.ParseFloat(text, 64)
		if want == 0 {
			want = 0
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s parsed as %v, want %v", text, got, want)
		}
	}
}

func TestParseHelpers(t *testing.T) {
	if k, err := record.ParseKind("labels"); err != nil || k != record.Labels {
		t.Error(k, err)
	}
	if _, err := record.ParseKind("metrics"); err == nil {
		t.Error("kind metrics accepted")
	}
	if u, err := record.ParseUnknownFeatures(" Reject "); err != nil || u != record.RejectUnknown {
		t.Error(u, err)
	}
	if _, err := record.ParseUnknownFeatures("drop"); err == nil {
		t.Error("policy drop accepted")
	}
	if _, err := record.NewSchema(nil); err == nil {
		t.Error("schema without a reference")
	}
	if l, c := record.Position("ab\ncd", 4); l != 2 || c != 2 {
		t.Errorf("position %d:%d", l, c)
	}
}

// TestTimeColumnIsNotAnUnknownFeature: a date-time column of the reference
// (not a feature since issue 14) is neither profiled nor rejected as unknown.
func TestTimeColumnIsNotAnUnknownFeature(t *testing.T) {
	var b strings.Builder
	b.WriteString("amount,event_time\n")
	for i := range 50 {
		b.WriteString(strconv.Itoa(i) + ".5,2026-11-26T" + strconv.Itoa(10+i%10) + ":00:00Z\n")
	}
	r, err := dataset.NewReader(strings.NewReader(b.String()), "ref.csv", dataset.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Build(context.Background(), r, "ref.csv", profile.BuildOptions{Settings: profile.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := record.NewSchema(p)
	if err != nil {
		t.Fatal(err)
	}
	strict := rules()
	strict.UnknownFeatures = record.RejectUnknown
	problems, err := readPredictions(t, s, strict, `{"records":[{"timestamp":"2026-11-26T20:00:00Z","features":{"amount":1.5,"event_time":"2026-11-26T19:00:00Z"},"prediction":"yes"}]}`)
	if err != nil || len(problems) != 1 || len(problems[0]) != 0 {
		t.Errorf("problems %q, %v; want none", problems, err)
	}
}
