package build

import (
	"context"
	"hash/maphash"
	"html/template"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/markdown"
	"github.com/torgsite/torg/internal/render"
)

// buildState is what rendering needs of a loaded site. An Incremental
// keeps the last successful one (Options.Watched) so that the next edit,
// when it changes only page bodies, can be applied to the loaded site in
// place: the most common edit in `torg serve` then skips reading the
// source tree, the site structure, the content types and the layouts.
type buildState struct {
	now        time.Time // opts.Now the site was loaded with
	cfg        *config.Config
	cfgKey     uint64
	th         *theme
	min        *minifier
	assets     map[string]string
	assetFiles []assetFile
	deps       *layoutDeps
	loadOpts   content.LoadOptions // for parsing one file again
	loaded     *content.Loaded
	md         *markdown.Renderer
	eng        *render.Engine
	all        []*content.Page // the site's pages and the 404 page
	keys       *siteKeys
	layoutOf   map[*content.Page]string // each page's layout
	byLayout   map[string][]*content.Page
	layoutKeys map[string]uint64
	owner      map[string]string // output path → who wrote it (Result.Outputs)
	extra      map[string]bool   // paths written by the outputs phase
	pages      int               // HTML pages written
	jobs       int               // pages and pager pages
	homes      []*content.Page   // home pages and the 404 page: keyed by the whole site
	probes     map[string][]*content.Page
	warnings   []*diag.Diagnostic
}

// applyBodyEdits builds again by changing the last build's site in place,
// when every file reported changed is a page of that site whose front
// matter is byte for byte the same (content.SameFrontMatter), the time
// seen by layouts is the same minute, and no heading id changed (links
// from other pages to the page's headings resolve as before). The
// structure of the site (URLs, sections, tags, menus, content-type data)
// then stays as it is; only the edited pages' bodies, their "Senast
// uppdaterad" time and what shows them change, and finish renders just the
// outputs whose keys changed. ok is false when the edit does not qualify,
// or when applying it finds an error: the caller then builds from the
// source, which reports every error the way a full build does.
func (b *Incremental) applyBodyEdits(ctx context.Context, opts Options, dirty, touched map[string]bool, start time.Time) (snap *Snapshot, ok bool, err error) {
	st := b.last
	if st == nil || !opts.Watched || opts.Checker != nil || len(dirty) == 0 || !st.now.Equal(opts.Now) {
		return nil, false, nil
	}
	site := st.loaded.Site
	diags := &diag.List{}
	lastmod, err := b.lastmodFunc(ctx, opts, st.cfg, diags, touched)
	if err != nil {
		return nil, false, nil
	}
	lo := st.loadOpts
	lo.Lastmod = lastmod
	type edit struct{ live, fresh *content.Page }
	var edits []edit
	parseWarns := &diag.List{}
	for file := range dirty {
		live := site.ByFile[file]
		if live == nil || live.Body != nil {
			return nil, false, nil
		}
		fresh, err := content.ParseFile(lo, file, parseWarns)
		if err != nil || !content.SameFrontMatter(live, fresh) {
			return nil, false, nil
		}
		edits = append(edits, edit{live, fresh})
	}
	slices.SortFunc(edits, func(x, y edit) int { return strings.Compare(x.live.File, y.live.File) })

	// From here on the last build's site changes: whatever happens, it is
	// not reused again (finish keeps it only on success).
	b.last = nil
	changed := map[*content.Page]bool{}
	mdWarns := &diag.List{}
	for _, e := range edits {
		p := e.live
		changed[p] = true
		for _, q := range content.ReplaceBody(site, p, e.fresh) {
			changed[q] = true
		}
		if !b.renderBody(st, p, mdWarns) {
			return nil, false, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}

	// The warnings are the last build's, with those of the edited files
	// made again.
	for _, w := range st.warnings {
		if !dirty[w.File] {
			diags.Add(w)
		}
	}
	for _, w := range parseWarns.Items() {
		diags.Add(w)
	}
	for _, w := range mdWarns.Items() {
		diags.Add(w)
	}
	site.Generation++
	st.eng.Reset(diags)
	res := &Result{}
	defer func() { res.Warnings = diags.Warnings() }()
	snap, err = b.finish(ctx, st, opts, diags, res, map[string]bool{}, start, changed)
	if err != nil {
		return nil, false, nil
	}
	snap.BodyOnly = true
	return snap, true, nil
}

// renderBody renders the Markdown of p, a page whose body was replaced in
// place, as the Markdown phase would, and updates its cache entry. It
// reports false when the page's heading ids changed (other pages' links to
// them must be checked again) or its links have errors.
func (b *Incremental) renderBody(st *buildState, p *content.Page, warns *diag.List) bool {
	name := mdName(p)
	e := b.mdc[name]
	if e == nil {
		return false
	}
	doc, parseDiag := st.md.Parse(p.File, p.Body, p.BodyLine)
	if !sameHeadingIDs(p.Headings, doc.Headings) {
		return false
	}
	p.Headings = doc.Headings
	html, links, renderDiag := renderRecordingLinks(st.md, doc, linkResolver(p, st.loaded))
	for _, d := range renderDiag {
		if d.Severity == diag.Error {
			return false
		}
	}
	*e = mdEntry{
		body: p.Body, bodyLine: p.BodyLine, bodyHash: maphash.Bytes(hashSeed, p.Body),
		headings: doc.Headings, wordCount: doc.WordCount, summary: doc.Summary, parseDiag: parseDiag,
		rendered: true, html: template.HTML(html), htmlHash: maphash.Bytes(hashSeed, html), links: links, renderDiag: renderDiag,
	}
	for _, d := range parseDiag {
		warns.Add(d)
	}
	for _, d := range renderDiag {
		warns.Add(d)
	}
	p.WordCount = e.wordCount
	p.Summary = p.Description
	if p.Summary == "" {
		p.Summary = e.summary
	}
	p.Content = e.html
	p.Body = nil
	return true
}

func sameHeadingIDs(a, b []content.Heading) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}

// pageKeysAfterEdit is pageKeys after the pages in changed were edited in
// place. The structure is the same, so only the changed pages, the pages
// with content-type data or language versions (which may point at them)
// and the lists holding any page whose key changed get new keys. ok is false when a change
// shows in links to a page (its link key changed): pageKeys must then
// key every page.
//
// touched lists the pages whose own, kids or kidLists keys changed.
func pageKeysAfterEdit(prev *siteKeys, all []*content.Page, changed map[*content.Page]bool, bodies func(*content.Page) bool) (k *siteKeys, touched []*content.Page, ok bool) {
	k = &siteKeys{
		own: maps.Clone(prev.own), base: maps.Clone(prev.base), link: prev.link,
		listBase: maps.Clone(prev.listBase), list: maps.Clone(prev.list),
		kids: maps.Clone(prev.kids), kidLists: maps.Clone(prev.kidLists), kidLinks: prev.kidLinks,
		langLinks: prev.langLinks, siteLinks: prev.siteLinks, wideTypes: prev.wideTypes, // links and the structure are the same
		memberOf: prev.memberOf, refsTo: prev.refsTo,
	}
	for p := range changed {
		base, list, link := ownKey(p)
		if _, known := prev.base[p]; !known || link != prev.link[p] {
			return nil, nil, false
		}
		k.base[p], k.listBase[p] = base, list
		if p.Data == nil {
			k.own[p], k.list[p] = base, list
		}
	}
	// Pages whose keys include a changed page's: its content-type data
	// or language versions point at it (and the changed pages' own data).
	// Nothing else in any page's data changed.
	var dependents []*content.Page
	seen := map[*content.Page]bool{}
	for p := range changed {
		for _, q := range append(k.refsTo[p], p) {
			if !seen[q] && (q.Data != nil || hasLanguageLinks(q)) {
				seen[q] = true
				dependents = append(dependents, q)
			}
		}
	}
	for _, p := range dependents {
		extra, _ := k.otherPagesKey(p, bodies(p), nil)
		h := newKeyHasher()
		h.u64(k.base[p])
		h.u64(extra)
		k.own[p] = h.sum()
		h = newKeyHasher()
		h.u64(k.listBase[p])
		h.u64(extra)
		k.list[p] = h.sum()
	}
	h := newKeyHasher()
	for _, p := range all {
		h.u64(k.own[p])
	}
	k.site = h.sum()
	lists := map[*content.Page]bool{}
	note := func(p *content.Page) {
		if k.own[p] != prev.own[p] || k.list[p] != prev.list[p] {
			touched = append(touched, p)
			for _, l := range k.memberOf[p] {
				lists[l] = true
			}
		}
	}
	for p := range changed {
		note(p)
	}
	for _, p := range dependents {
		if !changed[p] {
			note(p)
		}
	}
	for l := range lists {
		var links uint64
		k.kids[l], k.kidLists[l], links = k.listKeys(l)
		if links != prev.kidLinks[l] {
			return nil, nil, false
		}
		if k.kids[l] != prev.kids[l] || k.kidLists[l] != prev.kidLists[l] {
			touched = append(touched, l)
		}
	}
	return k, touched, true
}

// finishAfterEdit is finish after a body-only edit, keyed by
// pageKeysAfterEdit: it starts from the previous snapshot and renders only
// the pages whose keys changed — the edited pages, the lists showing
// them, pages whose layouts depend on them (the home page, layouts that
// reach across the site or look the pages up) — and the outputs phase
// (feeds, sitemap, content types, each cached by its own key). Static
// files cannot have changed.
func (b *Incremental) finishAfterEdit(ctx context.Context, st *buildState, opts Options, res *Result, start time.Time, keys, prevKeys *siteKeys, touched []*content.Page, layoutKeys, prevLayoutKeys map[string]uint64, globalFor func(*content.Page) (uint64, bool)) (*Snapshot, error) {
	site, eng := st.loaded.Site, st.eng
	redo := map[*content.Page]bool{}
	for layout, k := range layoutKeys {
		if prevLayoutKeys[layout] != k {
			for _, p := range st.byLayout[layout] {
				redo[p] = true
			}
		}
	}
	for _, p := range touched {
		redo[p] = true
	}
	if keys.site != prevKeys.site {
		for _, p := range st.homes {
			redo[p] = true
		}
	}
	pages := make([]*content.Page, 0, len(redo))
	for p := range redo {
		pages = append(pages, p)
	}
	slices.SortFunc(pages, func(x, y *content.Page) int { return strings.Compare(x.URL, y.URL) })

	sink := &MemSink{Files: maps.Clone(b.prev)}
	tr := &tracker{sink: sink, owner: maps.Clone(st.owner), rewrite: true, written: map[string]bool{}}
	newOuts := maps.Clone(b.outs)
	var outMu sync.Mutex
	var rendered, reused atomic.Int64
	if err := b.renderPages(ctx, eng, site, pages, tr, st.min, opts, keys, globalFor, newOuts, &outMu, &rendered, &reused); err != nil {
		return nil, err
	}
	written := tr.written
	tr.written = map[string]bool{}
	priv := NewMemSink()
	if err := b.writeOutputs(ctx, site, eng, tr, st.min, keys, st.cfgKey, newOuts, &outMu, priv); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap := &Snapshot{Files: sink.Files, Private: priv.Files, Result: res, Rendered: int(rendered.Load()), Reused: st.jobs - int(rendered.Load()), assetURLs: st.assets}
	// Outputs of the last outputs phase not written again (a search
	// index under a new hash) are gone.
	for p := range st.extra {
		if !tr.written[p] {
			delete(sink.Files, p)
			delete(tr.owner, p)
			delete(newOuts, p)
			snap.Removed = append(snap.Removed, p)
		}
	}
	for p := range tr.written {
		written[p] = true
	}
	for p := range written {
		if old, ok := b.prev[p]; !ok || !sameBytes(old, sink.Files[p]) {
			snap.Changed = append(snap.Changed, p)
		}
	}
	sort.Strings(snap.Changed)
	sort.Strings(snap.Removed)
	res.Pages = st.pages
	res.Files = len(tr.owner)
	res.Outputs = tr.owner
	res.Duration = time.Since(start)
	b.prev = sink.Files
	b.outs = newOuts
	st.owner, st.extra = tr.owner, tr.written
	b.last = st
	return snap, nil
}

// probed returns the pages a layout probe "h" (home pages) or "p<suffix>"
// (a page by URL in every language) finds, looked up once per site.
func (st *buildState) probed(probe string) []*content.Page {
	if ps, ok := st.probes[probe]; ok {
		return ps
	}
	var ps []*content.Page
	for _, q := range st.loaded.Site.Pages {
		if probe == "h" && q.Kind == content.KindHome || probe[0] == 'p' && strings.HasSuffix(q.URL, probe[1:]) {
			ps = append(ps, q)
		}
	}
	if st.probes == nil {
		st.probes = map[string][]*content.Page{}
	}
	st.probes[probe] = ps
	return ps
}
