package markdown

import (
	"fmt"
	"strconv"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/torgsite/torg/internal/urlpath"
)

// emptyHeadingID is the ID of a heading whose text gives no slug.
const emptyHeadingID = "rubrik"

// slugIDs is the per-document parser.IDs: IDs are urlpath.Slugify of the
// heading's plain text, so that Swedish headings keep readable anchors
// ("Så ansöker du" → "sa-ansoker-du"), with "-2", "-3" for duplicates.
type slugIDs struct {
	used map[string]bool
	next map[string]int // next suffix to try per base
}

func newSlugIDs() *slugIDs {
	return &slugIDs{used: map[string]bool{}, next: map[string]int{}}
}

// Generate implements parser.IDs: it returns an unused ID for value.
func (s *slugIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := urlpath.Slugify(string(value))
	if base == "" {
		if kind == ast.KindHeading {
			base = emptyHeadingID
		} else {
			base = "id"
		}
	}
	if !s.used[base] {
		s.used[base] = true
		return []byte(base)
	}
	n := s.next[base]
	if n < 2 {
		n = 2
	}
	for ; ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if !s.used[id] {
			s.used[id] = true
			s.next[base] = n + 1
			return []byte(id)
		}
	}
}

// Put implements parser.IDs: it marks value as used.
func (s *slugIDs) Put(value []byte) {
	s.used[string(value)] = true
}

var _ parser.IDs = (*slugIDs)(nil)

// headingIDTransformer gives every heading an id attribute once inline
// parsing is done, from the heading's plain text (goldmark's own automatic
// IDs use the raw source line, markup and all). IDs set with {#id} are
// reserved first, so a generated ID never takes one an editor chose.
type headingIDTransformer struct{}

func (headingIDTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	ids := pc.IDs()
	var auto []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		h, ok := n.(*ast.Heading)
		if !ok {
			return ast.WalkContinue, nil
		}
		if v, ok := h.AttributeString("id"); ok && attrString(v) != "" {
			id := attrString(v)
			h.SetAttributeString("id", []byte(id))
			ids.Put([]byte(id))
		} else {
			auto = append(auto, h) // no id, or an empty {#}
		}
		return ast.WalkSkipChildren, nil
	})
	for _, h := range auto {
		h.SetAttributeString("id", ids.Generate([]byte(plainText(h, src, true)), ast.KindHeading))
	}
}

// attrString returns an attribute value parsed by goldmark ([]byte, string,
// number, bool or list) as a string.
func attrString(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
