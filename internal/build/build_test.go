package build

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// writeSite writes files (slash paths → contents) below a new temp folder
// and gives every file the same modification time, so that output does
// not depend on when the test ran.
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, testNow, testNow); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func basicSite() map[string]string {
	return map[string]string{
		"torg.toml":                  "title = \"Testkommun\"\nbaseURL = \"https://www.example.se/\"\n",
		"content/_index.md":          "---\ntitle: Start\n---\nVälkommen.\n",
		"content/tjanster/_index.md": "---\ntitle: Tjänster\n---\n",
		"content/tjanster/a.md":      "---\ntitle: A\ndate: 2026-01-02\n---\nSe [B](b.md).\n",
		"content/tjanster/b.md":      "---\ntitle: B\ndate: 2026-01-03\n---\n## Rubrik\n",
	}
}

func listFiles(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestBuildIsDeterministic(t *testing.T) {
	dir := writeSite(t, basicSite())
	ctx := context.Background()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, dest := range []string{a, b} {
		if _, err := Build(ctx, Options{Source: dir, Dest: dest, Now: testNow, NoGit: true}); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb := listFiles(t, a), listFiles(t, b)
	if strings.Join(keys(fa), ",") != strings.Join(keys(fb), ",") {
		t.Fatalf("file lists differ:\n%v\n%v", keys(fa), keys(fb))
	}
	for k := range fa {
		if !bytes.Equal(fa[k], fb[k]) {
			t.Errorf("%s differs between two builds", k)
		}
	}
}

func TestFailedBuildLeavesOutputUntouched(t *testing.T) {
	files := basicSite()
	dir := writeSite(t, files)
	ctx := context.Background()
	dest := filepath.Join(dir, "public")
	if _, err := Build(ctx, Options{Source: dir, Now: testNow, NoGit: true}); err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, dest)

	// A broken page: the build fails and public/ is exactly as it was.
	os.WriteFile(filepath.Join(dir, "content/tjanster/c.md"), []byte("---\ntitle: C\ndate: 2026-99-01\n---\n"), 0o644)
	_, err := Build(ctx, Options{Source: dir, Now: testNow, NoGit: true})
	var de *diag.Errors
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "content/tjanster/c.md:3:7: date:") {
		t.Fatalf("error = %v", err)
	}
	after := listFiles(t, dest)
	if len(after) != len(before) {
		t.Fatalf("output changed: %d files before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if !bytes.Equal(after[k], v) {
			t.Errorf("%s changed after a failed build", k)
		}
	}
	// No staging folders are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".public") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestCancelledBuildLeavesOutputUntouched(t *testing.T) {
	dir := writeSite(t, basicSite())
	dest := filepath.Join(dir, "public")
	if _, err := Build(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}); err != nil {
		t.Fatal(err)
	}
	before := listFiles(t, dest)
	os.Remove(filepath.Join(dir, "content/tjanster/a.md"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, Options{Source: dir, Now: testNow, NoGit: true}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if _, ok := listFiles(t, dest)["tjanster/a/index.html"]; !ok || len(listFiles(t, dest)) != len(before) {
		t.Fatal("a cancelled build changed the output")
	}
}

func TestNothingStaleAfterSuccess(t *testing.T) {
	dir := writeSite(t, basicSite())
	dest := filepath.Join(dir, "public")
	ctx := context.Background()
	if _, err := Build(ctx, Options{Source: dir, Now: testNow, NoGit: true}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dest, "stray.html"), []byte("x"), 0o644)
	os.Remove(filepath.Join(dir, "content/tjanster/a.md"))
	if _, err := Build(ctx, Options{Source: dir, Now: testNow, NoGit: true}); err != nil {
		t.Fatal(err)
	}
	got := listFiles(t, dest)
	for _, gone := range []string{"stray.html", "tjanster/a/index.html"} {
		if _, ok := got[gone]; ok {
			t.Errorf("%s is still in the output", gone)
		}
	}
}

func TestDestinationMustNotHoldSource(t *testing.T) {
	dir := writeSite(t, basicSite())
	for _, dest := range []string{dir, filepath.Dir(dir), filepath.Join(dir, "content", "out")} {
		if _, err := Build(context.Background(), Options{Source: dir, Dest: dest, Now: testNow, NoGit: true}); err == nil {
			t.Errorf("Build with dest %s succeeded, want refusal", dest)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "content", "_index.md")); err != nil {
		t.Fatal("the source was damaged")
	}
}

func TestBrandContrastIsChecked(t *testing.T) {
	files := basicSite()
	files["torg.toml"] = "title = \"T\"\n\n[style]\nbrand = \"#66aadd\"\n"
	dir := writeSite(t, files)
	_, err := Build(context.Background(), Options{Source: dir, Now: testNow, NoGit: true})
	if err == nil || !strings.Contains(err.Error(), "torg.toml:4: style.brand: #66aadd has a contrast of 2.") || !strings.Contains(err.Error(), "at least 4.5:1") {
		t.Fatalf("error = %v", err)
	}
}

func TestMacFileNamesGetTheSameURL(t *testing.T) {
	files := basicSite()
	files["content/tjanster/fo\u0308rskola.md"] = "---\ntitle: Förskola\n---\n"
	dir := writeSite(t, files)
	sink := NewMemSink()
	if _, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, sink); err != nil {
		t.Fatal(err)
	}
	if _, ok := sink.Files["tjanster/forskola/index.html"]; !ok {
		t.Fatalf("no tjanster/forskola/index.html in %v", keys(sink.Files))
	}
}

func TestSymlinksOutsideSiteAreNotFollowed(t *testing.T) {
	dir := writeSite(t, basicSite())
	outside := t.TempDir()
	secret := filepath.Join(outside, "hemligt.md")
	os.WriteFile(secret, []byte("---\ntitle: Hemligt\n---\nlösenord\n"), 0o644)
	if err := os.Symlink(secret, filepath.Join(dir, "content", "hemligt.md")); err != nil {
		t.Skip("no symlinks here")
	}
	sink := NewMemSink()
	res, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, sink)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range sink.Files {
		if bytes.Contains(b, []byte("lösenord")) {
			t.Fatalf("%s contains the linked file's text", name)
		}
	}
	found := false
	for _, w := range res.Warnings {
		found = found || strings.Contains(w.Error(), "content/hemligt.md: warning: symbolic link points outside the site")
	}
	if !found {
		t.Fatalf("no warning about the link: %v", res.Warnings)
	}
}

func TestSiteLayoutOverridesTheme(t *testing.T) {
	files := basicSite()
	files["layouts/_default/single.html"] = `{{define "main"}}<h1>Egen: {{.Page.Title}}</h1>{{end}}`
	dir := writeSite(t, files)
	sink := NewMemSink()
	if _, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, sink); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sink.Files["tjanster/a/index.html"], []byte("<h1>Egen: A</h1>")) {
		t.Fatalf("site layout not used:\n%s", sink.Files["tjanster/a/index.html"])
	}
	// The theme's other layouts still apply.
	if !bytes.Contains(sink.Files["tjanster/index.html"], []byte("<h1>Tjänster</h1>")) {
		t.Fatal("theme list layout not used")
	}
}

func TestTemplateErrorNamesFileAndLine(t *testing.T) {
	files := basicSite()
	files["layouts/_default/single.html"] = "{{define \"main\"}}\n<h1>{{.Page.Title}}</h1>\n{{.Page.NoSuchField}}\n{{end}}"
	dir := writeSite(t, files)
	_, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, NewMemSink())
	if err == nil || !strings.Contains(err.Error(), "layouts/_default/single.html:3:") {
		t.Fatalf("error = %v", err)
	}
	files["layouts/_default/single.html"] = "{{define \"main\"}}\n{{if}}\n{{end}}"
	dir = writeSite(t, files)
	_, err = Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, NewMemSink())
	if err == nil || !strings.Contains(err.Error(), "layouts/_default/single.html:2:") {
		t.Fatalf("error = %v", err)
	}
}

func TestPagination(t *testing.T) {
	files := basicSite()
	files["torg.toml"] += "paginate = 2\n"
	for _, n := range []string{"c", "d", "e"} {
		files["content/tjanster/"+n+".md"] = "---\ntitle: " + strings.ToUpper(n) + "\n---\n"
	}
	dir := writeSite(t, files)
	sink := NewMemSink()
	if _, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, sink); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"tjanster/index.html", "tjanster/sida/2/index.html", "tjanster/sida/3/index.html"} {
		if _, ok := sink.Files[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}
	if _, ok := sink.Files["tjanster/sida/4/index.html"]; ok {
		t.Error("one pager page too many")
	}
}

func TestRegistryTypesPlugIn(t *testing.T) {
	files := basicSite()
	files["content/tjanster/m.md"] = "---\ntitle: M\ntype: motion\nnummer: 7\n---\n"
	files["layouts/motion/single.html"] = `{{define "main"}}<h1>Motion {{.Page.Data}}</h1>{{end}}`
	dir := writeSite(t, files)
	reg := content.NewRegistry()
	reg.MustRegister(&content.Type{
		Name: "motion",
		Keys: []string{"nummer"},
		Decode: func(fm *content.FrontMatter, p *content.Page) error {
			p.Data = fm.TakeInt("nummer")
			return fm.Err()
		},
		Outputs: func(ctx context.Context, s *content.Site) ([]content.Output, error) {
			return []content.Output{{Path: "motioner.txt", Data: []byte("7")}, {Path: "hemlig.json", Data: []byte("{}"), Private: true}}, nil
		},
	})
	sink, priv := NewMemSink(), NewMemSink()
	if _, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true, Registry: reg, Private: priv}, sink); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sink.Files["tjanster/m/index.html"], []byte("<h1>Motion 7</h1>")) {
		t.Fatalf("type layout not used: %s", sink.Files["tjanster/m/index.html"])
	}
	if string(sink.Files["motioner.txt"]) != "7" {
		t.Fatal("type output missing")
	}
	if _, ok := sink.Files["hemlig.json"]; ok {
		t.Fatal("private output published")
	}
	if _, ok := priv.Files["hemlig.json"]; !ok {
		t.Fatal("private output missing")
	}
	// A wrong value in the type's own key is reported at its position.
	files["content/tjanster/m.md"] = "---\ntitle: M\ntype: motion\nnummer: sju\n---\n"
	dir = writeSite(t, files)
	_, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true, Registry: reg}, NewMemSink())
	if err == nil || !strings.Contains(err.Error(), "content/tjanster/m.md:4:9: nummer: expected a whole number") {
		t.Fatalf("error = %v", err)
	}
}
