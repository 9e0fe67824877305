package jsonscan

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// walk reads one value with the tokenizer the way a decoder does (every
// token read, not skipped) and returns it as encoding/json would decode it
// into an any (numbers as float64).
func walk(p *Scanner, depth int) (any, error) {
	switch c := p.Peek(); {
	case c == '{' || c == '[':
		if depth >= 100 {
			return nil, p.Errorf("too deep for this test")
		}
		closing := c + 2
		obj, arr := map[string]any{}, []any{}
		if p.Open() {
			if c == '{' {
				return obj, nil
			}
			return arr, nil
		}
		for {
			var k string
			if c == '{' {
				var err error
				if k, err = p.Key(); err != nil {
					return nil, err
				}
			}
			v, err := walk(p, depth+1)
			if err != nil {
				return nil, err
			}
			if c == '{' {
				obj[k] = v
			} else {
				arr = append(arr, v)
			}
			more, err := p.AfterMember(closing)
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
		if c == '{' {
			return obj, nil
		}
		return arr, nil
	case c == '"':
		return p.String()
	case c == 't':
		return true, p.Literal("true")
	case c == 'f':
		return false, p.Literal("false")
	case c == 'n':
		return nil, p.Literal("null")
	}
	return p.Float()
}

// decodeAll reads text as one JSON value with the tokenizer, twice: once
// reading every token (walk) and once skipping it (Skip). Both must agree
// on whether it is valid.
func decodeAll(t *testing.T, text string) (any, error) {
	t.Helper()
	p := Scanner{Text: text, Strings: Replace}
	p.SkipSpace()
	v, err := walk(&p, 0)
	if err == nil {
		p.SkipSpace()
		if !p.AtEnd() {
			err = p.Errorf("unexpected %s after the value", p.Found())
		}
	}
	q := Scanner{Text: text, Strings: Replace}
	q.SkipSpace()
	serr := q.Skip(0)
	if serr == nil {
		q.SkipSpace()
		if !q.AtEnd() {
			serr = q.Errorf("unexpected %s after the value", q.Found())
		}
	}
	if (err == nil) != (serr == nil) {
		var e *SyntaxError
		if !(errors.As(err, &e) && strings.Contains(e.Msg, "does not fit")) { // Skip does not convert numbers
			t.Fatalf("%q: reading gives %v, skipping %v", text, err, serr)
		}
	}
	return v, err
}

// checkDifferential compares the tokenizer with encoding/json on text:
// both accept it or both reject it, and what they read is the same.
func checkDifferential(t *testing.T, text string) {
	t.Helper()
	got, err := decodeAll(t, text)
	var want any
	werr := json.Unmarshal([]byte(text), &want)
	var e *SyntaxError
	if err != nil && errors.As(err, &e) && (strings.Contains(e.Msg, "does not fit") || strings.Contains(e.Msg, "too deep")) {
		return // encoding/json fails too (out of range), or the test's own limit
	}
	if (err == nil) != (werr == nil) {
		t.Fatalf("%q: the tokenizer says %v, encoding/json %v", text, err, werr)
	}
	if err == nil && !equalJSON(got, want) {
		t.Fatalf("%q: the tokenizer reads %#v, encoding/json %#v", text, got, want)
	}
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("%q: error %v is not a *SyntaxError", text, err)
	}
	if err != nil && (e.Offset < 0 || e.Offset > len(text)) {
		t.Fatalf("%q: error offset %d outside the text", text, e.Offset)
	}
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || math.IsNaN(a) && math.IsNaN(b))
	}
	return a == b
}

var differentialSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e10`, `-12.75E+2`, `1e-400`, `1e400`, `123456789012345678901234567890`,
	`"plain"`, `"\"\\\/\b\f\n\r\t"`, `"\u0000\u001f\u00e9\u20ac"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00\ud83d"`,
	`"\ud83dx"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, "\"bad \xff utf8 \xed\xa0\x80\"", "\"\xc3\xa9 valid\"",
	"\"x\\u00e9\xff\"", ` { "a" : 1 , "b" : [ 1 , { } ] } `, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":01}`, `-`, `.5`, `1.`,
	`1e`, `1e+`, `"x`, `"\x"`, `"\u12g4"`, `"\u12"`, "\"a\tb\"", `tru`, `nul`, `[1 2]`, `{"a":1}x`, `{"a":1}}`,
	`[[[[[[[[]]]]]]]]`, `{"a\"b":1}`, `{"":1}`, "\x00", ``, ` `, `{"a":"0123456789abcdef\"0123456789abcdef\\n"}`,
	`"0123456789\u00e9abcdefgh\"ij"`, "\"0123456789\xe2\x82\xacabcdefgh\"",
}

func TestDifferentialSeeds(t *testing.T) {
	for _, s := range differentialSeeds {
		checkDifferential(t, s)
	}
}

// TestDifferentialRandom generates random texts from JSON's alphabet, most
// of them invalid, and checks that the tokenizer and encoding/json agree on
// each.
func TestDifferentialRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{`{`, `}`, `[`, `]`, `,`, `:`, ` `, `"`, `"a"`, `"\u00e9"`, `\`, `"\"x"`, `1`, `-`, `0`, `.5`, `e3`,
		`true`, `false`, `null`, `nul`, "\xff", "\t", `"k":`, `[1,2]`, `{"a":1}`, `"\ud800"`, `1.0`, `-0.25e-2`}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		checkDifferential(t, b.String())
	}
}

// FuzzScanner checks the tokenizer against encoding/json on any input (see
// checkDifferential), and that reading never panics or leaves the text.
func FuzzScanner(f *testing.F) {
	for _, s := range differentialSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkDifferential(t, text)
		for _, policy := range []Policy{Strict, Keep} {
			p := Scanner{Text: text, Strings: policy}
			p.SkipSpace()
			err := p.Skip(0)
			p.SkipSpace()
			if err == nil && p.AtEnd() && policy == Strict && !utf8.ValidString(text) {
				t.Fatalf("%q: strict reading accepted invalid UTF-8", text)
			}
			if p.Pos > len(text) {
				t.Fatalf("%q: position %d beyond the text", text, p.Pos)
			}
		}
	})
}

func TestStringPolicies(t *testing.T) {
	tests := []struct {
		in             string
		strict, keep   string
		strictErr, rep string
	}{
		{in: `"abc"`, strict: "abc", keep: "abc", rep: "abc"},
		{in: `"a\nb\u00e9"`, strict: "a\nbé", keep: "a\nbé", rep: "a\nbé"},
		{in: "\"a\xffb\"", strictErr: "invalid UTF-8 in a string", keep: "a\xffb", rep: "a\uFFFDb"},
		{in: "\"a\\n\xffb\"", strictErr: "invalid UTF-8 in a string", keep: "a\n\xffb", rep: "a\n\uFFFDb"},
		{in: `"\ud800x"`, strictErr: `unpaired UTF-16 surrogate \ud800`, keep: "\uFFFDx", rep: "\uFFFDx"},
		{in: `"\ud83d\ude00"`, strict: "😀", keep: "😀", rep: "😀"},
	}
	for _, tc := range tests {
		for _, c := range []struct {
			policy  Policy
			want    string
			wantErr string
		}{{Strict, tc.strict, tc.strictErr}, {Keep, tc.keep, ""}, {Replace, tc.rep, ""}} {
			p := Scanner{Text: tc.in, Strings: c.policy}
			got, err := p.String()
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("%q under %d: %q, %v; want error %q", tc.in, c.policy, got, err, c.wantErr)
				}
			case err != nil || got != c.want:
				t.Errorf("%q under %d: %q, %v; want %q", tc.in, c.policy, got, err, c.want)
			}
		}
	}
}

// TestStringScratch checks that a decoded string does not change when the
// scratch memory is reused for the next one.
func TestStringScratch(t *testing.T) {
	p := Scanner{Text: `"a\nb" "c\td"`}
	s1, err := p.String()
	if err != nil || s1 != "a\nb" {
		t.Fatalf("String = %q, %v", s1, err)
	}
	p.SkipSpace()
	s2, err := p.String()
	if err != nil || s2 != "c\td" || s1 != "a\nb" {
		t.Fatalf("String = %q, %v; the first is now %q", s2, err, s1)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		in, end string
		off     int
		msg     string
	}{
		{`{"a":1,}`, "", 7, `expected a string key, found '}'`},
		{`{"a" 1}`, "", 5, `expected ':' after an object key, found '1'`},
		{`[1 2]`, "", 3, `expected ',' or ']' after an array element, found '2'`},
		{`{"a":1`, "the end of the body", 6, `expected ',' or '}' after an object member, found the end of the body`},
		{`[tru]`, "", 1, `invalid literal: expected true`},
		{`[1.]`, "", 3, `invalid number: expected a digit after '.', found ']'`},
		{`[1e]`, "", 3, `invalid number: expected a digit in the exponent, found ']'`},
		{`[-x]`, "", 2, `invalid number: expected a digit, found 'x'`},
		{"[\"a\x01\"]", "", 3, `control character 0x01 in a string (escape it)`},
		{`["\x"]`, "", 2, `invalid escape '\x' in a string`},
		{`["\u12"]`, "", 2, `invalid \u escape (want four hexadecimal digits)`},
		{`["abc`, "", 5, `unterminated string`},
		{`[` + "\x01" + `]`, "", 1, `expected a JSON value, found byte 0x01`},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), "", 64, `nesting deeper than 64 levels`},
	}
	for _, tc := range tests {
		p := Scanner{Text: tc.in, End: tc.end, MaxDepth: 64}
		err := p.Skip(0)
		var e *SyntaxError
		if !errors.As(err, &e) || e.Offset != tc.off || e.Msg != tc.msg {
			t.Errorf("%q: %v; want %q at byte %d", tc.in, err, tc.msg, tc.off)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"42", 42, true}, {"-17", -17, true},
		{"9223372036854775807", math.MaxInt64, true}, {"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"1.0", 0, false}, {"1e2", 0, false}, {"123456789012345678", 123456789012345678, true},
	}
	for _, tc := range tests {
		p := Scanner{Text: tc.in + ","}
		got, err := p.Int()
		if (err == nil) != tc.ok || got != tc.want || (tc.ok && p.Peek() != ',') {
			t.Errorf("Int(%q) = %d, %v at %d", tc.in, got, err, p.Pos)
		}
	}
}

func TestParseFloat(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "0.1", "-12.75", "123456789012345", "1234567890123456789", "3.14159e2", "1e-400", "5e-324"} {
		got, err := ParseFloat(s)
		var want float64
		if werr := json.Unmarshal([]byte(s), &want); werr != nil || err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("ParseFloat(%q) = %v, %v; encoding/json %v", s, got, err, want)
		}
	}
	if f, err := ParseFloat("-1e400"); err == nil || !math.IsInf(f, -1) {
		t.Errorf("ParseFloat(-1e400) = %v, %v", f, err)
	}
}

func TestAppendCompact(t *testing.T) {
	in := " { \"a b\" : [ 1 , \"x\\\" y\" ] }\n"
	if got := string(AppendCompact(nil, in)); got != `{"a b":[1,"x\" y"]}` {
		t.Errorf("AppendCompact = %q", got)
	}
}

func TestPosition(t *testing.T) {
	for _, tc := range []struct{ off, line, col int }{{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {99, 2, 3}} {
		if l, c := Position("ab\ncd", tc.off); l != tc.line || c != tc.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
}

func TestUnicodeEscape(t *testing.T) {
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
		r, n, ok, lone := unicodeEscape(tc.in)
		if r != tc.r || n != tc.n || ok != tc.ok || lone != tc.lone {
			t.Errorf("unicodeEscape(%q) = %q %d %v %v, want %q %d %v %v", tc.in, r, n, ok, lone, tc.r, tc.n, tc.ok, tc.lone)
		}
	}
}
