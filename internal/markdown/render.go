package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer replaces goldmark's renderers for links, images and raw
// HTML. goldmark itself always runs in its safe mode, so that dangerous
// link schemes stay filtered even when raw HTML is let through.
type nodeRenderer struct {
	unsafe bool
	lang   string // "en" for English labels, else Swedish
}

// RegisterFuncs implements renderer.NodeRenderer.
func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, r.renderLink)
	reg.Register(ast.KindImage, r.renderImage)
	reg.Register(ast.KindRawHTML, r.renderRawHTML)
	reg.Register(ast.KindHTMLBlock, r.renderHTMLBlock)
	reg.Register(ast.KindTextBlock, r.renderTextBlock)
	reg.Register(east.KindTableCell, r.renderTableCell)
	reg.Register(east.KindTaskCheckBox, r.renderTaskCheckBox)
	reg.Register(east.KindTable, r.renderTable)
}

// renderTable wraps a table in a focusable, labelled region: on a narrow
// screen the region scrolls sideways instead of the page (WCAG 1.4.10), and
// keyboard users can reach and scroll it (WCAG 2.1.1). The label names the
// table by its column headings, which is what a screen reader user needs to
// decide whether to enter it.
func (r *nodeRenderer) renderTable(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</table>\n</div>\n")
		return ast.WalkContinue, nil
	}
	var heads []string
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Kind() != east.KindTableHeader {
			continue
		}
		for cell := c.FirstChild(); cell != nil; cell = cell.NextSibling() {
			if t := plainText(cell, src, false); t != "" {
				heads = append(heads, t)
			}
		}
	}
	word := "Tabell"
	if r.lang == "en" {
		word = "Table"
	}
	label := word
	if len(heads) > 0 {
		label = word + ": " + strings.Join(heads, ", ")
	}
	if rs := []rune(label); len(rs) > 120 {
		label = string(rs[:119]) + "…"
	}
	_, _ = w.WriteString(`<div class="table-wrap" role="region" tabindex="0" aria-label="`)
	_, _ = w.Write(util.EscapeHTML([]byte(label)))
	_, _ = w.WriteString("\">\n<table")
	if node.Attributes() != nil {
		html.RenderAttributes(w, node, extension.TableAttributeFilter)
	}
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}

// renderTaskCheckBox writes a task list item's box with the item's text as
// its accessible name: a bare disabled checkbox has none, which screen
// readers announce as an unlabelled control (WCAG 4.1.2).
func (r *nodeRenderer) renderTaskCheckBox(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*east.TaskCheckBox)
	label := ""
	if parent := n.Parent(); parent != nil {
		label = plainText(parent, src, false)
	}
	_, _ = w.WriteString(`<input type="checkbox" disabled`)
	if n.IsChecked {
		_, _ = w.WriteString(` checked`)
	}
	if label != "" {
		_, _ = w.WriteString(` aria-label="`)
		_, _ = w.Write(util.EscapeHTML([]byte(label)))
		_, _ = w.WriteString(`"`)
	}
	_, _ = w.WriteString(`> `)
	return ast.WalkContinue, nil
}

// renderTableCell writes a table cell as goldmark does by default (HTML5:
// alignment as a style attribute), without goldmark's habit of appending
// the style to the node's attributes on every render, which made a second
// Render differ from the first and raced when one Document was rendered
// from two goroutines.
func (r *nodeRenderer) renderTableCell(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*east.TableCell)
	tag := "td"
	filter := extension.TableTdCellAttributeFilter
	if n.Parent() != nil && n.Parent().Kind() == east.KindTableHeader {
		tag, filter = "th", extension.TableThCellAttributeFilter
	}
	if !entering {
		_, _ = w.WriteString("</" + tag + ">\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString("<" + tag)
	if n.Alignment != east.AlignNone {
		_, _ = w.WriteString(` style="text-align:`)
		_, _ = w.WriteString(n.Alignment.String())
		_ = w.WriteByte('"')
	}
	if n.Attributes() != nil {
		html.RenderAttributes(w, n, filter)
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

// renderTextBlock writes a tight list item's text as goldmark does, in a
// <span lang> when the paragraph ended with {lang=xx}.
func (r *nodeRenderer) renderTextBlock(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	lang, hasLang := n.AttributeString("lang")
	if entering {
		if hasLang {
			_, _ = w.WriteString(`<span lang="`)
			_, _ = w.Write(util.EscapeHTML([]byte(attrString(lang))))
			_, _ = w.WriteString(`">`)
		}
		return ast.WalkContinue, nil
	}
	if hasLang {
		_, _ = w.WriteString("</span>")
	}
	if n.NextSibling() != nil && n.FirstChild() != nil {
		_ = w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

// writeDest writes n's destination as an attribute value: the one the
// LinkResolver returned in this Render call, else its own (whose Markdown
// escapes and entities are resolved first). A dangerous destination
// (javascript:, vbscript:, file:, data: other than images) is written as
// "".
func writeDest(w util.BufWriter, n ast.Node, own []byte) {
	var d []byte
	if rw, ok := w.(*renderWriter); ok && rw.dests != nil {
		if r, ok := rw.dests[n]; ok {
			d = util.URLEscape(r, false)
		}
	}
	if d == nil {
		d = util.URLEscape(own, true)
	}
	if !html.IsDangerousURL(d) {
		_, _ = w.Write(util.EscapeHTML(d))
	}
}

func (r *nodeRenderer) renderLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	writeDest(w, n, n.Destination)
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		html.DefaultWriter.Write(w, n.Title)
		_ = w.WriteByte('"')
	}
	if n.Attributes() != nil {
		html.RenderAttributes(w, n, html.LinkAttributeFilter)
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) renderImage(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	_, _ = w.WriteString(`<img src="`)
	writeDest(w, n, n.Destination)
	_, _ = w.WriteString(`" alt="`)
	_, _ = w.Write(util.EscapeHTML([]byte(plainText(n, src, true))))
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="`)
		html.DefaultWriter.Write(w, n.Title)
		_ = w.WriteByte('"')
	}
	if n.Attributes() != nil {
		html.RenderAttributes(w, n, html.ImageAttributeFilter)
	}
	_, _ = w.WriteString(` loading="lazy" decoding="async">`)
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderRawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	if r.unsafe {
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			html.DefaultWriter.SecureWrite(w, seg.Value(src))
		}
		return ast.WalkSkipChildren, nil
	}
	s := rawHTML(n, src)
	if !isComment(s) {
		_, _ = w.Write(util.EscapeHTML(secure(s)))
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) renderHTMLBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	if r.unsafe {
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			html.DefaultWriter.SecureWrite(w, seg.Value(src))
		}
		if n.HasClosure() {
			html.DefaultWriter.SecureWrite(w, n.ClosureLine.Value(src))
		}
		if s := htmlBlock(n, src); s != "" && s[len(s)-1] != '\n' {
			// The last block of a body without a final newline.
			_ = w.WriteByte('\n')
		}
		return ast.WalkSkipChildren, nil
	}
	s := htmlBlock(n, src)
	if isComment(s) {
		return ast.WalkSkipChildren, nil
	}
	// Shown as a paragraph of text, the way the editor typed it.
	_, _ = w.WriteString("<p>")
	_, _ = w.Write(util.EscapeHTML(secure(strings.TrimRight(s, "\r\n"))))
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

// secure replaces NUL characters, as goldmark does with all text.
func secure(s string) []byte {
	return []byte(strings.ReplaceAll(s, "\x00", "\uFFFD"))
}
