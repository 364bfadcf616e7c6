// Package build runs a whole site build in named phases:
//
//	config   read torg.toml, check the brand colour's contrast
//	theme    pick the theme (site layouts override it file by file), hash assets
//	load     read content/, parse front matter, decode content types, URLs
//	types    content types resolve references and add generated pages
//	markdown parse every body, resolve relative links and anchors, render
//	render   execute layouts for every page (parallel), minify
//	outputs  feeds, sitemap, robots.txt, aliases, 404, content-type outputs
//	static   copy static/, content files and assets
//	publish  swap the finished output in atomically
//
// Every phase collects all the errors it finds (up to diag.MaxErrors) with
// file:line:col before the build stops, and a failed build leaves the
// previous output untouched.
package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/torgsite/torg/internal/colour"
	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/gitdates"
	"github.com/torgsite/torg/internal/markdown"
	"github.com/torgsite/torg/internal/publish"
	"github.com/torgsite/torg/internal/render"
	"github.com/torgsite/torg/internal/urlpath"
)

// Options configure a build.
type Options struct {
	// Source is the site folder (holds torg.toml, content/, static/,
	// layouts/, i18n/, assets/).
	Source string
	// Dest is the output folder; "" means Source/public.
	Dest string
	// Drafts includes drafts, future and expired pages.
	Drafts bool
	// BaseURL overrides torg.toml's baseURL when set.
	BaseURL string
	// RelayURL, when set, replaces a non-empty [relay] url of torg.toml:
	// torg serve points the site's contact forms at itself. An empty
	// [relay] url stays empty, so a site without forms stays without.
	RelayURL string
	// Now is the build's current time; zero means time.Now().
	Now time.Time
	// Minify overrides torg.toml's minify when set.
	Minify *bool
	// Registry holds the content types; nil means only the generic "page".
	Registry *content.Registry
	// Theme replaces the theme named in torg.toml (or the built-in one).
	Theme fs.FS
	// Serve marks a build for `torg serve`: drafts are marked, and
	// Inject (when set) post-processes every HTML page.
	Serve  bool
	Inject func(p *content.Page, html []byte) []byte
	// NoGit disables "Senast uppdaterad" dates from git history.
	NoGit bool
	// Watched promises an Incremental that every change to the source is
	// reported through Invalidate (torg serve's file watcher). It then
	// applies edits that change only page bodies to the loaded site in
	// place instead of reading the whole source again.
	Watched bool
	// Checker runs content checks (the rules of `torg check`) once pages
	// are loaded and their Markdown rendered; its error diagnostics fail
	// the build, the rest are printed as warnings.
	Checker func(ctx context.Context, site *content.Site) []*diag.Diagnostic
	// Private receives private outputs (the relay's recipient table and
	// page layout). Build sets it to a folder beside Dest named
	// Dest + ".relay"; nil discards them.
	Private Sink
}

// PrivateSuffix names the folder beside the destination that holds the
// relay's data: "public" → "public.relay".
const PrivateSuffix = ".relay"

// Result describes a finished build.
type Result struct {
	Pages    int // HTML pages written
	Files    int // all files written
	Duration time.Duration
	Warnings []*diag.Diagnostic
	// Site is the loaded site, for callers that inspect it (serve, check).
	Site *content.Site
	// Outputs lists every written path with the page it came from ("" for
	// files without a page), for incremental serving.
	Outputs map[string]string
}

// Build builds the site into Dest atomically.
func Build(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	dest := opts.Dest
	if dest == "" {
		dest = filepath.Join(opts.Source, "public")
	}
	if err := checkDest(opts.Source, dest); err != nil {
		return nil, err
	}
	staging, err := publish.Begin(dest)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	private, err := publish.Begin(filepath.Clean(dest) + PrivateSuffix)
	if err != nil {
		staging.Abort()
		return nil, fmt.Errorf("publish: %w", err)
	}
	if err := os.Chmod(private.Dir, 0o750); err != nil {
		staging.Abort()
		private.Abort()
		return nil, fmt.Errorf("publish: %w", err)
	}
	sink := NewDirSink(staging.Dir)
	opts.Private = NewDirSink(private.Dir)
	res, err := Generate(ctx, opts, sink)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		staging.Abort()
		private.Abort()
		return res, err
	}
	// The public output first: the relay's files only ever describe a
	// site that is live.
	if err := staging.Commit(); err != nil {
		private.Abort()
		return res, fmt.Errorf("publish: %w", err)
	}
	if err := private.Commit(); err != nil {
		return res, fmt.Errorf("publish relay data: %w", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// checkDest refuses destinations that would overwrite the sources: the
// swap replaces the whole destination folder.
func checkDest(source, dest string) error {
	s, err1 := filepath.Abs(source)
	d, err2 := filepath.Abs(dest)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if rel, err := filepath.Rel(d, s); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("output folder %s would replace the site source %s: choose another --dest", dest, source)
	}
	for _, sub := range []string{content.ContentDir, "static", "layouts", "themes", "assets", "i18n"} {
		if rel, err := filepath.Rel(filepath.Join(s, sub), d); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return fmt.Errorf("output folder %s is inside the site's %s/ folder: choose another --dest", dest, sub)
		}
	}
	return nil
}

// Sink receives the build's output files.
type Sink interface {
	// Write stores data at path (slash-separated, relative to the output root).
	Write(path string, data []byte) error
	// Copy stores the file at src (absolute) at path.
	Copy(path, src string) error
}

// DirSink writes output files below a folder.
type DirSink struct {
	root string
	dirs sync.Map
}

// NewDirSink returns a sink writing below root.
func NewDirSink(root string) *DirSink { return &DirSink{root: root} }

func (d *DirSink) target(p string) (string, error) {
	clean := path.Clean("/" + p)
	if clean == "/" || strings.Contains(clean, "\x00") {
		return "", fmt.Errorf("bad output path %q", p)
	}
	full := filepath.Join(d.root, filepath.FromSlash(clean[1:]))
	dir := filepath.Dir(full)
	if _, ok := d.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create %s: %w", dir, err)
		}
		d.dirs.Store(dir, true)
	}
	return full, nil
}

// Write implements Sink.
func (d *DirSink) Write(p string, data []byte) error {
	full, err := d.target(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// Copy implements Sink.
func (d *DirSink) Copy(p, src string) error {
	full, err := d.target(p)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	defer in.Close()
	out, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", p, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	return nil
}

// MemSink keeps output files in memory (for `torg serve` and tests).
type MemSink struct {
	mu    sync.Mutex
	Files map[string][]byte
}

// NewMemSink returns an empty in-memory sink.
func NewMemSink() *MemSink { return &MemSink{Files: map[string][]byte{}} }

// cleanOutputPath reports whether p needs no path.Clean: relative, no
// empty, "." or ".." elements, no trailing slash.
func cleanOutputPath(p string) bool {
	if p == "" || p[0] == '/' || p[len(p)-1] == '/' || strings.Contains(p, "//") {
		return false
	}
	q := "/" + p + "/"
	return !strings.Contains(q, "/./") && !strings.Contains(q, "/../")
}

// Write implements Sink.
func (m *MemSink) Write(p string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !cleanOutputPath(p) {
		p = strings.TrimPrefix(path.Clean("/"+p), "/")
	}
	m.Files[p] = data
	return nil
}

// Copy implements Sink.
func (m *MemSink) Copy(p, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", p, err)
	}
	return m.Write(p, b)
}

// tracker guards against two outputs with the same path and counts them.
type tracker struct {
	sink  Sink
	mu    sync.Mutex
	owner map[string]string
	pages int
	// rewrite: owner holds the outputs of the previous build, which the
	// same owners may write again (Incremental after a body-only edit).
	rewrite bool
	// written, when not nil, collects the paths written.
	written map[string]bool
}

func (t *tracker) claim(p, who string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev, dup := t.owner[p]; dup && !(t.rewrite && prev == who) {
		return fmt.Errorf("output %s is written by both %s and %s", p, prev, who)
	}
	t.owner[p] = who
	if t.written != nil {
		t.written[p] = true
	}
	return nil
}

func (t *tracker) write(p, who string, data []byte) error {
	if err := t.claim(p, who); err != nil {
		return err
	}
	return t.sink.Write(p, data)
}

func (t *tracker) copy(p, who, src string) error {
	if err := t.claim(p, who); err != nil {
		return err
	}
	return t.sink.Copy(p, src)
}

// Generate runs every phase but publish, writing through sink.
func Generate(ctx context.Context, opts Options, sink Sink) (*Result, error) {
	start := time.Now()
	diags := &diag.List{}
	res := &Result{}
	defer func() { res.Warnings = diags.Warnings() }()
	if opts.Registry == nil {
		opts.Registry = content.NewRegistry()
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}

	// config
	cfg, err := config.Load(opts.Source, diags)
	if err != nil {
		return res, err
	}
	if opts.BaseURL != "" {
		if err := cfg.SetBaseURL(opts.BaseURL); err != nil {
			return res, &UsageError{err.Error()}
		}
	}
	if opts.RelayURL != "" && cfg.Relay.URL != "" {
		cfg.Relay.URL = opts.RelayURL
	}
	if opts.Minify != nil {
		cfg.Minify = opts.Minify
	}
	if err := checkBrand(opts.Source, cfg); err != nil {
		return res, err
	}

	// theme
	th, err := loadTheme(opts, cfg)
	if err != nil {
		return res, fmt.Errorf("theme: %w", err)
	}
	min := newMinifier(cfg.MinifyOutput())
	assets, assetFiles, err := hashAssets(th.assets, min)
	if err != nil {
		return res, fmt.Errorf("theme assets: %w", err)
	}

	// load
	lastmod, err := lastmodFunc(ctx, opts, cfg, diags)
	if err != nil {
		return res, fmt.Errorf("load: %w", err)
	}
	loaded, err := content.Load(ctx, content.LoadOptions{Source: opts.Source, Config: cfg, Registry: opts.Registry, Drafts: opts.Drafts || opts.Serve && opts.Drafts, Now: opts.Now, Diags: diags, Lastmod: lastmod})
	if err != nil {
		return res, err
	}
	site := loaded.Site
	res.Site = site

	// types
	if err := runTypes(ctx, site); err != nil {
		return res, err
	}

	// markdown
	md := markdown.New(markdown.Options{Unsafe: cfg.UnsafeHTML, Lang: cfg.Language})
	if err := renderMarkdown(ctx, md, loaded, diags, opts.Checker != nil); err != nil {
		return res, err
	}
	if err := runChecker(ctx, opts, site, diags); err != nil {
		return res, err
	}
	notFound := &content.Page{Kind: content.Kind404, Title: "", Type: "page", URL: "/404.html", Parent: site.Home, NoIndex: true, Lang: cfg.Language}
	setFeeds(site)

	// render
	eng, err := render.New(render.Options{Layouts: th.layouts, I18n: th.i18n, Lang: cfg.Language, Assets: assets, Site: site, Serve: opts.Serve, Diags: diags})
	if err != nil {
		return res, err
	}
	if notFound.Title == "" {
		notFound.Title = eng.T("not_found_title")
	}
	tr := &tracker{sink: sink, owner: map[string]string{}}
	if err := renderPages(ctx, eng, site, append(append([]*content.Page(nil), site.Pages...), notFound), tr, min, opts); err != nil {
		return res, err
	}

	// outputs
	if err := writeOutputs(ctx, site, eng, tr, min, opts.Private); err != nil {
		return res, err
	}

	// static
	errs := &diag.List{}
	for _, f := range assetFiles {
		errs.AddError(tr.write(f.path, "theme asset "+f.src, f.data))
	}
	for _, layer := range th.static {
		errs.AddError(copyStatic(layer, tr))
	}
	for _, f := range loaded.Files {
		errs.AddError(tr.copy(strings.TrimPrefix(f.URL, "/"), f.File, f.Abs))
	}
	if err := errs.Err(); err != nil {
		return res, fmt.Errorf("static: %w", err)
	}
	res.Pages = tr.pages
	res.Files = len(tr.owner)
	res.Outputs = tr.owner
	res.Duration = time.Since(start)
	return res, ctx.Err()
}

// supersededByChecker lists the Markdown warnings that the content checker
// reports itself, in more detail; with a checker they are not repeated.
var supersededByChecker = map[string]bool{
	markdown.RuleHeadingSkip: true,
	markdown.RuleImageNoAlt:  true,
}

// keepParseWarning reports whether a Markdown parse warning is shown: not
// when checked (a content checker runs) and the checker reports it itself.
func keepParseWarning(w *diag.Diagnostic, checked bool) bool {
	return !checked || !supersededByChecker[w.Rule]
}

// runChecker runs opts.Checker: warnings go to diags, errors fail the build.
func runChecker(ctx context.Context, opts Options, site *content.Site, diags *diag.List) error {
	if opts.Checker == nil {
		return nil
	}
	errs := &diag.List{}
	for _, d := range opts.Checker(ctx, site) {
		if d.Severity == diag.Error {
			errs.Add(d)
		} else {
			diags.Add(d)
		}
	}
	return errs.Err()
}

// UsageError is a problem with the command line rather than the site.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func checkBrand(source string, cfg *config.Config) error {
	c, err := colour.Parse(cfg.Style.Brand)
	line := findLine(filepath.Join(source, config.FileName), "brand")
	if err != nil {
		return diag.Errorf(config.FileName, line, 0, "style.brand: %v", err)
	}
	if r := colour.Contrast(c, colour.White); r < 4.5 {
		return diag.Errorf(config.FileName, line, 0, "style.brand: %s has a contrast of %.2f:1 against white; text and links need at least 4.5:1 (WCAG 1.4.3): choose a darker colour", c, r)
	}
	return nil
}

func findLine(file, key string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), key) {
			return i + 1
		}
	}
	return 0
}

func lastmodFunc(ctx context.Context, opts Options, cfg *config.Config, diags *diag.List) (func(string, fs.FileInfo) (time.Time, string), error) {
	var dates *gitdates.Dates
	if !opts.NoGit {
		d, err := gitdates.Load(ctx, opts.Source)
		if err != nil {
			diags.Add(diag.Warnf("", 0, 0, "git history not used for last-updated dates: %v", err))
		}
		dates = d
		if d != nil && d.Shallow {
			diags.Add(diag.Warnf("", 0, 0, "the site is a shallow git clone: pages not changed since the clone's oldest commit show no \"Senast uppdaterad\" date (clone with full history, or set lastmod)"))
		}
	}
	return func(file string, info fs.FileInfo) (time.Time, string) {
		if dates != nil {
			t, ok, unknown := dates.Lookup(file)
			if ok {
				return t.In(cfg.Location), "git"
			}
			if unknown {
				return time.Time{}, ""
			}
		}
		return info.ModTime().In(cfg.Location), "mtime"
	}, nil
}

func runTypes(ctx context.Context, site *content.Site) error {
	errs := &diag.List{}
	for _, t := range site.Registry.Types() {
		if t.Resolve != nil {
			errs.AddError(t.Resolve(ctx, site, site.PagesOfType(t.Name)))
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	for _, t := range site.Registry.Types() {
		if t.Pages == nil {
			continue
		}
		ps, err := t.Pages(ctx, site)
		if err != nil {
			errs.AddError(err)
			continue
		}
		for _, p := range ps {
			if p.URL == "" {
				errs.Add(diag.Errorf("", 0, 0, "content type %s generated a page without URL (%q)", t.Name, p.Title))
				continue
			}
			p.URL = urlpath.Clean(p.URL)
			if other, dup := site.ByURL[p.URL]; dup {
				who := other.File
				if who == "" {
					who = "a generated page"
				}
				errs.Add(diag.Errorf(who, 0, 0, "URL %s is also used by a page the %s type generates", p.URL, t.Name))
				continue
			}
			if p.Kind == "" {
				p.Kind = content.KindVirtual
			}
			if p.Type == "" {
				p.Type = t.Name
			}
			if p.Lang == "" {
				p.Lang = site.Config.Language
			}
			if p.Parent == nil {
				p.Parent = site.Home
			}
			if p.LinkTitle == "" {
				p.LinkTitle = p.Title
			}
			p.Permalink = site.Config.Absolute(p.URL)
			site.ByURL[p.URL] = p
			site.Pages = append(site.Pages, p)
		}
	}
	sort.Slice(site.Pages, func(i, j int) bool { return site.Pages[i].URL < site.Pages[j].URL })
	return errs.Err()
}

// renderMarkdown parses every body, then resolves links (which needs every
// page's headings) and renders.
func renderMarkdown(ctx context.Context, md *markdown.Renderer, loaded *content.Loaded, diags *diag.List, checked bool) error {
	site := loaded.Site
	var pages []*content.Page
	for _, p := range site.Pages {
		if len(p.Body) > 0 || p.File != "" {
			pages = append(pages, p)
		}
	}
	docs := make([]*markdown.Document, len(pages))
	content.Parallel(ctx, len(pages), func(i int) {
		p := pages[i]
		doc, warns := md.Parse(p.File, p.Body, p.BodyLine)
		for _, w := range warns {
			if keepParseWarning(w, checked) {
				diags.Add(w)
			}
		}
		docs[i] = doc
		p.Headings = doc.Headings
		p.WordCount = doc.WordCount
		p.Summary = p.Description
		if p.Summary == "" {
			p.Summary = doc.Summary
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	errs := &diag.List{}
	content.Parallel(ctx, len(pages), func(i int) {
		p := pages[i]
		html, ds := md.Render(docs[i], linkResolver(p, loaded))
		for _, d := range ds {
			if d.Severity == diag.Error {
				errs.Add(d)
			} else {
				diags.Add(d)
			}
		}
		p.Content = template.HTML(html)
		p.Body = nil // the source is no longer needed; keep memory low
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errs.Err()
}

// linkResolver maps a relative link in p's body to the URL of the file it
// names, checking that the file is published and the anchor exists.
func linkResolver(p *content.Page, loaded *content.Loaded) markdown.LinkResolver {
	return func(dest string) (string, error) {
		target, frag, _ := strings.Cut(dest, "#")
		if target == "" {
			if frag == "" || hasHeading(p, frag) {
				return dest, nil
			}
			return "", fmt.Errorf("link to #%s: this page has no heading with that id%s", frag, suggestAnchor(p, frag))
		}
		if q := strings.IndexByte(target, '?'); q >= 0 {
			target = target[:q]
		}
		if un, err := urlUnescape(target); err == nil {
			target = un
		}
		base := path.Dir(p.File)
		if p.File == "" {
			return dest, nil
		}
		file := path.Clean(path.Join(base, target))
		if !strings.HasPrefix(file, content.ContentDir+"/") {
			return "", fmt.Errorf("link to %s leaves the content folder", target)
		}
		file = nfc(file)
		candidates := []string{file}
		if path.Ext(file) == "" {
			candidates = append(candidates, file+".md", file+"/_index.md", file+"/index.md")
		}
		for _, c := range candidates {
			u, ok := loaded.FileURL[c]
			if !ok {
				if reason, hidden := loaded.Hidden[c]; hidden {
					return "", fmt.Errorf("link to %s, which is not published: %s", target, reason)
				}
				continue
			}
			if frag != "" {
				tp := loaded.Site.ByFile[c]
				if tp != nil && !hasHeading(tp, frag) {
					return "", fmt.Errorf("link to %s#%s: %s has no heading with that id%s", target, frag, c, suggestAnchor(tp, frag))
				}
				return u + "#" + frag, nil
			}
			return u, nil
		}
		return "", fmt.Errorf("link to %s: no such file (%s)", target, file)
	}
}

func hasHeading(p *content.Page, id string) bool {
	for _, h := range p.Headings {
		if h.ID == id {
			return true
		}
	}
	return false
}

func suggestAnchor(p *content.Page, id string) string {
	var ids []string
	for _, h := range p.Headings {
		ids = append(ids, h.ID)
	}
	if s := config.Suggest(id, ids); s != "" {
		return fmt.Sprintf(" (did you mean #%s?)", s)
	}
	return ""
}

// setFeeds gives every section with dated pages an Atom feed URL.
func setFeeds(site *content.Site) {
	for _, p := range site.Pages {
		if p.Kind != content.KindSection && p.Kind != content.KindHome {
			continue
		}
		for _, c := range p.RegularPages() {
			if !c.Date.IsZero() {
				p.FeedURL = p.URL + "atom.xml"
				break
			}
		}
	}
}

func hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:10]
}
