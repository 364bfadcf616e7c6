package relay

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	stdhtml "html"
	"slices"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"
)

// inlineHashes are the CSP source expressions ('sha256-…') for the inline
// <style> elements and the inline executable <script> elements of a
// rendered page. Data blocks such as <script type="application/ld+json">
// are not executed, so CSP does not apply to them and they get no hash.
// styleAttrs are the hashes of style="…" attribute values: CSP allows
// those only with 'unsafe-hashes', which still admits nothing but these
// exact values (unlike 'unsafe-inline').
type inlineHashes struct {
	styles, scripts, styleAttrs []string
}

// findInline scans page (HTML) for inline styles and scripts.
func findInline(page []byte) inlineHashes {
	var h inlineHashes
	l := html.NewLexer(parse.NewInputBytes(page))
	var tag string // the open raw-text element: "style", "script" or ""
	var scriptType string
	for {
		tt, data := l.Next()
		switch tt {
		case html.ErrorToken:
			h.styles = uniqueSorted(h.styles)
			h.scripts = uniqueSorted(h.scripts)
			h.styleAttrs = uniqueSorted(h.styleAttrs)
			return h
		case html.StartTagToken:
			tag = strings.ToLower(string(l.Text()))
			scriptType = ""
		case html.AttributeToken:
			key := strings.ToLower(string(l.AttrKey()))
			if key == "style" {
				h.styleAttrs = append(h.styleAttrs, cspHash([]byte(stdhtml.UnescapeString(unquote(l.AttrVal())))))
			}
			if tag == "script" && key == "type" {
				scriptType = strings.ToLower(strings.TrimSpace(unquote(l.AttrVal())))
			}
		case html.StartTagVoidToken:
			tag = ""
		case html.TextToken:
			switch {
			case tag == "style":
				h.styles = append(h.styles, cspHash(data))
			case tag == "script" && executable(scriptType):
				h.scripts = append(h.scripts, cspHash(data))
			}
		case html.EndTagToken:
			tag = ""
		}
	}
}

func unquote(v []byte) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return string(v)
}

// executable reports whether a <script type> is run by browsers (and is
// therefore subject to script-src).
func executable(typ string) bool {
	typ, _, _ = strings.Cut(typ, ";")
	switch strings.TrimSpace(typ) {
	case "", "module", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript":
		return true
	}
	return false
}

// cspHash is the CSP hash source for an inline element's text.
func cspHash(text []byte) string {
	sum := sha256.Sum256(text)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func uniqueSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// buildCSP returns the Content-Security-Policy for pages rendered with a
// layout whose inline elements are h. The built-in layout's style is
// always allowed, because the relay falls back to it when the site's
// layout fails to render.
func buildCSP(h inlineHashes) string {
	styles := uniqueSorted(append(slices.Clone(h.styles), builtinInline.styles...))
	var b bytes.Buffer
	b.WriteString("default-src 'self'; style-src 'self'")
	for _, s := range styles {
		b.WriteString(" " + s)
	}
	if len(h.styleAttrs) > 0 {
		b.WriteString(" 'unsafe-hashes'")
		for _, s := range h.styleAttrs {
			b.WriteString(" " + s)
		}
	}
	b.WriteString("; img-src 'self' data:; script-src 'self'")
	for _, s := range h.scripts {
		b.WriteString(" " + s)
	}
	b.WriteString("; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	return b.String()
}
