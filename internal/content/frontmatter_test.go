package content

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/config"
)

func TestSplitFrontMatter(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	tests := []struct {
		name     string
		src      string
		format   string
		bodyLine int
		body     string
		title    string
	}{
		{"yaml", "---\ntitle: Hej\n---\nBrödtext\n", "yaml", 4, "Brödtext\n", "Hej"},
		{"toml", "+++\ntitle = \"Hej\"\n+++\n\nBrödtext\n", "toml", 4, "\nBrödtext\n", "Hej"},
		{"none", "Bara text\n", "", 1, "Bara text\n", ""},
		{"bom", "\ufeff---\ntitle: Hej\n---\nX\n", "yaml", 4, "X\n", "Hej"},
		{"crlf", "---\r\ntitle: Hej\r\n---\r\nX\r\n", "yaml", 4, "X\r\n", "Hej"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fm, body, line, err := SplitFrontMatter("content/x.md", []byte(tc.src), stockholm)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if fm.Format != tc.format {
				t.Errorf("format = %q, want %q", fm.Format, tc.format)
			}
			if line != tc.bodyLine {
				t.Errorf("body line = %d, want %d", line, tc.bodyLine)
			}
			if string(body) != tc.body {
				t.Errorf("body = %q, want %q", body, tc.body)
			}
			if got := fm.TakeString("title"); got != tc.title {
				t.Errorf("title = %q, want %q", got, tc.title)
			}
		})
	}
}

func TestFrontMatterErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		take func(fm *FrontMatter)
		want string
	}{
		{"bad date", "---\ntitle: X\ndate: 2026-13-01\n---\n", func(fm *FrontMatter) { fm.TakeTime("date") },
			`content/x.md:3:7: date: cannot parse "2026-13-01" as a date`},
		{"number for text", "---\ntitle: 12\n---\n", func(fm *FrontMatter) { fm.TakeString("title") },
			`content/x.md:2:8: title: expected text, got the number 12`},
		{"bool for text", "---\nowner: true\n---\n", func(fm *FrontMatter) { fm.TakeString("owner") },
			`content/x.md:2:8: owner: expected text, got true`},
		{"bool", "---\ndraft: kanske\n---\n", func(fm *FrontMatter) { fm.TakeBool("draft") },
			`content/x.md:2:8: draft: expected true or false, got text "kanske"`},
		{"list item", "---\ntags:\n  - a\n  - 3\n---\n", func(fm *FrontMatter) { fm.TakeStrings("tags") },
			`content/x.md:3:3: tags: item 2: expected text, got the number 3`},
		{"toml date", "+++\ndate = \"igår\"\n+++\n", func(fm *FrontMatter) { fm.TakeTime("date") },
			`content/x.md:2:8: date: cannot parse "igår" as a date`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fm, _, _, err := SplitFrontMatter("content/x.md", []byte(tc.src), time.UTC)
			if err != nil {
				t.Fatalf("split: %v", err)
			}
			tc.take(fm)
			err = fm.Err()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestFrontMatterSyntaxErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"yaml", "---\ntitle: Hej\ntags: [a, b\n---\n", "content/x.md:"},
		{"yaml duplicate", "---\ntitle: A\ntitle: B\n---\n", "content/x.md:3:1: front matter: "},
		{"toml", "+++\ntitle = \"A\"\nx = = 1\n+++\n", "content/x.md:3:5: front matter: invalid TOML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := SplitFrontMatter("content/x.md", []byte(tc.src), time.UTC)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	tests := []struct {
		in   string
		want string
	}{
		{"2026-11-26", "2026-11-26T00:00:00+01:00"},
		{"2026-06-01 14:30", "2026-06-01T14:30:00+02:00"},
		{"2026-06-01T14:30", "2026-06-01T14:30:00+02:00"},
		{"2026-06-01T14:30:00Z", "2026-06-01T14:30:00Z"},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in, stockholm)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if s := got.Format(time.RFC3339); s != tc.want {
			t.Errorf("ParseTime(%q) = %s, want %s", tc.in, s, tc.want)
		}
	}
	for _, bad := range []string{"", "26/11/2026", "2026-02-30", "imorgon"} {
		if _, err := ParseTime(bad, stockholm); err == nil {
			t.Errorf("ParseTime(%q) succeeded, want error", bad)
		}
	}
}

// YAML 1.2 (yaml.v3) reads "no" as text, so a country code or an answer
// is not silently turned into false.
func TestNorwayIsText(t *testing.T) {
	fm, _, _, err := SplitFrontMatter("content/x.md", []byte("---\nlang: no\n---\n"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := fm.TakeString("lang"); got != "no" || fm.Err() != nil {
		t.Fatalf("lang = %q, err = %v", got, fm.Err())
	}
}

func TestUntakenKeys(t *testing.T) {
	fm, _, _, err := SplitFrontMatter("content/x.md", []byte("---\ntitle: A\ntitel: B\nfoo: 1\n---\n"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	fm.TakeString("title")
	got := strings.Join(fm.Untaken(), ",")
	if got != "foo,titel" {
		t.Fatalf("untaken = %s", got)
	}
	if p := fm.KeyPos("titel"); p != (Pos{3, 1}) {
		t.Fatalf("key position = %+v", p)
	}
}

func TestCompareSwedish(t *testing.T) {
	words := []string{"Östra", "Ängen", "Åsen", "Zeta", "avfall", "Bygglov"}
	ps := make([]*Page, len(words))
	for i, w := range words {
		ps[i] = &Page{Title: w}
	}
	SortPages(ps, "title")
	var got []string
	for _, p := range ps {
		got = append(got, p.Title)
	}
	if s := strings.Join(got, " "); s != "avfall Bygglov Zeta Åsen Ängen Östra" {
		t.Fatalf("order = %s", s)
	}
}

func TestExplicitIDWinsOverDerived(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := dir + "/content/" + name
		if err := os.MkdirAll(p[:strings.LastIndex(p, "/")], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/kf.md", "---\ntitle: Sida om KF\n---\n")
	write("b/organ.md", "---\ntitle: Organet\nid: kf\n---\n")
	write("c/x.md", "---\ntitle: X1\n---\n")
	write("d/x.md", "---\ntitle: X2\n---\n")
	l, err := Load(context.Background(), LoadOptions{Source: dir, Config: config.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := l.Site.Lookup("kf"); err != nil || p.Title != "Organet" {
		t.Fatalf("Lookup(kf) = %v, %v; want the page with the explicit id", p, err)
	}
	if _, err := l.Site.Lookup("x"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("Lookup(x) error = %v, want ambiguous", err)
	}
}
