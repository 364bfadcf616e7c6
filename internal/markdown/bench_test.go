package markdown

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchPage returns a realistic Swedish service page of about 1,500 words
// with headings, lists, a table, a definition list and links.
func benchPage(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bench", "bygglov.md"))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func benchResolver(d string) (string, error) {
	p, frag, _ := strings.Cut(d, "#")
	if frag != "" {
		frag = "#" + frag
	}
	return "/tjanster/" + strings.TrimSuffix(p, ".md") + "/" + frag, nil
}

// BenchmarkRender parses and renders the page, as the build does once per
// page.
func BenchmarkRender(b *testing.B) {
	body := []byte(benchPage(b))
	r := New(Options{})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		doc, _ := r.Parse("content/tjanster/bygglov.md", body, 8)
		if _, diags := r.Render(doc, benchResolver); len(diags) != 0 {
			b.Fatal(diags)
		}
	}
}

// BenchmarkRenderOnly renders an already parsed page.
func BenchmarkRenderOnly(b *testing.B) {
	r := New(Options{})
	doc, _ := r.Parse("content/tjanster/bygglov.md", []byte(benchPage(b)), 8)
	b.ReportAllocs()
	for b.Loop() {
		r.Render(doc, benchResolver)
	}
}

// BenchmarkParse parses the page.
func BenchmarkParse(b *testing.B) {
	body := []byte(benchPage(b))
	r := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		r.Parse("content/tjanster/bygglov.md", body, 8)
	}
}
