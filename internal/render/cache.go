package render

import (
	"bytes"
	"html/template"
	"strings"
	"sync"
	"text/template/parse"

	"github.com/torgsite/torg/internal/content"
)

// cachedHTML is one partialCached result, computed once.
type cachedHTML struct {
	once sync.Once
	html template.HTML
	err  error
}

// markCacheable records which partials partialCached may cache: those
// that, with every partial they include, come from the theme (the last
// layout layer). A site that overrides one of them may make its output
// depend on the page, so it is executed for every page.
func (e *Engine) markCacheable(names []string) {
	themePrefix := ""
	if n := len(e.opts.Layouts); n > 0 {
		themePrefix = e.opts.Layouts[n-1].Prefix
	}
	fromTheme := func(name string) bool {
		if len(e.opts.Layouts) <= 1 {
			return true
		}
		f, ok := e.files[name]
		return ok && strings.HasPrefix(f, themePrefix)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "partials/") {
			continue
		}
		ok := true
		seen := map[string]bool{}
		var visit func(name string)
		visit = func(name string) {
			if !ok || seen[name] {
				return
			}
			seen[name] = true
			if !fromTheme(name) {
				ok = false
				return
			}
			t := e.root.Lookup(name)
			if t == nil || t.Tree == nil {
				ok = false
				return
			}
			walkTemplateCalls(t.Tree.Root, visit)
		}
		visit(n)
		e.cacheable[n] = ok
	}
}

func walkTemplateCalls(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkTemplateCalls(c, f)
		}
	case *parse.IfNode:
		walkTemplateCalls(n.List, f)
		walkTemplateCalls(n.ElseList, f)
	case *parse.RangeNode:
		walkTemplateCalls(n.List, f)
		walkTemplateCalls(n.ElseList, f)
	case *parse.WithNode:
		walkTemplateCalls(n.List, f)
		walkTemplateCalls(n.ElseList, f)
	case *parse.TemplateNode:
		f(n.Name)
	}
}

// partialCached executes the partial name with data once per language and
// key, and returns the same HTML for every later call with that key. The
// caller's key must cover everything of data the partial's output depends
// on; the engine is built for one build of one site, so site-wide values
// need not be in it. It must be called in HTML text context, as
// {{template name .}} would be.
func (e *Engine) partialCached(name string, data any, key string) (template.HTML, error) {
	exec := func() (template.HTML, error) { return e.execPartial(name, data) }
	if !e.cacheable[name] {
		return exec()
	}
	// Each language has its own Engine and cache.
	k := name + "\x00" + key
	v, ok := e.cache.Load(k)
	if !ok {
		v, _ = e.cache.LoadOrStore(k, &cachedHTML{})
	}
	c := v.(*cachedHTML)
	c.once.Do(func() { c.html, c.err = exec() })
	return c.html, c.err
}

// execPartial executes the partial name with data, uncached.
func (e *Engine) execPartial(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := e.root.ExecuteTemplate(&buf, name, data); err != nil {
		return "", e.templateError(err)
	}
	return template.HTML(buf.String()), nil
}

// menuKey says what of the current page a rendering of menu depends on in
// partials/nav.html: which item is the page itself and which item is the
// longest URL prefix of the page's URL.
func (e *Engine) menuKey(menu string, data *Data) string {
	if data == nil || data.Site == nil || data.Page == nil {
		return ""
	}
	cur := data.Page.URL
	best, eq := "", ""
	for _, it := range data.Site.Menu(menu, data.Lang) {
		if it.URL != "/" && strings.HasPrefix(cur, it.URL) && len(it.URL) > len(best) {
			best = it.URL
		}
		if it.URL == cur {
			eq = cur
		}
	}
	return eq + "\x00" + best
}

// sectionNav renders partials/section-nav.html for data's page. The list
// of the parent section's pages is the same for all of them but for the
// aria-current mark on the page itself, so it is executed once per parent
// (for a page that matches no item) and the mark is put into the current
// page's item. Item k of the output begins with "\n<li><a href=\"" (text
// of the page cannot contain it: it is escaped) and is parent.Pages[k].
func (e *Engine) sectionNav(data *Data) (template.HTML, error) {
	const name = "partials/section-nav.html"
	if data == nil || data.Page == nil || data.Page.Parent == nil || !e.cacheable[name] {
		return e.execPartial(name, data)
	}
	parent := data.Page.Parent
	stub := *data
	stub.Page = &content.Page{Parent: parent, URL: "\x00"}
	base, err := e.partialCached(name, &stub, "section-nav\x00"+parent.URL)
	if err != nil || base == "" {
		return base, err
	}
	const itemStart = "\n<li><a href=\""
	s := string(base)
	if strings.Count(s, itemStart) != len(parent.Pages) {
		return e.execPartial(name, data) // not the theme's markup
	}
	cur := data.Page.URL
	var b strings.Builder
	b.Grow(len(s) + 32)
	rest := s
	for _, q := range parent.Pages {
		i := strings.Index(rest, itemStart)
		b.WriteString(rest[:i+len(itemStart)])
		rest = rest[i+len(itemStart):]
		if q.URL == cur {
			j := strings.IndexByte(rest, '"')
			b.WriteString(rest[:j+1])
			b.WriteString(` aria-current="page"`)
			rest = rest[j+1:]
		}
	}
	b.WriteString(rest)
	return template.HTML(b.String()), nil
}
