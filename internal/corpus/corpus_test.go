package corpus

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// readTree returns every file below dir by slash path relative to dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func generate(t *testing.T, opts Options) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	return dir, readTree(t, dir)
}

var headingLine = regexp.MustCompile(`^(#{1,6}) (.+)$`)

// headingsOf returns the levels and IDs of a Markdown body's ATX headings,
// with IDs computed independently of the generator's plan.
func headingsOf(body []byte) (levels []int, ids []string) {
	set := NewIDs()
	for _, line := range strings.Split(string(body), "\n") {
		if m := headingLine.FindStringSubmatch(line); m != nil {
			levels = append(levels, len(m[1]))
			ids = append(ids, set.Generate(m[2]))
		}
	}
	return levels, ids
}

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		pages       int
		seed        int64
		nested      bool
		checkShares bool
	}{
		{"one page", 1, 1, false, false},
		{"few pages", 7, 2, false, false},
		{"small", 150, 3, false, false},
		{"with subsections", 600, 1, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, files := generate(t, Options{Pages: tc.pages, Seed: tc.seed})

			var ds diag.List
			cfg, err := config.Parse(files["torg.toml"], &ds)
			if err != nil {
				t.Fatalf("torg.toml: %v", err)
			}
			if w := ds.Items(); len(w) > 0 {
				t.Errorf("torg.toml warnings: %v", w)
			}
			if cfg.Language != "sv" || cfg.SectionDefaults("nyheter").Sort != "date" {
				t.Errorf("torg.toml: language %q, nyheter sort %q", cfg.Language, cfg.SectionDefaults("nyheter").Sort)
			}

			regular, tomlPages, tablePages, nestedDirs := 0, 0, 0, 0
			dirs := map[string]bool{}
			for name, src := range files {
				if !strings.HasPrefix(name, "content/") {
					continue
				}
				dir := path.Dir(name)
				dirs[dir] = true
				if strings.Count(dir, "/") >= 2 {
					nestedDirs++
				}
				fm, body, _, err := content.SplitFrontMatter(name, src, cfg.Location)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if fm.Format == "" {
					t.Fatalf("%s: no front matter", name)
				}
				if fm.TakeString("title") == "" || fm.TakeString("description") == "" || fm.TakeString("owner") == "" {
					t.Errorf("%s: title, description or owner missing", name)
				}
				date, lastmod, reviewed := fm.TakeTime("date"), fm.TakeTime("lastmod"), fm.TakeTime("reviewed")
				if date.Year() < 2024 || date.Year() > 2026 || lastmod.Before(date) || reviewed.Before(lastmod) {
					t.Errorf("%s: dates %v %v %v", name, date, lastmod, reviewed)
				}
				fm.TakeInt("weight")
				fm.TakeString("linkTitle")
				fm.TakeMap("menu")
				tags := fm.TakeStrings("tags")
				if err := fm.Err(); err != nil {
					t.Errorf("%s: %v", name, err)
				}
				if u := fm.Untaken(); len(u) > 0 {
					t.Errorf("%s: unexpected keys %v", name, u)
				}

				levels, _ := headingsOf(body)
				prev := 1 // the page title is the h1
				for _, l := range levels {
					if l < 2 || l > prev+1 {
						t.Errorf("%s: heading levels %v skip a level", name, levels)
						break
					}
					prev = l
				}
				if path.Base(name) == "_index.md" {
					continue
				}
				regular++
				if fm.Format == "toml" {
					tomlPages++
				}
				if len(tags) < 1 || len(tags) > 4 {
					t.Errorf("%s: %d tags", name, len(tags))
				}
				if bytes.Contains(body, []byte("\n| --- |")) {
					tablePages++
				}
				if len(levels) == 0 {
					t.Errorf("%s: no headings", name)
				}
				words := len(strings.Fields(string(body)))
				if words < minWords || words > maxWords+500 {
					t.Errorf("%s: %d words", name, words)
				}
			}
			if regular != tc.pages {
				t.Errorf("got %d regular pages, want %d", regular, tc.pages)
			}
			for d := range dirs {
				if files[d+"/_index.md"] == nil {
					t.Errorf("%s has no _index.md", d)
				}
			}
			if n := len(dirs) - 1; n < len(topSections) {
				t.Errorf("got %d sections, want at least %d", n, len(topSections))
			}
			if tc.nested != (nestedDirs > 0) {
				t.Errorf("nested sections: got %d files in nested folders, want nesting %v", nestedDirs, tc.nested)
			}
			if tc.checkShares {
				if p := 100 * tomlPages / regular; p < 2 || p > 9 {
					t.Errorf("%d%% of pages have TOML front matter, want about 5%%", p)
				}
				if p := 100 * tablePages / regular; p < 20 || p > 40 {
					t.Errorf("%d%% of pages have tables, want about 30%%", p)
				}
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	_, a := generate(t, Options{Pages: 300, Seed: 42})
	_, b := generate(t, Options{Pages: 300, Seed: 42})
	if len(a) != len(b) {
		t.Fatalf("file counts differ: %d and %d", len(a), len(b))
	}
	for name, src := range a {
		if !bytes.Equal(src, b[name]) {
			t.Fatalf("%s differs between two runs with the same seed", name)
		}
	}
	_, c := generate(t, Options{Pages: 300, Seed: 43})
	same := 0
	for name, src := range a {
		if bytes.Equal(src, c[name]) {
			same++
		}
	}
	if same > len(a)/2 {
		t.Errorf("seeds 42 and 43 share %d of %d files", same, len(a))
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestLinksResolve(t *testing.T) {
	_, files := generate(t, Options{Pages: 800, Seed: 7})
	ids := map[string]map[string]bool{}
	idsOf := func(name string) map[string]bool {
		if m, ok := ids[name]; ok {
			return m
		}
		_, body, _, err := content.SplitFrontMatter(name, files[name], nil)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		_, list := headingsOf(body)
		for _, id := range list {
			m[id] = true
		}
		ids[name] = m
		return m
	}
	internal, anchors, dupAnchors, external := 0, 0, 0, 0
	for name, src := range files {
		if !strings.HasSuffix(name, ".md") {
			continue
		}
		cross := 0
		for _, m := range mdLink.FindAllSubmatch(src, -1) {
			target := string(m[1])
			if strings.HasPrefix(target, "https://www.example.se/") || strings.HasPrefix(target, "mailto:") {
				external++
				continue
			}
			if strings.Contains(target, "://") || strings.HasPrefix(target, "/") {
				t.Errorf("%s: link %q is neither relative nor to www.example.se", name, target)
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			resolved := path.Join(path.Dir(name), file)
			if files[resolved] == nil {
				t.Errorf("%s: link %q: %s does not exist", name, target, resolved)
				continue
			}
			if resolved == name {
				t.Errorf("%s: links to itself", name)
			}
			internal++
			cross++
			if anchor != "" {
				anchors++
				if regexp.MustCompile(`-\d+$`).MatchString(anchor) {
					dupAnchors++
				}
				if !idsOf(resolved)[anchor] {
					t.Errorf("%s: link %q: %s has no heading with id %q", name, target, resolved, anchor)
				}
			}
		}
		if path.Base(name) != "_index.md" && (cross < 1 || cross > 5) {
			t.Errorf("%s: %d cross links, want 1 to 5", name, cross)
		}
	}
	if internal == 0 || anchors == 0 || dupAnchors == 0 || external == 0 {
		t.Errorf("links: %d internal, %d with anchors (%d to repeated headings), %d external", internal, anchors, dupAnchors, external)
	}
}

func TestPlanNesting(t *testing.T) {
	s := plan(Options{Pages: 10000, Seed: 1})
	if len(s.pages) != 10000 {
		t.Fatalf("planned %d pages", len(s.pages))
	}
	depth3, files := 0, map[string]bool{}
	for _, sec := range s.sections {
		if strings.Count(sec.dir, "/") == 2 {
			depth3++
		}
		files[sec.dir+".md"] = true
	}
	if depth3 == 0 {
		t.Error("no third-level sections in a 10,000-page corpus")
	}
	for _, p := range s.pages {
		if files[p.file] {
			t.Errorf("%s collides with a page or a section", p.file)
		}
		files[p.file] = true
	}
}

func TestGenerateErrors(t *testing.T) {
	if err := Generate(context.Background(), t.TempDir(), Options{Pages: 0}); err == nil {
		t.Error("Pages 0: no error")
	}
	dir := t.TempDir()
	if err := Generate(context.Background(), dir, Options{Pages: 3}); err != nil {
		t.Fatal(err)
	}
	if err := Generate(context.Background(), dir, Options{Pages: 3}); err == nil {
		t.Error("second Generate into the same folder: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Generate(ctx, t.TempDir(), Options{Pages: 50}); err == nil {
		t.Error("cancelled context: no error")
	}
}

func TestRelPath(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"a", "a/x.md", "x.md"},
		{"a", "b/x.md", "../b/x.md"},
		{"a/b", "c/x.md", "../../c/x.md"},
		{"a/b", "a/c/x.md", "../c/x.md"},
		{"a", "a/b/_index.md", "b/_index.md"},
		{"a/b/c", "a/x.md", "../../x.md"},
		{"", "a/x.md", "a/x.md"},
	} {
		if got := relPath(tc.from, tc.to); got != tc.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
		if got := path.Join(tc.from, relPath(tc.from, tc.to)); got != tc.to {
			t.Errorf("relPath(%q, %q) does not resolve back: %q", tc.from, tc.to, got)
		}
	}
}

func TestIDs(t *testing.T) {
	ids := NewIDs()
	for _, tc := range []struct{ text, want string }{
		{"Så ansöker du", "sa-ansoker-du"},
		{"Avgift", "avgift"},
		{"Avgift", "avgift-2"},
		{"Vem kan ansöka?", "vem-kan-ansoka"},
		{"Avgift", "avgift-3"},
		{"!!", "rubrik"},
	} {
		if got := ids.Generate(tc.text); got != tc.want {
			t.Errorf("Generate(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestEmphasise(t *testing.T) {
	for _, tc := range []struct{ sen, word, want string }{
		{"Avgiften för avgift gäller.", "avgift", "Avgiften för *avgift* gäller."},
		{"Om avgiften.", "avgift", "Om avgiften."},
		{"bygglov krävs", "bygglov", "*bygglov* krävs"},
	} {
		if got := emphasise(tc.sen, tc.word, "*"); got != tc.want {
			t.Errorf("emphasise(%q, %q) = %q, want %q", tc.sen, tc.word, got, tc.want)
		}
	}
}

func TestCountWords(t *testing.T) {
	for _, s := range []string{"", "a", " a  b\tc\nd ", "| a | b |\n| --- |"} {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, want %d", s, got, want)
		}
	}
}
