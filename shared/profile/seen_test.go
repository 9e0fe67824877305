package profile

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestHashSetRoundTrip(t *testing.T) {
	for _, names := range [][]string{nil, {"a"}, {"b", "a", "c", "a"}} {
		s := newHashSet(names)
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back HashSet
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !slices.Equal(back, s) {
			t.Errorf("%v → %s → %v", s, data, back)
		}
		for _, n := range names {
			if !back.Contains(n) {
				t.Errorf("set of %v lacks %q", names, n)
			}
		}
		if back.Contains("never") {
			t.Errorf("set of %v holds %q", names, "never")
		}
	}
}

// FuzzHashSet feeds the decoder arbitrary JSON: it must reject or decode,
// and what it decodes must encode back to the same set.
func FuzzHashSet(f *testing.F) {
	for _, seed := range []string{`""`, `"AAAAAAAAAAA="`, `"AQAAAAAAAAACAAAAAAAAAA=="`, `"AgAAAAAAAAABAAAAAAAAAA=="`, `"!"`, `7`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s HashSet
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		for i := 1; i < len(s); i++ {
			if s[i] <= s[i-1] {
				t.Fatalf("decoded %v: not strictly increasing", s)
			}
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back HashSet
		if err := json.Unmarshal(again, &back); err != nil || !slices.Equal(back, s) {
			t.Fatalf("round trip of %v: %v, %v", s, back, err)
		}
	})
}
