// Package feeds writes the machine-readable outputs of a site: Atom feeds
// (RFC 4287), sitemap.xml and robots.txt. Output is deterministic: times
// come from the pages, never from the clock.
package feeds

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// Entry is one Atom entry.
type Entry struct {
	ID        string // permanent, absolute URL
	Title     string
	Link      string
	Published time.Time
	Updated   time.Time
	Summary   string
	Content   string // HTML
	Author    string
}

// Feed is an Atom feed.
type Feed struct {
	ID       string
	Title    string
	Subtitle string
	Link     string // the HTML page the feed belongs to
	Self     string // the feed's own URL
	Lang     string
	Author   string
	Entries  []Entry
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Link      atomLink   `xml:"link"`
	Published string     `xml:"published,omitempty"`
	Updated   string     `xml:"updated"`
	Author    atomPerson `xml:"author"`
	Summary   *atomText  `xml:"summary,omitempty"`
	Content   *atomText  `xml:"content,omitempty"`
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

// Atom renders f. The feed's updated time is the newest entry's.
func Atom(f Feed) ([]byte, error) {
	af := atomFeed{Lang: f.Lang, ID: f.ID, Title: f.Title, Subtitle: f.Subtitle, Author: atomPerson{f.Author},
		Links: []atomLink{{Href: f.Link, Rel: "alternate", Type: "text/html"}, {Href: f.Self, Rel: "self", Type: "application/atom+xml"}}}
	var newest time.Time
	for _, e := range f.Entries {
		up := e.Updated
		if up.IsZero() || up.Before(e.Published) {
			up = e.Published
		}
		if up.After(newest) {
			newest = up
		}
		ae := atomEntry{ID: e.ID, Title: e.Title, Link: atomLink{Href: e.Link, Rel: "alternate", Type: "text/html"}, Updated: up.UTC().Format(time.RFC3339)}
		if !e.Published.IsZero() {
			ae.Published = e.Published.UTC().Format(time.RFC3339)
		}
		ae.Author = atomPerson{e.Author}
		if ae.Author.Name == "" {
			ae.Author.Name = f.Author
		}
		if e.Summary != "" {
			ae.Summary = &atomText{Type: "text", Body: e.Summary}
		}
		if e.Content != "" {
			ae.Content = &atomText{Type: "html", Body: e.Content}
		}
		af.Entries = append(af.Entries, ae)
	}
	if newest.IsZero() {
		newest = time.Unix(0, 0)
	}
	af.Updated = newest.UTC().Format(time.RFC3339)
	return marshal(af)
}

// URL is one sitemap entry.
type URL struct {
	Loc     string
	Lastmod time.Time
}

type smURL struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod,omitempty"`
}

type smSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []smURL  `xml:"url"`
}

// Sitemap renders a sitemap.xml of urls, in the given order.
func Sitemap(urls []URL) ([]byte, error) {
	var s smSet
	for _, u := range urls {
		e := smURL{Loc: u.Loc}
		if !u.Lastmod.IsZero() {
			e.Lastmod = u.Lastmod.UTC().Format("2006-01-02")
		}
		s.URLs = append(s.URLs, e)
	}
	return marshal(s)
}

// Robots returns a robots.txt that allows everything and names the sitemap.
func Robots(sitemapURL string) []byte {
	return []byte(fmt.Sprintf("User-agent: *\nAllow: /\n\nSitemap: %s\n", sitemapURL))
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode XML: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
