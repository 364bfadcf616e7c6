package markdown

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRender checks that no input makes Parse or Render panic (or
// report an internal error), that every position is inside the file, and
// that safe output never contains markup from the input. It is seeded
// with the golden inputs and the benchmark page.
func FuzzParseRender(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(parseArchive(data).files["input.md"])
	}
	page, err := os.ReadFile(filepath.Join("testdata", "bench", "bygglov.md"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(page)
	for _, s := range []string{
		"", "\x00", "{lang=en}", "a\n{lang=en}", "- a {lang=en}", "##", "# {#}", "## x {id=[1,2]}",
		"[](<>)", "![", "<!-- -->", "<!---->", "[^1]\n\n[^1]:", "|a|\n|-|\n|{lang=en}|",
		"\t[a](b)", "> - [a](b) {lang=en}", "[a](java\tscript:x)", "<scr\x00ipt>",
	} {
		f.Add([]byte(s))
	}
	safe, unsafe := New(Options{}), New(Options{Unsafe: true, Lang: "en"})
	f.Fuzz(func(t *testing.T, body []byte) {
		lines := bytes.Count(body, []byte("\n")) + 1
		for _, r := range []*Renderer{safe, unsafe} {
			doc, pd := r.Parse("f.md", body, 3)
			resolve := func(d string) (string, error) {
				if len(d)%3 == 0 {
					return "", errors.New("nope")
				}
				return "/r/" + d, nil
			}
			html, rd := r.Render(doc, resolve)
			if again, _ := r.Render(doc, resolve); !bytes.Equal(again, html) {
				t.Fatalf("second Render differs:\n%s\n%s\ninput %q", html, again, body)
			}
			for _, d := range append(pd, rd...) {
				if strings.Contains(d.Msg, "internal error") {
					t.Fatalf("%v\ninput %q", d, body)
				}
				if d.Line < 3 || d.Line > lines+2 || d.Col < 1 && d.Line != 0 {
					t.Fatalf("diagnostic outside the body: %v (lines %d)\ninput %q", d, lines, body)
				}
			}
			for _, l := range doc.Links {
				if l.Line < 3 || l.Line > lines+2 || l.Col < 1 {
					t.Fatalf("link outside the body: %+v (lines %d)\ninput %q", l, lines, body)
				}
			}
			for _, h := range doc.Headings {
				if h.ID == "" || h.Line < 3 || h.Line > lines+2 {
					t.Fatalf("bad heading %+v\ninput %q", h, body)
				}
			}
			if utf8.Valid(body) && !utf8.Valid(html) {
				t.Fatalf("invalid UTF-8 output for valid input %q", body)
			}
			if r == safe {
				low := bytes.ToLower(html)
				for _, bad := range []string{"<script", "<iframe", "<style", "<object", "<embed", "<form", "<svg", `href="javascript:`, `src="javascript:`} {
					if bytes.Contains(low, []byte(bad)) {
						t.Fatalf("safe output contains %s:\n%s\ninput %q", bad, html, body)
					}
				}
			}
		}
	})
}
