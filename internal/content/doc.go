// Package content is torg's content model: how Markdown files in content/
// become pages. This comment is the reference for editors and theme
// authors; docs/ and the editor guide point here.
//
// # Files and URLs
//
// The site folder holds torg.toml (optional, see package config),
// content/, and optionally static/ (copied as is), layouts/, i18n/ and
// assets/ (which override the theme's files of the same name).
//
//	content/_index.md                  the home page                     /
//	content/tjanster/_index.md         a section's own page              /tjanster/
//	content/tjanster/parkering.md      a page                            /tjanster/parkering/
//	content/tjanster/bygga/_index.md   a nested section                  /tjanster/bygga/
//	content/tjanster/bygglov/index.md  a page bundle: the folder is the  /tjanster/bygglov/
//	content/tjanster/bygglov/karta.svg   page, files beside it are copied /tjanster/bygglov/karta.svg
//
// URLs come from file and folder names: lowercase, Swedish letters
// transliterated (å, ä → a; ö → o; é → e), spaces and punctuation folded
// to single hyphens ("Förskola och skola.md" → /forskola-och-skola/).
// File names are normalised to Unicode NFC first, so a file saved on a Mac
// gets the same URL. A folder with pages but no _index.md gets a generated
// section page titled after the folder. Files and folders whose names start
// with "." or "#", or end with "~", are editor leftovers and ignored.
// Symbolic links that point outside the site are not followed.
//
// Two pages with the same URL are an error naming both files.
//
// # Front matter
//
// Every Markdown file starts with front matter in YAML between "---" lines
// or TOML between "+++" lines. Keys every page understands:
//
//	title        text, required          the page's h1 and <title>
//	linkTitle    text                    shorter title for menus and breadcrumbs
//	description  text                    summary for lists, search engines and feeds
//	date         date                    "Publicerad"; orders news and feeds
//	lastmod      date                    "Senast uppdaterad"; default: the file's last
//	                                     git commit, else its modification time
//	reviewed     date                    "Granskad": when the owner last checked the page
//	publishDate  date                    hidden before this (scheduled publishing)
//	expiryDate   date                    hidden from this on
//	draft        true/false              hidden unless built with --drafts
//	weight       whole number            order in lists and menus (low first; 0 = unweighted, last)
//	tags         list of text            tag pages under /taggar/
//	slug         text                    replaces the file name in the URL (one segment)
//	url          text                    the page's whole URL path ("/kontakt/")
//	aliases      list of paths           old URLs that redirect here ("/gamla/sidan/")
//	menu         "main", [main, footer] or {main: {weight: 10, name: "Kort namn"}}
//	owner        text                    the unit responsible for the page (webbriktlinje R21)
//	type         text                    content type; default from torg.toml
//	                                     [sections.<name>] type, else "page"
//	layout       text                    a layout name to prefer
//	id           text                    id for references from other pages
//	                                     (default: the file or bundle folder name)
//	params       map                     free values for a site's own layouts
//
// Dates are written 2026-11-26, 2026-11-26 14:30 or in RFC 3339; times
// without an offset are in the site's time zone (Europe/Stockholm). A value
// of the wrong kind is an error with the file, line and column
// ("content/x.md:4:10: lastmod: cannot parse "2026-13-01" as a date"). An
// unknown key is a warning that suggests the likely intended key ("titel"
// → "title"); its value is kept in .Page.Params. A slug, url or alias that
// would leave the site root ("..", a NUL, a backslash, another host) is an
// error.
//
// Drafts, pages whose publishDate lies in the future and pages whose
// expiryDate has passed are left out of the build, of every list, feed and
// sitemap, unless the build runs with --drafts; "future" and "past" are
// relative to --now. A link to such a page is an error that says why.
//
// # Markdown
//
// Bodies are CommonMark with GitHub's tables, strikethrough, autolinks and
// task lists, plus footnotes, definition lists and Swedish typography
// (”citat”, ’apostrof’, – and …). Headings get readable ids ("## Så
// ansöker du" → #sa-ansoker-du). A paragraph ending in {lang=en} is marked
// as English for screen readers. Raw HTML is shown as text unless torg.toml
// sets unsafeHTML = true.
//
// Link to other pages by their Markdown file, relative to the current
// file: [Bygglov](../bygga/bygglov.md) or [Avgifter](bygglov.md#avgifter).
// The link becomes the page's URL; a link to a missing file or a missing
// heading is an error with its line and column. Links to files beside the
// page ([Ansökan (PDF, 80 kB)](ansokan.pdf)) are checked the same way.
// Line numbers count from the top of the file, front matter included.
//
// Warnings point at images without alt text, links without text, and
// headings that skip a level (h2 → h4). The page title is the only h1: start
// the body's headings at ##.
//
// # Languages
//
// A site is single-language unless torg.toml lists its languages, the
// default language first (or named by language = "sv"):
//
//	[[languages]]
//	code = "sv"   name = "Svenska"
//	[[languages]]
//	code = "en"   name = "English"   title = "Karlsborg Municipality"
//	[[languages]]
//	code = "yi"   name = "ייִדיש"     dir = "rtl"
//
// code is the BCP 47 code (sv, en, fi, fit for meänkieli, se for North
// Sámi, rom for romani chib, yi for Yiddish); name is the language's name
// in itself, shown in the language menu; dir is "rtl" for languages
// written right to left; title is the site's name in the language.
//
// A page's language comes from a file suffix or a language folder:
//
//	content/tjanster/bygglov.md          Swedish (the default)   /tjanster/bygglov/
//	content/tjanster/bygglov.en.md       English                 /en/tjanster/bygglov/
//	content/en/tjanster/bygglov.md       English, by folder      /en/tjanster/bygglov/
//	content/tjanster/bygglov/index.en.md English, of a bundle    /en/tjanster/bygglov/
//	content/_index.fi.md                 the Finnish home page   /fi/
//
// Default-language pages keep their URLs; the others live under /<code>/
// (a page's own url in front matter is used as written). Files with the
// same path once the language is removed are translations of each other:
// each lists the others in .Page.Translations, and the theme links them
// with <link rel="alternate" hreflang> (plus x-default, the default
// language) and a language menu (a <nav> naming each language in itself,
// each link with lang and hreflang). A page in another language gets its
// parent from the nearest section of its own language, else that
// language's home page; it takes no content type from torg.toml's section
// defaults (only from its own "type"), no id from its file name (set "id"
// to refer to it), and its "menu" entries make that language's menus
// (Site.Menu), not the default one's.
//
// Where a default-language page has no translation in a language, the
// build adds a fallback page at /<code>/<path>/ (Page.FallbackOf): the
// default-language text, marked with its own lang and dir, under a notice
// in the reader's language ("This page is not available in English. Below
// is the Swedish version."). Fallback pages are noindex, canonical to the
// original, and left out of sitemaps, lists, feeds and search. A language
// without its own _index.<code>.md gets a fallback home page at /<code>/,
// which also lists the language's pages.
//
// Interface strings come from i18n/<code>.toml and i18n/<code>.*.toml; in a
// language other than Swedish and English a missing key falls back to
// Swedish, then English. The default theme ships sv and en in full and fi,
// fit, se, rom (kalderaš) and yi for the language menu, the skip link and
// the page chrome. Dates in those languages are written 26.11.2026.
//
// A multilingual site writes one sitemap per language (sitemap.sv.xml,
// sitemap.en.xml, ...) listed in the sitemap index /sitemap.xml, and the
// generated page /sprak/ ("Andra språk"), which lists the pages of every
// other language under a heading in that language. Feeds follow the
// sections: a language's home or section with dated pages has its own
// atom.xml. Page.Lang is set on every page, for per-language search.
//
// # Lättläst
//
// A page may have a lättläst (easy-to-read Swedish) twin, on any site:
//
//	content/tjanster/bygglov.lattlast.md     /tjanster/bygglov/lattlast/
//	content/tjanster/_index.lattlast.md      /tjanster/lattlast/ (a section's twin)
//
// The twins link to each other ("Lättläst" on the ordinary page,
// "Ordinarie text" on the twin; Page.LattlastPage and Page.OrdinaryPage).
// Twins are not listed in their section; instead the generated section
// /lattlast/ lists every lättläst page: the twins and pages marked
// "lattlast: true" in front matter (which torg check holds to the lättläst
// LIX limit). A content/lattlast/_index.md replaces the generated page and
// lists them too. The home page has no twin: write the lättläst start page
// as content/lattlast/_index.md.
//
// # Content types
//
// A content type (type: meeting, person, service, ...) adds its own
// front-matter keys, validation, cross-references by id, generated pages
// and extra outputs; see Type for the hooks and the municipal package for
// the types torg ships. A type's layouts are looked up before the generic
// ones (see package render).
//
// # Templates
//
// Layouts receive render.Data: .Site (a *Site), .Page (a *Page), .Pager on
// lists, .Lang and .Now. Everything a layout can read of a page is a field
// or method of Page; of the site, of Site and config.Config.
package content
