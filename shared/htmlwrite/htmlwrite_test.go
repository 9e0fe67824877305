package htmlwrite

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func render(f func(w *Writer)) string {
	var b bytes.Buffer
	w := New(&b)
	f(w)
	if err := w.Err(); err != nil {
		panic(err)
	}
	return b.String()
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text, 1.5%", "plain text, 1.5%"},
		{"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
		{`a "quoted" & 'single'`, "a &#34;quoted&#34; &amp; &#39;single&#39;"},
		{"+1.5%", "&#43;1.5%"},
		{"nul\x00byte", "nul\uFFFDbyte"},
		{"bad \xff utf-8 \xe2\x82", "bad \uFFFD utf-8 \uFFFD\uFFFD"},
		{"non-ASCII é → ≤ 𝄞", "non-ASCII é → ≤ 𝄞"},
		{"&amp; is escaped again", "&amp;amp; is escaped again"},
	} {
		if got := render(func(w *Writer) { w.Text(tc.in) }); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := EscapeText(tc.in); got != tc.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestURLPart(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"f12", "f12"},
		{"prediction-confidence", "prediction-confidence"},
		{"a.b_c~d", "a.b_c~d"},
		{`x" onmouseover="alert(1)`, "x%22%20onmouseover%3d%22alert%281%29"},
		{"javascript:alert(1)", "javascript%3aalert%281%29"},
		{"#?&=/+", "%23%3f%26%3d%2f%2b"},
		{"é", "%c3%a9"},
	} {
		if got := render(func(w *Writer) { w.URLPart(tc.in) }); got != tc.want {
			t.Errorf("URLPart(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bucket/reports/model=credit/dt=2026-03-02/hour=05.html", "bucket/reports/model=credit/dt=2026-03-02/hour=05.html"},
		{"https://example.com/a?b=1&c=2#d", "https://example.com/a?b=1&amp;c=2#d"},
		{"HTTP://EXAMPLE.COM/", "HTTP://EXAMPLE.COM/"},
		{"mailto:ops@example.com", "mailto:ops@example.com"},
		{"javascript:alert(1)", "#ZgotmplZ"},
		{" JavaScript:alert(1)", "#ZgotmplZ"},
		{"data:text/html,<script>", "#ZgotmplZ"},
		{"a/b:c", "a/b:c"},
		{`x" onclick="y`, "x%22%20onclick=%22y"},
		{"100%25 and 100%", "100%25%20and%20100%25"},
		{"a+b", "a&#43;b"},
		{"é", "%c3%a9"},
	} {
		if got := render(func(w *Writer) { w.URL(tc.in) }); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestColor(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"#2563eb", "#2563eb"},
		{"#FFF", "#FFF"},
		{"#0000ff80", "#0000ff80"},
		{"red", "red"},
		{"", "ZgotmplZ"},
		{"#12345", "ZgotmplZ"},
		{"#12345g", "ZgotmplZ"},
		{"red;background:url(x)", "ZgotmplZ"},
		{`red" onmouseover="x`, "ZgotmplZ"},
		{"expression(alert(1))", "ZgotmplZ"},
	} {
		if got := render(func(w *Writer) { w.Color(tc.in) }); got != tc.want {
			t.Errorf("Color(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		want string
	}{
		{12.5, 2, "12.50"},
		{0, 2, "0.00"},
		{100, 0, "100"},
		{-3.14159, 3, "-3.142"},
		{math.NaN(), 2, "0.00"},
		{math.Inf(1), 2, "0.00"},
		{math.Inf(-1), 1, "0.0"},
	} {
		if got := render(func(w *Writer) { w.Number(tc.v, tc.dec) }); got != tc.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {42, "42"}, {-7, "-7"}} {
		if got := render(func(w *Writer) { w.Int(tc.n) }); got != tc.want {
			t.Errorf("Int(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		markup string
		values []string
		want   string
	}{
		{"<p>constant</p>", nil, "<p>constant</p>"},
		{"<dt>{}</dt><dd>{}</dd>", []string{"a<b", `"c" & +d`}, "<dt>a&lt;b</dt><dd>&#34;c&#34; &amp; &#43;d</dd>"},
		{`<a class="{}">{}{}</a>`, []string{"x", "", "y"}, `<a class="x">y</a>`},
		{"{}", []string{"{}"}, "{}"},
	} {
		if got := render(func(w *Writer) { w.Fill(tc.markup, tc.values...) }); got != tc.want {
			t.Errorf("Fill(%q, %q) = %q, want %q", tc.markup, tc.values, got, tc.want)
		}
	}
	for _, tc := range []struct {
		markup string
		values []string
	}{
		{"<p>{}</p>", nil},
		{"<p>{}</p>", []string{"a", "b"}},
		{"<p></p>", []string{"a"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Fill(%q, %q) did not panic", tc.markup, tc.values)
				}
			}()
			render(func(w *Writer) { w.Fill(tc.markup, tc.values...) })
		}()
	}
}

func TestWritePage(t *testing.T) {
	var b bytes.Buffer
	if err := WritePage(&b, func(w *Writer) { w.Fill("<p>{}</p>", "a&b") }); err != nil || b.String() != "<p>a&amp;b</p>" {
		t.Errorf("WritePage wrote %q, %v", b.String(), err)
	}
	// The buffer holds a short page until the flush, which fails.
	if err := WritePage(&failingWriter{n: 2}, func(w *Writer) { w.Markup("<p>x</p>") }); !errors.Is(err, errFull) {
		t.Errorf("WritePage on a failing writer: %v, want %v", err, errFull)
	}
	// A long page fails while it is written.
	long := strings.Repeat("x", 10000)
	if err := WritePage(&failingWriter{n: 2}, func(w *Writer) { w.Text(long) }); !errors.Is(err, errFull) {
		t.Errorf("WritePage of a long page on a failing writer: %v, want %v", err, errFull)
	}
}

func TestMarkupAndHTMLAreWrittenAsIs(t *testing.T) {
	got := render(func(w *Writer) {
		w.Markup(`<p class="x">`)
		w.HTML(`<svg><text>a &amp; b</text></svg>`)
		w.Markup("</p>")
	})
	if want := `<p class="x"><svg><text>a &amp; b</text></svg></p>`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

var errFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestErrorsAreSticky(t *testing.T) {
	fw := &failingWriter{n: 5}
	w := New(fw)
	w.Markup("<p>")
	w.Text("more than two bytes")
	w.Markup("</p>")
	w.Int(3)
	w.Number(1, 1)
	w.URLPart("x y")
	if !errors.Is(w.Err(), errFull) {
		t.Fatalf("Err() = %v, want %v", w.Err(), errFull)
	}
	if fw.n != 0 {
		t.Errorf("the writer was written to after it failed")
	}
}

// templateEscape is what html/template writes for s in element text, in a
// URL fragment, as a whole URL and as a CSS value: the escaping Text,
// URLPart, URL and Color keep, byte for byte.
var templateEscape = template.Must(template.New("").Parse(
	`<p title="{{.}}">{{.}}</p><a href="#{{.}}"><a href="{{.}}"><i style="background:{{.}}">`))

// FuzzText checks Text, URLPart, URL and Color against html/template, and
// that the output of Text and URLPart cannot leave its context.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a", "<script>", `"'&+<>`, "\x00", "é→", "\xff", "javascript:x", "a b#c?d=e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		text := render(func(w *Writer) { w.Text(s) })
		url := render(func(w *Writer) { w.URLPart(s) })
		if strings.ContainsAny(text, `<>"'+`) || strings.ContainsRune(text, 0) {
			t.Fatalf("Text(%q) = %q leaves its context", s, text)
		}
		if !utf8.ValidString(text) {
			t.Fatalf("Text(%q) = %q is not UTF-8", s, text)
		}
		if want := strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD"); html.UnescapeString(text) != want &&
			utf8.ValidString(s) {
			t.Fatalf("Text(%q) = %q reads back as %q, want %q", s, text, html.UnescapeString(text), want)
		}
		for i := 0; i < len(url); i++ {
			if c := url[i]; !unreserved(c) && c != '%' {
				t.Fatalf("URLPart(%q) = %q has %q", s, url, c)
			}
		}
		if !utf8.ValidString(s) {
			return // html/template writes invalid UTF-8 through; Text does not
		}
		var b bytes.Buffer
		if err := templateEscape.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		fullURL := render(func(w *Writer) { w.URL(s) })
		got := `<p title="` + text + `">` + text + `</p><a href="#` + url + `"><a href="` + fullURL + `">`
		want, css, _ := strings.Cut(b.String(), `<i style="background:`)
		if got != want {
			t.Fatalf("html/template wrote %q, the Writer %q", want, got)
		}
		if color := render(func(w *Writer) { w.Color(s) }); color != "ZgotmplZ" && color+`">` != css {
			t.Fatalf("Color(%q) = %q, html/template wrote %q", s, color, css)
		}
	})
}
