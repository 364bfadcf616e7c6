package content

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/diag"
)

const multiConfig = `title = "Provkommun"
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
code = "yi"
name = "ייִדיש"
dir = "rtl"
`

func loadTree(t *testing.T, cfgSrc string, files map[string]string) *Loaded {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, "content", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	diags := &diag.List{}
	cfg, err := config.Parse([]byte(cfgSrc), diags)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(context.Background(), LoadOptions{Source: dir, Config: cfg, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), Diags: diags})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range diags.Warnings() {
		t.Errorf("warning: %v", w)
	}
	return loaded
}

func page(title string) string { return "---\ntitle: " + title + "\n---\nText.\n" }

var multiSite = map[string]string{
	"_index.md":                    page("Startsida"),
	"_index.en.md":                 page("Home"),
	"tjanster/_index.md":           page("Tjänster"),
	"tjanster/bygglov.md":          page("Bygglov"),
	"tjanster/bygglov.en.md":       page("Building permit"),
	"tjanster/bygglov.lattlast.md": page("Bygglov på lättläst svenska"),
	"tjanster/parkering/index.md":  page("Parkering"),
	"en/tjanster/parkering.md":     page("Parking"),
	"tjanster/avfall.md":           page("Avfall"),
	"yi/_index.md":                 page("היים"),
	"om.md":                        "---\ntitle: Om\nlattlast: true\n---\nLätt text.\n",
	"tjanster/_index.lattlast.md":  page("Tjänster på lättläst svenska"),
}

func TestLanguageURLsAndTranslations(t *testing.T) {
	l := loadTree(t, multiConfig, multiSite)
	s := l.Site
	want := map[string]string{
		"content/_index.md":                    "/",
		"content/_index.en.md":                 "/en/",
		"content/yi/_index.md":                 "/yi/",
		"content/tjanster/bygglov.md":          "/tjanster/bygglov/",
		"content/tjanster/bygglov.en.md":       "/en/tjanster/bygglov/",
		"content/tjanster/bygglov.lattlast.md": "/tjanster/bygglov/lattlast/",
		"content/tjanster/_index.lattlast.md":  "/tjanster/lattlast/",
		"content/en/tjanster/parkering.md":     "/en/tjanster/parkering/",
	}
	for file, u := range want {
		p := s.ByFile[file]
		if p == nil {
			t.Errorf("%s not loaded", file)
			continue
		}
		if p.URL != u {
			t.Errorf("%s: URL %s, want %s", file, p.URL, u)
		}
	}
	sv, en := s.ByFile["content/tjanster/bygglov.md"], s.ByFile["content/tjanster/bygglov.en.md"]
	if en.Lang != "en" || sv.Lang != "sv" {
		t.Errorf("languages %s, %s", sv.Lang, en.Lang)
	}
	if len(sv.Translations) != 1 || sv.Translations[0] != en || len(en.Translations) != 1 || en.Translations[0] != sv {
		t.Errorf("bygglov translations not linked: %v %v", sv.Translations, en.Translations)
	}
	park, parkEn := s.ByFile["content/tjanster/parkering/index.md"], s.ByFile["content/en/tjanster/parkering.md"]
	if len(park.Translations) != 1 || park.Translations[0] != parkEn {
		t.Errorf("a bundle and a folder-language page are not linked")
	}
	if en.Parent != s.ByURL["/en/"] || s.ByURL["/en/"].Parent != nil {
		t.Errorf("English page's parent is %v, want the English home", en.Parent)
	}
	// Translations and twins get no derived id; the Swedish page keeps it.
	if s.ByID["bygglov"] != sv {
		t.Errorf("id bygglov names %v", s.ByID["bygglov"])
	}
	// Lättläst twins.
	easy := s.ByFile["content/tjanster/bygglov.lattlast.md"]
	if sv.LattlastPage != easy || easy.OrdinaryPage != sv || !easy.IsLattlast() {
		t.Errorf("lättläst twin not linked")
	}
	sec := s.ByURL["/tjanster/"]
	for _, c := range sec.Pages {
		if c.lattlastFile || c.Lang != "sv" || c.FallbackOf != nil {
			t.Errorf("section lists %s", c.URL)
		}
	}
	if secEasy := s.ByFile["content/tjanster/_index.lattlast.md"]; secEasy.OrdinaryPage != sec || secEasy.Parent != sec {
		t.Errorf("section twin: ordinary %v, parent %v", secEasy.OrdinaryPage, secEasy.Parent)
	}
	list := s.ByURL[LattlastURL]
	if list == nil || len(list.Pages) != 3 {
		t.Fatalf("lättläst section: %+v", list)
	}
	if s.ByURL[LanguagesURL] == nil {
		t.Errorf("no %s page", LanguagesURL)
	}
}

func TestFallbackPages(t *testing.T) {
	l := loadTree(t, multiConfig, multiSite)
	s := l.Site
	avfall := s.ByURL["/tjanster/avfall/"]
	f := s.ByURL["/en/tjanster/avfall/"]
	if f == nil || f.FallbackOf != avfall || f.Lang != "en" || !f.NoIndex {
		t.Fatalf("fallback page: %+v", f)
	}
	if s.ByURL["/yi/tjanster/avfall/"] == nil {
		t.Errorf("no Yiddish fallback")
	}
	// The English fallback of the Swedish section lives under the English home.
	if fs := s.ByURL["/en/tjanster/"]; fs == nil || fs.FallbackOf != s.ByURL["/tjanster/"] || fs.Parent != s.ByURL["/en/"] || f.Parent != fs {
		t.Errorf("fallback tree wrong: %v", f.Parent)
	}
	// No fallback where a translation exists, none of twins.
	if p := s.ByURL["/en/tjanster/bygglov/"]; p.FallbackOf != nil {
		t.Errorf("translation replaced by a fallback")
	}
	if s.ByURL["/en/tjanster/bygglov/lattlast/"] != nil {
		t.Errorf("fallback of a lättläst twin")
	}
	// Yiddish has its own home; no fallback home replaces it.
	if h := s.LanguageHome("yi"); h.File != "content/yi/_index.md" {
		t.Errorf("Yiddish home %v", h)
	}
	links := s.LanguageLinks(avfall)
	var got []string
	for _, ll := range links {
		got = append(got, ll.Code+"="+ll.URL)
	}
	if strings.Join(got, " ") != "sv=/tjanster/avfall/ en=/en/tjanster/avfall/ yi=/yi/tjanster/avfall/" || !links[0].Current || !links[1].Fallback {
		t.Errorf("language links %v", got)
	}
	links = s.LanguageLinks(f)
	if !links[1].Current || links[0].URL != "/tjanster/avfall/" {
		t.Errorf("fallback's language links %+v", links)
	}
	for _, p := range s.Pages {
		if p.FallbackOf != nil && (p.Type != "page" || !p.NoIndex) {
			t.Errorf("fallback %s: type %s", p.URL, p.Type)
		}
	}
}

func TestSingleLanguageUnchanged(t *testing.T) {
	l := loadTree(t, `title = "Prov"`, map[string]string{
		"_index.md":        page("Start"),
		"tjanster/x.en.md": page("X"),
		"en/y.md":          page("Y"),
	})
	s := l.Site
	if s.ByURL["/tjanster/x-en/"] == nil || s.ByURL["/en/y/"] == nil || s.ByURL[LanguagesURL] != nil {
		var urls []string
		for u := range s.ByURL {
			urls = append(urls, u)
		}
		t.Errorf("single-language URLs changed: %v", urls)
	}
	for _, p := range s.Pages {
		if p.Lang != "sv" || p.FallbackOf != nil {
			t.Errorf("%s: lang %s", p.URL, p.Lang)
		}
	}
}

func TestLanguageErrors(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{
		{"[[languages]]\ncode = \"EN\"\n", "lowercase"},
		{"language = \"de\"\n[[languages]]\ncode = \"sv\"\n[[languages]]\ncode = \"en\"\n", "not one of"},
		{"[[languages]]\ncode = \"yi\"\ndir = \"down\"\n", "dir"},
	} {
		_, err := config.Parse([]byte(tc.cfg), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
	cfg, err := config.Parse([]byte("language = \"en\"\n[[languages]]\ncode = \"sv\"\n[[languages]]\ncode = \"en\"\n"), nil)
	if err != nil || cfg.Languages[0].Code != "en" || cfg.LangPrefix("sv") != "/sv" {
		t.Errorf("default language not first: %v %v", cfg.Languages, err)
	}
}
