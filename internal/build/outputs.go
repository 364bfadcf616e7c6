package build

import (
	"context"
	"fmt"
	"strings"

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
		f := feeds.Feed{ID: p.Permalink, Title: p.Title + " – " + cfg.Title, Subtitle: p.Description, Link: p.Permalink, Self: cfg.Absolute(p.FeedURL), Lang: p.Lang, Author: cfg.Organisation.Name}
		if p.Kind == content.KindHome {
			f.Title = cfg.Title
		}
		for _, c := range dated {
			f.Entries = append(f.Entries, feeds.Entry{ID: c.Permalink, Title: c.Title, Link: c.Permalink, Published: c.Date, Updated: c.Lastmod, Summary: c.Summary, Content: string(c.Content)})
		}
		b, err := feeds.Atom(f)
		if err == nil {
			b, err = min.bytes("application/atom+xml", b)
		}
		if err == nil {
			err = tr.write(strings.TrimPrefix(p.FeedURL, "/"), "feed of "+p.URL, b)
		}
		errs.AddError(err)
	}

	var urls []feeds.URL
	for _, p := range site.Pages {
		if p.NoIndex {
			continue
		}
		urls = append(urls, feeds.URL{Loc: p.Permalink, Lastmod: p.Lastmod})
	}
	sm, err := feeds.Sitemap(urls)
	if err == nil {
		sm, err = min.bytes("application/xml", sm)
	}
	if err == nil {
		err = tr.write("sitemap.xml", "sitemap", sm)
	}
	errs.AddError(err)
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
