package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// langTransformer handles a trailing {lang=xx} (or {lang="xx"}) at the end
// of a paragraph: it strips the block from the text and sets the lang
// attribute, which goldmark's paragraph renderer writes on the <p>. Screen
// readers need it to pronounce an English or Finnish paragraph on a Swedish
// page (WCAG 3.1.2).
//
// It runs as a paragraph transformer, on the paragraph's source lines before
// inline parsing, so that the typographer never turns the quotes of
// {lang="en"} into ”en”.
//
// Some paragraphs become other blocks after they close, losing their
// attributes: a TextBlock in a tight list (or definition), a setext
// heading's text, a definition term. The transformer therefore also
// records each language by the paragraph's first source offset, and
// langBlockTransformer puts it on the block that took the paragraph's
// lines (nodeRenderer writes a TextBlock's as a <span lang>).
type langTransformer struct{}

// langKey holds the map[int]string from paragraph start to language.
var langKey = parser.NewContextKey()

func (langTransformer) Transform(p *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := p.Lines()
	n := lines.Len()
	if n == 0 {
		return
	}
	src := reader.Source()
	last := lines.At(n - 1)
	val := last.Value(src)
	lang, brace, ok := trailingLang(util.TrimRightSpace(val))
	if !ok {
		return
	}
	before := util.TrimRightSpace(val[:brace])
	stop := last.Stop - (len(val) - len(before))
	switch {
	case stop > last.Start:
		last.Stop = stop
		lines.Set(n-1, last)
	case n > 1:
		// The block stood on a line of its own.
		lines.SetSliced(0, n-1)
		prev := lines.At(n - 2)
		lines.Set(n-2, prev.TrimRightSpace(src))
	default:
		// The paragraph is nothing but the block: leave it as text.
		return
	}
	p.SetAttributeString("lang", []byte(lang))
	m := pc.ComputeIfAbsent(langKey, func() any { return map[int]string{} }).(map[int]string)
	m[lines.At(0).Start] = lang
}

// langBlockTransformer restores the lang attribute of paragraphs that
// became other blocks.
type langBlockTransformer struct{}

func (langBlockTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	m, _ := pc.Get(langKey).(map[int]string)
	if len(m) == 0 {
		return
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock || n.Kind() == ast.KindParagraph || n.Lines().Len() == 0 {
			return ast.WalkContinue, nil
		}
		if _, has := n.AttributeString("lang"); has {
			return ast.WalkContinue, nil
		}
		if lang, ok := m[n.Lines().At(0).Start]; ok {
			n.SetAttributeString("lang", []byte(lang))
		}
		return ast.WalkContinue, nil
	})
}

// trailingLang reports whether b ends with a {lang=xx} block, returning the
// language and the index of the "{".
func trailingLang(b []byte) (lang string, brace int, ok bool) {
	if len(b) < len("{lang=x}") || b[len(b)-1] != '}' {
		return "", 0, false
	}
	brace = -1
	for i := len(b) - 2; i >= 0; i-- {
		if b[i] == '{' {
			brace = i
			break
		}
		if b[i] == '}' || b[i] == '\n' {
			return "", 0, false
		}
	}
	if brace < 0 {
		return "", 0, false
	}
	// An escaped "\{" is text.
	bs := 0
	for i := brace - 1; i >= 0 && b[i] == '\\'; i-- {
		bs++
	}
	if bs%2 == 1 {
		return "", 0, false
	}
	s := string(b[brace+1 : len(b)-1])
	s = trimSpace(s)
	if len(s) < 5 || s[:4] != "lang" {
		return "", 0, false
	}
	s = trimSpace(s[4:])
	if s == "" || s[0] != '=' {
		return "", 0, false
	}
	s = trimSpace(s[1:])
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	if !isLangTag(s) {
		return "", 0, false
	}
	return s, brace, true
}

func trimSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// isLangTag reports whether s looks like a BCP 47 language tag: a primary
// subtag of 2–8 letters, then hyphen-separated subtags of 1–8 letters or
// digits ("en", "se", "sv-FI", "zh-Hant").
func isLangTag(s string) bool {
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 || i == 0 && len(sub) < 2 {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
			digit := '0' <= c && c <= '9'
			if !letter && !(digit && i > 0) {
				return false
			}
		}
	}
	return true
}
