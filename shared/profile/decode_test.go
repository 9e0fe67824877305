package profile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
)

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
		if !sameError(err, werr) {
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
}

// FuzzDecode checks profile.Decode against encoding/json's reading of the
// same profile (see checkDecode); its seeds, the hostile profiles, run with
// every go test.
func FuzzDecode(f *testing.F) {
	for _, s := range hostileProfiles {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecode)
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
