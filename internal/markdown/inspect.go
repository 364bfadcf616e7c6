package markdown

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// summaryLen is the length, in characters, Summary is trimmed to.
const summaryLen = 300

// Rule ids of the warnings Parse returns, so that a content checker with
// its own (Swedish, more detailed) rules for the same problems can drop
// these instead of reporting each problem twice.
const (
	RuleHeadingSkip = "md-heading-skip"
	RuleLinkNoText  = "md-link-no-text"
	RuleImageNoAlt  = "md-image-no-alt"
)

// inspect fills in the Document's headings, links, summary and word count
// from its AST and returns the warnings found on the way.
func (d *Document) inspect(unsafe bool) []*diag.Diagnostic {
	var diags []*diag.Diagnostic
	warnRule := func(rule string, off int, format string, args ...any) {
		line, col := d.lines.pos(off)
		w := diag.Warnf(d.File, line, col, format, args...)
		w.Rule = rule
		diags = append(diags, w)
	}
	warn := func(off int, format string, args ...any) { warnRule("", off, format, args...) }
	src := d.src
	prevLevel := 1 // the page title, which the layout renders as h1
	seenIDs := map[string]bool{}
	var summary string
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			off := blockStart(n)
			line, _ := d.lines.pos(off)
			txt := plainText(n, src, true)
			id := ""
			if v, ok := n.AttributeString("id"); ok {
				id = attrString(v)
			}
			d.Headings = append(d.Headings, content.Heading{Level: n.Level, ID: id, Text: txt, Line: line})
			if n.Level > prevLevel+1 {
				what := ""
				if len(d.Headings) == 1 {
					what = " (the page title)"
				}
				warnRule(RuleHeadingSkip, off, "heading level skips from h%d%s to h%d: %q", prevLevel, what, n.Level, txt)
			}
			prevLevel = n.Level
			if seenIDs[id] {
				warn(off, "heading id %q is used more than once", id)
			}
			seenIDs[id] = true
		case *ast.Paragraph:
			if summary == "" && n.Parent() != nil && n.Parent().Kind() == ast.KindDocument {
				summary = plainText(n, src, false)
			}
		case *ast.Link:
			off, dest := inlineStart(n), unescape(n.Destination)
			d.addLink(n, dest, off, false)
			if plainText(n, src, true) == "" {
				warnRule(RuleLinkNoText, off, "link has no text: %s", dest)
			}
		case *ast.Image:
			off, dest := inlineStart(n), unescape(n.Destination)
			d.addLink(n, dest, off, true)
			if plainText(n, src, true) == "" {
				warnRule(RuleImageNoAlt, off, "image has no alt text: %s", dest)
			}
		case *ast.AutoLink:
			dest := string(n.URL(src))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
				dest = "mailto:" + dest
			}
			d.addLink(n, dest, inlineStart(n), false)
		case *ast.RawHTML:
			if !unsafe && !isComment(rawHTML(n, src)) {
				warn(inlineStart(n), "raw HTML is shown as text, not used: %s", snippet(rawHTML(n, src)))
			}
		case *ast.HTMLBlock:
			if !unsafe && !isComment(htmlBlock(n, src)) {
				warn(blockStart(n), "raw HTML is shown as text, not used: %s", snippet(htmlBlock(n, src)))
			}
		}
		return ast.WalkContinue, nil
	})
	if summary == "" {
		// No top-level paragraph: take the first one anywhere (a list's,
		// which is a TextBlock in a tight list).
		_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			if k := n.Kind(); k == ast.KindParagraph || k == ast.KindTextBlock {
				if summary = plainText(n, src, false); summary != "" {
					return ast.WalkStop, nil
				}
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
	}
	d.Summary = trimSummary(summary, summaryLen)
	d.WordCount = countWords(plainText(d.root, src, false))
	return diags
}

func (d *Document) addLink(n ast.Node, dest string, off int, image bool) {
	line, col := d.lines.pos(off)
	l := Link{Dest: dest, Line: line, Col: col, Image: image}
	d.Links = append(d.Links, l)
	d.refs = append(d.refs, linkRef{node: n, link: l})
}

// blockStart returns the source offset of a block node.
func blockStart(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	return 0
}

// inlineStart returns the source offset of an inline node. goldmark sets
// Pos on links and images (at "[" and "!["); when it does not, the first
// Text descendant's segment is used, else the enclosing block's first line.
func inlineStart(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	var off = -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if off >= 0 {
		return off
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock {
			return blockStart(p)
		}
	}
	return 0
}

// plainText returns the text of n without markup: entities and escapes
// resolved, line breaks as spaces, blocks separated by a space, raw HTML
// and footnote markers left out. alt includes images' alt text.
func plainText(n ast.Node, src []byte, alt bool) string {
	var b strings.Builder
	writePlain(&b, n, src, alt)
	return strings.TrimSpace(b.String())
}

func writePlain(b *strings.Builder, n ast.Node, src []byte, alt bool) {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Segment.Value(src)
		if !n.IsRaw() {
			v = unescapeBytes(v)
		}
		b.Write(v)
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
		return
	case *ast.String:
		b.Write(n.Value)
		return
	case *ast.AutoLink:
		b.Write(n.Label(src))
		return
	case *ast.RawHTML, *ast.HTMLBlock, *east.FootnoteLink, *east.FootnoteBacklink, *east.TaskCheckBox:
		return
	case *ast.Image:
		if !alt {
			return
		}
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		b.WriteByte(' ')
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writePlain(b, c, src, alt)
	}
	if n.Type() == ast.TypeBlock {
		b.WriteByte(' ')
	}
}

// unescapeBytes resolves Markdown backslash escapes and HTML entities.
func unescapeBytes(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// unescape returns a link destination as the author meant it.
func unescape(v []byte) string { return string(unescapeBytes(v)) }

// trimSummary collapses whitespace in s and cuts it at a word boundary to
// at most max characters, ending a cut text with "…".
func trimSummary(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n, cut, hard := 0, 0, len(s)
	for i, r := range s {
		if r == ' ' {
			cut = i
		}
		if n == max-1 {
			hard = i
			break
		}
		n++
	}
	if cut == 0 {
		// One very long word: cut it.
		cut = hard
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' || r == '–' || r == '-'
	}) + "…"
}

// countWords counts the runs of non-space characters that hold a letter or
// a digit (so "–" and "•" are not words).
func countWords(s string) int {
	// A word is a run of non-space runes holding a letter or digit; counted
	// in one pass without splitting, since this runs on every page.
	n := 0
	counted := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			counted = false
			continue
		}
		if !counted && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			n++
			counted = true
		}
	}
	return n
}

func rawHTML(n *ast.RawHTML, src []byte) string {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

func htmlBlock(n *ast.HTMLBlock, src []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(src))
	}
	return b.String()
}

// isComment reports whether raw HTML is exactly one HTML comment.
func isComment(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "<!--") && strings.Index(s[4:], "-->") == len(s)-7
}

// snippet shortens raw HTML for a message: its first line, at most 60
// characters.
func snippet(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:59]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// lineIndex turns byte offsets in a body into lines and columns of the file.
// It is used only while parsing, by one goroutine.
type lineIndex struct {
	src    []byte
	starts []int // offset of each line's first byte
	base   int   // the file line of the body's first line

	// The last position computed: positions are mostly asked for in
	// source order, so runes are counted from there rather than from the
	// start of a long line each time.
	lastOff, lastLine, lastCol int
}

func newLineIndex(src []byte, base int) lineIndex {
	starts := make([]int, 1, 64)
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{src: src, starts: starts, base: base, lastOff: -1}
}

// pos returns the 1-based file line and rune column of offset off.
func (li *lineIndex) pos(off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(li.src) {
		off = len(li.src)
	}
	i := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	from, col := li.starts[i], 1
	if li.lastOff >= from && li.lastOff <= off && li.lastLine == i {
		from, col = li.lastOff, li.lastCol
	}
	col += utf8.RuneCount(li.src[from:off])
	li.lastOff, li.lastLine, li.lastCol = off, i, col
	return li.base + i, col
}
