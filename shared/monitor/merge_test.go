package monitor

import (
	"bytes"
	"encoding/json"
	"flag"
	"reflect"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/shared/monitor/monitortest"
	"github.com/modelwatch/modelwatch/shared/profile"
)

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

// FuzzDecodeBatch checks that the sparse decoding and the merge never panic
// and accept no batch profile that profile.Decode refuses, and that they
// count what profile.Decode and profile.Merge count.
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
			t.Fatalf("the merge accepted a batch profile.Decode refuses: %v", err)
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
