package build

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// TestIncrementalFollowsRenderFuncs checks that partials executed through
// the render funcs partialCached and sectionNav count for the layouts
// calling them: what they look up across the site is part of the calling
// page's key.
func TestIncrementalFollowsRenderFuncs(t *testing.T) {
	// bygglov's layout reaches the partials only through the render
	// funcs.
	single := func(call string) map[string]string {
		return map[string]string{"layouts/_default/single.html": `{{define "main"}}<h1>{{.Page.Title}}</h1>` + call + `{{end}}`}
	}
	cached := func(partial string) map[string]string {
		m := single(`{{partialCached "partials/lookup.html" . "same for every page"}}`)
		m["layouts/partials/lookup.html"] = `{{define "partials/lookup.html"}}` + partial + `{{end}}`
		return m
	}
	dyn := cached(`<p>{{with index .Site.ByURL "/om/"}}{{.Title}}{{end}}</p>`)
	dyn["layouts/_default/single.html"] = `{{define "main"}}<h1>{{.Page.Title}}</h1>{{$p := print "partials/" "lookup.html"}}{{partialCached $p . "k"}}{{end}}`
	nav := single(`{{sectionNav .}}`)
	nav["layouts/partials/section-nav.html"] = `{{define "partials/section-nav.html"}}<nav>{{with index .Site.ByURL "/nyheter/a/"}}<a href="{{.URL}}">{{.Title}}</a>{{end}}</nav>{{end}}`
	for _, tc := range []struct {
		name       string
		layouts    map[string]string
		file, edit string
	}{
		{"partialCached probe", cached(`<p>{{with index .Site.ByURL "/om/"}}{{.Title}}{{end}}</p>`), "content/om.md", "key:title: Om oss"},
		{"partialCached wide", cached(`<p>{{len .Site.Pages}} sidor</p>`), "content/nyheter/d.md", "write:---\ntitle: Nyhet D\n---\nText.\n"},
		{"partialCached by a variable", dyn, "content/om.md", "key:title: Om oss"},
		{"sectionNav probe", nav, "content/nyheter/a.md", "key:title: Nyhet A ändrad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, withFiles(propSite, tc.layouts))
			opts := Options{Source: dir, Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), NoGit: true, Serve: true}
			inc := NewIncremental(opts)
			ctx := context.Background()
			if _, err := inc.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			ed := &editor{t: t, dir: dir}
			applyEdit(ed, tc.file, tc.edit)
			inc.Invalidate(tc.file)
			snap, err := inc.Rebuild(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !contains(snap.Changed, "tjanster/bygglov/index.html") {
				t.Errorf("the calling page did not change (changed: %v)", snap.Changed)
			}
			full := NewMemSink()
			if _, err := Generate(ctx, opts, full); err != nil {
				t.Fatal(err)
			}
			diffFiles(t, tc.name, full.Files, snap.Files)
		})
	}
}

// checkerSite is propSite with Markdown the content checker reports
// itself (a skipped heading level, an image without alt text).
var checkerSite = withFiles(propSite, map[string]string{
	"content/tjanster/bild.md": "---\ntitle: Bild\n---\n#### För djup rubrik\n\n![](https://prov.example/bild.png)\n",
})

// testChecker warns about every page with a skipped heading level or an
// image without alt text, as `torg check` would, and about new pages.
func testChecker(ctx context.Context, site *content.Site) []*diag.Diagnostic {
	var out []*diag.Diagnostic
	for _, p := range site.Pages {
		if p.File == "" {
			continue
		}
		if strings.Contains(string(p.Content), `alt=""`) || strings.Contains(string(p.Content), "<h4") {
			out = append(out, diag.Warnf(p.File, 1, 0, "checker: headings or images need attention"))
		}
		if strings.HasPrefix(p.Title, "Ny sida") {
			out = append(out, diag.Warnf(p.File, 2, 0, "checker: new page %q", p.Title))
		}
	}
	return out
}

// TestIncrementalEqualsFullChecked is the property test with a content
// checker: the Markdown warnings it supersedes are left out of both
// builds' warnings alike.
func TestIncrementalEqualsFullChecked(t *testing.T) {
	steps := 30
	if testing.Short() || raceEnabled {
		steps = 15
	}
	for seed := 1; seed <= 2; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			equalsFull(t, propRun{files: checkerSite, seed: seed, stream: 11, steps: steps, drafts: seed%2 == 1, watched: seed%2 == 1, checker: testChecker, edit: (*editor).edit})
		})
	}
}
