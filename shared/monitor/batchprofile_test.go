package monitor

import (
	"bytes"
	"encoding/json"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
)

// jsonNames lists the JSON keys of a struct type's fields.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "-" && name != "" {
			out = append(out, name)
		}
	}
	return out
}

// TestMirrorKnowsEveryProfileField fails when the profile schema gains a
// field the fast decoder does not read: add it to batchJSON, featureJSON or
// latencyJSON, and to windowMerge if it needs merging.
func TestMirrorKnowsEveryProfileField(t *testing.T) {
	for _, c := range []struct{ profile, mirror reflect.Type }{
		{reflect.TypeFor[profile.Profile](), reflect.TypeFor[batchJSON]()},
		{reflect.TypeFor[profile.Feature](), reflect.TypeFor[featureJSON]()},
		{reflect.TypeFor[profile.LatencyHistogram](), reflect.TypeFor[latencyJSON]()},
	} {
		known := map[string]bool{}
		for _, n := range jsonNames(c.mirror) {
			known[n] = true
		}
		for _, n := range jsonNames(c.profile) {
			if !known[n] {
				t.Errorf("%s has JSON field %q that %s does not read", c.profile, n, c.mirror)
			}
		}
	}
}

// mergeBoth merges encoded batch profiles with the fast path and with
// profile.Decode + profile.Merge.
func mergeBoth(t *testing.T, ref *profile.Profile, blobs [][]byte) (fast, slow *profile.Profile) {
	t.Helper()
	m := newWindowMerge(ref)
	var parts []*profile.Profile
	for i, data := range blobs {
		b, err := decodeBatch(data)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if err := m.add(b); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		p, err := profile.Decode(data)
		if err != nil {
			t.Fatalf("part %d: profile.Decode: %v", i, err)
		}
		parts = append(parts, p)
	}
	slow, err := profile.Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	return m.profile(), slow
}

// TestFastMergeEqualsProfileMerge checks the fast decoder and merge against
// profile.Decode and profile.Merge, bit for bit, on batches with missing
// values, unseen categories, failed calls and both count encodings.
func TestFastMergeEqualsProfileMerge(t *testing.T) {
	t.Run("univariate", func(t *testing.T) { testFastMerge(t, sharedReference(t)) })
	t.Run("multivariate", func(t *testing.T) {
		ref := monitortest.MultivariateReference(t, "m", "v1", 3000, 7)
		fast := testFastMerge(t, ref)
		if fast.Reconstruction == nil || fast.Reconstruction.Count == 0 {
			t.Fatalf("merged window has no reconstruction summary: %+v", fast.Reconstruction)
		}
	})
}

func testFastMerge(t *testing.T, ref *profile.Profile) *profile.Profile {
	var blobs [][]byte
	for i := range 12 {
		shift := monitortest.Shift{Mean: map[string]float64{"f2": float64(i) / 4}, Missing: map[string]float64{"f5": 0.2}}
		recs := monitortest.Generate(1+i*i*20, hour0.Add(time.Duration(i)*time.Minute), time.Millisecond, shift, uint64(i), "r")
		for k := range recs {
			if k%17 == 3 {
				recs[k].Features["c0"] = "unseen-" + string(rune('A'+k%5))
			}
			if k%29 == 5 {
				recs[k].Error = "boom"
			}
		}
		data, err := monitortest.BatchProfile(t, ref, recs).Encode()
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 { // compact JSON too
			var buf bytes.Buffer
			json.Compact(&buf, data)
			data = buf.Bytes()
		}
		blobs = append(blobs, data)
	}
	fast, slow := mergeBoth(t, ref, blobs)
	if !reflect.DeepEqual(fast, slow) {
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(slow)
		t.Fatalf("fast merge differs from profile.Merge:\n%.2000s\n%.2000s", a, b)
	}
	if fast.Features[0].Unseen != nil || len(fast.Feature("c0").Unseen) == 0 {
		t.Errorf("unseen categories: %+v", fast.Feature("c0").Unseen)
	}
	return fast
}

func TestSparseCounts(t *testing.T) {
	for _, c := range []struct {
		in    string
		size  int
		total int64
		err   string
	}{
		{`[0, 3, 0, 2]`, 4, 5, ""},
		{`[]`, 0, 0, ""},
		{` {"size": 5, "index": [1, 4, 1], "count": [2, 3, 1]} `, 5, 6, ""},
		{`{"index":[],"count":[],"size":3}`, 3, 0, ""},
		{`[1, -2]`, 0, 0, "negative count"},
		{`[1.5]`, 0, 0, "want an integer"},
		{`[1,]`, 0, 0, "want a non-negative integer"},
		{`{"size": 2, "index": [2], "count": [1]}`, 0, 0, "index 2 out of range"},
		{`{"size": 2, "index": [0, 1], "count": [1]}`, 0, 0, "2 indexes but 1 counts"},
		{`{"size": 2000000, "index": [], "count": []}`, 0, 0, "size 2000000 out of range"},
		{`{"size": 2, "index": [0]}`, 0, 0, "want size, index and count"},
		{`{"size": 2, "extra": 1}`, 0, 0, `unknown key "extra"`},
		{`[99999999999999999999]`, 0, 0, "too large"},
		{`"x"`, 0, 0, "want an array"},
	} {
		var s sparseCounts
		err := s.UnmarshalJSON([]byte(c.in))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.in, err, c.err)
		case c.err == "" && (s.size != c.size || s.total() != c.total):
			t.Errorf("%s: size %d total %d", c.in, s.size, s.total())
		}
	}
}

// FuzzDecodeBatch checks that the fast decoder never panics and accepts no
// batch profile that profile.Decode refuses (with counts that it would read
// differently).
func FuzzDecodeBatch(f *testing.F) {
	ref := sharedReference(f)
	recs := monitortest.Generate(30, hour0, time.Second, monitortest.Shift{}, 5, "fz")
	data, err := monitortest.BatchProfile(f, ref, recs).Encode()
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	json.Compact(&buf, data)
	if testing.Short() || !fuzzing() {
		f.Add(data) // the full profiles are slow to mutate: seeds of the plain test run only
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"schema_version":1,"type":"batch","fingerprint":"x","rows":3,"features":[],"latency":{"counts":{"size":2,"index":[0],"count":[3]},"sum_ms":1,"max_ms":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := decodeBatch(data)
		if err != nil {
			return
		}
		m := newWindowMerge(ref)
		if m.add(b) != nil || b.Fingerprint != ref.Fingerprint {
			return
		}
		p, err := profile.Decode(data)
		if err != nil {
			if strings.Contains(err.Error(), "invalid character") || strings.Contains(err.Error(), "cannot unmarshal") || strings.Contains(err.Error(), "unexpected end") {
				return // JSON the two parsers read differently (duplicate keys, escapes); not a merge question
			}
			t.Fatalf("the fast path accepted a batch profile.Decode refuses: %v", err)
		}
		merged, err := profile.Merge(p)
		if err != nil {
			return
		}
		got := m.profile()
		for i, f := range merged.Features {
			if !reflect.DeepEqual(f.Grid, got.Features[i].Grid) || !reflect.DeepEqual(f.Values, got.Features[i].Values) || f.Missing != got.Features[i].Missing {
				t.Fatalf("feature %s counts differ", f.Name)
			}
		}
	})
}

// fuzzing reports whether the test binary runs with -test.fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// FuzzSparseCounts checks the hand-written histogram scanner against
// profile.Counts' decoder: the same counts whenever both accept, and never
// a panic.
func FuzzSparseCounts(f *testing.F) {
	for _, s := range []string{`[0, 3, 0, 2]`, `[]`, `{"size": 5, "index": [1, 4, 1], "count": [2, 3, 1]}`, "[\n 1,\n 2\n]", `[1, -2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s sparseCounts
		if s.UnmarshalJSON(data) != nil {
			return
		}
		var c profile.Counts
		if err := c.UnmarshalJSON(data); err != nil {
			if len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '{' {
				return // e.g. a "size" the scanner reads but encoding/json would not (leading zeros)
			}
			t.Fatalf("scanner accepts %q, profile.Counts refuses: %v", data, err)
		}
		got := make(profile.Counts, s.size)
		s.addTo(got)
		if !reflect.DeepEqual(got, c) && !(len(got) == 0 && len(c) == 0) {
			t.Fatalf("%q: scanner %v, profile.Counts %v", data, got, c)
		}
	})
}

func TestWindowOf(t *testing.T) {
	anchor := time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		t      time.Time
		length time.Duration
		end    time.Time
	}{
		{anchor.Add(-time.Nanosecond), time.Hour, anchor},
		{anchor.Add(-time.Hour), time.Hour, anchor},
		{anchor.Add(-time.Hour - time.Nanosecond), time.Hour, anchor.Add(-time.Hour)},
		{anchor.Add(-30 * time.Hour), 24 * time.Hour, anchor.Add(-24 * time.Hour)},
		{anchor, time.Hour, anchor.Add(time.Hour)},
	} {
		w := windowOf(c.t, anchor, c.length)
		if !w.End.Equal(c.end) || !w.Contains(c.t) {
			t.Errorf("windowOf(%v, %v) = %v, want end %v", c.t, c.length, w, c.end)
		}
	}
}

func TestSettingsFromEnv(t *testing.T) {
	env := map[string]string{"BUCKET": "b", "MODELS": "a, b", "WINDOW": "2h", "LOOKBACK": "0", "CONCURRENCY": "8",
		"DRIFT_CONFIG": "method: ks", "FEATURE_METRICS": "psi,js", "CLOUDWATCH_PROTOCOL": "query"}
	s, err := SettingsFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.Bucket != "b" || len(s.Models) != 2 || s.Window != 2*time.Hour || s.Lookback != -1 || s.Concurrency != 8 ||
		s.Drift == nil || s.Drift.Method != "ks" || len(s.FeatureMetrics) != 2 || s.Namespace != "ModelWatch" || s.CloudWatchProtocol != "query" {
		t.Errorf("%+v", s)
	}
	for k, v := range map[string]string{"BUCKET": "", "WINDOW": "30m", "LOOKBACK": "500h", "CONCURRENCY": "x", "DRIFT_CONFIG": "method: x",
		"FEATURE_METRICS": "chi2", "MODELS": "bad name"} {
		bad := map[string]string{"BUCKET": "b"}
		bad[k] = v
		if _, err := SettingsFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}
