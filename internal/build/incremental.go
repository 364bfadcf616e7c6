package build

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/feeds"
	"github.com/torgsite/torg/internal/gitdates"
	"github.com/torgsite/torg/internal/markdown"
	"github.com/torgsite/torg/internal/render"
	"github.com/torgsite/torg/internal/urlpath"
)

// Incremental builds a site again and again into memory, for `torg serve`,
// reusing whatever did not change since the previous build:
//
//   - parsed front matter, per Markdown file, while its size and
//     modification time stay the same and no watcher reported it;
//   - rendered Markdown, per file, while its body is the same and every
//     relative link in it resolves exactly as before;
//   - every output file (page, pager page, alias, feed, sitemap) whose
//     rendering inputs hash to the same key: the page's own fields, its
//     ancestors' names, its list items, the site's chrome (configuration,
//     layouts, strings, asset URLs, menus, top-level sections).
//
// The site structure (sections, URLs, tags, menus) is recomputed on every
// build, except when Options.Watched and every reported file only changed
// a page's body (bodyedit.go): then the loaded site is changed in place.
// Either way the result equals what Generate gives for the same files:
// the property tests in incremental_test.go and incremental_lang_test.go
// check that after random series of edits.
type Incremental struct {
	opts Options

	mu sync.Mutex // one build at a time

	dmu     sync.Mutex
	dirty   map[string]bool // site-relative paths reported changed since the last build
	touched map[string]bool // every path changed since the start (git dates fall back to mtime)

	gitLoaded bool
	git       *gitdates.Dates
	gitWarns  []*diag.Diagnostic

	cfgKey     uint64
	parsed     sync.Map // file → *parsedEntry
	mdc        map[string]*mdEntry
	blobs      sync.Map // source name → *blobEntry
	assetm     sync.Map // raw hash → minified bytes
	outs       map[string]outEntry
	prev       map[string][]byte
	prevAssets map[string]string
	deps       *layoutDeps                       // the last layout analysis
	last       *buildState                       // the last successful build, for body-only edits
	dated      map[*content.Page][]*content.Page // a feed's entries, per site
	linkWorld  uint64                            // linkWorld of the last build
	noRes      atomic.Int64                      // counter making unhashable values always dirty
}

// Snapshot is one finished build of an Incremental.
type Snapshot struct {
	// Files maps output paths to their contents. The map and the slices
	// must not be modified.
	Files map[string][]byte
	// Private maps private output paths ("recipients.json", the relay's
	// RelayLayoutFile) to their contents: data for the contact-form relay
	// that Build writes beside the destination. They are never part of
	// Files, so that a server of Files does not publish them. The map
	// and the slices must not be modified.
	Private map[string][]byte
	Result  *Result
	// Changed lists new or changed output paths, Removed the paths gone
	// since the previous successful build; both sorted.
	Changed []string
	Removed []string
	// Rendered counts pages and pager pages executed; Reused those whose
	// previous output was kept.
	Rendered, Reused int
	// Assets maps every theme asset's previous URL to its new URL, for
	// assets whose content changed ("/css/main.1.css" → "/css/main.2.css").
	Assets map[string]string
	// BodyOnly is set when the build applied edits of page bodies to the
	// previous build's site in place (Options.Watched).
	BodyOnly bool
	// assetURLs are the asset URLs of this build.
	assetURLs map[string]string
}

// NewIncremental returns a builder for opts. Dest is ignored.
func NewIncremental(opts Options) *Incremental {
	if opts.Registry == nil {
		opts.Registry = content.NewRegistry()
	}
	return &Incremental{opts: opts, dirty: map[string]bool{}, touched: map[string]bool{}, mdc: map[string]*mdEntry{}, outs: map[string]outEntry{}}
}

// Invalidate reports files that changed on disk (absolute, or relative to
// the site source). They are read again by the next build even when their
// size and modification time look the same.
func (b *Incremental) Invalidate(paths ...string) {
	abs, _ := filepath.Abs(b.opts.Source)
	b.dmu.Lock()
	defer b.dmu.Unlock()
	for _, p := range paths {
		if filepath.IsAbs(p) {
			if r, err := filepath.Rel(abs, p); err == nil {
				p = r
			}
		}
		p = norm.NFC.String(filepath.ToSlash(p))
		b.dirty[p] = true
		b.touched[p] = true
	}
}

type parsedEntry struct {
	size  int64
	mtime time.Time
	page  *content.Page // as the parser returned it, before Load changed it
	warns []*diag.Diagnostic
}

type mdEntry struct {
	body     []byte
	bodyLine int
	bodyHash uint64

	headings  []content.Heading
	wordCount int
	summary   string
	parseDiag []*diag.Diagnostic

	rendered   bool
	html       template.HTML
	htmlHash   uint64
	links      []linkResult
	renderDiag []*diag.Diagnostic
}

type linkResult struct {
	dest, out, err string
}

type blobEntry struct {
	size  int64
	mtime time.Time
	data  []byte
}

type outEntry struct {
	key  uint64
	data []byte
}

var hashSeed = maphash.MakeSeed()

// Rebuild builds the site. On failure the previous snapshot stays valid
// and the error lists every diagnostic, as Generate's does.
func (b *Incremental) Rebuild(ctx context.Context) (*Snapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dmu.Lock()
	dirty := b.dirty
	b.dirty = map[string]bool{}
	touched := make(map[string]bool, len(b.touched))
	for k := range b.touched {
		touched[k] = true
	}
	b.dmu.Unlock()
	snap, err := b.rebuild(ctx, dirty, touched)
	if err != nil {
		// Files reported changed must be looked at again next time.
		b.dmu.Lock()
		for k := range dirty {
			b.dirty[k] = true
		}
		b.dmu.Unlock()
	}
	return snap, err
}

func (b *Incremental) rebuild(ctx context.Context, dirty, touched map[string]bool) (*Snapshot, error) {
	start := time.Now()
	opts := b.opts
	diags := &diag.List{}
	res := &Result{}
	defer func() { res.Warnings = diags.Warnings() }()
	if opts.Now.IsZero() {
		// Layouts that show the current time see it to the minute, so
		// that they are not all rendered again on every change.
		opts.Now = time.Now().Truncate(time.Minute)
	}
	if snap, ok, err := b.applyBodyEdits(ctx, opts, dirty, touched, start); ok {
		return snap, err
	}

	// config
	cfgSrc, err := os.ReadFile(filepath.Join(opts.Source, config.FileName))
	var cfg *config.Config
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cfg, cfgSrc = config.Default(), nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", config.FileName, err)
	default:
		cfg, err = config.Parse(cfgSrc, diags)
		if err != nil {
			return nil, err
		}
	}
	cfg.Dir = opts.Source // as config.Load: files named in torg.toml are read from there
	if opts.BaseURL != "" {
		if err := cfg.SetBaseURL(opts.BaseURL); err != nil {
			return nil, &UsageError{err.Error()}
		}
	}
	if opts.RelayURL != "" && cfg.Relay.URL != "" {
		cfg.Relay.URL = opts.RelayURL
	}
	if opts.Minify != nil {
		cfg.Minify = opts.Minify
	}
	if err := checkBrand(opts.Source, cfg); err != nil {
		return nil, err
	}
	kh := newKeyHasher()
	kh.bytes(cfgSrc)
	// The search synonyms change every language's index, which the
	// search page names: read with the configuration.
	syn, _ := os.ReadFile(filepath.Join(opts.Source, filepath.FromSlash(cfg.Search.SynonymsFile())))
	kh.bytes(syn)
	kh.str(opts.BaseURL)
	kh.str(opts.RelayURL)
	kh.boolean(opts.Minify != nil && *opts.Minify)
	kh.boolean(opts.Minify != nil)
	kh.boolean(opts.Drafts)
	kh.boolean(opts.Serve)
	cfgKey := kh.sum()
	if cfgKey != b.cfgKey {
		// Parsing depends on the configuration (time zone, language,
		// section defaults, unsafe HTML): start over.
		b.parsed = sync.Map{}
		b.mdc = map[string]*mdEntry{}
		b.outs = map[string]outEntry{}
		b.cfgKey = cfgKey
	}

	// theme
	th, err := loadTheme(opts, cfg)
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	min := newMinifier(cfg.MinifyOutput())
	assets, assetFiles, err := b.hashAssets(th.assets, min, cfgKey)
	if err != nil {
		return nil, fmt.Errorf("theme assets: %w", err)
	}
	deps, err := analyseLayouts(th, b.deps)
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	b.deps = deps
	// load
	lastmod, err := b.lastmodFunc(ctx, opts, cfg, diags, touched)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	reg := opts.Registry
	loaded, err := content.Load(ctx, content.LoadOptions{
		Source: opts.Source, Config: cfg, Registry: reg, Drafts: opts.Drafts || opts.Serve && opts.Drafts,
		Now: opts.Now, Diags: diags, Lastmod: lastmod,
		Parse: func(file, abs string, info fs.FileInfo, parse func(*diag.List) (*content.Page, error)) (*content.Page, error) {
			if v, ok := b.parsed.Load(file); ok && !dirty[file] {
				e := v.(*parsedEntry)
				if e.size == info.Size() && e.mtime.Equal(info.ModTime()) {
					for _, d := range e.warns {
						diags.Add(d)
					}
					return clonePage(e.page), nil
				}
			}
			own := &diag.List{}
			p, err := parse(own)
			warns := own.Items()
			for _, d := range warns {
				diags.Add(d)
			}
			if err != nil {
				b.parsed.Delete(file)
				return nil, err
			}
			if t, ok := reg.Lookup(p.Type); ok && t.Resolve != nil {
				// Resolve hooks may change p.Data: never reuse such pages.
				b.parsed.Delete(file)
				return p, nil
			}
			b.parsed.Store(file, &parsedEntry{size: info.Size(), mtime: info.ModTime(), page: clonePage(p), warns: warns})
			return p, nil
		},
	})
	if err != nil {
		return nil, err
	}
	site := loaded.Site
	res.Site = site

	// types
	if err := runTypes(ctx, site); err != nil {
		return nil, err
	}

	// markdown
	md := markdown.New(markdown.Options{Unsafe: cfg.UnsafeHTML, Lang: cfg.Language})
	if err := b.renderMarkdown(ctx, md, loaded, diags); err != nil {
		return nil, err
	}
	if err := runChecker(ctx, opts, site, diags); err != nil {
		return nil, err
	}
	notFound := &content.Page{Kind: content.Kind404, Title: "", Type: "page", URL: "/404.html", Parent: site.Home, NoIndex: true, Lang: cfg.Language}
	setFeeds(site)

	// render
	eng, err := render.New(render.Options{Layouts: th.layouts, I18n: th.i18n, Lang: cfg.Language, Assets: assets, Site: site, Serve: opts.Serve, Diags: diags})
	if err != nil {
		return nil, err
	}
	if notFound.Title == "" {
		notFound.Title = eng.T("not_found_title")
	}
	st := &buildState{
		now: opts.Now, cfg: cfg, cfgKey: cfgKey, th: th, min: min, assets: assets, assetFiles: assetFiles, deps: deps,
		loadOpts: content.LoadOptions{Source: opts.Source, Config: cfg, Registry: reg, Drafts: opts.Drafts || opts.Serve && opts.Drafts, Now: opts.Now},
		loaded:   loaded, md: md, eng: eng,
		all: append(append([]*content.Page(nil), site.Pages...), notFound),
	}
	return b.finish(ctx, st, opts, diags, res, dirty, start, nil)
}

// finish renders a loaded site's pages and outputs, reusing those whose
// keys did not change, and makes the snapshot. changed lists the pages
// edited in place since st.keys were computed (nil: all pages are new).
func (b *Incremental) finish(ctx context.Context, st *buildState, opts Options, diags *diag.List, res *Result, dirty map[string]bool, start time.Time, changed map[*content.Page]bool) (*Snapshot, error) {
	b.last = nil
	site, loaded, eng, deps, assets, min, cfgKey, all := st.loaded.Site, st.loaded, st.eng, st.deps, st.assets, st.min, st.cfgKey, st.all
	res.Site = site
	// Each page's layout: looked up once per site, since a body-only
	// edit changes none of what the lookup reads.
	if st.layoutOf == nil || changed == nil {
		st.layoutOf = make(map[*content.Page]string, len(all))
		st.byLayout = map[string][]*content.Page{}
		for _, p := range all {
			if layout, err := eng.Lookup(p); err == nil {
				st.layoutOf[p] = layout
				st.byLayout[layout] = append(st.byLayout[layout], p)
			}
		}
	}
	// Pages that content-type data or language links point at count with
	// their rendered bodies only for layouts that show other pages'
	// bodies.
	bodiesOf := func(p *content.Page) bool {
		layout, ok := st.layoutOf[p]
		return !ok || deps.bodies[layout]
	}
	// After a body-only edit, only what shows the edited pages is keyed
	// and rendered again (fast); otherwise every page is keyed.
	prevKeys := st.keys
	var keys *siteKeys
	fast := false
	var touched []*content.Page
	if changed != nil && prevKeys != nil && st.owner != nil {
		keys, touched, fast = pageKeysAfterEdit(prevKeys, all, changed, bodiesOf)
	}
	if !fast {
		keys = b.pageKeys(ctx, site, all, bodiesOf)
		// A feed's entries depend on the structure and dates; a body-only
		// edit changes neither.
		b.dated = map[*content.Page][]*content.Page{}
	}
	st.keys = keys
	g := newKeyHasher()
	g.u64(cfgKey)
	g.u64(deps.key)
	g.strMap(assets)
	menuNames := make([]string, 0, len(site.Menus))
	for n := range site.Menus {
		menuNames = append(menuNames, n)
	}
	sort.Strings(menuNames)
	for _, n := range menuNames {
		g.str(n)
		for _, it := range site.Menus[n] {
			g.str(it.Name)
			g.str(it.URL)
			g.i64(int64(it.Weight))
			if it.Page != nil {
				g.u64(keys.link[it.Page])
			}
		}
	}
	for _, s := range site.Sections {
		g.u64(keys.link[s])
		g.i64(int64(len(s.Pages)))
	}
	global := g.sum()
	// probeKey hashes the pages a layout looks up by constant keys: a
	// URL lookup by how links to the page look (templates test whether
	// the page exists), an id or section lookup by the whole page and
	// its members.
	probeKey := func(probes []string) uint64 {
		h := newKeyHasher()
		for _, pr := range probes {
			h.str(pr)
			var p *content.Page
			switch pr[0] {
			case 'u':
				if p = site.ByURL[pr[1:]]; p != nil {
					h.u64(keys.link[p])
					h.u64(keys.kidLinks[p])
				}
				continue
			case 'm':
				if site.Config.Multilingual() {
					h.u64(keys.site)
				}
				continue
			case 'h':
				// Home pages of every language: by their links.
				for _, q := range st.probed(pr) {
					h.u64(keys.link[q])
				}
				continue
			case 'p':
				// A page by URL in any language ("/sok/", "/en/sok/").
				for _, q := range st.probed(pr) {
					h.str(q.URL)
					h.u64(keys.link[q])
				}
				continue
			case 'i':
				p = site.ByID[pr[1:]]
			case 's':
				for _, q := range site.Sections {
					if q.Section == pr[1:] {
						p = q
					}
				}
			}
			if p != nil {
				h.u64(keys.own[p])
				h.u64(keys.kids[p])
			}
		}
		return h.sum()
	}
	layoutKeys := make(map[string]uint64, len(st.byLayout))
	for layout := range st.byLayout {
		h := newKeyHasher()
		h.u64(global)
		h.u64(probeKey(deps.probes[layout]))
		if deps.wide[layout] {
			h.u64(keys.site)
		}
		if deps.now[layout] {
			h.time(opts.Now)
		}
		layoutKeys[layout] = h.sum()
	}
	globalFor := func(p *content.Page) (uint64, bool) {
		layout, ok := st.layoutOf[p]
		if !ok {
			return global, true // rendering reports the missing layout
		}
		return layoutKeys[layout], deps.bodies[layout]
	}

	prevLayoutKeys := st.layoutKeys
	st.layoutKeys = layoutKeys
	if fast {
		return b.finishAfterEdit(ctx, st, opts, res, start, keys, prevKeys, touched, layoutKeys, prevLayoutKeys, globalFor)
	}

	sink := &MemSink{Files: make(map[string][]byte, len(b.prev))}
	tr := &tracker{sink: sink, owner: make(map[string]string, len(b.prev))}
	newOuts := make(map[string]outEntry, len(b.outs))
	var outMu sync.Mutex
	var rendered, reused atomic.Int64
	if err := b.renderPages(ctx, eng, site, all, tr, min, opts, keys, globalFor, newOuts, &outMu, &rendered, &reused); err != nil {
		return nil, err
	}

	// outputs
	priv := NewMemSink()
	tr.written = map[string]bool{}
	if err := b.writeOutputs(ctx, site, eng, tr, min, keys, cfgKey, newOuts, &outMu, priv); err != nil {
		return nil, err
	}
	st.extra, tr.written = tr.written, nil

	// static
	errs := &diag.List{}
	for _, f := range st.assetFiles {
		errs.AddError(tr.write(f.path, "theme asset "+f.src, f.data))
	}
	for _, layer := range st.th.static {
		errs.AddError(b.copyStatic(layer, tr, dirty))
	}
	for _, f := range loaded.Files {
		data, err := b.readBlob(f.File, f.Abs, dirty)
		if err == nil {
			err = tr.write(strings.TrimPrefix(f.URL, "/"), f.File, data)
		}
		errs.AddError(err)
	}
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Pages = tr.pages
	res.Files = len(tr.owner)
	res.Outputs = tr.owner
	res.Duration = time.Since(start)

	snap := &Snapshot{Files: sink.Files, Private: priv.Files, Result: res, Rendered: int(rendered.Load()), Reused: int(reused.Load()), assetURLs: assets}
	for p, data := range sink.Files {
		old, ok := b.prev[p]
		if !ok || !sameBytes(old, data) {
			snap.Changed = append(snap.Changed, p)
		}
	}
	for p := range b.prev {
		if _, ok := sink.Files[p]; !ok {
			snap.Removed = append(snap.Removed, p)
		}
	}
	sort.Strings(snap.Changed)
	sort.Strings(snap.Removed)
	if b.prevAssets != nil {
		for k, u := range assets {
			if old, ok := b.prevAssets[k]; ok && old != u {
				if snap.Assets == nil {
					snap.Assets = map[string]string{}
				}
				snap.Assets[old] = u
			}
		}
	}
	b.prev = sink.Files
	b.prevAssets = assets
	b.outs = newOuts
	if opts.Watched && opts.Checker == nil {
		st.warnings = diags.Warnings()
		st.owner, st.pages, st.jobs = tr.owner, tr.pages, int(rendered.Load()+reused.Load())
		st.homes = nil
		for _, p := range all {
			if keys.siteWide(p) {
				st.homes = append(st.homes, p)
			}
		}
		b.last = st
	}
	return snap, nil
}

func sameBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return bytes.Equal(a, b)
}

// clonePage copies a freshly parsed page so that Load's changes to the
// copy (URL, parents, aliases) leave the cached one as it was.
func clonePage(p *content.Page) *content.Page {
	c := *p
	if p.Aliases != nil {
		c.Aliases = append([]string(nil), p.Aliases...)
	}
	return &c
}

func (b *Incremental) lastmodFunc(ctx context.Context, opts Options, cfg *config.Config, diags *diag.List, touched map[string]bool) (func(string, fs.FileInfo) (time.Time, string), error) {
	if !opts.NoGit && !b.gitLoaded {
		// git is asked once: the history rarely changes while editing,
		// and files changed since are dated by their modification time,
		// as git status would have them.
		l := &diag.List{}
		d, err := gitdates.Load(ctx, opts.Source)
		if err != nil {
			l.Add(diag.Warnf("", 0, 0, "git history not used for last-updated dates: %v", err))
		}
		if d != nil && d.Shallow {
			l.Add(diag.Warnf("", 0, 0, "the site is a shallow git clone: pages not changed since the clone's oldest commit show no \"Senast uppdaterad\" date (clone with full history, or set lastmod)"))
		}
		b.git, b.gitWarns, b.gitLoaded = d, l.Items(), true
	}
	for _, w := range b.gitWarns {
		diags.Add(w)
	}
	dates := b.git
	if opts.NoGit {
		dates = nil
	}
	return func(file string, info fs.FileInfo) (time.Time, string) {
		if dates != nil && !touched[file] {
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

// hashAssets is the caching twin of hashAssets in theme.go.
func (b *Incremental) hashAssets(layers []render.Layer, min *minifier, cfgKey uint64) (map[string]string, []assetFile, error) {
	files := map[string]render.Layer{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if l.FS == nil {
			continue
		}
		err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				files[p] = l
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	urls := map[string]string{}
	var out []assetFile
	for _, n := range names {
		l := files[n]
		raw, err := fs.ReadFile(l.FS, n)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s%s: %w", l.Prefix, n, err)
		}
		h := newKeyHasher()
		h.u64(cfgKey)
		h.str(n)
		h.bytes(raw)
		k := h.sum()
		var data []byte
		if v, ok := b.assetm.Load(k); ok {
			data = v.([]byte)
		} else {
			data, err = min.bytes(mediaType(n), raw)
			if err != nil {
				return nil, nil, fmt.Errorf("%s%s: %w", l.Prefix, n, err)
			}
			b.assetm.Store(k, data)
		}
		ext := filepath.Ext(n)
		hashed := strings.TrimSuffix(n, ext) + "." + hash(data) + ext
		urls[n] = "/" + hashed
		out = append(out, assetFile{path: hashed, src: l.Prefix + n, data: data})
	}
	return urls, out, nil
}

// copyStatic is the caching twin of copyStatic in theme.go.
func (b *Incremental) copyStatic(l render.Layer, tr *tracker, dirty map[string]bool) error {
	if l.FS == nil {
		return nil
	}
	return fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		tr.mu.Lock()
		prev, taken := tr.owner[p]
		tr.mu.Unlock()
		if taken {
			if strings.HasPrefix(prev, "static/") && !strings.HasPrefix(l.Prefix, "static/") {
				return nil
			}
			if !strings.HasPrefix(l.Prefix, "static/") {
				return nil
			}
		}
		name := l.Prefix + p
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		var data []byte
		if v, ok := b.blobs.Load(name); ok && !dirty[name] {
			if e := v.(*blobEntry); e.size == info.Size() && e.mtime.Equal(info.ModTime()) {
				data = e.data
			}
		}
		if data == nil {
			data, err = fs.ReadFile(l.FS, p)
			if err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			b.blobs.Store(name, &blobEntry{size: info.Size(), mtime: info.ModTime(), data: data})
		}
		return tr.write(p, name, data)
	})
}

func (b *Incremental) readBlob(name, abs string, dirty map[string]bool) ([]byte, error) {
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", name, err)
	}
	if v, ok := b.blobs.Load(name); ok && !dirty[name] {
		if e := v.(*blobEntry); e.size == info.Size() && e.mtime.Equal(info.ModTime()) {
			return e.data, nil
		}
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", name, err)
	}
	b.blobs.Store(name, &blobEntry{size: info.Size(), mtime: info.ModTime(), data: data})
	return data, nil
}

// wideRE finds template code that reaches pages other than the page being
// rendered, its ancestors, siblings and list members. Pages rendered with
// layouts using it depend on every page.
var wideRE = regexp.MustCompile(`\bpageByID\b|\bpagesOfType\b|\bsection\s+[$.(]|\.Parent\.(Pages|Sections|Parent)\b|\.Translations\b`)

// siteFieldRE finds uses of .Site; only the fields below are not wide
// (they are part of every page's key).
var siteFieldRE = regexp.MustCompile(`\.Site\.([A-Za-z_]+)`)

var narrowSiteFields = map[string]bool{"Config": true, "Menus": true, "Menu": true, "Sections": true, "Now": true}

// Lookups of one page by a constant key are not wide: the page looked up
// becomes part of every page's key instead.
var (
	probeURLRE  = regexp.MustCompile(`index\s+\$?\.Site\.ByURL\s+"([^"]*)"`)
	probeIDRE   = regexp.MustCompile(`(?:index\s+\$?\.Site\.ByID|pageByID)\s+"([^"]*)"`)
	probeLangRE = regexp.MustCompile(`\.Site\.PageInLanguage\s+[^\s"]+\s+"([^"]*)"`)
	probeHomeRE = regexp.MustCompile(`\.Site\.LanguageHome\b`)
	// A page's language versions: nothing on a single-language site.
	// The rendered page's own (.Site.LanguageLinks .Page) are part of its
	// key (siteKeys.langLinks); any other page's make the layout wide.
	probeOwnLinksRE = regexp.MustCompile(`\.Site\.LanguageLinks\s+\$?\.Page\b`)
	probeLinksRE    = regexp.MustCompile(`\.Site\.LanguageLinks\b`)
	probeSectionRE  = regexp.MustCompile(`\bsection\s+"([^"]*)"`)
	nowRE           = regexp.MustCompile(`\bnow\b|\.Now\b`)
	actionRE        = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	commentRE       = regexp.MustCompile(`(?s)/\*.*?\*/`)
	// Any quoted layout name counts as a call: template, block,
	// partial, partialCached.
	templateRefRE = regexp.MustCompile(`"([A-Za-z0-9_./-]+\.html)"`)
	// Render funcs that execute a partial named in Go, not in the
	// template (internal/render, cache.go): the call counts as a
	// reference to that partial.
	funcRefs  = map[string]string{"sectionNav": "partials/section-nav.html"}
	funcRefRE = regexp.MustCompile(`\bsectionNav\b`)
	// partialCached with a name that is not a constant may execute any
	// partial: it counts as a reference to every one.
	dynPartialRE = regexp.MustCompile(`\bpartialCached\s+[^"\s]`)
)

// bodyFieldRE finds uses of a page's rendered body; showsOtherBodies
// counts them unless they are the rendered page's own (.Page.Content).
var bodyFieldRE = regexp.MustCompile(`([$\w]*)\.(Content|Headings|WordCount|TableOfContents|Body|Plain)\b`)

// showsOtherBodies reports whether template code uses the rendered body of
// a page other than the one being rendered: "{{ range .Page.Pages }}{{
// .Content }}", "$p.Headings", ".FallbackOf.Content".
func showsOtherBodies(code []byte) bool {
	for _, m := range bodyFieldRE.FindAllSubmatch(code, -1) {
		if string(m[1]) != "Page" {
			return true
		}
	}
	return false
}

// layoutDeps is what the layouts' code tells about their dependencies.
type layoutDeps struct {
	key  uint64          // every layout and i18n file
	wide map[string]bool // layout name → reaches across the site
	now  map[string]bool // layout name → shows the current time
	// bodies: layout name → shows the rendered body (Content, Headings,
	// WordCount) of pages other than the one rendered, such as list
	// members. Pages reached through content-type data count with their
	// bodies anyway (pageKeys hashes Data with the full keys).
	bodies map[string]bool
	// probes lists, per layout, the pages it looks up by constant keys:
	// "u/sok/" (index .Site.ByURL), "iID" (pageByID), "snyheter"
	// (section), sorted.
	probes map[string][]string
}

// analyseLayouts hashes every layout and i18n file and finds, for every
// layout, whether it (with baseof.html and the partials it calls) reaches
// across the site or uses the current time.
func analyseLayouts(th *theme, cached *layoutDeps) (*layoutDeps, error) {
	h := newKeyHasher()
	srcs := map[string][]byte{}
	for gi, group := range [][]render.Layer{th.layouts, th.i18n} {
		for li := len(group) - 1; li >= 0; li-- {
			l := group[li]
			h.i64(int64(li))
			if l.FS == nil {
				continue
			}
			err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					if p == "." {
						return fs.SkipDir
					}
					return err
				}
				if d.IsDir() {
					return nil
				}
				src, err := fs.ReadFile(l.FS, p)
				if err != nil {
					return err
				}
				h.str(l.Prefix + p)
				h.bytes(src)
				if gi == 0 && strings.HasSuffix(p, ".html") {
					srcs[p] = src // earlier layers override later ones
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	key := h.sum()
	if cached != nil && cached.key == key {
		return cached, nil
	}
	deps := &layoutDeps{key: key, wide: map[string]bool{}, now: map[string]bool{}, bodies: map[string]bool{}, probes: map[string][]string{}}
	wide, now, bodies := map[string]bool{}, map[string]bool{}, map[string]bool{}
	refs := map[string][]string{}
	probes := map[string][]string{}
	for name, full := range srcs {
		// Only template actions count, without their comments.
		var code []byte
		for _, m := range actionRE.FindAll(full, -1) {
			code = append(code, commentRE.ReplaceAll(m, nil)...)
			code = append(code, '\n')
		}
		src := code
		for _, m := range probeURLRE.FindAllSubmatch(src, -1) {
			probes[name] = append(probes[name], "u"+string(m[1]))
		}
		for _, m := range probeIDRE.FindAllSubmatch(src, -1) {
			probes[name] = append(probes[name], "i"+string(m[1]))
		}
		for _, m := range probeSectionRE.FindAllSubmatch(src, -1) {
			probes[name] = append(probes[name], "s"+string(m[1]))
		}
		for _, m := range probeLangRE.FindAllSubmatch(src, -1) {
			probes[name] = append(probes[name], "p"+string(m[1]))
		}
		if probeLinksRE.Match(probeOwnLinksRE.ReplaceAll(src, nil)) {
			probes[name] = append(probes[name], "m")
		}
		if probeHomeRE.Match(src) {
			probes[name] = append(probes[name], "h")
		}
		rest := probeURLRE.ReplaceAll(src, nil)
		rest = probeIDRE.ReplaceAll(rest, nil)
		rest = probeSectionRE.ReplaceAll(rest, nil)
		rest = probeLangRE.ReplaceAll(rest, nil)
		rest = probeHomeRE.ReplaceAll(rest, nil)
		rest = probeLinksRE.ReplaceAll(rest, nil)
		wide[name] = wideRE.Match(rest)
		for _, m := range siteFieldRE.FindAllSubmatch(rest, -1) {
			if !narrowSiteFields[string(m[1])] {
				wide[name] = true
			}
		}
		now[name] = nowRE.Match(src)
		bodies[name] = showsOtherBodies(src)
		for _, m := range templateRefRE.FindAllSubmatch(full, -1) {
			refs[name] = append(refs[name], string(m[1]))
		}
		for _, m := range funcRefRE.FindAll(src, -1) {
			refs[name] = append(refs[name], funcRefs[string(m)])
		}
		if dynPartialRE.Match(src) {
			for n := range srcs {
				if strings.HasPrefix(n, "partials/") {
					refs[name] = append(refs[name], n)
				}
			}
		}
	}
	const baseName = "_default/baseof.html"
	for name := range srcs {
		if name == baseName || strings.HasPrefix(name, "partials/") {
			continue
		}
		seen := map[string]bool{}
		var visit func(n string)
		visit = func(n string) {
			if seen[n] {
				return
			}
			seen[n] = true
			for _, r := range refs[n] {
				visit(r)
			}
		}
		visit(name)
		visit(baseName)
		set := map[string]bool{}
		for n := range seen {
			if wide[n] {
				deps.wide[name] = true
			}
			if now[n] {
				deps.now[name] = true
			}
			if bodies[n] {
				deps.bodies[name] = true
			}
			for _, pr := range probes[n] {
				set[pr] = true
			}
		}
		for pr := range set {
			deps.probes[name] = append(deps.probes[name], pr)
		}
		sort.Strings(deps.probes[name])
	}
	return deps, nil
}

// renderMarkdown is the caching twin of renderMarkdown in build.go.
func (b *Incremental) renderMarkdown(ctx context.Context, md *markdown.Renderer, loaded *content.Loaded, diags *diag.List) error {
	site := loaded.Site
	var pages []*content.Page
	for _, p := range site.Pages {
		if len(p.Body) > 0 || p.File != "" {
			pages = append(pages, p)
		}
	}
	entries := make([]*mdEntry, len(pages))
	keep := make(map[string]*mdEntry, len(pages))
	for i, p := range pages {
		name := mdName(p)
		e := b.mdc[name]
		if e == nil {
			e = &mdEntry{bodyLine: -1}
		}
		entries[i] = e
		keep[name] = e
	}
	docs := make([]*markdown.Document, len(pages))
	content.Parallel(ctx, len(pages), func(i int) {
		p, e := pages[i], entries[i]
		h := maphash.Bytes(hashSeed, p.Body)
		if e.bodyLine != p.BodyLine || e.bodyHash != h || !bytes.Equal(e.body, p.Body) {
			doc, warns := md.Parse(p.File, p.Body, p.BodyLine)
			*e = mdEntry{body: p.Body, bodyLine: p.BodyLine, bodyHash: h, headings: doc.Headings, wordCount: doc.WordCount, summary: doc.Summary, parseDiag: warns}
			docs[i] = doc
		}
		for _, w := range e.parseDiag {
			// As Generate: the checker reports these itself.
			if keepParseWarning(w, b.opts.Checker != nil) {
				diags.Add(w)
			}
		}
		p.Headings = e.headings
		p.WordCount = e.wordCount
		p.Summary = p.Description
		if p.Summary == "" {
			p.Summary = e.summary
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mdc = keep
	// Links resolve through the published files' URLs, the hidden files
	// and the pages' headings: while those are the same, every link
	// resolves as before and need not be checked one by one.
	world := linkWorld(loaded)
	sameWorld := world == b.linkWorld
	b.linkWorld = world
	errs := &diag.List{}
	content.Parallel(ctx, len(pages), func(i int) {
		p, e := pages[i], entries[i]
		resolve := linkResolver(p, loaded)
		if e.rendered && docs[i] == nil && (sameWorld || linksSame(e.links, resolve)) {
			p.Content = e.html
		} else {
			doc := docs[i]
			if doc == nil {
				doc, _ = md.Parse(p.File, e.body, e.bodyLine)
			}
			html, links, ds := renderRecordingLinks(md, doc, resolve)
			e.rendered, e.html, e.links, e.renderDiag = true, template.HTML(html), links, ds
			e.htmlHash = maphash.Bytes(hashSeed, html)
			p.Content = e.html
		}
		for _, d := range e.renderDiag {
			if d.Severity == diag.Error {
				errs.Add(d)
			} else {
				diags.Add(d)
			}
		}
		p.Body = nil
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errs.Err()
}

// renderRecordingLinks renders doc and records how each of its links
// resolved, so that a later build can tell whether they still do
// (linksSame).
func renderRecordingLinks(md *markdown.Renderer, doc *markdown.Document, resolve markdown.LinkResolver) ([]byte, []linkResult, []*diag.Diagnostic) {
	var links []linkResult
	html, ds := md.Render(doc, func(dest string) (string, error) {
		out, err := resolve(dest)
		r := linkResult{dest: dest, out: out}
		if err != nil {
			r.err = err.Error()
		}
		links = append(links, r)
		return out, err
	})
	return html, links, ds
}

// linkWorld hashes everything linkResolver reads besides the page itself.
func linkWorld(loaded *content.Loaded) uint64 {
	h := newKeyHasher()
	files := make([]string, 0, len(loaded.FileURL))
	for f := range loaded.FileURL {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		h.str(f)
		h.str(loaded.FileURL[f])
		if p := loaded.Site.ByFile[f]; p != nil {
			h.i64(int64(len(p.Headings)))
			for _, hd := range p.Headings {
				h.str(hd.ID)
			}
		}
	}
	h.str("hidden")
	h.strMap(loaded.Hidden)
	return h.sum()
}

func mdName(p *content.Page) string {
	if p.File != "" {
		return p.File
	}
	return "virtual:" + p.URL
}

func linksSame(links []linkResult, resolve markdown.LinkResolver) bool {
	for _, l := range links {
		out, err := resolve(l.dest)
		es := ""
		if err != nil {
			es = err.Error()
		}
		if out != l.out || es != l.err {
			return false
		}
	}
	return true
}

// siteKeys are the per-page hashes a build's output keys are made of.
type siteKeys struct {
	own  map[*content.Page]uint64 // every field of the page, content included
	base map[*content.Page]uint64 // own without the content type's data
	link map[*content.Page]uint64 // what a link to the page shows: URL, names, description
	site uint64                   // every page's own key
	// kids hashes the own keys of a list page's members and subsections,
	// kidLists the same without their rendered bodies, kidLinks their
	// link keys.
	kids, kidLists, kidLinks map[*content.Page]uint64
	// langLinks hashes the links to a page's versions in the site's
	// languages (Site.LanguageLinks), on a multilingual site.
	langLinks map[*content.Page]uint64
	// siteLinks hashes every page's link key: what content-type data that
	// holds the site counts it by (keyHasher.value).
	siteLinks uint64
	// wideTypes are the content types marked Wide.
	wideTypes map[string]bool
	// listBase is base without the rendered body (ownKey's list); list
	// is own without it.
	listBase, list map[*content.Page]uint64
	// memberOf maps a page to the pages listing it (Pages, Sections).
	memberOf map[*content.Page][]*content.Page
	// refsTo maps a page to the pages whose own keys include its key
	// (otherPagesKey: content-type data, language versions).
	refsTo map[*content.Page][]*content.Page
}

// pageKeys hashes every page of a freshly loaded site (pageKeysAfterEdit
// updates them after body-only edits). bodies reports whether a page's
// layout shows other pages' rendered bodies.
func (b *Incremental) pageKeys(ctx context.Context, site *content.Site, all []*content.Page, bodies func(*content.Page) bool) *siteKeys {
	base := make([]uint64, len(all))
	listBase := make([]uint64, len(all))
	link := make([]uint64, len(all))
	content.Parallel(ctx, len(all), func(i int) {
		base[i], listBase[i], link[i] = ownKey(all[i])
	})
	k := &siteKeys{own: make(map[*content.Page]uint64, len(all)), link: make(map[*content.Page]uint64, len(all)),
		listBase: make(map[*content.Page]uint64, len(all))}
	baseOf := make(map[*content.Page]uint64, len(all))
	for i, p := range all {
		baseOf[p], k.link[p], k.listBase[p] = base[i], link[i], listBase[i]
	}
	k.base = baseOf
	k.wideTypes = map[string]bool{}
	for _, t := range site.Registry.Types() {
		if t.Wide {
			k.wideTypes[t.Name] = true
		}
	}
	// Content-type data may point at other pages, and so do a page's
	// language links: a fallback page shows its original's text, a page
	// links its lättläst twin (and the twin its ordinary page) and its
	// translations. Those count with their own fields (not their data or
	// links, which could point back).
	sl := newKeyHasher()
	for _, l := range link {
		sl.u64(l)
	}
	k.siteLinks = sl.sum()
	own := make([]uint64, len(all))
	list := make([]uint64, len(all))
	refs := make([][]*content.Page, len(all))
	content.Parallel(ctx, len(all), func(i int) {
		p := all[i]
		extra, ok := k.otherPagesKey(p, bodies(p), &refs[i])
		if !ok {
			own[i], list[i] = base[i], listBase[i]
			return
		}
		h := newKeyHasher()
		h.u64(base[i])
		h.u64(extra)
		own[i] = h.sum()
		h = newKeyHasher()
		h.u64(listBase[i])
		h.u64(extra)
		list[i] = h.sum()
	})
	listOf := make(map[*content.Page]uint64, len(all))
	k.list = listOf
	h := newKeyHasher()
	for i, p := range all {
		k.own[p] = own[i]
		listOf[p] = list[i]
		h.u64(own[i])
	}
	k.refsTo = map[*content.Page][]*content.Page{}
	for i, p := range all {
		for _, q := range refs[i] {
			if rs := k.refsTo[q]; len(rs) == 0 || rs[len(rs)-1] != p {
				k.refsTo[q] = append(rs, p)
			}
		}
	}
	k.site = h.sum()
	if site.Config.Multilingual() {
		ll := make([]uint64, len(all))
		content.Parallel(ctx, len(all), func(i int) {
			ll[i] = langLinksKey(site, all[i], k.link)
		})
		k.langLinks = make(map[*content.Page]uint64, len(all))
		for i, p := range all {
			k.langLinks[p] = ll[i]
		}
	}
	k.kids = make(map[*content.Page]uint64)
	k.kidLists = make(map[*content.Page]uint64)
	k.kidLinks = make(map[*content.Page]uint64)
	k.memberOf = make(map[*content.Page][]*content.Page)
	for _, p := range all {
		if len(p.Pages) == 0 && len(p.Sections) == 0 {
			continue
		}
		k.kids[p], k.kidLists[p], k.kidLinks[p] = k.listKeys(p)
		for _, c := range p.Pages {
			k.memberOf[c] = append(k.memberOf[c], p)
		}
		for _, c := range p.Sections {
			k.memberOf[c] = append(k.memberOf[c], p)
		}
	}
	return k
}

// langLinksKey hashes the language menu of p: Site.LanguageLinks, each
// linked page by its link key.
func langLinksKey(site *content.Site, p *content.Page, link map[*content.Page]uint64) uint64 {
	h := newKeyHasher()
	for _, ll := range site.LanguageLinks(p) {
		h.str(ll.Code)
		h.str(ll.Name)
		h.str(ll.Dir)
		h.str(ll.URL)
		h.boolean(ll.Current)
		h.boolean(ll.Fallback)
		h.boolean(ll.Translation)
		if ll.Page != nil {
			h.u64(link[ll.Page])
		}
	}
	return h.sum()
}

// listKeys hashes the own keys, list keys and link keys of a list page's
// members and subsections.
func (k *siteKeys) listKeys(p *content.Page) (kids, kidLists, kidLinks uint64) {
	own, list, link := newKeyHasher(), newKeyHasher(), newKeyHasher()
	for _, c := range p.Pages {
		own.u64(k.own[c])
		own.i64(int64(len(c.Pages)))
		list.u64(k.list[c])
		list.i64(int64(len(c.Pages)))
		link.u64(k.link[c])
	}
	own.str("sections")
	list.str("sections")
	for _, c := range p.Sections {
		own.u64(k.own[c])
		list.u64(k.list[c])
	}
	return own.sum(), list.sum(), link.sum()
}

// otherPagesKey hashes what of other pages a page's own key includes:
// its content-type data (which may point at pages) and its language
// versions, those pages by their base keys when bodies (the page's layout
// shows other pages' bodies), else by their keys without the body. ok is
// false when it has neither.
//
// When refs is not nil it receives the pages the key includes.
func (k *siteKeys) otherPagesKey(p *content.Page, bodies bool, refs *[]*content.Page) (key uint64, ok bool) {
	if p.Data == nil && !hasLanguageLinks(p) {
		return 0, false
	}
	keys := k.listBase
	if bodies {
		keys = k.base
	}
	h := newKeyHasher()
	h.siteLinks = k.siteLinks
	h.refs = refs
	mixLanguageLinks(h, p, keys)
	if p.Data != nil {
		h.value(reflect.ValueOf(p.Data), keys, map[uintptr]bool{}, 0)
	}
	return h.sum(), true
}

// hasLanguageLinks reports whether p points at other versions of itself.
func hasLanguageLinks(p *content.Page) bool {
	return p.FallbackOf != nil || p.LattlastPage != nil || p.OrdinaryPage != nil || len(p.Translations) > 0
}

// mixLanguageLinks hashes the fields of the pages p points at as other
// versions of itself, by their keys in base (a page missing there, e.g.
// one made after the keys, by all its fields).
func mixLanguageLinks(h *keyHasher, p *content.Page, base map[*content.Page]uint64) {
	page := func(q *content.Page) {
		if q == nil {
			h.str("-")
			return
		}
		if h.refs != nil {
			*h.refs = append(*h.refs, q)
		}
		k, ok := base[q]
		if !ok {
			k, _, _ = ownKey(q)
		}
		h.u64(k)
	}
	h.str("versions")
	page(p.FallbackOf)
	page(p.LattlastPage)
	page(p.OrdinaryPage)
	h.i64(int64(len(p.Translations)))
	for _, t := range p.Translations {
		page(t)
	}
}

// ownKey hashes a page's fields (all but Data); as list, all but its
// rendered body (what a list of pages shows of it); and as link, what a
// link to it shows.
func ownKey(p *content.Page) (own, list, link uint64) {
	h := newKeyHasher()
	h.str(p.URL)
	h.str(p.Permalink)
	h.str(string(p.Kind))
	h.str(p.Title)
	h.str(p.LinkTitle)
	h.str(p.Description)
	h.str(p.Lang)
	h.str(p.File)
	h.str(p.Section)
	h.str(p.Type)
	h.boolean(p.IsDraftShown)
	h.boolean(p.Draft)
	h.boolean(p.NoIndex)
	h.str(p.FeedURL)
	// Breadcrumbs mark a fallback ancestor with its original's language.
	if p.FallbackOf != nil {
		h.str(p.FallbackOf.Lang)
	} else {
		h.str("-")
	}
	link = h.sum()
	h.str(p.Dir)
	h.time(p.Date)
	h.time(p.Lastmod)
	h.str(p.LastmodFrom)
	h.time(p.Reviewed)
	h.time(p.PublishDate)
	h.time(p.ExpiryDate)
	h.i64(int64(p.Weight))
	h.strs(p.Tags)
	h.str(p.Slug)
	h.strs(p.Aliases)
	for _, m := range p.Menus {
		h.str(m.Menu)
		h.str(m.Name)
		h.i64(int64(m.Weight))
	}
	h.str(p.Owner)
	h.str(p.Layout)
	h.str(p.ID())
	h.str(p.Summary)
	for _, r := range p.Resources {
		h.str(r.Name)
		h.str(r.URL)
		h.i64(r.Size)
		h.str(r.MediaType)
	}
	h.i64(int64(len(p.Translations)))
	for _, t := range p.Translations {
		h.str(t.URL)
		h.str(t.Title)
		h.str(t.Lang)
	}
	for _, q := range []*content.Page{p.FallbackOf, p.OrdinaryPage} {
		if q != nil {
			h.str(q.URL)
			h.str(q.Title)
			h.str(q.Lang)
		} else {
			h.str("-")
		}
	}
	h.i64(int64(len(p.Pages)))
	h.i64(int64(len(p.Sections)))
	if p.Params != nil {
		h.value(reflect.ValueOf(p.Params), nil, map[uintptr]bool{}, 0)
	}
	list = h.sum()
	h.i64(int64(p.WordCount))
	h.i64(int64(len(p.Content)))
	h.u64(maphash.String(hashSeed, string(p.Content)))
	for _, hd := range p.Headings {
		h.i64(int64(hd.Level))
		h.str(hd.ID)
		h.str(hd.Text)
		h.i64(int64(hd.Line))
	}
	return h.sum(), list, link
}

// siteWide reports whether a page shows something of every page: the
// home and 404 pages (whose layouts are free to), and pages of Wide
// content types.
func (k *siteKeys) siteWide(p *content.Page) bool {
	return p.Kind == content.KindHome || p.Kind == content.Kind404 || k.wideTypes[p.Type]
}

// jobKey hashes everything a page's (or pager page's) output depends on.
// Only layouts that show other pages' bodies (layoutDeps.bodies) depend on
// the rendered bodies of the pages they list.
func jobKey(global uint64, bodies bool, keys *siteKeys, p *content.Page, job pagerJob) uint64 {
	h := newKeyHasher()
	h.u64(global)
	h.str(job.url)
	h.u64(keys.own[p])
	h.u64(keys.langLinks[p])
	for q := p.Parent; q != nil; q = q.Parent {
		h.u64(keys.link[q])
	}
	if bodies {
		h.u64(keys.kids[p])
	} else {
		h.u64(keys.kidLists[p])
	}
	if p.Parent != nil {
		// Layouts list a page's siblings (section navigation).
		h.u64(keys.kidLinks[p.Parent])
	}
	if job.pager != nil {
		h.i64(int64(job.pager.Number))
		h.i64(int64(job.pager.Total))
	}
	if keys.siteWide(p) {
		h.u64(keys.site)
	}
	return h.sum()
}

// renderPages is the caching twin of renderPages in pages.go.
func (b *Incremental) renderPages(ctx context.Context, eng *render.Engine, site *content.Site, pages []*content.Page, tr *tracker, min *minifier, opts Options, keys *siteKeys, globalFor func(*content.Page) (uint64, bool), newOuts map[string]outEntry, outMu *sync.Mutex, rendered, reused *atomic.Int64) error {
	errs := &diag.List{}
	var seen dedupe
	perPage := site.Config.Paginate
	store := func(out string, e outEntry) {
		outMu.Lock()
		newOuts[out] = e
		outMu.Unlock()
	}
	content.Parallel(ctx, len(pages), func(i int) {
		p := pages[i]
		who := p.File
		if who == "" {
			who = "page " + p.URL
		}
		global, bodies := globalFor(p)
		for _, job := range pagerJobs(p, perPage) {
			out := urlpath.OutputFile(job.url)
			key := jobKey(global, bodies, keys, p, job)
			var html []byte
			if e, ok := b.outs[out]; ok && e.key == key {
				html = e.data
				reused.Add(1)
			} else {
				data := &render.Data{Site: site, Page: p, Pager: job.pager, Lang: p.Lang, Now: site.Now, Serve: opts.Serve}
				var err error
				html, err = eng.RenderPage(p, data)
				if err != nil {
					if seen.first(err.Error()) {
						errs.AddError(fmt.Errorf("%w", err))
					}
					return
				}
				html, err = min.bytes("text/html", html)
				if err != nil {
					errs.AddError(fmt.Errorf("%s: %w", p.URL, err))
					return
				}
				if opts.Inject != nil {
					html = opts.Inject(p, html)
				}
				rendered.Add(1)
			}
			store(out, outEntry{key: key, data: html})
			if err := tr.write(out, who, html); err != nil {
				errs.AddError(err)
				return
			}
			tr.mu.Lock()
			tr.pages++
			tr.mu.Unlock()
		}
		for _, a := range p.Aliases {
			out := urlpath.OutputFile(a)
			h := newKeyHasher()
			h.u64(global)
			h.str("alias")
			h.u64(keys.link[p])
			key := h.sum()
			var data []byte
			var err error
			if e, ok := b.outs[out]; ok && e.key == key {
				data = e.data
			} else {
				data, err = aliasPage(eng, site, p)
				if err == nil {
					data, err = min.bytes("text/html", data)
				}
			}
			if err == nil {
				store(out, outEntry{key: key, data: data})
				err = tr.write(out, p.File+" (alias)", data)
			}
			if err != nil {
				errs.AddError(err)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errs.Err()
}

// writeOutputs is the caching twin of writeOutputs in outputs.go: a feed
// or the sitemap is made again only when its entries changed.
func (b *Incremental) writeOutputs(ctx context.Context, site *content.Site, eng *render.Engine, tr *tracker, min *minifier, keys *siteKeys, cfgKey uint64, newOuts map[string]outEntry, outMu *sync.Mutex, priv Sink) error {
	errs := &diag.List{}
	cfg := site.Config
	cached := func(out string, key uint64, make func() ([]byte, error)) ([]byte, error) {
		if e, ok := b.outs[out]; ok && e.key == key {
			newOuts[out] = e
			return e.data, nil
		}
		data, err := make()
		if err == nil {
			newOuts[out] = outEntry{key: key, data: data}
		}
		return data, err
	}
	outMu.Lock()
	defer outMu.Unlock()
	for _, p := range site.Pages {
		if p.FeedURL == "" {
			continue
		}
		dated, ok := b.dated[p]
		if !ok {
			dated = feedPages(p)
			b.dated[p] = dated
		}
		h := newKeyHasher()
		h.u64(cfgKey)
		h.str("feed")
		h.u64(keys.own[p])
		for _, c := range dated {
			h.u64(keys.own[c])
		}
		out := strings.TrimPrefix(p.FeedURL, "/")
		b, err := cached(out, h.sum(), func() ([]byte, error) { return feedFile(site, p, dated, min) })
		if err == nil {
			err = tr.write(out, "feed of "+p.URL, b)
		}
		errs.AddError(err)
	}

	// The sitemaps (one per language and an index on a multilingual
	// site) show every indexed page's address, language and date; the
	// set of files follows from the configuration, which cfgKey covers.
	h := newKeyHasher()
	h.u64(cfgKey)
	h.str("sitemap")
	for _, p := range site.Pages {
		if p.NoIndex {
			continue
		}
		h.str(p.Permalink)
		h.str(p.Lang)
		h.time(p.Lastmod)
	}
	smKey := h.sum()
	var sitemaps []SitemapFile
	if e, ok := b.outs["sitemap.xml"]; ok && e.key == smKey {
		for out, e := range b.outs {
			if e.key == smKey && strings.HasPrefix(out, "sitemap.") && strings.HasSuffix(out, ".xml") && !strings.Contains(out, "/") {
				sitemaps = append(sitemaps, SitemapFile{Path: out, Data: e.data})
			}
		}
	} else {
		var err error
		sitemaps, err = Sitemaps(site)
		errs.AddError(err)
		for i, f := range sitemaps {
			sitemaps[i].Data, err = min.bytes("application/xml", f.Data)
			errs.AddError(err)
		}
	}
	for _, f := range sitemaps {
		newOuts[f.Path] = outEntry{key: smKey, data: f.Data}
		errs.AddError(tr.write(f.Path, "sitemap", f.Data))
	}
	errs.AddError(tr.write("robots.txt", "robots.txt", feeds.Robots(cfg.Absolute("/sitemap.xml"))))

	// The relay's layout is one small page: rendered on every build.
	rl, err := relayLayout(eng, site, min)
	if err == nil && rl != nil {
		err = priv.Write(RelayLayoutFile, rl)
	}
	errs.AddError(err)

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
				// Never among the served files: the recipient
				// table holds e-mail addresses.
				errs.AddError(priv.Write(o.Path, o.Data))
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

// keyHasher builds 64-bit keys; fields are separated so that ("ab", "c")
// and ("a", "bc") differ.
type keyHasher struct {
	h maphash.Hash
	// siteLinks stands for a *content.Site met in content-type data.
	siteLinks uint64
	// refs, when not nil, collects the pages met in content-type data.
	refs *[]*content.Page
}

func newKeyHasher() *keyHasher {
	k := &keyHasher{}
	k.h.SetSeed(hashSeed)
	return k
}

func (k *keyHasher) str(s string) {
	k.h.WriteString(s)
	k.h.WriteByte(0)
}

func (k *keyHasher) strs(ss []string) {
	k.i64(int64(len(ss)))
	for _, s := range ss {
		k.str(s)
	}
}

func (k *keyHasher) bytes(b []byte) {
	k.i64(int64(len(b)))
	k.h.Write(b)
}

func (k *keyHasher) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	k.h.Write(b[:])
}

func (k *keyHasher) i64(v int64) { k.u64(uint64(v)) }

func (k *keyHasher) boolean(v bool) {
	if v {
		k.h.WriteByte(1)
	} else {
		k.h.WriteByte(2)
	}
}

func (k *keyHasher) time(t time.Time) {
	k.i64(t.Unix())
	k.i64(int64(t.Nanosecond()))
	name, off := t.Zone()
	k.str(name)
	k.i64(int64(off))
	k.str(t.Location().String())
}

func (k *keyHasher) strMap(m map[string]string) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.str(n)
		k.str(m[n])
	}
}

var (
	pageType = reflect.TypeFor[*content.Page]()
	siteType = reflect.TypeFor[*content.Site]()
	timeType = reflect.TypeFor[time.Time]()
)

// value hashes any value by walking it: pages it points to count by
// their key in pages (nil: by URL), pointers already seen (cycles) by
// a marker, functions and channels by type only.
func (k *keyHasher) value(v reflect.Value, pages map[*content.Page]uint64, seen map[uintptr]bool, depth int) {
	if depth > 64 {
		k.str("deep")
		return
	}
	depth++
	switch v.Kind() {
	case reflect.Invalid:
		k.str("nil")
	case reflect.Pointer:
		if v.IsNil() {
			k.str("nil")
			return
		}
		if v.Type() == siteType {
			// Content-type data holds the site to make links and
			// structured data (configuration, addresses, titles);
			// layouts that show more of other pages reach them through
			// .Site and are wide. Walking it would make every page
			// with such data depend on every other page's text.
			k.str("site")
			k.u64(k.siteLinks)
			return
		}
		if v.Type() == pageType {
			p := (*content.Page)(v.UnsafePointer())
			if k.refs != nil {
				*k.refs = append(*k.refs, p)
			}
			if key, ok := pages[p]; ok {
				k.u64(key)
			} else {
				k.str(p.URL)
				k.str(p.Title)
			}
			return
		}
		if seen[v.Pointer()] {
			k.str("seen")
			return
		}
		seen[v.Pointer()] = true
		k.value(v.Elem(), pages, seen, depth)
	case reflect.Interface:
		if v.IsNil() {
			k.str("nil")
			return
		}
		k.str(v.Elem().Type().String())
		k.value(v.Elem(), pages, seen, depth)
	case reflect.Struct:
		if v.Type() == timeType && v.CanInterface() {
			k.time(v.Interface().(time.Time))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			k.value(v.Field(i), pages, seen, depth)
		}
	case reflect.Slice:
		if v.IsNil() {
			k.str("nil")
			return
		}
		fallthrough
	case reflect.Array:
		k.i64(int64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			k.value(v.Index(i), pages, seen, depth)
		}
	case reflect.Map:
		k.i64(int64(v.Len()))
		type kv struct {
			key string
			v   reflect.Value
		}
		var items []kv
		it := v.MapRange()
		for it.Next() {
			kh := newKeyHasher()
			kh.siteLinks, kh.refs = k.siteLinks, k.refs
			kh.value(it.Key(), pages, map[uintptr]bool{}, depth)
			items = append(items, kv{fmt.Sprint(kh.sum()), it.Value()})
		}
		sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
		for _, e := range items {
			k.str(e.key)
			k.value(e.v, pages, seen, depth)
		}
	case reflect.String:
		k.str(v.String())
	case reflect.Bool:
		k.boolean(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		k.i64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		k.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		k.u64(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		k.u64(math.Float64bits(real(c)))
		k.u64(math.Float64bits(imag(c)))
	default: // func, chan, unsafe pointer
		k.str(v.Type().String())
	}
}

func (k *keyHasher) sum() uint64 { return k.h.Sum64() }
