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
