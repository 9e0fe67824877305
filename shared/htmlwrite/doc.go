// Package htmlwrite writes HTML pages from Go code: markup of ours is
// written as is, and every value is escaped for the one place in the markup
// it goes to.
//
// It replaces html/template for the pages modelwatch renders (the drift
// report and the demo dashboard). A page is a plain function that calls the
// Writer in document order, so the Go linker sees every method that is
// called: html/template's text/template engine calls methods by name
// through reflection, which makes the linker keep every exported method of
// every type a program reaches and roughly doubled the drift function's
// bootstrap.
//
// The contexts, and what each escapes:
//
//   - Text, and the values of Fill: element content, RCDATA (<title>,
//     <textarea>) and double-quoted attribute values. & < > " ' and +
//     become character references, NUL and invalid UTF-8 become U+FFFD:
//     the same bytes as html/template's escaper for these contexts, so a
//     page moved from a template renders identically.
//   - URLPart: a value inside a quoted URL attribute after the scheme, host
//     and path of ours (a fragment or a query value, href="#{id}"): every
//     byte but the RFC 3986 unreserved ones is percent-encoded, so it can
//     neither end the attribute nor change the URL's scheme.
//   - URL: a whole URL in a quoted attribute (href="{url}"): only
//     relative URLs and the http, https and mailto schemes pass, normalised
//     and escaped as html/template does.
//   - Number: a finite float in CSS or an attribute (style="width: 12.50%").
//   - Color: a hex colour or a colour name in a style attribute.
//
// Markup writes a constant of the page; Fill writes one with {} where the
// values go, each escaped as Text, so that a row of a table is one line:
//
//	w.Fill(`<tr><td>{}</td><td class="num">{}</td></tr>`, name, count)
//
// WritePage buffers a page, writes it and returns the first error.
//
// Trusted markup that is not a constant (an SVG drawn by shared/chart, which
// escapes its own text) is an HTML value; converting a string to HTML is a
// promise that it is safe, made where the string is built.
//
// Nothing here handles <script> or <style> bodies, unquoted attributes or
// event-handler attributes: the pages have no script, and their CSS is
// constant.
//
// Errors are sticky, as with bufio.Writer: after the first failed write
// nothing more is written and Err returns it.
package htmlwrite
