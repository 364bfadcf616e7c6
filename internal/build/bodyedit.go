package build

import (
	"context"
	"hash/maphash"
	"html/template"
	"slices"
	"strings"
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
	var links []linkResult
	resolve := linkResolver(p, st.loaded)
	html, renderDiag := st.md.Render(doc, func(dest string) (string, error) {
		out, err := resolve(dest)
		r := linkResult{dest: dest, out: out}
		if err != nil {
			r.err = err.Error()
		}
		links = append(links, r)
		return out, err
	})
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
