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

	"github.com/torgsite/torg/internal/content"
)

// PageURL is where the search page is generated.
const PageURL = "/sok/"

// IndexDir is the folder below the destination that holds the index;
// each build writes to IndexDir + <content hash> + "/".
const IndexDir = "sok/index/"

// DefaultSynonyms is the synonym file read from the site folder when
// torg.toml names none ([search] synonyms).
const DefaultSynonyms = "synonymer.txt"

// Register adds the search content type to r.
func Register(r *content.Registry) { r.MustRegister(Type()) }

// Type is the "search" content type: its Pages hook adds the search page
// (/sok/), its Outputs hook writes the index below /sok/index/<hash>/.
func Type() *content.Type {
	return &content.Type{
		Name:    "search",
		Pages:   pages,
		Outputs: outputs,
	}
}

// Page is the Data of the search page, for the layout.
type Page struct {
	site *content.Site
	once sync.Once
	ix   *Index
	err  error
}

// Index builds the index once: the layout asks for IndexBase while pages
// render, when every page's Content is ready, and Outputs writes the same
// index.
func (p *Page) Index() (*Index, error) {
	p.once.Do(func() { p.ix, p.err = BuildSite(p.site) })
	return p.ix, p.err
}

// IndexBase is the URL folder of this build's index ("/sok/index/3fa1…/").
func (p *Page) IndexBase() (string, error) {
	ix, err := p.Index()
	if err != nil {
		return "", err
	}
	return "/" + IndexDir + ix.Hash + "/", nil
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

func pages(_ context.Context, s *content.Site) ([]*content.Page, error) {
	if _, taken := s.ByURL[PageURL]; taken {
		return nil, nil
	}
	title := "Sök"
	if s.Config.Language == "en" {
		title = "Search"
	}
	p := &content.Page{
		Kind: content.KindVirtual, URL: PageURL, Title: title, LinkTitle: title,
		Type: "search", Layout: "search", Parent: s.Home, Lang: s.Config.Language,
		Lastmod: s.Now, NoIndex: true,
	}
	p.Data = &Page{site: s}
	return []*content.Page{p}, nil
}

func outputs(_ context.Context, s *content.Site) ([]content.Output, error) {
	sp, ok := s.ByURL[PageURL]
	if !ok {
		return nil, nil
	}
	d, ok := sp.Data.(*Page)
	if !ok {
		return nil, nil
	}
	ix, err := d.Index()
	if err != nil {
		return nil, err
	}
	out := make([]content.Output, 0, len(ix.Files))
	for name, b := range ix.Files {
		out = append(out, content.Output{Path: IndexDir + ix.Hash + "/" + name, Data: b})
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

// BuildSite indexes every page of the site that is meant to be found.
func BuildSite(s *content.Site) (*Index, error) {
	opt, err := SiteOptions(s)
	if err != nil {
		return nil, err
	}
	return Build(Docs(s), opt)
}

// Docs returns the site's searchable pages: regular pages, sections,
// generated registers; not the search page, tag lists, 404 or noindex
// pages.
func Docs(s *content.Site) []Doc {
	var docs []Doc
	for _, p := range s.Pages {
		switch p.Kind {
		case content.KindPage, content.KindSection, content.KindHome, content.KindVirtual:
		default:
			continue
		}
		if p.NoIndex || p.URL == PageURL || p.Type == "search" {
			continue
		}
		d := Doc{URL: p.URL, Title: p.Title, Type: p.Type, Description: p.Description}
		if d.Description == "" {
			d.Description = p.Summary
		}
		d.Body = HTMLText(string(p.Content))
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
		docs = append(docs, d)
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
