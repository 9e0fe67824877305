package htmlwrite

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HTML is markup known to be safe in element content: it is written as is.
type HTML string

// Writer writes a page to an io.Writer.
type Writer struct {
	w   io.Writer
	err error
	// scratch is reused to format numbers without allocating.
	scratch []byte
}

// New returns a Writer that writes to w. Wrap w in a bufio.Writer (and
// flush it) when it is unbuffered: the page is written in many small pieces.
// WritePage does both.
func New(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WritePage writes a page to w: page writes it through a Writer, buffered,
// and WritePage returns the first error of a write or of the final flush.
func WritePage(w io.Writer, page func(*Writer)) error {
	bw := bufio.NewWriter(w)
	hw := New(bw)
	page(hw)
	if hw.err != nil {
		return hw.err
	}
	return bw.Flush()
}

// Err is the first error a write returned, nil when none did.
func (w *Writer) Err() error { return w.err }

func (w *Writer) write(s string) {
	if w.err != nil || s == "" {
		return
	}
	_, w.err = io.WriteString(w.w, s)
}

// Markup writes markup of ours: a constant of the page, never user data.
func (w *Writer) Markup(s string) { w.write(s) }

// Fill writes markup of ours with each {} in it replaced by the next of
// values, escaped as Text: w.Fill("<dt>{}</dt><dd>{}</dd>", name, value).
// It panics when markup has more or fewer {} than there are values, a
// mistake in the page's code.
func (w *Writer) Fill(markup string, values ...string) {
	for _, v := range values {
		i := strings.Index(markup, "{}")
		if i < 0 {
			panic(fmt.Sprintf("htmlwrite: Fill: %d values for %q", len(values), markup))
		}
		w.write(markup[:i])
		w.Text(v)
		markup = markup[i+2:]
	}
	if strings.Contains(markup, "{}") {
		panic(fmt.Sprintf("htmlwrite: Fill: too few values (%d) for the markup", len(values)))
	}
	w.write(markup)
}

// HTML writes trusted markup (see HTML).
func (w *Writer) HTML(h HTML) { w.write(string(h)) }

// Text writes s escaped for element content, RCDATA or a double-quoted
// attribute value.
func (w *Writer) Text(s string) {
	if w.err != nil {
		return
	}
	written := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if repl := textReplacement[c]; repl != "" {
				w.write(s[written:i])
				w.write(repl)
				written = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			w.write(s[written:i])
			w.write(replacementChar)
			written = i + 1
		}
		i += size
	}
	w.write(s[written:])
}

// replacementChar stands in for NUL and for bytes that are not UTF-8.
const replacementChar = "\uFFFD"

// textReplacement are the ASCII bytes Text escapes; the others are written
// as they are. + is escaped, as html/template does, so that a page read as
// UTF-7 by a confused browser cannot open a tag.
var textReplacement = [utf8.RuneSelf]string{
	0:    replacementChar,
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// EscapeText returns s escaped as Text writes it, for markup built in a
// string (an SVG fragment).
func EscapeText(s string) string {
	var b stringWriter
	tw := Writer{w: &b}
	tw.Text(s)
	return string(b)
}

type stringWriter []byte

func (b *stringWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}

func (b *stringWriter) WriteString(s string) (int, error) {
	*b = append(*b, s...)
	return len(s), nil
}

// URLPart writes s percent-encoded for a part of a URL in a quoted
// attribute: a fragment or a query value. Only the RFC 3986 unreserved
// bytes (letters, digits, - . _ ~) are written as they are.
func (w *Writer) URLPart(s string) {
	if w.err != nil {
		return
	}
	const hex = "0123456789abcdef"
	written := 0
	for i := 0; i < len(s); i++ {
		if unreserved(s[i]) {
			continue
		}
		w.write(s[written:i])
		w.write(string([]byte{'%', hex[s[i]>>4], hex[s[i]&0xF]}))
		written = i + 1
	}
	w.write(s[written:])
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// unsafeValue stands in for a URL or CSS value that is refused: it is
// html/template's, so that a refused value reads the same in every page.
const unsafeValue = "ZgotmplZ"

// URL writes s as a whole URL in a quoted attribute (href="..."). A URL with
// a scheme other than http, https or mailto (javascript:, data:) is written
// as "#ZgotmplZ", a link to nowhere; the others are normalised (bytes that
// may not appear in a URL are percent-encoded, the reserved ones and valid
// %XX escapes are kept) and escaped as Text, as html/template does.
func (w *Writer) URL(s string) {
	if !safeScheme(s) {
		w.write("#" + unsafeValue)
		return
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c) || strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
		written = i + 1
	}
	b.WriteString(s[written:])
	w.Text(b.String())
}

// safeScheme reports whether s has no scheme (a relative URL) or one of
// http, https and mailto.
func safeScheme(s string) bool {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(scheme, "/") {
		return true
	}
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Color writes a CSS colour in a style attribute (style="background: ...").
// Only hex colours (#rgb, #rgba, #rrggbb, #rrggbbaa) and colour names (a
// run of ASCII letters) are written; anything else is written as ZgotmplZ,
// which the browser drops as an invalid value.
func (w *Writer) Color(c string) {
	if !cssColor(c) {
		w.write(unsafeValue)
		return
	}
	w.write(c)
}

func cssColor(c string) bool {
	if hex, ok := strings.CutPrefix(c, "#"); ok {
		switch len(hex) {
		case 3, 4, 6, 8:
		default:
			return false
		}
		for i := 0; i < len(hex); i++ {
			if !isHex(hex[i]) {
				return false
			}
		}
		return true
	}
	if c == "" {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !('a' <= c[i] && c[i] <= 'z' || 'A' <= c[i] && c[i] <= 'Z') {
			return false
		}
	}
	return true
}

// Number writes v with the given number of decimals ("12.50"). NaN and the
// infinities are written as 0: they are not numbers in CSS.
func (w *Writer) Number(v float64, decimals int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	w.scratch = strconv.AppendFloat(w.scratch[:0], v, 'f', decimals, 64)
	w.write(string(w.scratch))
}

// Int writes n in decimal.
func (w *Writer) Int(n int) {
	w.scratch = strconv.AppendInt(w.scratch[:0], int64(n), 10)
	w.write(string(w.scratch))
}
