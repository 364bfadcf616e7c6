// Package markdown renders the Markdown body of a torg page to HTML.
//
// It wraps goldmark with the extensions a municipal site needs (GitHub
// Flavored Markdown, footnotes, definition lists, Swedish typography,
// heading attributes and a trailing {lang=xx} on paragraphs) and works in
// two steps, so that the build can learn about every page before it writes
// any of them:
//
//   - Parse reads a body once and reports what the build needs to know about
//     it before rendering: headings with stable, readable IDs, a plain-text
//     summary, a word count and every link and image destination with its
//     position in the source file. Problems an editor should fix (images
//     without alt text, links without text, skipped heading levels) come
//     back as warnings that point at a line and column of the file.
//   - Render writes the HTML, passing every relative link destination
//     through a LinkResolver so that links between Markdown files become
//     links between pages, and a broken link becomes an error diagnostic at
//     its position.
//
// Raw HTML in Markdown is escaped by default: it is shown as text on the page
// instead of being passed through or silently dropped. Pages are written by
// many editors, and passing HTML through would let any of them break the
// page's structure, its accessibility or its content security policy (and
// paste scripts or tracking pixels from elsewhere); dropping it would make
// content vanish without anyone noticing. Visible markup is noticed and
// fixed. HTML comments are the exception: they are invisible in a browser
// anyway, so they are left out rather than shown. Sites that need raw HTML
// set Options.Unsafe. Even then, link and image destinations with dangerous
// schemes (javascript:, vbscript:, file:, data: other than images) are
// never written.
//
// A Renderer is safe for concurrent use. Render only reads a Document, so a
// Document may be rendered any number of times, from any goroutine.
package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// Options configure a Renderer.
type Options struct {
	// Unsafe lets raw HTML through. By default raw HTML is escaped, that is
	// shown as text, not dropped.
	Unsafe bool
	// Lang selects the typographer's quotation marks: "sv" (the default,
	// also used for any language other than English) gives ”…” and ’;
	// "en" (or "en-GB" and the like) gives “…” and ‘…’.
	Lang string
}

// Renderer parses and renders Markdown bodies. It is built once and shared
// by all goroutines: its goldmark instance is built in New and never
// changed afterwards.
type Renderer struct {
	opts Options
	md   goldmark.Markdown
}

// New returns a Renderer configured by opts.
func New(opts Options) *Renderer {
	transformers := []util.PrioritizedValue{
		util.Prioritized(headingIDTransformer{}, 100),
		util.Prioritized(langBlockTransformer{}, 101),
	}
	if !isEnglish(opts.Lang) {
		transformers = append(transformers, util.Prioritized(svQuoteTransformer{}, 90))
	}
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.DefinitionList,
			extension.NewTypographer(extension.WithTypographicSubstitutions(substitutions(opts.Lang))),
		),
		goldmark.WithParserOptions(
			parser.WithAttribute(),
			parser.WithParagraphTransformers(util.Prioritized(langTransformer{}, 300)),
			parser.WithASTTransformers(transformers...),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(&nodeRenderer{unsafe: opts.Unsafe, lang: labelLang(opts.Lang)}, 100)),
		),
	)
	return &Renderer{opts: opts, md: md}
}

// substitutions returns the typographer's replacements for lang, as
// characters rather than entities so that plain text (summaries, heading
// texts) needs no unescaping.
func substitutions(lang string) map[extension.TypographicPunctuation]string {
	s := map[extension.TypographicPunctuation]string{
		extension.LeftDoubleQuote:  "”",
		extension.RightDoubleQuote: "”",
		extension.LeftSingleQuote:  "’",
		extension.RightSingleQuote: "’",
		extension.Apostrophe:       "’",
		extension.EnDash:           "–",
		extension.EmDash:           "—",
		extension.Ellipsis:         "…",
		extension.LeftAngleQuote:   "«",
		extension.RightAngleQuote:  "»",
	}
	if isEnglish(lang) {
		s[extension.LeftDoubleQuote] = "“"
		s[extension.LeftSingleQuote] = "‘"
	}
	return s
}

// isEnglish reports whether lang selects English typography.
func isEnglish(lang string) bool {
	l := strings.ToLower(lang)
	return l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}

// Document is a parsed Markdown body, before links are resolved. Render may
// be called on it any number of times; it does not change the Document.
type Document struct {
	// File is the source path relative to the site source
	// ("content/tjanster/bygglov.md"), used in diagnostics.
	File string
	// Headings lists the body's headings in order, with their IDs, levels,
	// plain text and source lines.
	Headings []content.Heading
	// Summary is the first paragraph as plain text, trimmed to about 300
	// characters at a word boundary ("…" marks a cut).
	Summary string
	// WordCount counts the words of the body's visible text.
	WordCount int
	// Links lists every link and image destination in the body, in source
	// order, with its position in the file.
	Links []Link

	src   []byte
	root  ast.Node
	lines lineIndex
	refs  []linkRef // Links with their nodes; private so callers can't break Render
}

// Link is one link or image destination found in a body.
type Link struct {
	// Dest is the destination as written (after Markdown unescaping), e.g.
	// "../tjanster/bygglov.md#avgifter".
	Dest string
	// Line and Col are the 1-based position of the link in the file
	// (the "[" of a link, the "!" of an image); Col counts runes.
	Line, Col int
	// Image is true for images.
	Image bool
}

type linkRef struct {
	node ast.Node
	link Link
}

// Parse parses body. bodyLine is the line of the file on which body starts
// (front matter counted), so that every reported line is a line of the
// file. Markdown itself never fails to parse; the diagnostics returned are
// warnings for things an editor should fix:
//
//   - an image without alt text ("image has no alt text: ...")
//   - a link with empty text ("link has no text: ...")
//   - a heading level that skips one (h2 followed by h4)
//   - a heading ID used twice
//   - raw HTML that will be shown as text (unless Options.Unsafe)
//
// body must not be modified while the Document is in use. Should goldmark
// panic on some input, Parse recovers and reports an error diagnostic, and
// the Document renders as nothing.
func (r *Renderer) Parse(file string, body []byte, bodyLine int) (doc *Document, diags []*diag.Diagnostic) {
	if bodyLine < 1 {
		bodyLine = 1
	}
	doc = &Document{File: file, src: body, lines: newLineIndex(body, bodyLine)}
	defer func() {
		if v := recover(); v != nil {
			doc.root = nil
			doc.Headings, doc.Links, doc.refs = nil, nil, nil
			diags = append(diags, &diag.Diagnostic{File: file, Line: bodyLine, Severity: diag.Error,
				Msg: fmt.Sprintf("internal error parsing Markdown: %v", v)})
		}
	}()
	pc := parser.NewContext(parser.WithIDs(newSlugIDs()))
	doc.root = r.md.Parser().Parse(text.NewReader(body), parser.WithContext(pc))
	diags = doc.inspect(r.opts.Unsafe)
	return doc, diags
}

// LinkResolver maps a link destination to the URL to write. Render calls it
// for every link and image destination that is relative (no scheme such as
// "https:", "mailto:" or "tel:", and not starting with "/" or "//"),
// including pure fragments ("#steg-2"). It returns the new destination, or
// an error that Render reports as an error diagnostic at the link's
// file:line:col (the destination is then written unchanged).
type LinkResolver func(dest string) (string, error)

// Render resolves links through resolve (nil: leave them as they are) and
// renders doc as HTML. External links never get a target attribute; images
// get loading="lazy" and decoding="async".
func (r *Renderer) Render(doc *Document, resolve LinkResolver) (html []byte, diags []*diag.Diagnostic) {
	if doc == nil || doc.root == nil {
		return nil, nil
	}
	defer func() {
		if v := recover(); v != nil {
			html = nil
			diags = append(diags, &diag.Diagnostic{File: doc.File, Line: doc.lines.base, Severity: diag.Error,
				Msg: fmt.Sprintf("internal error rendering Markdown: %v", v)})
		}
	}()
	w := &renderWriter{}
	w.Grow(len(doc.src) + len(doc.src)/4 + 64)
	if resolve != nil {
		for _, ref := range doc.refs {
			dest := ref.link.Dest
			if !isRelative(dest) {
				continue
			}
			out, err := resolve(dest)
			if err != nil {
				diags = append(diags, &diag.Diagnostic{File: doc.File, Line: ref.link.Line, Col: ref.link.Col,
					Severity: diag.Error, Msg: err.Error(), Err: err})
				continue
			}
			if out != dest {
				if w.dests == nil {
					w.dests = make(map[ast.Node][]byte)
				}
				w.dests[ref.node] = []byte(out)
			}
		}
	}
	if err := r.md.Renderer().Render(w, doc.src, doc.root); err != nil {
		diags = append(diags, &diag.Diagnostic{File: doc.File, Severity: diag.Error, Msg: "rendering Markdown: " + err.Error(), Err: err})
	}
	return w.Bytes(), diags
}

// isRelative reports whether a destination is resolved through the
// LinkResolver: not empty, no scheme, not an absolute path.
func isRelative(dest string) bool {
	if dest == "" || dest[0] == '/' || dest[0] == '\\' {
		return false
	}
	return !hasScheme(dest)
}

// hasScheme reports whether s starts with a URL scheme ("https:",
// "mailto:", "tel:") as RFC 3986 defines it.
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// renderWriter is the util.BufWriter goldmark renders into. It carries the
// per-call state (resolved destinations) to the node renderers, so that the
// shared goldmark renderer needs no state of its own and the AST is never
// changed by Render.
type renderWriter struct {
	bytes.Buffer
	dests map[ast.Node][]byte
}

func (w *renderWriter) Buffered() int { return w.Len() }
func (w *renderWriter) Flush() error  { return nil }

var _ util.BufWriter = (*renderWriter)(nil)

// labelLang picks the language of the labels the renderer writes itself.
func labelLang(lang string) string {
	if lang == "en" || strings.HasPrefix(lang, "en-") {
		return "en"
	}
	return "sv"
}
