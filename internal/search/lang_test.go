package search_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/search"
)

// A small multilingual site: Swedish pages, two English translations,
// one Finnish page; every other page falls back to Swedish in en and fi.
var langSite = map[string]string{
	"torg.toml": `title = "Provkommun"
baseURL = "https://prov.example/"
language = "sv"
[[languages]]
code = "sv"
name = "Svenska"
[[languages]]
code = "en"
name = "English"
title = "Prov Municipality"
[[languages]]
code = "fi"
name = "Suomi"
[[languages]]
code = "yi"
name = "ייִדיש"
dir = "rtl"
`,
	"content/_index.md":                   "---\ntitle: Provkommun\n---\nVälkommen till kommunen.\n",
	"content/_index.en.md":                "---\ntitle: Prov Municipality\n---\nWelcome to the municipality.\n",
	"content/bygglov.md":                  "---\ntitle: Bygglov\ndescription: Så söker du bygglov.\n---\nDu behöver bygglov för att bygga ett nytt hus.\n",
	"content/bygglov.en.md":               "---\ntitle: Building permit\ndescription: How to apply for a permit.\n---\nYou need a permit to build a new house.\n",
	"content/avfall.md":                   "---\ntitle: Avfall och återvinning\n---\nSophämtning varannan vecka.\n",
	"content/minoritetsrattigheter.fi.md": "---\ntitle: Vähemmistöjen oikeudet\n---\nSuomen kieli on kansallinen vähemmistökieli.\n",
}

func buildLangSite(t *testing.T) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	for name, data := range langSite {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := content.NewRegistry()
	search.Register(r)
	sink, priv := build.NewMemSink(), build.NewMemSink()
	_, err := build.Generate(context.Background(), build.Options{
		Source: dir, Registry: r, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		NoGit: true, Private: priv, Minify: new(bool),
	}, sink)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return sink.Files
}

var dataIndexRE = regexp.MustCompile(`data-index="([^"]+)"`)

// langIndex returns the files of the index that the search page at page
// (an output path) names.
func langIndex(t *testing.T, files map[string][]byte, page string) (html string, ix map[string][]byte) {
	t.Helper()
	b, ok := files[page]
	if !ok {
		t.Fatalf("no search page %s", page)
	}
	m := dataIndexRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s names no index", page)
	}
	base := strings.TrimPrefix(string(m[1]), "/")
	ix = map[string][]byte{}
	for name, data := range files {
		if rest, ok := strings.CutPrefix(name, base); ok {
			ix[rest] = data
		}
	}
	if ix["meta.json"] == nil {
		t.Fatalf("%s: no %smeta.json", page, base)
	}
	return string(b), ix
}

// docURLs returns the URLs of an index's documents.
func docURLs(t *testing.T, ix map[string][]byte) map[string]bool {
	t.Helper()
	urls := map[string]bool{}
	for name, b := range ix {
		if !strings.HasPrefix(name, "d/") {
			continue
		}
		var recs [][]any
		if err := json.Unmarshal(b, &recs); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			urls[r[0].(string)] = true
		}
	}
	return urls
}

// lookup returns the URLs of the documents whose postings hold a stem
// the query word w maps to the way search.js does without a stemmer: a
// surface form seen on the site, else a known stem plus an unseen ending
// of up to 3 letters.
func lookup(t *testing.T, ix map[string][]byte, urls []string, w string) []string {
	t.Helper()
	f := search.Fold(w)
	var out []string
	for name, b := range ix {
		if !strings.HasPrefix(name, "t/") {
			continue
		}
		var shard map[string][]any
		if err := json.Unmarshal(b, &shard); err != nil {
			t.Fatal(err)
		}
		for stem, e := range shard {
			forms := strings.Split(e[0].(string), "|")
			hit := strings.HasPrefix(f, stem) && len(f)-len(stem) <= 3
			for _, suf := range forms {
				if stem+suf == f {
					hit = true
				}
			}
			if !hit {
				continue
			}
			post := e[1].([]any)
			doc := 0
			for i := 0; i < len(post); i += 2 {
				doc += int(post[i].(float64))
				out = append(out, urls[doc])
			}
		}
	}
	return out
}

func sortedURLs(t *testing.T, ix map[string][]byte) []string {
	var urls []string
	for c := 0; ; c++ {
		b, ok := ix["d/"+string(rune('0'+c))+".json"]
		if !ok {
			break
		}
		var recs [][]any
		if err := json.Unmarshal(b, &recs); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			urls = append(urls, r[0].(string))
		}
	}
	return urls
}

func TestLanguageIndexes(t *testing.T) {
	files := buildLangSite(t)

	svHTML, sv := langIndex(t, files, "sok/index.html")
	enHTML, en := langIndex(t, files, "en/sok/index.html")
	fiHTML, fi := langIndex(t, files, "fi/sok/index.html")
	if _, ok := files["yi/sok/index.html"]; ok {
		t.Error("yi has only fallback pages but got a search page")
	}
	if !strings.Contains(svHTML, `lang="sv"`) || !strings.Contains(svHTML, "Sök på webbplatsen") || !strings.Contains(svHTML, `action="/sok/"`) {
		t.Error("sok/index.html: not a Swedish search page")
	}
	if !strings.Contains(enHTML, `lang="en"`) || !strings.Contains(enHTML, "Search the website") && !strings.Contains(enHTML, "<h1>Search</h1>") || !strings.Contains(enHTML, `action="/en/sok/"`) {
		t.Error("en/sok/index.html: not an English search page")
	}
	if !strings.Contains(enHTML, `data-index="/en/sok/index/`) {
		t.Error("en/sok/index.html: index not below /en/sok/index/")
	}
	if !strings.Contains(fiHTML, `lang="fi"`) || !strings.Contains(fiHTML, "Hae sivustolta") {
		t.Error("fi/sok/index.html: not a Finnish search page")
	}

	svDocs, enDocs, fiDocs := docURLs(t, sv), docURLs(t, en), docURLs(t, fi)
	for _, u := range []string{"/", "/bygglov/", "/avfall/"} {
		if !svDocs[u] {
			t.Errorf("sv index lacks %s", u)
		}
	}
	for _, u := range []string{"/en/", "/en/bygglov/"} {
		if !enDocs[u] {
			t.Errorf("en index lacks %s", u)
		}
		if svDocs[u] {
			t.Errorf("sv index has the English page %s", u)
		}
	}
	if !fiDocs["/fi/minoritetsrattigheter/"] || len(fiDocs) != 1 {
		t.Errorf("fi index = %v, want only its own page", fiDocs)
	}
	// Fallback pages (/en/avfall/, /fi/bygglov/) are in no index.
	for name, docs := range map[string]map[string]bool{"sv": svDocs, "en": enDocs, "fi": fiDocs} {
		for u := range docs {
			if strings.Contains(u, "avfall") && u != "/avfall/" || strings.HasPrefix(u, "/fi/bygglov") || strings.HasPrefix(u, "/yi/") {
				t.Errorf("%s index has the fallback page %s", name, u)
			}
			if strings.Contains(u, "/sok/") {
				t.Errorf("%s index has a search page %s", name, u)
			}
		}
	}

	// English stemming: "permits" finds the page about a "permit".
	enURLs := sortedURLs(t, en)
	if got := lookup(t, en, enURLs, "permits"); len(got) == 0 || !contains(got, "/en/bygglov/") {
		t.Errorf(`"permits" in the en index finds %v, want /en/bygglov/`, got)
	}
	// ... because the index holds the Snowball English stem of "permits".
	if st := search.StemLang("en", "permits"); st != "permit" {
		t.Errorf(`StemLang(en, "permits") = %q`, st)
	}
	var meta struct{ Stop []string }
	if err := json.Unmarshal(en["meta.json"], &meta); err != nil || !contains(meta.Stop, "the") || contains(meta.Stop, "och") {
		t.Errorf("en stop words = %v (%v)", meta.Stop, err)
	}
	if err := json.Unmarshal(fi["meta.json"], &meta); err != nil || len(meta.Stop) != 0 {
		t.Errorf("fi stop words = %v (%v), want none", meta.Stop, err)
	}

	// The header form goes to the page language's search page.
	for page, action := range map[string]string{
		"bygglov/index.html":    `action="/sok/"`,
		"en/bygglov/index.html": `action="/en/sok/"`,
		"fi/bygglov/index.html": `action="/fi/sok/"`, // fallback page, fi has a search page
		"yi/bygglov/index.html": `action="/sok/"`,    // yi has none
	} {
		b, ok := files[page]
		if !ok {
			t.Errorf("no %s", page)
			continue
		}
		if !strings.Contains(string(b), `<form role="search" `+action) {
			t.Errorf("%s: header form lacks %s", page, action)
		}
	}
}

func TestStemLang(t *testing.T) {
	for _, c := range [][3]string{
		{"en", "permits", "permit"},
		{"en", "permit", "permit"},
		{"en", "services", "servic"},
		{"sv", "bygglovet", "bygglov"},
		{"fi", "oikeudet", "oikeudet"},
		{"yi", "Rechte", "rechte"},
	} {
		if got := search.StemLang(c[0], strings.ToLower(c[1])); got != c[2] {
			t.Errorf("StemLang(%s, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
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
