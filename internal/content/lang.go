package content

import (
	"path"
	"sort"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/diag"
)

// LattlastSuffix marks a lättläst twin: bygglov.lattlast.md is the
// lättläst version of bygglov.md, at /…/bygglov/lattlast/.
const LattlastSuffix = "lattlast"

// LattlastURL is the URL of the generated list of lättläst pages.
const LattlastURL = "/lattlast/"

// LanguagesURL is the URL of the generated "Andra språk" landing page.
const LanguagesURL = "/sprak/"

// LangLink is one entry of a page's language menu.
type LangLink struct {
	Code, Name, Dir string
	// URL is the page in that language: its translation, else its
	// fallback page (the default-language text with a notice).
	URL string
	// Page is the translation or the fallback page; nil when the language
	// has no page at all.
	Page *Page
	// Current marks the page's own language.
	Current bool
	// Fallback is true when the language has no translation of the page.
	Fallback bool
	// Translation is true for the page itself and its translations: the
	// links that belong in <link rel="alternate" hreflang>.
	Translation bool
}

// splitLang takes a content-relative path apart: the language of a
// language folder ("en/tjanster/bygglov.md") or file suffix
// ("tjanster/bygglov.en.md"), and the lättläst suffix
// ("bygglov.lattlast.md"). It returns the path with both removed. Folder
// and suffix languages are only recognised on a multilingual site;
// lättläst twins always.
func splitLang(cfg *config.Config, rel string) (logical, lang string, lattlast bool, errMsg string) {
	lang = cfg.Language
	logical = rel
	multi := cfg.Multilingual()
	folderLang := ""
	if multi {
		if first, rest, ok := strings.Cut(rel, "/"); ok && first != cfg.Language && cfg.IsLanguage(first) {
			folderLang, logical = first, rest
		}
	}
	dir, base := path.Split(logical)
	stem := strings.TrimSuffix(base, path.Ext(base))
	ext := path.Ext(base)
	suffixLang := ""
	if multi {
		if i := strings.LastIndexByte(stem, '.'); i > 0 && cfg.IsLanguage(stem[i+1:]) {
			suffixLang, stem = stem[i+1:], stem[:i]
		}
	}
	if i := strings.LastIndexByte(stem, '.'); i > 0 && stem[i+1:] == LattlastSuffix {
		lattlast, stem = true, stem[:i]
	}
	switch {
	case folderLang != "" && suffixLang != "" && folderLang != suffixLang:
		return rel, cfg.Language, false, "the file's suffix ." + suffixLang + " contradicts its language folder " + folderLang + "/"
	case folderLang != "":
		lang = folderLang
	case suffixLang != "":
		lang = suffixLang
	}
	if lattlast && lang != cfg.Language {
		return rel, cfg.Language, false, "lättläst twins (." + LattlastSuffix + ".md) are Swedish: give them no language suffix or folder"
	}
	return dir + stem + ext, lang, lattlast, ""
}

// translationKey is what translations of one page share: the
// content-relative path without language and lättläst markers, with a
// bundle's index.md and a plain page file counted as the same page.
func translationKey(logical string) string {
	k := strings.TrimSuffix(logical, path.Ext(logical))
	k = strings.TrimSuffix(k, "/index")
	if k == "index" {
		k = ""
	}
	return k
}

// langState holds what assemble learns about languages.
type langState struct {
	homes    map[string]*Page            // language → home page (file or fallback)
	sections map[string]map[string]*Page // language → content dir → section page
}

// langParent returns the nearest section of p's language above p's folder,
// else the language's home.
func (ls *langState) parent(p *Page) *Page {
	dir := p.Dir
	if p.Kind == KindSection {
		dir = parentDir(p.Dir)
	}
	for d := dir; d != "" && d != "."; d = parentDir(d) {
		if sec := ls.sections[p.Lang][d]; sec != nil && sec != p {
			return sec
		}
	}
	return ls.homes[p.Lang]
}

// LanguageLinks returns the entries of p's language menu, one per site
// language in torg.toml order: p's translations, fallback pages where
// there is none, and the language's home page for pages outside the
// content tree (tags, registers). Nil on a single-language site.
func (s *Site) LanguageLinks(p *Page) []LangLink {
	cfg := s.Config
	if !cfg.Multilingual() || p == nil {
		return nil
	}
	src := p
	if p.FallbackOf != nil {
		src = p.FallbackOf
	}
	if src.OrdinaryPage != nil {
		src = src.OrdinaryPage
	}
	byLang := map[string]*Page{src.Lang: src}
	for _, t := range src.Translations {
		byLang[t.Lang] = t
	}
	inTree := src.fallbacks != nil || len(src.Translations) > 0 || src.Lang != cfg.Language
	out := make([]LangLink, 0, len(cfg.Languages))
	for _, l := range cfg.Languages {
		ll := LangLink{Code: l.Code, Name: l.Name, Dir: l.Dir, Current: l.Code == p.Lang}
		switch {
		case byLang[l.Code] != nil:
			ll.Page, ll.Translation = byLang[l.Code], p.FallbackOf == nil
		case inTree && src.fallbacks[l.Code] != nil:
			ll.Page, ll.Fallback = src.fallbacks[l.Code], true
		default:
			ll.Page = s.langHomes[l.Code]
			ll.Fallback = ll.Page != nil && ll.Page.FallbackOf != nil
		}
		if ll.Current {
			ll.Page = p
			ll.Fallback = p.FallbackOf != nil
			ll.Translation = !ll.Fallback
		}
		if ll.Page != nil {
			ll.URL = ll.Page.URL
		}
		out = append(out, ll)
	}
	return out
}

// LanguageHome returns the home page of a language: "/" for the default
// language, "/en/" (its own or a fallback page) for the others.
func (s *Site) LanguageHome(code string) *Page {
	if code == "" || code == s.Config.Language {
		return s.Home
	}
	return s.langHomes[code]
}

// PageInLanguage returns the page at a language's version of a
// site-relative URL: url itself for the default language, "/en"+url for
// English; nil when there is none. The default theme's header uses it for
// the language's search page (/sok/, /en/sok/).
func (s *Site) PageInLanguage(code, url string) *Page {
	return s.ByURL[s.Config.LangPrefix(code)+url]
}

// LanguagePages returns the published pages written in a language (not
// fallback pages, not generated lists), sorted by title in Swedish order.
// For the default language only pages with a translation are listed.
func (s *Site) LanguagePages(code string) []*Page {
	var out []*Page
	for _, p := range s.Pages {
		if p.Lang != code || p.FallbackOf != nil || p.File == "" || p.NoIndex || p.OrdinaryPage != nil {
			continue
		}
		if code == s.Config.Language && len(p.Translations) == 0 {
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind == KindHome != (out[j].Kind == KindHome) {
			return out[i].Kind == KindHome
		}
		return CompareSwedish(out[i].Name(), out[j].Name()) < 0
	})
	return out
}

// LattlastPages returns every lättläst page (twins and pages with
// "lattlast: true"), sorted by title.
func (s *Site) LattlastPages() []*Page {
	var out []*Page
	for _, p := range s.Pages {
		if p.IsLattlast() && p.FallbackOf == nil {
			out = append(out, p)
		}
	}
	SortPages(out, "title")
	return out
}

// IsLattlast reports whether p is a lättläst page: a twin
// (bygglov.lattlast.md) or marked "lattlast: true" in front matter.
func (p *Page) IsLattlast() bool {
	if p.OrdinaryPage != nil || p.lattlastFile {
		return true
	}
	switch v := p.Params["lattlast"].(type) {
	case bool:
		return v
	}
	if m, ok := p.Params["params"].(map[string]any); ok {
		if b, ok := m["lattlast"].(bool); ok {
			return b
		}
	}
	return false
}

// newFallback returns the fallback page of orig in lang: orig's text under
// a notice, kept out of sitemaps, lists, feeds and search (NoIndex) and
// pointing search engines at orig (canonical).
func newFallback(orig *Page, lang string) *Page {
	f := &Page{
		Kind: orig.Kind, Dir: orig.Dir, Section: orig.Section, Type: "page",
		Title: orig.Title, LinkTitle: orig.LinkTitle, Description: orig.Description,
		Lastmod: orig.Lastmod, LastmodFrom: orig.LastmodFrom, Reviewed: orig.Reviewed,
		Weight: orig.Weight, Owner: orig.Owner,
		Lang: lang, FallbackOf: orig, NoIndex: true,
	}
	if orig.fallbacks == nil {
		orig.fallbacks = map[string]*Page{}
	}
	orig.fallbacks[lang] = f
	return f
}

// linkLanguages links translations and lättläst twins, and adds a
// fallback page in every other language for each default-language page
// without a translation. URLs are known and indexed in s.ByURL.
func (l *loader) linkLanguages(s *Site, ls *langState, pages []*Page, errs *diag.List) []*Page {
	cfg := l.cfg
	groups := map[string]map[string]*Page{} // key → language → page
	var twins []*Page
	for _, p := range pages {
		if p.File == "" {
			continue
		}
		if p.lattlastFile {
			twins = append(twins, p)
			continue
		}
		g := groups[p.transKey]
		if g == nil {
			g = map[string]*Page{}
			groups[p.transKey] = g
		}
		g[p.Lang] = p
	}
	for _, t := range twins {
		if ord := groups[t.transKey][cfg.Language]; ord != nil {
			t.OrdinaryPage, ord.LattlastPage = ord, t
		}
	}
	if !cfg.Multilingual() {
		return pages
	}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		for _, p := range g {
			p.Translations = p.Translations[:0]
			for _, lang := range cfg.Languages {
				if q := g[lang.Code]; q != nil && q != p {
					p.Translations = append(p.Translations, q)
				}
			}
		}
	}

	// Fallback pages.
	var added []*Page
	for _, p := range pages {
		if p.Lang != cfg.Language || p.lattlastFile || p.FallbackOf != nil || p.NoIndex {
			continue
		}
		switch p.Kind {
		case KindHome, KindSection, KindPage:
		default:
			continue
		}
		var g map[string]*Page
		if p.File != "" {
			g = groups[p.transKey]
		}
		for _, lang := range cfg.Languages[1:] {
			if g[lang.Code] != nil || p.Kind == KindHome {
				continue // translated; the home pages are made in assemble
			}
			u := cfg.LangPrefix(lang.Code) + p.URL
			if s.ByURL[u] != nil {
				continue // a page of that language already has the URL
			}
			f := newFallback(p, lang.Code)
			f.URL, f.Permalink = u, cfg.Absolute(u)
			s.ByURL[u] = f
			added = append(added, f)
		}
	}
	// A fallback page's parent is its original's parent in the same
	// language: the translation, else that page's fallback.
	for _, f := range added {
		f.Parent = ls.homes[f.Lang]
		for q := f.FallbackOf.Parent; q != nil; q = q.Parent {
			if tr := translationIn(q, f.Lang); tr != nil {
				f.Parent = tr
				break
			}
		}
	}
	return append(pages, added...)
}

// translationIn returns p in lang: p itself, its translation, or its
// fallback page; nil when there is none.
func translationIn(p *Page, lang string) *Page {
	if p.Lang == lang {
		return p
	}
	for _, t := range p.Translations {
		if t.Lang == lang {
			return t
		}
	}
	return p.fallbacks[lang]
}

// generatedLanguagePages adds the lättläst section (/lattlast/) when the
// site has lättläst pages, and on a multilingual site the "Andra språk"
// landing page (/sprak/), unless the content has pages at those URLs.
func (l *loader) generatedLanguagePages(s *Site, pages *[]*Page, errs *diag.List) {
	cfg := l.cfg
	var easy []*Page
	for _, p := range *pages {
		if p.FallbackOf == nil && p.IsLattlast() && p.URL != LattlastURL {
			easy = append(easy, p)
		}
	}
	add := func(p *Page) {
		p.Permalink = cfg.Absolute(p.URL)
		s.ByURL[p.URL] = p
		*pages = append(*pages, p)
	}
	if len(easy) > 0 {
		SortPages(easy, "title")
		if sec := s.ByURL[LattlastURL]; sec != nil {
			// The editors' own content/lattlast/_index.md lists the rest too.
			have := map[*Page]bool{}
			for _, q := range sec.Pages {
				have[q] = true
			}
			for _, q := range easy {
				if !have[q] && q.Parent != sec {
					sec.Pages = append(sec.Pages, q)
				}
			}
		} else {
			title, desc := "Lättläst", "Här finns sidor med text som är lätt att läsa."
			if cfg.Language == "en" {
				title, desc = "Easy to read", "Pages written in plain, easy-to-read language."
			}
			add(&Page{Kind: KindSection, Dir: "lattlast", Section: "lattlast", Type: "page", Title: title, LinkTitle: title,
				Description: desc, URL: LattlastURL, Parent: s.Home, Pages: easy, Lang: cfg.Language, Lastmod: latest(easy)})
		}
	}
	if cfg.Multilingual() && s.ByURL[LanguagesURL] == nil {
		title, desc := "Andra språk", "Information från kommunen på andra språk än svenska."
		if cfg.Language == "en" {
			title, desc = "Other languages", "Information in languages other than English."
		}
		add(&Page{Kind: KindVirtual, Type: "page", Layout: "languages", Title: title, LinkTitle: title,
			Description: desc, URL: LanguagesURL, Parent: s.Home, Lang: cfg.Language, Lastmod: languagesLastmod(*pages)})
	}
}

func latest(ps []*Page) (t time.Time) {
	for _, p := range ps {
		if p.FallbackOf == nil && p.Lastmod.After(t) {
			t = p.Lastmod
		}
	}
	return t
}

// Menu returns the entries of a named menu in a language: for the default
// language Menus[name], for the others the pages of that language that set
// "menu" (kept as Menus["<name>.<code>"]), so that an English page shows
// no Swedish menu.
func (s *Site) Menu(name, lang string) []MenuItem {
	if lang != "" && lang != s.Config.Language {
		return s.Menus[name+"."+lang]
	}
	return s.Menus[name]
}
