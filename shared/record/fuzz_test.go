package record_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/shared/record"
)

// FuzzDecode feeds arbitrary bodies to the body and record readers. The
// seed corpus is in testdata/fuzz/FuzzDecode. Properties: no panic; what
// the readers accept is JSON that encoding/json accepts too; every record's
// text, and its one-line compact form, is the same JSON value; a record is
// either valid or has reasons.
func FuzzDecode(f *testing.F) {
	f.Add(`{"records":[{"timestamp":"2026-11-26T20:00:00Z","features":{"amount":1},"prediction":"fraud"}]}`)
	f.Add(`{"model":"m","kind":"labels","records":[{"request_id":"r","label":1,"timestamp":"2026-11-26T20:00:00Z"}]}`)
	s := testSchemas(f)["classifier"]
	f.Fuzz(func(t *testing.T, body string) {
		for _, labels := range []bool{false, true} {
			b, err := record.OpenBody(body)
			if err != nil {
				continue
			}
			if strings.Contains(body, `"model"`) {
				if err := b.SkipRecords(); err != nil {
					continue
				}
			}
			var texts []string
			var readErr error
			check := func(raw *record.Raw) {
				if raw.Valid() != (raw.Reason() == "") {
					t.Fatalf("record %d: valid %v but reason %q", raw.Index, raw.Valid(), raw.Reason())
				}
				texts = append(texts, raw.Text)
				compact := raw.AppendCompact(nil)
				if strings.ContainsAny(string(compact), "\n\r") {
					t.Fatalf("compact record spans lines: %q", compact)
				}
				a, err := decodeNumbers(raw.Text)
				if err != nil {
					t.Fatalf("record text %q is not JSON: %v", raw.Text, err)
				}
				if c, err := decodeNumbers(string(compact)); err != nil || !reflect.DeepEqual(a, c) {
					t.Fatalf("compact form %q differs from %q: %v", compact, raw.Text, err)
				}
			}
			if labels {
				r := record.NewLabelReader(b, s, rules())
				for r.Next() {
					check(&r.Record().Raw)
				}
				readErr = r.Err()
			} else {
				r := record.NewPredictionReader(b, s, rules())
				for r.Next() {
					rec := r.Record()
					check(&rec.Raw)
					if rec.Valid() && !rec.HasTime {
						t.Fatalf("valid record without a time: %q", rec.Text)
					}
				}
				readErr = r.Err()
			}
			if readErr == nil && !json.Valid([]byte(body)) {
				t.Fatalf("accepted a body encoding/json rejects: %q", body)
			}
			if readErr == nil && len(texts) == 0 {
				t.Fatalf("accepted a body without records: %q", body)
			}
		}
	})
}

// decodeNumbers decodes JSON text keeping numbers as text, so that numbers
// out of float64's range compare too.
func decodeNumbers(text string) (any, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
