// Package render turns pages into HTML with html/template layouts.
//
// # Layout lookup
//
// Layouts live in a theme's layouts/ folder; a site's own layouts/ folder
// overrides the theme file by file. For a page the first existing file wins:
//
//	regular page:  <layout>.html (front matter "layout"), <type>/single.html,
//	               <section>/single.html, _default/single.html
//	section page:  <type>/list.html, <section>/list.html, _default/list.html
//	home page:     index.html, _default/list.html
//	tag list:      _default/tags.html;  one tag: _default/tag.html
//	404 page:      404.html
//	virtual page:  <type>/<layout>.html, <layout>.html, _default/<layout>.html,
//	               <type>/single.html, _default/single.html
//	fallback page: _default/fallback.html first (a page shown in a language
//	               it has no translation in; see package content)
//
// On a multilingual site every page is rendered in its own language
// (Data.Lang is the page's Lang): the same layouts, with the interface
// strings and dates of that language.
//
// Every page layout is parsed together with _default/baseof.html and every
// file in partials/ into its own template set (one set per layout file, as
// pkgsite does), so a layout defines blocks ("main", "title", "head") that
// baseof.html places. Partials are called as {{template "partials/x.html" .}}.
//
// # Template data
//
// Every layout receives *Data (see its fields). Functions available:
//
//	t KEY [ARGS...]   translated interface string (i18n/<lang>.toml), fmt-style args;
//	                  in a language other than sv and en a missing key falls
//	                  back to Swedish, then English
//	tl LANG KEY [ARGS...]  the same string in another site language
//	langName CODE, langDir CODE   a site language's own name and direction
//	date TIME         "26 november 2026" (in the interface language; "26.11.2026"
//	                  in languages other than sv and en)
//	datetime TIME     "26 november 2026 kl. 14.30"
//	isodate TIME      "2026-11-26" (for <time datetime>)
//	asset PATH        URL of a theme asset with a content hash ("/css/main.3f2a1b9c.css")
//	absURL PATH       absolute URL on the site (for feeds, canonical, og:url)
//	humanSize BYTES   "1,2 MB"
//	lower, upper, title, join, split, trim, hasPrefix, contains
//	first N LIST      the first N pages
//	slice ITEMS...    a list; dict K V ... a map
//	add, sub          integer arithmetic
//	safeHTML, safeURL, safeCSS, jsonLD VALUE (a <script type="application/ld+json"> body)
//	now               the build's current time
//	pageByID ID       the page with that id, or nil
//	pagesOfType NAME  all pages of a content type
//	seq N             0..N-1
package render

import (
	"time"

	"github.com/torgsite/torg/internal/content"
)

// Data is what every layout receives as ".".
type Data struct {
	Site *content.Site
	Page *content.Page
	// Pager is set on list pages (home, section, tag): the current slice of
	// pages and links to the neighbours.
	Pager *Pager
	// Lang is the interface language ("sv"): the page's language.
	Lang string
	// Now is the build's current time (--now).
	Now time.Time
	// Serve is true when rendered by `torg serve` (drafts marked, live
	// reload injected).
	Serve bool
}

// Pager is one page of a paginated list.
type Pager struct {
	Pages      []*content.Page
	Number     int // 1-based
	Total      int // number of pager pages
	PrevURL    string
	NextURL    string
	FirstURL   string
	LastURL    string
	TotalItems int
}
