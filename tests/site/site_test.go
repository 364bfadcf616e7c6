// Package site holds the whole-site integration tests: the example
// Karlsborg portal in content/ is built with every content type, and the
// output is compared with golden files (go test ./tests/site -update
// rewrites them).
package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// buildNow is the fixed build time of the example site's tests.
var buildNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("CET", 3600))

// copySite copies the example site's sources to a temp folder and gives
// every file one fixed modification time, so that "Senast uppdaterad"
// dates do not depend on when or how the repository was cloned.
func copySite(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"content", "static", "layouts", "torg.toml", "i18n", "assets"} {
		src := filepath.Join(root, name)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			dst := filepath.Join(dir, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return err
			}
			mt := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
			return os.Chtimes(dst, mt, mt)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func buildExample(t testing.TB, minify bool) (*build.MemSink, *build.MemSink, *build.Result) {
	t.Helper()
	dir := copySite(t)
	sink, priv := build.NewMemSink(), build.NewMemSink()
	res, err := build.Generate(context.Background(), build.Options{
		Source: dir, Now: buildNow, NoGit: true, Registry: cli.Registry(), Minify: &minify, Private: priv,
	}, sink)
	if err != nil {
		t.Fatalf("example site does not build:\n%v", err)
	}
	return sink, priv, res
}

// TestExampleSiteBuildsCleanly: no errors, and no warnings either; a
// warning the example keeps would teach editors to ignore warnings.
func TestExampleSiteBuildsCleanly(t *testing.T) {
	_, _, res := buildExample(t, true)
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	if res.Pages < 30 {
		t.Errorf("only %d pages; the example portal should have at least 30", res.Pages)
	}
}

// goldenPages are rendered unminified and compared in full.
var goldenPages = []string{
	"index.html",
	"404.html",
	"sitemap.xml",
	"robots.txt",
	"nyheter/atom.xml",
	"taggar/index.html",
	"om-webbplatsen/tillganglighetsredogorelse/index.html",
	"kommun-och-politik/styrdokument/it-policy/index.html",
	"tjanster/index.html",
	"tjanster/bygga-och-bo/bygglov/index.html",
}

func TestExampleSiteGolden(t *testing.T) {
	sink, _, _ := buildExample(t, false)
	for _, name := range goldenPages {
		got, ok := sink.Files[name]
		if !ok {
			t.Errorf("%s was not built", name)
			continue
		}
		golden(t, filepath.Join("testdata", "golden", filepath.FromSlash(name)), got)
	}
	// The manifest pins every output file: its path, size and hash.
	var names []string
	for n := range sink.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	var m bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&m, "%s %d %x\n", n, len(sink.Files[n]), sha256.Sum256(sink.Files[n]))
	}
	golden(t, filepath.Join("testdata", "golden", "manifest.txt"), m.Bytes())
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests/site -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff:\n%s\n(run go test ./tests/site -update after checking the change)", path, firstDiff(want, got))
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, clip(w), clip(g))
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

var hrefRE = regexp.MustCompile(`(?:href|src)="([^"]+)"`)

// TestExampleSiteLinksResolve: every internal link and asset reference in
// every page points at a file of the build, and every #fragment at an id
// in the page it names.
func TestExampleSiteLinksResolve(t *testing.T) {
	sink, _, _ := buildExample(t, true)
	ids := map[string]map[string]bool{}
	idRE := regexp.MustCompile(`\sid="?([^"\s>]+)`)
	for name, b := range sink.Files {
		if strings.HasSuffix(name, ".html") {
			set := map[string]bool{}
			for _, m := range idRE.FindAllSubmatch(b, -1) {
				set[string(m[1])] = true
			}
			ids[name] = set
		}
	}
	checked := 0
	for name, b := range sink.Files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		for _, m := range hrefRE.FindAllSubmatch(b, -1) {
			ref := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if strings.Contains(ref, "://") || strings.HasPrefix(ref, "mailto:") || strings.HasPrefix(ref, "tel:") || strings.HasPrefix(ref, "data:") {
				continue
			}
			if strings.HasPrefix(ref, "/skriv/") || strings.HasPrefix(ref, "/tack/") {
				continue // served by the contact-form relay
			}
			target, frag, _ := strings.Cut(ref, "#")
			if q := strings.IndexByte(target, '?'); q >= 0 {
				target = target[:q]
			}
			file := name
			if target != "" {
				if !strings.HasPrefix(target, "/") {
					t.Errorf("%s: relative reference %q (the theme and generator write root-relative URLs)", name, ref)
					continue
				}
				file = strings.TrimPrefix(target, "/")
				if file == "" || strings.HasSuffix(file, "/") {
					file += "index.html"
				}
			}
			if _, ok := sink.Files[file]; !ok {
				t.Errorf("%s: %q points to nothing (%s)", name, ref, file)
				continue
			}
			if frag != "" && strings.HasSuffix(file, ".html") && !ids[file][frag] {
				t.Errorf("%s: %q: no id %q in %s", name, ref, frag, file)
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d references checked", checked)
	}
}

// TestExampleSiteIsLight: a typical page stays under 30 KB over the wire
// (HTML + CSS + JS, before images and compression).
func TestExampleSiteIsLight(t *testing.T) {
	sink, _, _ := buildExample(t, true)
	cssRE := regexp.MustCompile(`<link rel="?stylesheet"? href="?([^" >]+)`)
	jsRE := regexp.MustCompile(`<script[^>]+src="?([^" >]+)`)
	for _, name := range []string{"index.html", "tjanster/bygga-och-bo/bygglov/index.html", "nyheter/index.html"} {
		html := sink.Files[name]
		total := len(html)
		for _, re := range []*regexp.Regexp{cssRE, jsRE} {
			for _, m := range re.FindAllSubmatch(html, -1) {
				total += len(sink.Files[strings.TrimPrefix(string(m[1]), "/")])
			}
		}
		if total > 30*1024 {
			t.Errorf("%s weighs %d bytes with its CSS and JS; the budget is 30 KB", name, total)
		}
	}
}

// TestExampleSiteLoadsNothingFromElsewhere: no page refers to another host
// for styles, scripts, fonts, images or frames.
func TestExampleSiteLoadsNothingFromElsewhere(t *testing.T) {
	sink, _, _ := buildExample(t, true)
	ext := regexp.MustCompile(`<(?:link|script|img|iframe|source|video|audio)\b[^>]*\b(?:href|src|srcset)="?(?:https?:)?//`)
	for name, b := range sink.Files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		if m := ext.Find(b); m != nil {
			// A canonical or alternate link names our own host; those are fine.
			if bytes.Contains(m, []byte(`rel="canonical"`)) || bytes.Contains(m, []byte("rel=canonical")) || bytes.Contains(m, []byte("alternate")) {
				continue
			}
			t.Errorf("%s loads from another host: %s", name, m)
		}
	}
}
