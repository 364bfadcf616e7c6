package build

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var assetHash = regexp.MustCompile(`\.[0-9a-f]{10}\.(css|js)\b`)

var updateLang = flag.Bool("update-lang", false, "rewrite testdata/lang golden files")

func multilingualSite() map[string]string {
	return map[string]string{
		"torg.toml": `title = "Testkommun"
baseURL = "https://www.example.se/"
minify = false
[[languages]]
code = "sv"
name = "Svenska"
[[languages]]
code = "en"
name = "English"
title = "Test Municipality"
[[languages]]
code = "yi"
name = "ייִדיש"
dir = "rtl"
`,
		"content/_index.md":                    "---\ntitle: Start\n---\nVälkommen.\n",
		"content/_index.en.md":                 "---\ntitle: Welcome\n---\nWelcome.\n",
		"content/tjanster/_index.md":           "---\ntitle: Tjänster\n---\n",
		"content/tjanster/bygglov.md":          "---\ntitle: Bygglov\ndescription: Så söker du bygglov.\n---\n## Ansökan\n\nSök bygglov.\n",
		"content/tjanster/bygglov.en.md":       "---\ntitle: Building permit\n---\nApply for a building permit.\n",
		"content/tjanster/bygglov.lattlast.md": "---\ntitle: Bygglov – lättläst\n---\nDu behöver bygglov för att bygga ett hus.\n",
		"content/news.en.md":                   "---\ntitle: News in English\ndate: 2026-11-20\n---\nThe library is open on Sundays.\n",
		"content/tjanster/avfall.md":           "---\ntitle: Avfall\ndate: 2026-01-03\n---\nSopor hämtas varannan vecka.\n",
		"content/yi/minoritetn.md":             "---\ntitle: רעכט פֿון נאַציאָנאַלע מינאָריטעטן\n---\nייִדיש איז אַ נאַציאָנאַלע מינאָריטעט־שפּראַך אין שוועדן.\n",
	}
}

// TestMultilingualBuild builds a small site in three languages and
// compares a translated page (hreflang, language menu) and a fallback page
// with golden files (go test ./internal/build -run Multilingual -update-lang).
func TestMultilingualBuild(t *testing.T) {
	dir := writeSite(t, multilingualSite())
	sink := NewMemSink()
	res, err := Generate(context.Background(), Options{Source: dir, Now: testNow, NoGit: true}, sink)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %v", w)
	}
	for _, name := range []string{
		"tjanster/bygglov/index.html", "en/tjanster/bygglov/index.html",
		"en/tjanster/avfall/index.html", "yi/tjanster/avfall/index.html", "sprak/index.html",
		"sitemap.xml", "sitemap.sv.xml", "sitemap.en.xml", "sitemap.yi.xml",
	} {
		got, ok := sink.Files[name]
		if !ok {
			t.Errorf("%s was not built", name)
			continue
		}
		// Asset hashes change with every theme edit; the golden files
		// pin the markup.
		got = assetHash.ReplaceAll(got, []byte(".HASH.$1"))
		golden := filepath.Join("testdata", "lang", filepath.FromSlash(name))
		if *updateLang {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/build -run Multilingual -update-lang)", err)
		}
		if string(want) != string(got) {
			t.Errorf("%s differs from %s:\n%s", name, golden, got)
		}
	}
	must := func(name string, parts ...string) {
		t.Helper()
		s := string(sink.Files[name])
		for _, p := range parts {
			if !strings.Contains(s, p) {
				t.Errorf("%s lacks %s", name, p)
			}
		}
	}
	must("en/tjanster/bygglov/index.html", `<html lang="en">`, `hreflang="sv" href="https://www.example.se/tjanster/bygglov/"`, `hreflang="x-default"`,
		`<nav class="lang-bar wrap" aria-label="Languages">`, `lang="yi" hreflang="yi" dir="rtl"`, `<span lang="en" aria-current="true">English</span>`)
	must("tjanster/bygglov/index.html", `href="/tjanster/bygglov/lattlast/">Lättläst</a>`, `<nav class="lang-bar wrap" aria-label="Språk">`, `<a href="/en/tjanster/bygglov/" lang="en" hreflang="en">English</a>`)
	must("tjanster/bygglov/lattlast/index.html", `href="/tjanster/bygglov/">Ordinarie text</a>`)
	must("en/tjanster/avfall/index.html", `<p class="lead fallback-notice" role="note"><strong>This page is not available in English`, `<div class="fallback-original" lang="sv" dir="ltr">`,
		`<link rel="canonical" href="https://www.example.se/tjanster/avfall/">`, `<meta name="robots" content="noindex">`)
	must("en/tjanster/index.html", `This page is not available in English`, `<div class="fallback-original" lang="sv" dir="ltr">`)
	must("yi/tjanster/avfall/index.html", `<html lang="yi" dir="rtl">`, `די דאָזיקע זײַט איז נישטאָ אויף ייִדיש`)
	must("lattlast/index.html", `Bygglov – lättläst`)
	must("en/atom.xml", `xml:lang="en"`, `<title>Test Municipality</title>`, "News in English")
	if strings.Contains(string(sink.Files["atom.xml"]), "News in English") {
		t.Errorf("the Swedish feed lists an English page")
	}
	must("sitemap.xml", "<sitemapindex", "https://www.example.se/sitemap.en.xml")
	if strings.Contains(string(sink.Files["sitemap.en.xml"]), "avfall") {
		t.Errorf("a fallback page is in the English sitemap")
	}
}
