package profile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// referenceDecode is profile.Decode as it was written with encoding/json:
// the tokenizer-based decoder must accept and reject the same profiles and
// read the same values.
func referenceDecode(data []byte) (*profile.Profile, error) {
	var head struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("decode profile: no schema_version: %w", profile.ErrSchemaVersion)
	}
	if *head.SchemaVersion != profile.SchemaVersion {
		return nil, fmt.Errorf("decode profile: schema_version %d, this build reads %d: %w", *head.SchemaVersion, profile.SchemaVersion, profile.ErrSchemaVersion)
	}
	var p profile.Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	return &p, nil
}

// referenceCounts is Counts' UnmarshalJSON as it was written with
// encoding/json.
func referenceCounts(data []byte) (profile.Counts, error) {
	var dense []int64
	if err := json.Unmarshal(data, &dense); err == nil {
		for i, v := range dense {
			if v < 0 {
				return nil, fmt.Errorf("count %d is negative (%d)", i, v)
			}
		}
		return dense, nil
	}
	var s struct {
		Size  int     `json:"size"`
		Index []int   `json:"index"`
		Count []int64 `json:"count"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("counts: want an array or {size,index,count}: %w", err)
	}
	if s.Size < 0 || s.Size > 1<<20 {
		return nil, fmt.Errorf("counts: size %d out of range [0, %d]", s.Size, 1<<20)
	}
	if len(s.Index) != len(s.Count) {
		return nil, fmt.Errorf("counts: %d indexes but %d counts", len(s.Index), len(s.Count))
	}
	out := make(profile.Counts, s.Size)
	for k, i := range s.Index {
		if i < 0 || i >= s.Size {
			return nil, fmt.Errorf("counts: index %d out of range [0, %d)", i, s.Size)
		}
		if s.Count[k] < 0 {
			return nil, fmt.Errorf("counts: count at index %d is negative (%d)", i, s.Count[k])
		}
		out[i] += s.Count[k]
	}
	return out, nil
}

// jsonMessage reports whether an error of encoding/json's reference decode
// is about JSON syntax or types: worded by encoding/json, or by the
// tokenizer (in the UnmarshalJSON of Counts and HashSet), each its own way.
func jsonMessage(msg string) bool {
	for _, s := range []string{"json: ", "invalid character", "unexpected end of JSON input", "cannot unmarshal", " at byte "} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// checkDecode decodes data both ways and fails when they differ: in
// accepting it, in the value read, in whether the error is a schema
// version error, or in the wording of an error that is not about JSON
// syntax or types (validation, counts, versions, times).
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	got, err := profile.Decode(data)
	want, werr := referenceDecode(data)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%.300q:\nDecode: %v\nencoding/json: %v", data, err, werr)
	}
	if err != nil {
		if errors.Is(err, profile.ErrSchemaVersion) != errors.Is(werr, profile.ErrSchemaVersion) {
			t.Fatalf("%.300q: schema version error %v, encoding/json %v", data, err, werr)
		}
		if w := strings.TrimPrefix(werr.Error(), "decode profile: "); !jsonMessage(w) && !strings.HasSuffix(err.Error(), w) {
			t.Fatalf("%.300q: error %q, encoding/json %q", data, err, werr)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("%.300q: decoded differently:\n%.1500s\n%.1500s", data, a, b)
	}
	// The sparse decoding reads the same profile, with the same counts.
	sp, err := profile.DecodeSparse(data)
	if err != nil {
		t.Fatalf("%.300q: Decode accepts, DecodeSparse: %v", data, err)
	}
	for i, f := range want.Columns() {
		g := sp.Columns()[i]
		for _, c := range []struct {
			dense  profile.Counts
			sparse *profile.Counts
		}{{f.Grid, &g.Grid}, {f.Values, &g.Values}} {
			h, ok := sp.Histogram(c.sparse)
			if ok != (c.dense != nil) {
				t.Fatalf("%.300q: column %s: sparse histogram present %v, dense %v", data, f.Name, ok, c.dense)
			}
			sum := make(profile.Counts, h.Size)
			h.AddTo(sum)
			if ok && !reflect.DeepEqual(sum, c.dense) {
				t.Fatalf("%.300q: column %s: sparse %v, dense %v", data, f.Name, sum, c.dense)
			}
		}
	}
}

// realProfiles are reference and batch profiles as the build, count and
// multivariate code write them: indented and compact.
func realProfiles(t testing.TB) [][]byte {
	rng := rand.New(rand.NewPCG(7, 8))
	var ps []*profile.Profile
	ref := monitortest.Reference(t, "m", "v1", 2000, 3)
	ps = append(ps, ref, monitortest.MultivariateReference(t, "m", "v2", 2000, 4))
	for i, n := range []int{1, 30, 400} {
		recs := monitortest.Generate(n, time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC), time.Second, monitortest.Shift{}, uint64(i), "r")
		for k := range recs {
			if k%7 == 3 {
				recs[k].Features["c0"] = fmt.Sprintf("unseen-%d", rng.IntN(4))
			}
		}
		ps = append(ps, monitortest.BatchProfile(t, ref, recs))
	}
	var out [][]byte
	for _, p := range ps {
		data, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, data); err != nil {
			t.Fatal(err)
		}
		out = append(out, data, buf.Bytes())
	}
	return out
}

// hostileProfiles are small profiles that probe what encoding/json does
// with odd JSON: duplicate members, names in other cases, nulls, values of
// the wrong type, escapes, invalid UTF-8, numbers out of range.
var hostileProfiles = []string{
	``, `null`, `[]`, `"x"`, `{}`, `{`, `{"schema_version":1}`, `{"schema_version":1,"type":"batch"} x`,
	`{"schema_version":null,"type":"batch"}`, `{"schema_version":"1","type":"batch"}`, `{"schema_version":1.0,"type":"batch"}`,
	`{"schema_version":2,"type":"batch","rows":"x"}`, `{"schema_version":1,"schema_version":null,"type":"batch"}`,
	`{"schema_version":"x","schema_version":1,"type":"batch"}`, `{"SCHEMA_VERSION":1,"Type":"batch","ROWS":3}`,
	`{"schema_version":1,"type":"batch","rows":-0}`, `{"schema_version":1,"type":"batch","rows":1e2}`,
	`{"schema_version":1,"type":"batch","rows":9223372036854775808}`, `{"schema_version":1,"type":"batch","rows":null}`,
	`{"schema_version":1,"type":"batch","rows":3,"rows":null}`, `{"schema_version":1,"type":"batch","unknown":[{"a":[1,{"b":null}]}]}`,
	`{"schema_version":1,"type":"b\u0061tch","model":"\ud800x","version":"` + "\xff" + `"}`, `{"schema_version":1,"type":"batch","model":1}`,
	`{"schema_version":1,"type":"batch","created_at":"2026-11-26T20:00:00Z"}`, `{"schema_version":1,"type":"batch","created_at":"yesterday"}`,
	`{"schema_version":1,"type":"batch","created_at":null}`, `{"schema_version":1,"type":"batch","created_at":5}`,
	`{"schema_version":1,"type":"batch","first_event":"2026-11-26T20:00:00Z","first_event":null,"last_event":"2026-11-26T21:00:00Z"}`,
	`{"schema_version":1,"type":"reference","settings":{"bins":10},"settings":{"grid":100},"features":[]}`,
	`{"schema_version":1,"type":"reference","settings":null,"features":null}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1,2]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1,null,2]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1,2.5]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1,-2]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":"x"}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":[0,2,0],"count":[1,2,3]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"Size":3,"INDEX":[1],"count":[1],"extra":{}}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":[1,2],"index":[null],"count":[4]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":[2],"count":[null]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":null,"count":null}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":-1,"index":[],"count":[]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":[3],"count":[1]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3,"index":[1],"count":[-1]}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":{"size":3.5}}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[1],"values":null}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a"},{"name":"b"}],"features":[{"kind":"categorical","values":[0]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[0]},null]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"numeric","grid":[1,0],"moments":{"count":1,"mean":0.5},"moments":{"min":0.5,"max":0.5},"tail_sums":[0.5,0]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"numeric","grid":[1,0],"moments":{"count":1},"tail_sums":[0,1e400]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"numeric","grid":[1,0],"moments":{"count":1},"tail_sums":[0,null]}]}`,
	`{"schema_version":1,"type":"batch","features":[{"name":"a","kind":"categorical","values":[0,3],"unseen_count":2,"unseen":[{"name":"x","count":2},{"count":1}]}]}`,
	`{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"categorical","categories":["x"],"values":[1,0],"pooled":null}]}`,
	`{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"categorical","categories":["x"],"values":[1,0],"pooled":"AQAAAAAAAAACAAAAAAAAAA=="}]}`,
	`{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"categorical","categories":["x"],"values":[1,0],"pooled":"AgAAAAAAAAABAAAAAAAAAA=="}]}`,
	`{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"categorical","categories":["x"],"values":[1,0],"pooled":"!!"}]}`,
	`{"schema_version":1,"type":"reference","features":[{"name":"a","kind":"categorical","categories":["x"],"values":[1,0],"pooled":7}]}`,
	`{"schema_version":1,"type":"batch","latency":{"counts":null,"sum_ms":1},"errors":2}`,
	`{"schema_version":1,"type":"batch","calibration":{"edges":[0.5],"labelled":[1,1],"correct":[1,2]}}`,
	`{"schema_version":1,"type":"batch","reconstruction":{"count":1,"grid":[1,null],"residuals":[0.5]}}`,
	`{"schema_version":1,"type":"batch","multivariate":{"features":[]}}`,
	`{"schema_version":1,"type":"batch","features":[` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `]}`,
	`{"schema_version":1,"type":"batch","unknown":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, data := range realProfiles(t) {
		checkDecode(t, data)
		// The same profile, cut short and with one byte changed here and
		// there: mostly invalid, sometimes another valid profile.
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		for range 200 {
			mutated := bytes.Clone(data)
			for range 1 + rng.IntN(3) {
				const alphabet = `{}[],:"\0123456789-.enul`
				mutated[rng.IntN(len(mutated))] = alphabet[rng.IntN(len(alphabet))]
			}
			checkDecode(t, mutated)
		}
		checkDecode(t, data[:len(data)/2])
	}
	for _, s := range hostileProfiles {
		checkDecode(t, []byte(s))
	}
}

// FuzzDecode checks profile.Decode against encoding/json's reading of the
// same profile (see checkDecode).
func FuzzDecode(f *testing.F) {
	for _, s := range hostileProfiles {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// FuzzCounts checks Counts' decoding against encoding/json's.
func FuzzCounts(f *testing.F) {
	for _, s := range []string{`[0, 3, 0, 2]`, `[]`, `null`, `{"size": 5, "index": [1, 4, 1], "count": [2, 3, 1]}`, "[\n 1,\n 2\n]",
		`[1, -2]`, `{"size":2,"index":[0],"index":[null,1],"count":[1,2]}`, `[1.5]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return // encoding/json checks the syntax before it calls UnmarshalJSON
		}
		var got profile.Counts
		err := got.UnmarshalJSON(data)
		want, werr := referenceCounts(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: %v, encoding/json %v", data, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %v, encoding/json %v", data, got, want)
		}
	})
}

func TestSparseCounts(t *testing.T) {
	s := profile.SparseCounts{Size: 5, Index: []int32{1, 4, 1}, Count: []int64{2, 3, 1}}
	dst := make(profile.Counts, 5)
	s.AddTo(dst)
	if s.Total() != 6 || !reflect.DeepEqual(dst, profile.Counts{0, 3, 0, 0, 3}) {
		t.Errorf("total %d, dense %v", s.Total(), dst)
	}
}
