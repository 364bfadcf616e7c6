package content

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/diag"
)

// Type is a content type: a kind of page with its own front-matter keys,
// validation, cross-references and extra outputs. The generic "page" type is
// built in; the municipal types (meeting, person, organ, service, notice,
// news, ...) register themselves the same way, without changes to the core.
//
// Every hook is optional. The build calls them in this order:
//
//  1. Decode, once per page of the type, concurrently, right after the
//     common keys are read. It validates the type's own keys (fm.Take...) and
//     stores the decoded value in p.Data. Errors carry file:line:col.
//  2. Resolve, once per type, after every page is loaded and has a URL. It
//     checks references between pages (by id) and may derive data (an
//     organ's members from people's memberships).
//  3. Pages, once per type, after Resolve: generated pages (registers,
//     A–Ö indexes) rendered with the theme like any other page.
//  4. Outputs, once per type, after rendering: extra files (iCalendar,
//     vCard, JSON, CSV) written to the destination.
type Type struct {
	// Name is the value of front matter "type" ("meeting").
	Name string
	// Keys lists the type's own front-matter keys, so that they are not
	// reported as unknown and can be suggested for misspellings.
	Keys []string
	// Decode reads the type's keys from fm into p.Data.
	Decode func(fm *FrontMatter, p *Page) error
	// Resolve checks and links the pages of this type within the site.
	Resolve func(ctx context.Context, s *Site, pages []*Page) error
	// Pages returns generated pages; their Kind should be KindVirtual and
	// their URL set.
	Pages func(ctx context.Context, s *Site) ([]*Page, error)
	// Outputs returns extra files to write, keyed by site-relative path.
	Outputs func(ctx context.Context, s *Site) ([]Output, error)
	// Wide marks a type whose pages show something of every page's text
	// (the search page, whose index covers every page): torg serve
	// renders them again after any change. Pages of other types are
	// rendered again when something their layout or data shows changes.
	Wide bool
}

// Output is an extra file a content type writes.
type Output struct {
	Path      string // slash-separated, relative to the destination root ("kalender/ks.ics")
	Data      []byte
	MediaType string // used to pick a minifier; "" for none
	// Private outputs are written beside the destination, never inside it
	// ("public.relay/recipients.json" next to "public/"), so that the web
	// server does not publish them: data for the contact-form relay.
	Private bool
}

// Registry maps type names to types. It is safe for concurrent reads once
// registration is done.
type Registry struct {
	mu    sync.RWMutex
	types map[string]*Type
}

// NewRegistry returns a registry holding the built-in "page" type.
func NewRegistry() *Registry {
	r := &Registry{types: map[string]*Type{}}
	r.MustRegister(&Type{Name: "page"})
	return r
}

// Register adds t; a second type of the same name is an error.
func (r *Registry) Register(t *Type) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t == nil || t.Name == "" {
		return fmt.Errorf("register content type: empty name")
	}
	if _, dup := r.types[t.Name]; dup {
		return fmt.Errorf("register content type %q: already registered", t.Name)
	}
	r.types[t.Name] = t
	return nil
}

// MustRegister is Register for program initialisation; it panics on error.
func (r *Registry) MustRegister(t *Type) {
	if err := r.Register(t); err != nil {
		panic(err)
	}
}

// Lookup returns the type of the given name.
func (r *Registry) Lookup(name string) (*Type, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[name]
	return t, ok
}

// Names returns the registered type names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.types))
	for n := range r.types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Types returns the registered types sorted by name, for deterministic
// hook order.
func (r *Registry) Types() []*Type {
	var out []*Type
	for _, n := range r.Names() {
		t, _ := r.Lookup(n)
		out = append(out, t)
	}
	return out
}

// Site is the whole loaded site: configuration, every page, and indexes
// over them. Templates see it as .Site.
type Site struct {
	Config *config.Config
	// Home is the home page.
	Home *Page
	// Pages holds every page that will be rendered, sorted by URL.
	Pages []*Page
	// ByURL, ByFile and ByID index Pages. ByID maps a page's id (its file
	// name without extension, or its bundle folder name, or front matter
	// "id") to the page, for references between pages.
	ByURL  map[string]*Page
	ByFile map[string]*Page
	ByID   map[string]*Page
	// Sections lists the top-level section pages, sorted by weight and
	// title.
	Sections []*Page
	// Tags maps a tag's slug to its tag page.
	Tags map[string]*Page
	// Menus maps a menu name to its entries, sorted by weight then name.
	Menus map[string][]MenuItem
	// Diags collects warnings from every phase.
	Diags *diag.List
	// Registry is the content type registry the site was loaded with.
	Registry *Registry
	// Now is the build's idea of the current time (--now).
	Now time.Time
	// Generation counts in-place rebuilds of this Site value: `torg serve`
	// applies an edit that changes only page bodies to the loaded site
	// and increments it. Data of generated pages that memoizes anything
	// computed from other pages must compute it again when it changes.
	Generation int

	ambiguous map[string][]string // derived ids shared by several files
	langHomes map[string]*Page    // language → its home page
}

// Lookup returns the page with the given id, with an error that says why
// when there is none or the id is ambiguous.
func (s *Site) Lookup(id string) (*Page, error) {
	if p, ok := s.ByID[id]; ok {
		return p, nil
	}
	if files, ok := s.ambiguous[id]; ok {
		return nil, fmt.Errorf("%q is ambiguous: it names %s (set a unique \"id\" in front matter)", id, strings.Join(files, " and "))
	}
	return nil, fmt.Errorf("no page has the id %q", id)
}

// MenuItem is one rendered menu entry.
type MenuItem struct {
	Name   string
	URL    string
	Weight int
	Page   *Page // nil for entries configured in torg.toml with a URL
}

// PagesOfType returns the site's pages of the given type, in site order.
func (s *Site) PagesOfType(name string) []*Page {
	var out []*Page
	for _, p := range s.Pages {
		if p.Type == name {
			out = append(out, p)
		}
	}
	return out
}
