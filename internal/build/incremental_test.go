package build

import (
	"bytes"
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
)

// propSite is a small site that exercises sections, bundles, tags, feeds,
// pagination, menus, links with anchors, drafts and site layouts.
var propSite = map[string]string{
	"torg.toml": `title = "Provkommun"
baseURL = "https://prov.example/"
language = "sv"
timeZone = "Europe/Stockholm"
paginate = 3
`,
	"content/_index.md":                "---\ntitle: Startsida\n---\nVälkommen till [tjänster](tjanster/_index.md).\n",
	"content/tjanster/_index.md":       "---\ntitle: Tjänster\nmenu: main\nweight: 1\n---\nAlla tjänster.\n",
	"content/tjanster/bygglov.md":      "---\ntitle: Bygglov\ndate: 2026-01-10\ntags: [bygga, lov]\n---\n## Ansökan\n\nSå ansöker du. Se [avgifter](avgifter.md#taxa).\n",
	"content/tjanster/avgifter.md":     "---\ntitle: Avgifter\ndate: 2026-02-01\ntags: [bygga]\n---\n## Taxa\n\nTaxan för 2026.\n",
	"content/tjanster/skola/_index.md": "---\ntitle: Skola\n---\nOm skolan.\n",
	"content/tjanster/skola/intag.md":  "---\ntitle: Intag\ndate: 2025-12-01\n---\nIntag till skolan.\n",
	"content/tjanster/karta/index.md":  "---\ntitle: Karta\n---\nSe kartan.\n",
	"content/tjanster/karta/karta.txt": "karta\n",
	"content/nyheter/_index.md":        "---\ntitle: Nyheter\nmenu: main\nweight: 2\n---\n",
	"content/nyheter/a.md":             "---\ntitle: Nyhet A\ndate: 2026-03-01\ntags: [lov]\n---\nFörsta nyheten.\n",
	"content/nyheter/b.md":             "---\ntitle: Nyhet B\ndate: 2026-03-02\n---\nAndra nyheten.\n",
	"content/nyheter/c.md":             "---\ntitle: Nyhet C\ndate: 2026-03-03\ndraft: true\n---\nUtkastet.\n",
	"content/om.md":                    "---\ntitle: Om webbplatsen\naliases: [/gammal-om/]\n---\nOm webbplatsen.\n",
	"content/sok.md":                   "---\ntitle: Sök\n---\nSök på webbplatsen.\n", // the header looks it up by URL
	"static/robots-extra.txt":          "extra\n",
	"layouts/partials/footer.html":     `{{define "partials/footer.html"}}<footer>Sidfot {{.Site.Config.Title}}</footer>{{end}}`,
	"assets/css/extra.css":             "body { color: black }\n",
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func testInject(p *content.Page, html []byte) []byte {
	return append(html, []byte("<!-- injected "+p.URL+" -->")...)
}

// editor makes random edits to a site on disk.
type editor struct {
	t   *testing.T
	dir string
	rng *rand.Rand
	n   int
}

func (e *editor) mdFiles() []string {
	var out []string
	filepath.WalkDir(filepath.Join(e.dir, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(e.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (e *editor) dirs() []string {
	var out []string
	filepath.WalkDir(filepath.Join(e.dir, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if _, err := os.Stat(filepath.Join(p, "index.md")); err == nil {
				return filepath.SkipDir // a bundle holds no pages
			}
			rel, _ := filepath.Rel(e.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (e *editor) pick(list []string) string { return list[e.rng.IntN(len(list))] }

func (e *editor) read(rel string) string {
	b, err := os.ReadFile(filepath.Join(e.dir, rel))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func (e *editor) write(rel, data string) {
	p := filepath.Join(e.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// setKey replaces or adds a front-matter line.
func setKey(src, key, line string) string {
	parts := strings.SplitN(src, "---\n", 3)
	if len(parts) != 3 {
		return src
	}
	var lines []string
	found := false
	for _, l := range strings.Split(strings.TrimSuffix(parts[1], "\n"), "\n") {
		if strings.HasPrefix(l, key+":") {
			found = true
			if line != "" {
				lines = append(lines, line)
			}
			continue
		}
		lines = append(lines, l)
	}
	if !found && line != "" {
		lines = append(lines, line)
	}
	return "---\n" + strings.Join(lines, "\n") + "\n---\n" + parts[2]
}

var words = []string{"avfall", "bygglov", "skola", "förskola", "parkering", "vatten", "äldreomsorg", "bibliotek", "idrott", "kultur"}

// edit makes one random change and returns a description and the
// site-relative paths touched (as a watcher would report them).
func (e *editor) edit() (string, []string) {
	e.n++
	files := e.mdFiles()
	pages := files[:0:0]
	for _, f := range files {
		if !strings.HasSuffix(f, "_index.md") {
			pages = append(pages, f)
		}
	}
	w := e.pick(words)
	switch op := e.rng.IntN(24); op {
	case 0, 1: // add a page
		dir := e.pick(e.dirs())
		name := fmt.Sprintf("%s/ny-%d.md", dir, e.n)
		link := ""
		if len(pages) > 0 && e.rng.IntN(2) == 0 {
			target := e.pick(pages)
			rel, _ := filepath.Rel(dir, target)
			link = fmt.Sprintf(" Läs mer om [%s](%s).", w, filepath.ToSlash(rel))
		}
		e.write(name, fmt.Sprintf("---\ntitle: Ny sida %d om %s\ndate: 2026-0%d-1%d\ntags: [%s]\n---\n## Rubrik %d\n\nText om %s.%s\n", e.n, w, 1+e.rng.IntN(9), e.rng.IntN(10), w, e.n, w, link))
		return "add " + name, []string{name}
	case 2, 3: // edit a title (also of sections and the home page)
		f := e.pick(files)
		e.write(f, setKey(e.read(f), "title", fmt.Sprintf("title: Titel %d %s", e.n, w)))
		return "title " + f, []string{f}
	case 4, 5, 19, 20, 21, 22, 23: // edit a body, or two (torg serve applies these in place)
		changed := []string{e.pick(files)}
		if op == 23 {
			changed = append(changed, e.pick(files))
		}
		for _, f := range changed {
			src := e.read(f)
			switch e.rng.IntN(5) {
			case 0:
				src += fmt.Sprintf("\n## Ny rubrik %d\n\nMer text om %s.\n", e.n, w)
			case 1: // a link to another page, which may be hidden or gone later
				rel, _ := filepath.Rel(filepath.Dir(f), e.pick(files))
				src += fmt.Sprintf("\nLäs också [%s](%s).\n", w, filepath.ToSlash(rel))
			default:
				src += fmt.Sprintf("\nEtt stycke till om %s (%d).\n", w, e.n)
			}
			e.write(f, src)
		}
		return "body " + strings.Join(changed, " "), changed
	case 6: // edit a date
		f := e.pick(files)
		e.write(f, setKey(e.read(f), "date", fmt.Sprintf("date: 2026-%02d-%02d", 1+e.rng.IntN(12), 1+e.rng.IntN(28))))
		return "date " + f, []string{f}
	case 7: // edit tags
		f := e.pick(files)
		line := ""
		if e.rng.IntN(4) > 0 {
			line = fmt.Sprintf("tags: [%s, %s]", w, e.pick(words))
		}
		e.write(f, setKey(e.read(f), "tags", line))
		return "tags " + f, []string{f}
	case 8: // toggle draft
		f := e.pick(files)
		src := e.read(f)
		line := "draft: true"
		if strings.Contains(src, "draft: true") {
			line = ""
		}
		e.write(f, setKey(src, "draft", line))
		return "draft " + f, []string{f}
	case 9: // publishDate in the future or the past
		f := e.pick(files)
		line := "publishDate: 2027-01-01"
		if e.rng.IntN(2) == 0 {
			line = "publishDate: 2025-01-01"
		}
		e.write(f, setKey(e.read(f), "publishDate", line))
		return "publishDate " + f, []string{f}
	case 10: // rename
		if len(pages) == 0 {
			return "nothing", nil
		}
		f := e.pick(pages)
		if strings.HasSuffix(f, "/index.md") {
			return "nothing", nil
		}
		to := fmt.Sprintf("%s/flyttad-%d.md", e.pick(e.dirs()), e.n)
		if err := os.Rename(filepath.Join(e.dir, f), filepath.Join(e.dir, to)); err != nil {
			e.t.Fatal(err)
		}
		return "rename " + f + " → " + to, []string{f, to}
	case 11: // delete
		if len(pages) < 3 {
			return "nothing", nil
		}
		f := e.pick(pages)
		if err := os.Remove(filepath.Join(e.dir, f)); err != nil {
			e.t.Fatal(err)
		}
		return "delete " + f, []string{f}
	case 12: // new folder with a page, sometimes with an _index.md
		dir := fmt.Sprintf("%s/mapp-%d", e.pick(e.dirs()), e.n)
		if e.rng.IntN(2) == 0 {
			dir += "/under" // two generated sections at once
		}
		names := []string{dir + "/sida.md"}
		e.write(dir+"/sida.md", fmt.Sprintf("---\ntitle: Sida i ny mapp %d\ndate: 2026-04-0%d\n---\nInnehåll.\n", e.n, 1+e.rng.IntN(9)))
		if e.rng.IntN(2) == 0 {
			e.write(dir+"/_index.md", fmt.Sprintf("---\ntitle: Mapp %d\n---\n", e.n))
			names = append(names, dir+"/_index.md")
		}
		return "mkdir " + dir, names
	case 13: // edit a layout
		f := "layouts/partials/footer.html"
		e.write(f, fmt.Sprintf(`{{define "partials/footer.html"}}<footer>Sidfot %d {{.Site.Config.Title}}</footer>{{end}}`, e.n))
		return "layout", []string{f}
	case 14: // edit torg.toml
		f := "torg.toml"
		src := e.read(f)
		if e.rng.IntN(2) == 0 {
			src = strings.Replace(src, "paginate = 3", "paginate = 2", 1)
			if !strings.Contains(src, "paginate = 2") {
				src = strings.Replace(src, "paginate = 2", "paginate = 3", 1)
			}
		}
		src = strings.SplitN(src, "title = ", 2)[0] + fmt.Sprintf("title = \"Provkommun %d\"", e.n) + src[strings.Index(src, "\nbaseURL"):]
		e.write(f, src)
		return "config", []string{f}
	case 15: // edit a CSS asset
		f := "assets/css/extra.css"
		e.write(f, fmt.Sprintf("body { color: #%06x }\n", e.rng.IntN(0x444444)))
		return "css", []string{f}
	case 16: // a link with an anchor, sometimes broken
		if len(pages) < 2 {
			return "nothing", nil
		}
		f, target := e.pick(pages), e.pick(pages)
		rel, _ := filepath.Rel(filepath.Dir(f), target)
		frag := ""
		if e.rng.IntN(2) == 0 {
			frag = "#taxa"
		}
		e.write(f, e.read(f)+fmt.Sprintf("\nSe [%s](%s%s).\n", w, filepath.ToSlash(rel), frag))
		return "link " + f + " → " + target + frag, []string{f}
	case 17: // broken front matter, or repair
		f := e.pick(files)
		src := e.read(f)
		if strings.Contains(src, "title: [oavslutad") {
			src = strings.Replace(src, "title: [oavslutad", "title: Lagad", 1)
		} else {
			src = setKey(src, "title", "title: [oavslutad")
		}
		e.write(f, src)
		return "frontmatter " + f, []string{f}
	default: // a menu entry, or a static file
		if e.rng.IntN(2) == 0 {
			f := e.pick(files)
			e.write(f, setKey(e.read(f), "menu", "menu: main"))
			return "menu " + f, []string{f}
		}
		f := fmt.Sprintf("static/fil-%d.txt", e.rng.IntN(3))
		e.write(f, fmt.Sprintf("fil %d\n", e.n))
		return "static " + f, []string{f}
	}
}

// repairAll removes broken front matter so that a series can end green.
func (e *editor) repairAll() []string {
	var out []string
	for _, f := range e.mdFiles() {
		src := e.read(f)
		if strings.Contains(src, "title: [oavslutad") {
			e.write(f, strings.Replace(src, "title: [oavslutad", "title: Lagad", 1))
			out = append(out, f)
		}
	}
	return out
}

func diffFiles(t *testing.T, step string, want, got map[string][]byte) {
	t.Helper()
	var bad []string
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			bad = append(bad, "missing "+p)
		} else if !bytes.Equal(w, g) {
			bad = append(bad, "differs "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			bad = append(bad, "extra "+p)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		if len(bad) > 10 {
			bad = append(bad[:10], fmt.Sprintf("... %d more", len(bad)-10))
		}
		p := strings.TrimPrefix(bad[0], "differs ")
		if w, g := want[p], got[p]; w != nil && g != nil {
			i := 0
			for i < len(w) && i < len(g) && w[i] == g[i] {
				i++
			}
			lo := max(0, i-80)
			t.Logf("first difference in %s at %d:\nfull: %q\nincr: %q", p, i, w[lo:min(len(w), i+120)], g[lo:min(len(g), i+120)])
		}
		t.Fatalf("after %s the incremental build differs from a full build:\n%s", step, strings.Join(bad, "\n"))
	}
}

// raceEnabled is set under the race detector, which makes builds slow.
var raceEnabled bool

// TestIncrementalEqualsFull makes random series of edits and checks after
// each that the incremental build gives exactly the files (and errors and
// warnings) a full build of the same source gives.
func TestIncrementalEqualsFull(t *testing.T) {
	seeds, steps := 6, 40
	if testing.Short() || raceEnabled {
		seeds, steps = 1, 25
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			// The first seeds build like torg serve with its watcher.
			equalsFull(t, propRun{files: propSite, seed: seed, stream: 7, steps: steps, drafts: seed%2 == 1, watched: seed <= 3, edit: (*editor).edit, repair: true})
		})
	}
}

// TestIncrementalReuses checks that a body edit re-renders only a handful
// of pages and that a layout edit re-renders all.
func TestIncrementalReuses(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, propSite)
	opts := Options{Source: dir, Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), NoGit: true, Serve: true, Drafts: true}
	inc := NewIncremental(opts)
	ctx := context.Background()
	first, err := inc.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := first.Rendered
	f := filepath.Join(dir, "content/tjanster/skola/intag.md")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, append(b, "\nMer om intaget.\n"...), 0o644)
	inc.Invalidate(f)
	snap, err := inc.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Rendered >= total/2 || snap.Rendered == 0 {
		t.Errorf("body edit rendered %d of %d pages", snap.Rendered, total)
	}
	if !contains(snap.Changed, "tjanster/skola/intag/index.html") {
		t.Errorf("changed = %v, want the edited page", snap.Changed)
	}
	if contains(snap.Changed, "tjanster/bygglov/index.html") {
		t.Errorf("changed = %v: an unrelated page changed", snap.Changed)
	}
	os.WriteFile(filepath.Join(dir, "layouts/partials/footer.html"), []byte(`{{define "partials/footer.html"}}<footer>Ny</footer>{{end}}`), 0o644)
	inc.Invalidate(filepath.Join(dir, "layouts/partials/footer.html"))
	snap, err = inc.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Rendered != total {
		t.Errorf("layout edit rendered %d of %d pages", snap.Rendered, total)
	}
	os.Remove(filepath.Join(dir, "content/om.md"))
	inc.Invalidate(filepath.Join(dir, "content/om.md"))
	snap, err = inc.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !contains(snap.Removed, "om/index.html") || !contains(snap.Removed, "gammal-om/index.html") {
		t.Errorf("removed = %v, want the deleted page and its alias", snap.Removed)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestIncrementalPrivateOutputs checks that private outputs (the relay's
// recipient table and layout) are kept apart from the served files, as
// Build keeps them out of the destination.
func TestIncrementalPrivateOutputs(t *testing.T) {
	files := basicSite()
	files["content/tjanster/m.md"] = "---\ntitle: M\ntype: motion\n---\n"
	dir := writeSite(t, files)
	reg := content.NewRegistry()
	reg.MustRegister(&content.Type{
		Name: "motion",
		Outputs: func(ctx context.Context, s *content.Site) ([]content.Output, error) {
			return []content.Output{{Path: "motioner.txt", Data: []byte("7")}, {Path: "hemlig.json", Data: []byte(`{"a":"b@example.org"}`), Private: true}}, nil
		},
	})
	inc := NewIncremental(Options{Source: dir, Now: testNow, NoGit: true, Serve: true, Registry: reg})
	for i := 0; i < 2; i++ { // the second build reuses cached outputs
		snap, err := inc.Rebuild(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if string(snap.Files["motioner.txt"]) != "7" {
			t.Fatal("public type output missing")
		}
		for p, data := range snap.Files {
			if p == "hemlig.json" || p == RelayLayoutFile || bytes.Contains(data, []byte("b@example.org")) {
				t.Fatalf("build %d: private output among the served files at %s", i, p)
			}
		}
		for _, p := range snap.Changed {
			if p == "hemlig.json" || p == RelayLayoutFile {
				t.Fatalf("build %d: private output %s listed as a changed served file", i, p)
			}
		}
		if string(snap.Private["hemlig.json"]) != `{"a":"b@example.org"}` {
			t.Fatalf("build %d: private output missing: %q", i, snap.Private)
		}
		if l := snap.Private[RelayLayoutFile]; !bytes.Contains(l, []byte(`{{template "main" .}}`)) {
			t.Fatalf("build %d: relay layout missing or without its main template: %q", i, l)
		}
	}
}

// TestRelayURLOption checks that Options.RelayURL points the theme's form
// links elsewhere only on sites that have forms, in Generate and
// Incremental alike.
func TestRelayURLOption(t *testing.T) {
	const local = "http://127.0.0.1:1313"
	for _, tc := range []struct {
		relay, opt, want, wantNot string
	}{
		{relay: "/kontakt-api", opt: "", want: `href="/kontakt-api/skriv/kommunen?sida=%2ftjanster%2fa%2f"`},
		{relay: "/kontakt-api", opt: local, want: `href="` + local + `/skriv/kommunen?sida=%2ftjanster%2fa%2f"`, wantNot: "/kontakt-api"},
		{relay: "", opt: local, wantNot: "/skriv/"},
	} {
		files := basicSite()
		files["torg.toml"] += "\n[relay]\nurl = \"" + tc.relay + "\"\n"
		dir := writeSite(t, files)
		opts := Options{Source: dir, Now: testNow, NoGit: true, RelayURL: tc.opt}
		full := NewMemSink()
		if _, err := Generate(context.Background(), opts, full); err != nil {
			t.Fatal(err)
		}
		opts.Serve = true
		snap, err := NewIncremental(opts).Rebuild(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for name, page := range map[string][]byte{"Generate": full.Files["tjanster/a/index.html"], "Incremental": snap.Files["tjanster/a/index.html"]} {
			if tc.want != "" && !bytes.Contains(page, []byte(tc.want)) {
				t.Errorf("%s, [relay] url %q, RelayURL %q: no %s in\n%s", name, tc.relay, tc.opt, tc.want, page)
			}
			if tc.wantNot != "" && bytes.Contains(page, []byte(tc.wantNot)) {
				t.Errorf("%s, [relay] url %q, RelayURL %q: %s in the page", name, tc.relay, tc.opt, tc.wantNot)
			}
		}
	}
}
