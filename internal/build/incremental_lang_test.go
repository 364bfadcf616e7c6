package build

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// langPropConfig is propLangSite's torg.toml; the editor swaps the third
// language and retitles English.
const langPropConfig = `title = "Provkommun"
baseURL = "https://prov.example/"
timeZone = "Europe/Stockholm"
paginate = 3
[[languages]]
code = "sv"
name = "Svenska"
[[languages]]
code = "en"
name = "English"
title = "Test Municipality"
%s`

const langPropThird = `[[languages]]
code = "fi"
name = "Suomi"
title = "Koekunta"
`

// propLangSite is a multilingual site (sv + en + fi) with translations by
// suffix and by folder, untranslated pages (fallbacks), a lättläst twin,
// dated pages (feeds per language), pages with a fixed lastmod (a body
// edit changes no date a fallback copies) and a search page translated in one
// language only (the header's search form looks it up per language).
var propLangSite = map[string]string{
	"torg.toml":                            fmt.Sprintf(langPropConfig, langPropThird),
	"content/_index.md":                    "---\ntitle: Startsida\n---\nVälkommen.\n",
	"content/_index.en.md":                 "---\ntitle: Welcome\n---\nWelcome.\n",
	"content/tjanster/_index.md":           "---\ntitle: Tjänster\nmenu: main\n---\nAlla tjänster.\n",
	"content/tjanster/bygglov.md":          "---\ntitle: Bygglov\ndate: 2026-01-10\ndescription: Så söker du bygglov.\n---\n## Ansökan\n\nSök bygglov.\n",
	"content/tjanster/bygglov.en.md":       "---\ntitle: Building permit\ndate: 2026-01-11\n---\nApply for a building permit.\n",
	"content/tjanster/bygglov.lattlast.md": "---\ntitle: Bygglov – lättläst\n---\nDu behöver bygglov.\n",
	"content/tjanster/avfall.md":           "---\ntitle: Avfall\ndate: 2026-01-03\nlastmod: 2026-02-03\n---\nSopor hämtas varannan vecka.\n",
	"content/tjanster/skola.md":            "---\ntitle: Skola\nlastmod: 2026-02-04\n---\nOm skolan.\n",
	"content/nyheter/_index.md":            "---\ntitle: Nyheter\n---\n",
	"content/nyheter/a.md":                 "---\ntitle: Nyhet A\ndate: 2026-03-01\n---\nFörsta nyheten.\n",
	"content/en/nyheter/a.md":              "---\ntitle: News A\ndate: 2026-03-02\n---\nThe first news.\n",
	"content/fi/tjanster/avfall.md":        "---\ntitle: Jätehuolto\n---\nJätteet haetaan.\n",
	"content/sok.md":                       "---\ntitle: Sök\n---\nSök på webbplatsen.\n",
	"content/sok.fi.md":                    "---\ntitle: Haku\n---\nHae sivustolta.\n",
	"content/om.md":                        "---\ntitle: Om webbplatsen\n---\nOm webbplatsen.\n",
}

var langCodes = []string{"en", "fi"}

// isDefaultLang reports whether a content file is a Swedish page (no
// language suffix or folder, no lättläst twin).
func isDefaultLang(f string) bool {
	rel := strings.TrimPrefix(f, "content/")
	for _, c := range append(langCodes, "se") {
		if strings.HasPrefix(rel, c+"/") || strings.HasSuffix(rel, "."+c+".md") {
			return false
		}
	}
	return !strings.HasSuffix(rel, ".lattlast.md")
}

// translationPath returns where f's translation into lang goes: as a
// suffix (x.en.md) or in the language folder (en/x.md).
func translationPath(f, lang string, folder bool) string {
	if folder {
		return "content/" + lang + "/" + strings.TrimPrefix(f, "content/")
	}
	return strings.TrimSuffix(f, ".md") + "." + lang + ".md"
}

func (e *editor) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(e.dir, filepath.FromSlash(rel)))
	return err == nil
}

func (e *editor) remove(rel string) {
	if err := os.Remove(filepath.Join(e.dir, filepath.FromSlash(rel))); err != nil {
		e.t.Fatal(err)
	}
}

// langEdit makes one random change to a multilingual site.
func (e *editor) langEdit() (string, []string) {
	e.n++
	files := e.mdFiles()
	var sv, svPages, other, twins []string
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, ".lattlast.md"):
			twins = append(twins, f)
		case isDefaultLang(f):
			sv = append(sv, f)
			if !strings.HasSuffix(f, "_index.md") {
				svPages = append(svPages, f)
			}
		default:
			other = append(other, f)
		}
	}
	w := e.pick(words)
	switch op := e.rng.IntN(18); op {
	case 0, 1: // the body of a Swedish page (shown by its fallbacks)
		f := e.pick(sv)
		e.write(f, e.read(f)+fmt.Sprintf("\nEtt stycke till om %s (%d).\n", w, e.n))
		return "body " + f, []string{f}
	case 2: // a title, of any page
		f := e.pick(files)
		e.write(f, setKey(e.read(f), "title", fmt.Sprintf("title: Titel %d %s", e.n, w)))
		return "title " + f, []string{f}
	case 3: // a date
		f := e.pick(files)
		e.write(f, setKey(e.read(f), "date", fmt.Sprintf("date: 2026-%02d-%02d", 1+e.rng.IntN(12), 1+e.rng.IntN(28))))
		return "date " + f, []string{f}
	case 4: // a description (the summary fallbacks and lists show)
		f := e.pick(sv)
		e.write(f, setKey(e.read(f), "description", fmt.Sprintf("description: Om %s %d.", w, e.n)))
		return "description " + f, []string{f}
	case 5, 6: // add a translation
		f := e.pick(sv)
		to := translationPath(f, e.pick(langCodes), e.rng.IntN(2) == 0)
		if e.exists(to) {
			return "nothing", nil
		}
		e.write(to, fmt.Sprintf("---\ntitle: Translated %d %s\n---\nTranslated text %d.\n", e.n, w, e.n))
		return "translate " + to, []string{to}
	case 7: // remove a translation
		if len(other) == 0 {
			return "nothing", nil
		}
		f := e.pick(other)
		e.remove(f)
		return "untranslate " + f, []string{f}
	case 8: // add a lättläst twin
		if len(svPages) == 0 {
			return "nothing", nil
		}
		f := strings.TrimSuffix(e.pick(svPages), ".md") + ".lattlast.md"
		if e.exists(f) {
			return "nothing", nil
		}
		e.write(f, fmt.Sprintf("---\ntitle: Lättläst %d\n---\nLätt text om %s.\n", e.n, w))
		return "twin " + f, []string{f}
	case 9: // remove a lättläst twin
		if len(twins) == 0 {
			return "nothing", nil
		}
		f := e.pick(twins)
		e.remove(f)
		return "untwin " + f, []string{f}
	case 10: // retitle a lättläst twin
		if len(twins) == 0 {
			return "nothing", nil
		}
		f := e.pick(twins)
		e.write(f, setKey(e.read(f), "title", fmt.Sprintf("title: Lättläst %d %s", e.n, w)))
		return "twin title " + f, []string{f}
	case 11: // toggle draft
		f := e.pick(files)
		src := e.read(f)
		line := "draft: true"
		if strings.Contains(src, "draft: true") {
			line = ""
		}
		e.write(f, setKey(src, "draft", line))
		return "draft " + f, []string{f}
	case 12: // the languages in torg.toml
		third := ""
		switch e.rng.IntN(3) {
		case 0:
			third = langPropThird
		case 1:
			third = strings.ReplaceAll(langPropThird, "Koekunta", fmt.Sprintf("Koekunta %d", e.n))
		}
		src := fmt.Sprintf(langPropConfig, third)
		if e.rng.IntN(2) == 0 {
			src = strings.Replace(src, "Test Municipality", fmt.Sprintf("Test Municipality %d", e.n), 1)
		}
		if e.rng.IntN(4) == 0 {
			// Single-language: suffixed files become pages of their
			// own, lättläst twins stay.
			src = src[:strings.Index(src, "[[languages]]")] + "language = \"sv\"\n"
		}
		e.write("torg.toml", src)
		return "languages", []string{"torg.toml"}
	case 13: // add a Swedish page
		name := fmt.Sprintf("content/%s/ny-%d.md", e.pick([]string{"tjanster", "nyheter"}), e.n)
		e.write(name, fmt.Sprintf("---\ntitle: Ny sida %d om %s\ndate: 2026-0%d-1%d\n---\nText om %s.\n", e.n, w, 1+e.rng.IntN(9), e.rng.IntN(10), w))
		return "add " + name, []string{name}
	case 14: // delete a Swedish page (its translations and twin stay)
		if len(svPages) < 4 {
			return "nothing", nil
		}
		f := e.pick(svPages)
		e.remove(f)
		return "delete " + f, []string{f}
	case 16: // a page marked lättläst in front matter, on and off
		f := e.pick(files)
		src := e.read(f)
		line := "lattlast: true"
		if strings.Contains(src, line) {
			line = ""
		}
		e.write(f, setKey(src, "lattlast", line))
		return "lattlast " + f, []string{f}
	case 17: // a menu entry, in any language (menus are per language)
		f := e.pick(files)
		src := e.read(f)
		line := "menu: main"
		if strings.Contains(src, line) {
			line = ""
		}
		e.write(f, setKey(src, "menu", line))
		return "menu " + f, []string{f}
	default: // the search page in English, on and off
		f := "content/sok.en.md"
		if e.exists(f) {
			e.remove(f)
			return "untranslate " + f, []string{f}
		}
		e.write(f, fmt.Sprintf("---\ntitle: Search %d\n---\nSearch the site.\n", e.n))
		return "translate " + f, []string{f}
	}
}

// warningStrings lists diagnostics as sorted strings.
func warningStrings(ds []*diag.Diagnostic) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Error())
	}
	sort.Strings(out)
	return out
}

// diffWarnings fails when a full and an incremental build warn differently.
func diffWarnings(t *testing.T, step string, full, incr []*diag.Diagnostic) {
	t.Helper()
	w, g := warningStrings(full), warningStrings(incr)
	if strings.Join(w, "\n") != strings.Join(g, "\n") {
		t.Fatalf("after %s the warnings differ:\nfull:\n%s\nincr:\n%s", step, strings.Join(w, "\n"), strings.Join(g, "\n"))
	}
}

// langPropLayouts replace the theme's language bar and head, which call
// .Site.LanguageLinks (and so depend on every page of a multilingual
// site), with ones that read the page's own language links: without them
// the property test cannot see whether those links are in the page's key.
var langPropLayouts = map[string]string{
	"layouts/partials/languages.html": `{{define "partials/languages.html"}}<nav>
{{- with .Page.LattlastPage}}<a href="{{.URL}}">{{.Title}}</a>{{end}}
{{- with .Page.OrdinaryPage}}<a href="{{.URL}}">{{.Title}} ({{.Summary}})</a>{{end}}
{{- with .Page.FallbackOf}}<p>{{.Title}}: {{.Summary}} {{.Lastmod}} {{.Date}}</p>{{end}}</nav>{{end}}`,
	"layouts/partials/head-meta.html": `{{define "partials/head-meta.html"}}<meta charset="utf-8">
{{- with .Page.FallbackOf}}<link rel="canonical" href="{{absURL .URL}}">{{end}}
<link rel="stylesheet" href="{{asset "css/main.css"}}">{{end}}`,
}

func withFiles(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// propRun is one series of random edits for equalsFull.
type propRun struct {
	files  map[string]string // the site
	seed   int
	stream uint64 // the editor's random stream, with seed
	steps  int
	drafts bool
	// watched builds like torg serve: every change reported, body-only
	// edits applied in place. Otherwise every fourth change is not
	// reported, to exercise the size and time checks.
	watched bool
	checker func(context.Context, *content.Site) []*diag.Diagnostic
	edit    func(*editor) (string, []string)
	// repair ends the series by repairing every broken file, and, when
	// watched, requires that some build applied edits in place.
	repair bool
}

// equalsFull makes r's random edits and checks after each that the
// incremental build gives the files, private outputs, errors and warnings
// of a full build.
func equalsFull(t *testing.T, r propRun) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, r.files)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	opts := Options{Source: dir, Now: now, NoGit: true, Serve: true, Drafts: r.drafts, Inject: testInject, Checker: r.checker, Watched: r.watched}
	inc := NewIncremental(opts)
	ed := &editor{t: t, dir: dir, rng: rand.New(rand.NewPCG(uint64(r.seed), r.stream))}
	ctx := context.Background()
	bodyOnly, builds := 0, 0
	check := func(step string) {
		t.Helper()
		builds++
		full, priv := NewMemSink(), NewMemSink()
		fopts := opts
		fopts.Private = priv
		fres, ferr := Generate(ctx, fopts, full)
		snap, ierr := inc.Rebuild(ctx)
		if (ferr == nil) != (ierr == nil) {
			t.Fatalf("after %s: full build error %v, incremental error %v", step, ferr, ierr)
		}
		if ferr != nil {
			if ferr.Error() != ierr.Error() {
				t.Fatalf("after %s: errors differ:\nfull: %v\nincr: %v", step, ferr, ierr)
			}
			return
		}
		if snap.BodyOnly {
			bodyOnly++
		}
		diffFiles(t, step, full.Files, snap.Files)
		diffFiles(t, step+" (private outputs)", priv.Files, snap.Private)
		diffWarnings(t, step, fres.Warnings, snap.Result.Warnings)
	}
	defer func() {
		if r.repair && r.watched && !t.Failed() && bodyOnly == 0 {
			t.Errorf("no edit was applied in place as a body-only edit")
		}
		t.Logf("seed %d: %d of %d builds applied body-only edits in place", r.seed, bodyOnly, builds)
	}()
	check("the first build")
	var log []string
	for i := 0; i < r.steps; i++ {
		what, paths := r.edit(ed)
		log = append(log, what)
		if r.watched || i%4 != 3 {
			inc.Invalidate(paths...)
		} else {
			time.Sleep(10 * time.Millisecond) // a visible modification time
		}
		check(fmt.Sprintf("step %d (%s; before: %s)", i, what, strings.Join(log[max(0, len(log)-4):len(log)-1], ", ")))
	}
	if r.repair {
		inc.Invalidate(ed.repairAll()...)
		check("repair")
	}
}

// TestIncrementalEqualsFullMultilingual is TestIncrementalEqualsFull on a
// multilingual site, with edits to translations, fallbacks' originals,
// lättläst twins and the languages in torg.toml.
func TestIncrementalEqualsFullMultilingual(t *testing.T) {
	seeds, steps := 6, 40
	if testing.Short() || raceEnabled {
		seeds, steps = 2, 25
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			files := propLangSite
			if seed%3 != 0 {
				files = withFiles(files, langPropLayouts)
			}
			equalsFull(t, propRun{files: files, seed: seed, stream: 11, steps: steps, drafts: seed%2 == 1, watched: seed%2 == 1, edit: (*editor).langEdit})
		})
	}
}

// TestIncrementalLanguageVersions edits pages that other versions of them
// show, one at a time, and checks that those are rendered again: a
// fallback page shows its original's text, a page links its lättläst twin
// (and the twin its ordinary page).
func TestIncrementalLanguageVersions(t *testing.T) {
	for _, tc := range []struct {
		name, file, edit string
		want             []string // outputs that must change
	}{
		{"fallback original body", "content/tjanster/avfall.md", "append:\nNy text om sopor.\n", []string{"en/tjanster/avfall/index.html"}},
		{"fallback original date", "content/tjanster/avfall.md", "key:date: 2026-05-05", []string{"en/tjanster/avfall/index.html"}},
		{"add twin", "content/tjanster/skola.lattlast.md", "write:---\ntitle: Skola lättläst\n---\nLätt.\n", []string{"tjanster/skola/index.html"}},
		{"retitle twin", "content/tjanster/bygglov.lattlast.md", "key:title: Bygglov enkelt", []string{"tjanster/bygglov/index.html"}},
		{"remove twin", "content/tjanster/bygglov.lattlast.md", "remove:", []string{"tjanster/bygglov/index.html"}},
		// The header's search form goes to the search page in the page's
		// language (.Site.PageInLanguage .Lang "/sok/"), else /sok/: the
		// Finnish translation stays, the English fallback goes.
		{"remove search page", "content/sok.md", "remove:", []string{"tjanster/bygglov/index.html", "en/tjanster/bygglov/index.html"}},
		{"ordinary page summary", "content/tjanster/bygglov.md", "key:description: Ny beskrivning.", []string{"tjanster/bygglov/lattlast/index.html"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, withFiles(propLangSite, langPropLayouts))
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
			for _, w := range tc.want {
				if !contains(snap.Changed, w) {
					t.Errorf("%s did not change (changed: %v)", w, snap.Changed)
				}
			}
			full := NewMemSink()
			if _, err := Generate(ctx, opts, full); err != nil {
				t.Fatal(err)
			}
			diffFiles(t, tc.name, full.Files, snap.Files)
		})
	}
}

// applyEdit changes file as edit says: "append:TEXT", "key:LINE" (a
// front-matter line), "write:CONTENT" or "remove:".
func applyEdit(ed *editor, file, edit string) {
	op, arg, _ := strings.Cut(edit, ":")
	switch op {
	case "append":
		ed.write(file, ed.read(file)+arg)
	case "key":
		ed.write(file, setKey(ed.read(file), strings.SplitN(arg, ":", 2)[0], arg))
	case "write":
		ed.write(file, arg)
	case "remove":
		ed.remove(file)
	default:
		ed.t.Fatalf("bad edit %q", edit)
	}
}
