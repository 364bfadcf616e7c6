package search_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/search"
)

// TestTypeCacheAcrossBuilds builds a multilingual site again and again
// with one registry, as torg serve does, so that the search type's cache
// is reused, and compares every output with a build by a fresh registry.
func TestTypeCacheAcrossBuilds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range langSite {
		write(name, data)
	}
	gen := func(r *content.Registry) map[string][]byte {
		t.Helper()
		sink := build.NewMemSink()
		_, err := build.Generate(context.Background(), build.Options{
			Source: dir, Registry: r, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
			NoGit: true, Private: build.NewMemSink(), Minify: new(bool),
		}, sink)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		return sink.Files
	}
	cached := content.NewRegistry()
	search.Register(cached)
	for _, step := range []struct {
		name string
		edit func()
	}{
		{"first build", func() {}},
		{"edit a body", func() {
			write("content/bygglov.md", "---\ntitle: Bygglov\ndescription: Så söker du bygglov.\n---\nDu behöver bygglov för att bygga ett nytt hus eller en altan.\n")
		}},
		{"change a title", func() {
			write("content/avfall.md", "---\ntitle: Sophämtning och återvinning\n---\nSophämtning varannan vecka.\n")
		}},
		{"add a page", func() {
			write("content/snorojning.md", "---\ntitle: Snöröjning\n---\nVi plogar när det har snöat fem centimeter.\n")
		}},
		{"remove the Finnish page", func() { os.Remove(filepath.Join(dir, "content/minoritetsrattigheter.fi.md")) }},
		{"add a synonym file", func() { write("synonymer.txt", "snöröjning, plogning\n") }},
		{"bring the Finnish page back", func() { write("content/minoritetsrattigheter.fi.md", langSite["content/minoritetsrattigheter.fi.md"]) }},
	} {
		step.edit()
		got := gen(cached)
		fresh := content.NewRegistry()
		search.Register(fresh)
		want := gen(fresh)
		names := slices.Sorted(maps.Keys(want))
		if g := slices.Sorted(maps.Keys(got)); !slices.Equal(g, names) {
			t.Fatalf("%s: files\n got %q\nwant %q", step.name, g, names)
		}
		indexes := 0
		for _, name := range names {
			if strings.Contains(name, "sok/index/") {
				indexes++
			}
			if !bytes.Equal(got[name], want[name]) {
				t.Errorf("%s: %s differs from a fresh build", step.name, name)
			}
		}
		if indexes == 0 {
			t.Fatalf("%s: no index files", step.name)
		}
	}
}
