package profile_test

import (
	"encoding/json"
	"fmt"
	"strings"

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

// sameError reports whether the decoder's error err says what the
// reference decode's error werr says: the same words, after the member
// the decoder names, unless werr is about JSON syntax or types.
func sameError(err, werr error) bool {
	w := strings.TrimPrefix(werr.Error(), "decode profile: ")
	return jsonMessage(w) || strings.HasSuffix(err.Error(), w)
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
