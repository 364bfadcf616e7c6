package markdown

import (
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// svQuoteTransformer finishes Swedish typography. Swedish uses the same
// character on both sides of a quotation (”…” and ’…’) and for the
// apostrophe, so every straight quote in text can become its curly one.
// goldmark's typographer guesses opening and closing quotes with English
// rules and leaves the ones it cannot pair straight ('enkla' ends up as
// ’enkla'); this transformer converts what it left. Code, raw HTML and
// backslash-escaped quotes (\" and \') are kept as typed.
type svQuoteTransformer struct{}

var (
	svDouble = []byte("”")
	svSingle = []byte("’")
)

func (svQuoteTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.CodeSpan, *ast.RawHTML, *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if !n.IsRaw() && hasQuote(n.Segment.Value(src)) {
				texts = append(texts, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		splitQuotes(t, src)
	}
}

func hasQuote(v []byte) bool {
	for _, c := range v {
		if c == '"' || c == '\'' {
			return true
		}
	}
	return false
}

// splitQuotes replaces t by text pieces and curly quotes.
func splitQuotes(t *ast.Text, src []byte) {
	parent := t.Parent()
	if parent == nil {
		return
	}
	seg := t.Segment
	v := src[seg.Start:seg.Stop] // without the padding of an expanded tab
	start := 0
	insert := func(n ast.Node) { parent.InsertBefore(parent, t, n) }
	piece := func(from, to int) *ast.Text {
		s := text.NewSegment(seg.Start+from, seg.Start+to)
		if from == 0 {
			s.Padding = seg.Padding
		}
		return ast.NewTextSegment(s)
	}
	for i, c := range v {
		if c != '"' && c != '\'' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && v[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 1 {
			continue // escaped
		}
		if i > start {
			insert(piece(start, i))
		}
		q := svSingle
		if c == '"' {
			q = svDouble
		}
		s := ast.NewString(q)
		s.SetCode(true)
		insert(s)
		start = i + 1
	}
	if start == 0 {
		return
	}
	last := piece(start, len(v))
	last.SetSoftLineBreak(t.SoftLineBreak())
	last.SetHardLineBreak(t.HardLineBreak())
	insert(last)
	parent.RemoveChild(parent, t)
}
