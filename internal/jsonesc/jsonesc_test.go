package jsonesc

import (
	"encoding/json"
	"testing"
)

func TestUnicode(t *testing.T) {
	tests := []struct {
		in       string
		r        rune
		n        int
		ok, lone bool
	}{
		{`\u0041`, 'A', 6, true, false},
		{`\u00e9x`, 'é', 6, true, false},
		{`\uD83D\uDE00`, '😀', 12, true, false},
		{`\ud83d\ude00`, '😀', 12, true, false},
		{`\uD83D`, 0xD83D, 6, true, true},
		{`\uD83D\u0041`, 0xD83D, 6, true, true},
		{`\uDE00\uD83D`, 0xDE00, 6, true, true},
		{`\u00G1`, 0, 0, false, false},
		{`\u12`, 0, 0, false, false},
	}
	for _, tc := range tests {
		for _, in := range []any{tc.in, []byte(tc.in)} {
			var r rune
			var n int
			var ok, lone bool
			switch v := in.(type) {
			case string:
				r, n, ok, lone = Unicode(v)
			case []byte:
				r, n, ok, lone = Unicode(v)
			}
			if r != tc.r || n != tc.n || ok != tc.ok || lone != tc.lone {
				t.Errorf("Unicode(%q) = %q %d %v %v, want %q %d %v %v", tc.in, r, n, ok, lone, tc.r, tc.n, tc.ok, tc.lone)
			}
		}
		// Where the escape is whole and paired, it agrees with encoding/json.
		if tc.ok && !tc.lone && tc.n == len(tc.in) {
			var want string
			if err := json.Unmarshal([]byte(`"`+tc.in+`"`), &want); err != nil || want != string(tc.r) {
				t.Errorf("encoding/json reads %q as %q (%v), Unicode as %q", tc.in, want, err, tc.r)
			}
		}
	}
}
