package build

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/feeds"
	"github.com/torgsite/torg/internal/render"
)

// FeedEntries is how many entries an Atom feed holds.
const FeedEntries = 20

// writeOutputs writes feeds, sitemap.xml, robots.txt and every content
// type's extra outputs.
func writeOutputs(ctx context.Context, site *content.Site, eng *render.Engine, tr *tracker, min *minifier, priv Sink) error {
	errs := &diag.List{}
	cfg := site.Config
	for _, p := range site.Pages {
		if p.FeedURL == "" {
			continue
		}
		b, err := feedFile(site, p, feedPages(p), min)
		if err == nil {
			err = tr.write(strings.TrimPrefix(p.FeedURL, "/"), "feed of "+p.URL, b)
		}
		errs.AddError(err)
	}

	sitemaps, err := Sitemaps(site)
	errs.AddError(err)
	for _, f := range sitemaps {
		b, err := min.bytes("application/xml", f.Data)
		if err == nil {
			err = tr.write(f.Path, "sitemap", b)
		}
		errs.AddError(err)
	}
	errs.AddError(tr.write("robots.txt", "robots.txt", feeds.Robots(cfg.Absolute("/sitemap.xml"))))

	if priv != nil {
		b, err := relayLayout(eng, site, min)
		if err == nil && b != nil {
			err = priv.Write(RelayLayoutFile, b)
		}
		errs.AddError(err)
	}

	for _, t := range site.Registry.Types() {
		if t.Outputs == nil {
			continue
		}
		outs, err := t.Outputs(ctx, site)
		if err != nil {
			errs.AddError(fmt.Errorf("%s outputs: %w", t.Name, err))
			continue
		}
		for _, o := range outs {
			if o.Private {
				if priv != nil {
					errs.AddError(priv.Write(o.Path, o.Data))
				}
				continue
			}
			b, err := min.bytes(o.MediaType, o.Data)
			if err == nil {
				err = tr.write(o.Path, "content type "+t.Name, b)
			}
			errs.AddError(err)
		}
	}
	if err := errs.Err(); err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	return nil
}

// feedPages returns the entries of p's feed: its dated pages, newest
// first, at most FeedEntries.
func feedPages(p *content.Page) []*content.Page {
	var dated []*content.Page
	for _, c := range p.RegularPages() {
		if !c.Date.IsZero() {
			dated = append(dated, c)
		}
	}
	content.SortPages(dated, "date")
	if len(dated) > FeedEntries {
		dated = dated[:FeedEntries]
	}
	return dated
}

// feedFile renders p's Atom feed of dated, minified. Generate and
// Incremental share it so that their feeds cannot drift apart.
func feedFile(site *content.Site, p *content.Page, dated []*content.Page, min *minifier) ([]byte, error) {
	cfg := site.Config
	siteTitle := cfg.Lang(p.Lang).Title // the site's name in the feed's language
	f := feeds.Feed{ID: p.Permalink, Title: p.Title + " – " + siteTitle, Subtitle: p.Description, Link: p.Permalink, Self: cfg.Absolute(p.FeedURL), Lang: p.Lang, Author: cfg.Organisation.Name}
	if p.Kind == content.KindHome {
		f.Title = siteTitle
	}
	for _, c := range dated {
		f.Entries = append(f.Entries, feeds.Entry{ID: c.Permalink, Title: c.Title, Link: c.Permalink, Published: c.Date, Updated: c.Lastmod, Summary: c.Summary, Content: string(c.Content)})
	}
	b, err := feeds.Atom(f)
	if err == nil {
		b, err = min.bytes("application/atom+xml", b)
	}
	return b, err
}

// SitemapFile is one sitemap the build writes.
type SitemapFile struct {
	Path string // "sitemap.xml", "sitemap.en.xml"
	Data []byte // not minified
}

// Sitemaps returns the site's sitemaps: on a single-language site one
// sitemap.xml of every indexable page; on a multilingual site one
// sitemap.<code>.xml per language (fallback pages are NoIndex and left
// out) and sitemap.xml as a sitemap index of them, so that robots.txt
// keeps pointing at /sitemap.xml.
func Sitemaps(site *content.Site) ([]SitemapFile, error) {
	cfg := site.Config
	byLang := map[string][]feeds.URL{}
	for _, p := range site.Pages {
		if p.NoIndex {
			continue
		}
		lang := p.Lang
		if !cfg.Multilingual() || !cfg.IsLanguage(lang) {
			lang = cfg.Language
		}
		byLang[lang] = append(byLang[lang], feeds.URL{Loc: p.Permalink, Lastmod: p.Lastmod})
	}
	if !cfg.Multilingual() {
		sm, err := feeds.Sitemap(byLang[cfg.Language])
		return []SitemapFile{{Path: "sitemap.xml", Data: sm}}, err
	}
	var out []SitemapFile
	type smRef struct {
		Loc     string `xml:"loc"`
		Lastmod string `xml:"lastmod,omitempty"`
	}
	index := struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		NS       string   `xml:"xmlns,attr"`
		Sitemaps []smRef  `xml:"sitemap"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, l := range cfg.Languages {
		urls := byLang[l.Code]
		if len(urls) == 0 {
			continue
		}
		sm, err := feeds.Sitemap(urls)
		if err != nil {
			return nil, err
		}
		name := "sitemap." + l.Code + ".xml"
		out = append(out, SitemapFile{Path: name, Data: sm})
		var last time.Time
		for _, u := range urls {
			if u.Lastmod.After(last) {
				last = u.Lastmod
			}
		}
		ref := smRef{Loc: cfg.Absolute("/" + name)}
		if !last.IsZero() {
			ref.Lastmod = last.UTC().Format("2006-01-02")
		}
		index.Sitemaps = append(index.Sitemaps, ref)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(index); err != nil {
		return nil, fmt.Errorf("sitemap index: %w", err)
	}
	b.WriteByte('\n')
	return append([]SitemapFile{{Path: "sitemap.xml", Data: b.Bytes()}}, out...), nil
}
