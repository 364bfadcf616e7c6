package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
)

// PageURL is where the search page is generated; on a multilingual site
// the other languages that have pages of their own get theirs at
// /<code>/sok/ (LangPageURL).
const PageURL = "/sok/"

// IndexDir is the folder below the destination that holds the index;
// each build writes to IndexDir + <content hash> + "/".
const IndexDir = "sok/index/"

// DefaultSynonyms is the synonym file read from the site folder when
// torg.toml names none ([search] synonyms).
const DefaultSynonyms = config.DefaultSynonyms

// LangPageURL is the URL of a language's search page: PageURL for the
// default language, /<code>/sok/ for the others.
func LangPageURL(s *content.Site, code string) string {
	return s.Config.LangPrefix(code) + PageURL
}

// langIndexDir is IndexDir below the language's prefix ("en/sok/index/").
func langIndexDir(s *content.Site, code string) string {
	if p := s.Config.LangPrefix(code); p != "" {
		return p[1:] + "/" + IndexDir
	}
	return IndexDir
}

// Register adds the search content type to r.
func Register(r *content.Registry) { r.MustRegister(Type()) }

// Type is the "search" content type: its Pages hook adds the search page
// (/sok/), its Outputs hook writes the index below /sok/index/<hash>/.
// Each Type has a Cache of its own, so that a process that builds a site
// again and again with one registry (`torg serve`) only analyses the
// pages that changed.
func Type() *content.Type {
	c := NewCache()
	return &content.Type{
		Name: "search",
		Pages: func(ctx context.Context, s *content.Site) ([]*content.Page, error) {
			return pages(ctx, s, c)
		},
		Outputs: outputs,
		// The search page names the index by its hash.
		Wide: true,
	}
}

// Page is the Data of the search page, for the layout.
type Page struct {
	site *content.Site
	lang string
	// build makes the index: the Type's Cache.BuildLang, or nil for
	// BuildLang. A function rather than the *Cache, because
	// build.Incremental keys a page's rendering by walking its Data and
	// counts functions by their type only: the cache's contents (all
	// pages' analysis) would make that walk as slow as indexing.
	build func(*content.Site, string) (*Index, error)
	mu    sync.Mutex
	built bool
	gen   int // the site's Generation the index was built for
	ix    *Index
	err   error
}

// Index builds the index once per build: the layout asks for IndexBase
// while pages render, when every page's Content is ready, and Outputs
// writes the same index. `torg serve` changes page bodies in place and
// counts that in Site.Generation; the index is then built again.
func (p *Page) Index() (*Index, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.built || p.gen != p.site.Generation {
		build := p.build
		if build == nil {
			build = BuildLang
		}
		p.ix, p.err = build(p.site, p.lang)
		p.built, p.gen = true, p.site.Generation
	}
	return p.ix, p.err
}

// IndexBase is the URL folder of this build's index ("/sok/index/3fa1…/").
func (p *Page) IndexBase() (string, error) {
	ix, err := p.Index()
	if err != nil {
		return "", err
	}
	return "/" + langIndexDir(p.site, p.lang) + ix.Hash + "/", nil
}

// Link is an entry of the search page's fallback lists.
type Link struct {
	Title, URL string
}

// BrowseLinks are the ways to find things without the search.
type BrowseLinks struct {
	// AZ holds the A–Ö indexes: services A–Ö, people directories.
	AZ []Link
	// Categories are the service categories (life events).
	Categories []Link
}

// Browse lists the pages to find things without the search: the services
// A–Ö and their categories, and the directories of people.
func (p *Page) Browse() *BrowseLinks {
	b := &BrowseLinks{}
	for _, q := range p.site.Pages {
		if !inLang(p.site, q, p.lang) {
			continue
		}
		switch {
		case q.Kind == content.KindVirtual && q.Type == "service" && q.Layout == "index":
			b.AZ = append(b.AZ, Link{q.Title, q.URL})
		case q.Kind == content.KindSection && q.Type == "person":
			b.AZ = append(b.AZ, Link{q.Title, q.URL})
		case q.Kind == content.KindVirtual && q.Type == "service" && q.Layout == "category":
			b.Categories = append(b.Categories, Link{q.Title, q.URL})
		}
	}
	return b
}

// searchTitles are the search page's title by language (fit, se and yi:
// their search_button string from the theme's i18n files); the others
// (rom) get the Swedish one, as their search strings fall back to Swedish.
var searchTitles = map[string]string{"sv": "Sök", "en": "Search", "fi": "Haku", "fit": "Etsi", "se": "Oza", "yi": "זוכן"}

// inLang reports whether p is written in lang (pages without a language
// count as the default language's).
func inLang(s *content.Site, p *content.Page, lang string) bool {
	if p.Lang == "" {
		return lang == s.Config.Language
	}
	return p.Lang == lang
}

// searchLanguages returns the languages that get a search page: the
// default language, and on a multilingual site every other language with
// published pages of its own (not only fallback pages).
func searchLanguages(s *content.Site) []string {
	langs := []string{s.Config.Language}
	if !s.Config.Multilingual() {
		return langs
	}
	own := map[string]bool{}
	for _, p := range s.Pages {
		if p.FallbackOf == nil && p.File != "" && !p.NoIndex {
			own[p.Lang] = true
		}
	}
	for _, l := range s.Config.Languages {
		if l.Code != s.Config.Language && own[l.Code] {
			langs = append(langs, l.Code)
		}
	}
	return langs
}

func pages(_ context.Context, s *content.Site, c *Cache) ([]*content.Page, error) {
	var out []*content.Page
	for _, lang := range searchLanguages(s) {
		url := LangPageURL(s, lang)
		if _, taken := s.ByURL[url]; taken {
			continue
		}
		title, ok := searchTitles[lang]
		if !ok {
			title = searchTitles["sv"]
		}
		if lang == s.Config.Language && !s.Config.Multilingual() {
			// As before languages: Swedish unless the site is English.
			title = "Sök"
			if lang == "en" {
				title = "Search"
			}
		}
		parent := s.LanguageHome(lang)
		if parent == nil {
			parent = s.Home
		}
		p := &content.Page{
			Kind: content.KindVirtual, URL: url, Title: title, LinkTitle: title,
			Type: "search", Layout: "search", Parent: parent, Lang: lang,
			Lastmod: s.Now, NoIndex: true,
		}
		p.Data = &Page{site: s, lang: lang, build: c.BuildLang}
		out = append(out, p)
	}
	return out, nil
}

func outputs(_ context.Context, s *content.Site) ([]content.Output, error) {
	var out []content.Output
	for _, lang := range searchLanguages(s) {
		sp, ok := s.ByURL[LangPageURL(s, lang)]
		if !ok {
			continue
		}
		d, ok := sp.Data.(*Page)
		if !ok {
			continue
		}
		ix, err := d.Index()
		if err != nil {
			return nil, err
		}
		dir := langIndexDir(s, d.lang) + ix.Hash + "/"
		for name, b := range ix.Files {
			out = append(out, content.Output{Path: dir + name, Data: b})
		}
	}
	return out, nil
}

// SiteOptions returns the index options for a site: the synonym file
// named by [search] synonyms in torg.toml, else synonymer.txt if the site
// folder has one.
func SiteOptions(s *content.Site) (Options, error) {
	var opt Options
	name, explicit := DefaultSynonyms, false
	if v := s.Config.Search.Synonyms; v != "" {
		name, explicit = v, true
	}
	if s.Config.Dir == "" && !explicit {
		return opt, nil
	}
	b, err := os.ReadFile(filepath.Join(s.Config.Dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return opt, nil
	}
	if err != nil {
		return opt, fmt.Errorf("search synonyms ([search] synonyms in torg.toml): %w", err)
	}
	syn, err := ParseSynonyms(name, b)
	if err != nil {
		return opt, err
	}
	opt.Synonyms = syn
	return opt, nil
}

// BuildSite indexes every page of the site's default language that is
// meant to be found.
func BuildSite(s *content.Site) (*Index, error) { return BuildLang(s, s.Config.Language) }

// BuildLang indexes the pages of one language, with that language's
// analysis (StemLang; a single-language site is always analysed as
// Swedish, as before languages existed).
func BuildLang(s *content.Site, lang string) (*Index, error) {
	opt, err := langOptions(s, lang)
	if err != nil {
		return nil, err
	}
	return Build(DocsLang(s, lang), opt)
}

// langOptions returns the index options of a language (see BuildLang).
func langOptions(s *content.Site, lang string) (Options, error) {
	if swedishAnalysis(lang) || !s.Config.Multilingual() {
		return SiteOptions(s)
	}
	return Options{Lang: lang}, nil
}

// Docs returns the searchable pages of the site's default language.
func Docs(s *content.Site) []Doc { return DocsLang(s, s.Config.Language) }

// DocsLang returns a language's searchable pages: regular pages,
// sections, generated registers; not the search pages, tag lists, 404,
// noindex or fallback pages.
func DocsLang(s *content.Site, lang string) []Doc {
	srcs := docSources(s, lang)
	docs := make([]Doc, len(srcs))
	for i, src := range srcs {
		docs[i] = src.Doc
		docs[i].Body = HTMLText(src.html)
	}
	return docs
}

// docSource is a searchable page before its body text is extracted: the
// Doc without Body, and the page's rendered HTML.
type docSource struct {
	Doc
	html string
	text bool // html is the text already (Cache.Build)
}

// docSources lists the searchable pages of a language (see DocsLang) in
// site order, with their HTML still to be turned into text.
func docSources(s *content.Site, lang string) []docSource {
	var docs []docSource
	for _, p := range s.Pages {
		if !inLang(s, p, lang) || p.FallbackOf != nil {
			continue
		}
		switch p.Kind {
		case content.KindPage, content.KindSection, content.KindHome, content.KindVirtual:
		default:
			continue
		}
		if p.NoIndex || p.URL == PageURL || p.URL == LangPageURL(s, lang) || p.Type == "search" {
			continue
		}
		d := Doc{URL: p.URL, Title: p.Title, Type: p.Type, Description: p.Description}
		if d.Description == "" {
			d.Description = p.Summary
		}
		if p.Kind == content.KindPage {
			d.Meta = metaText(p.Data)
			d.Boost = TypeBoost[p.Type]
		} else {
			d.Boost = ListBoost
		}
		top := p
		for top.Parent != nil && top.Parent.Kind != content.KindHome {
			top = top.Parent
		}
		if top != p && top.Kind != content.KindHome {
			d.Section = top.Title
		}
		docs = append(docs, docSource{Doc: d, html: string(p.Content)})
	}
	return docs
}

var pageType = reflect.TypeOf((*content.Page)(nil))

// metaText collects the text of a content type's decoded front matter
// (a person's role, a service's cost and steps): exported string and
// []string fields, one level into slices of structs. Links and
// references to other pages are skipped.
func metaText(data any) string {
	var parts []string
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Type == pageType {
				continue
			}
			if n := f.Name; strings.Contains(n, "URL") || strings.Contains(n, "Slug") || strings.Contains(n, "Anchor") || strings.Contains(n, "File") || n == "Kind" || n == "Status" {
				continue
			}
			fv := v.Field(i)
			switch {
			case f.Type.Kind() == reflect.String:
				if s := fv.String(); s != "" && !strings.HasPrefix(s, "http") && !strings.HasPrefix(s, "/") {
					parts = append(parts, s)
				}
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
				for j := 0; j < fv.Len(); j++ {
					parts = append(parts, fv.Index(j).String())
				}
			case f.Type.Kind() == reflect.Slice && depth == 0:
				el := f.Type.Elem()
				if el.Kind() == reflect.Pointer {
					el = el.Elem()
				}
				if el.Kind() == reflect.Struct && el != pageType.Elem() {
					for j := 0; j < fv.Len() && j < 50; j++ {
						walk(fv.Index(j), depth+1)
					}
				}
			}
		}
	}
	if data != nil {
		walk(reflect.ValueOf(data), 0)
	}
	return strings.Join(parts, " ")
}
