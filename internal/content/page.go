package content

import (
	"html/template"
	"time"
)

// Kind tells what a page is in the site's tree.
type Kind string

// The kinds of page a site has.
const (
	KindHome    Kind = "home"    // content/_index.md, or generated
	KindSection Kind = "section" // content/<section>/_index.md, or generated
	KindPage    Kind = "page"    // a regular page or a page bundle's index.md
	KindTags    Kind = "tags"    // the list of all tags, generated
	KindTag     Kind = "tag"     // one tag's pages, generated
	Kind404     Kind = "404"     // the not-found page, generated
	KindVirtual Kind = "virtual" // a page a content type generates (registers, indexes)
)

// Page is one page of the site: a Markdown file's front matter and body, or a
// page the build generates. Templates see it as .Page.
type Page struct {
	// File is the source path relative to the site source, slash-separated
	// ("content/tjanster/bygglov.md"); empty for generated pages.
	File string
	// Dir is the content-relative folder of the page's section
	// ("tjanster/bygga"); "" for the home page and top-level files.
	Dir string
	// Kind is the page's place in the tree.
	Kind Kind
	// Type selects the content type and, through it, the layouts: front
	// matter "type", else the section default from torg.toml, else "page".
	Type string
	// Section is the top-level section ("tjanster"); "" for the home page.
	Section string

	Title       string
	Description string
	// LinkTitle is a shorter title for menus and breadcrumbs (front matter
	// "linkTitle"); Title when not set.
	LinkTitle   string
	Date        time.Time // "date": Publicerad
	Lastmod     time.Time // "lastmod", else git, else mtime: Senast uppdaterad
	LastmodFrom string    // where Lastmod came from: "frontmatter", "git", "mtime" or ""
	Reviewed    time.Time // "reviewed": Granskad
	PublishDate time.Time // "publishDate": hidden before it
	ExpiryDate  time.Time // "expiryDate": hidden after it
	Draft       bool
	Weight      int
	Tags        []string
	Slug        string
	Aliases     []string // site-relative URL paths that redirect here
	Menus       []MenuEntry
	Owner       string // the unit responsible for the page (webbriktlinje R21)
	Layout      string // front matter "layout": a layout name to prefer
	// Lang is the page language ("sv"); the site's language by default.
	Lang string
	// Params holds front-matter keys that neither the core nor the page's
	// type knows, for templates (.Page.Params.x) in site-specific layouts.
	Params map[string]any
	// Data is the value the page's content type decoded from front matter
	// (for example *municipal.Meeting); nil for the generic "page" type.
	Data any

	// URL is the page's path from the site root, always starting and, for
	// HTML pages, ending with "/" ("/tjanster/bygglov/").
	URL string
	// Permalink is BaseURL joined with URL.
	Permalink string

	// Body is the Markdown after the front matter; BodyLine is the line of
	// the source file on which it starts, so positions in the body can be
	// reported as lines of the file.
	Body     []byte
	BodyLine int
	// Content is the rendered body.
	Content template.HTML
	// Summary is Description, or the first paragraph of the body as text.
	Summary string
	// Headings lists the body's headings, for tables of contents and
	// anchor checks.
	Headings []Heading
	// WordCount counts the words of the body.
	WordCount int

	// Parent is the section page above this one (the home page for
	// top-level sections); nil for the home page.
	Parent *Page
	// Pages lists a section's or tag's member pages, sorted as configured;
	// empty for regular pages.
	Pages []*Page
	// Sections lists a section's direct subsections.
	Sections []*Page
	// Resources lists the files of a page bundle, as site-relative URLs.
	Resources []Resource
	// Translations lists the page in the site's other languages (not the
	// page itself), in torg.toml order; empty on single-language sites.
	Translations []*Page
	// LattlastPage is the page's lättläst twin (bygglov.lattlast.md);
	// OrdinaryPage, on the twin, is the ordinary page.
	LattlastPage *Page
	OrdinaryPage *Page
	// FallbackOf is set on a generated fallback page (/en/tjanster/x/ for a
	// page without an English translation): the default-language page
	// whose text it shows under a notice in the reader's language.
	FallbackOf *Page

	// FeedURL is the URL of the page's Atom feed, set for sections and the
	// home page when they hold dated pages.
	FeedURL string

	// IsDraftShown is true when a draft is rendered because of --drafts.
	IsDraftShown bool
	// NoIndex keeps the page out of sitemaps, lists and feeds (404, aliases).
	NoIndex bool

	pageID    string // front matter "id"
	derivedID string // the id from the file name, computed when loaded
	fmHash    uint64 // of the source before the body (SameFrontMatter)

	logical      string           // content path without language and lättläst markers
	transKey     string           // shared by translations (translationKey)
	lattlastFile bool             // a .lattlast.md twin
	noDerivedID  bool             // translations and twins get no id from the file name
	fallbacks    map[string]*Page // language → fallback page of this page
}

// Heading is one heading of a page body.
type Heading struct {
	Level int
	ID    string
	Text  string
	Line  int // line in the source file
}

// Resource is a file that lives beside a bundle's index.md.
type Resource struct {
	Name      string // file name within the bundle ("ansokan.pdf")
	URL       string // "/tjanster/bygglov/ansokan.pdf"
	Size      int64
	MediaType string
}

// MenuEntry places a page in a named menu.
type MenuEntry struct {
	Menu   string // "main", "footer", ...
	Name   string // defaults to the page's LinkTitle
	Weight int
}

// IsHome reports whether p is the home page.
func (p *Page) IsHome() bool { return p.Kind == KindHome }

// IsSection reports whether p lists other pages (home, section, tag pages).
func (p *Page) IsSection() bool {
	return p.Kind == KindHome || p.Kind == KindSection || p.Kind == KindTags || p.Kind == KindTag
}

// Ancestors returns the pages from the home page down to p's parent, for
// breadcrumbs.
func (p *Page) Ancestors() []*Page {
	n := 0
	for q := p.Parent; q != nil; q = q.Parent {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]*Page, n)
	for q := p.Parent; q != nil; q = q.Parent {
		n--
		out[n] = q
	}
	return out
}

// RegularPages returns the non-section pages among p.Pages.
func (p *Page) RegularPages() []*Page {
	var out []*Page
	for _, q := range p.Pages {
		if q.Kind == KindPage {
			out = append(out, q)
		}
	}
	return out
}

// Name returns LinkTitle when set, else Title.
func (p *Page) Name() string {
	if p.LinkTitle != "" {
		return p.LinkTitle
	}
	return p.Title
}
