package markdown

import (
	"github.com/yuin/goldmark/ast"
)

// This file gives content checkers (internal/check) read-only access to a
// parsed Document's syntax tree, with positions as lines and columns of the
// source file. The tree is goldmark's: callers switch on *ast.Heading,
// *ast.Image, *east.Table and so on. They must not change it, since Render
// uses the same tree.

// Walk calls fn for every node of the body, in source order, the way
// ast.Walk does (entering, then leaving). It does nothing for a Document
// whose parsing failed.
func (d *Document) Walk(fn func(n ast.Node, entering bool) (ast.WalkStatus, error)) {
	if d == nil || d.root == nil {
		return
	}
	_ = ast.Walk(d.root, fn)
}

// Source returns the body the Document was parsed from. Segments of the
// tree's nodes are offsets into it. Callers must not modify it.
func (d *Document) Source() []byte { return d.src }

// Position returns the 1-based line of the file and rune column at which n
// starts: the first line of a block, the "[" of a link, the "!" of an
// image, the first character of a text. It is safe for concurrent use.
func (d *Document) Position(n ast.Node) (line, col int) {
	if n.Type() == ast.TypeBlock {
		return d.OffsetPosition(blockStart(n))
	}
	return d.OffsetPosition(inlineStart(n))
}

// OffsetPosition returns the file line and rune column of a byte offset
// into Source. It is safe for concurrent use.
func (d *Document) OffsetPosition(off int) (line, col int) {
	li := d.lines // a copy: pos keeps a cursor
	li.lastOff = -1
	return li.pos(off)
}

// Text returns the plain text of n, without markup, as the page shows it:
// escapes and entities resolved, line breaks as spaces. With alt, images
// contribute their alt text.
func (d *Document) Text(n ast.Node, alt bool) string {
	return plainText(n, d.src, alt)
}

// Lang returns the language set on n or its nearest enclosing block with a
// {lang=xx} mark or heading attribute, or "" when none is.
func (d *Document) Lang(n ast.Node) string {
	for ; n != nil; n = n.Parent() {
		if v, ok := n.AttributeString("lang"); ok {
			if s := attrString(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// Dest returns a link's or image's destination as the author meant it
// (Markdown escapes and entities resolved), or an autolink's URL ("mailto:"
// added to bare e-mail addresses); "" for other nodes.
func (d *Document) Dest(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Link:
		return unescape(n.Destination)
	case *ast.Image:
		return unescape(n.Destination)
	case *ast.AutoLink:
		dest := string(n.URL(d.src))
		if n.AutoLinkType == ast.AutoLinkEmail && !hasScheme(dest) {
			dest = "mailto:" + dest
		}
		return dest
	}
	return ""
}

// RawHTML returns the source text of a raw HTML node (inline or block),
// or "" for other nodes.
func (d *Document) RawHTML(n ast.Node) string {
	switch n := n.(type) {
	case *ast.RawHTML:
		return rawHTML(n, d.src)
	case *ast.HTMLBlock:
		return htmlBlock(n, d.src)
	}
	return ""
}
