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
// with one registry, by build.Generate and by build.Incremental (as torg
// serve does), so that the search type's cache is reused, and compares
// every output with a build by a fresh registry.
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
	opts := func(r *content.Registry) build.Options {
		return build.Options{
			Source: dir, Registry: r, Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
			NoGit: true, Private: build.NewMemSink(), Minify: new(bool),
		}
	}
	gen := func(r *content.Registry) map[string][]byte {
		t.Helper()
		sink := build.NewMemSink()
		if _, err := build.Generate(context.Background(), opts(r), sink); err != nil {
			t.Fatalf("build: %v", err)
		}
		return sink.Files
	}
	cached := content.NewRegistry()
	search.Register(cached)
	incReg := content.NewRegistry()
	search.Register(incReg)
	inc := build.NewIncremental(opts(incReg))
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
		{"bring the Finnish page back", func() { write("content/minoritetsrattigheter.fi.md", langSite["content/minoritetsrattigheter.fi.md"]) }},
		{"add a synonym file", func() { write("synonymer.txt", "snöröjning, plogning\n") }},
		{"change the synonyms", func() { write("synonymer.txt", "snöröjning, plogning, snöplogning\n") }},
		{"edit a body after the synonyms", func() {
			write("content/bygglov.md", "---\ntitle: Bygglov\ndescription: Så söker du bygglov.\n---\nDu behöver bygglov för en altan.\n")
		}},
	} {
		step.edit()
		inc.Invalidate(dir) // a watcher would name the file; this makes every file be read again
		fresh := content.NewRegistry()
		search.Register(fresh)
		want := gen(fresh)
		snap, err := inc.Rebuild(context.Background())
		if err != nil {
			t.Fatalf("%s: incremental build: %v", step.name, err)
		}
		compareBuilds(t, step.name+", Generate", gen(cached), want)
		compareBuilds(t, step.name+", Incremental", snap.Files, want)
	}
}

// compareBuilds fails the test unless two builds wrote the same files.
func compareBuilds(t *testing.T, step string, got, want map[string][]byte) {
	t.Helper()
	names := slices.Sorted(maps.Keys(want))
	if g := slices.Sorted(maps.Keys(got)); !slices.Equal(g, names) {
		t.Fatalf("%s: files\n got %q\nwant %q", step, g, names)
	}
	indexes := 0
	for _, name := range names {
		if strings.Contains(name, "sok/index/") {
			indexes++
		}
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s: %s differs from a fresh build", step, name)
		}
	}
	if indexes == 0 {
		t.Fatalf("%s: no index files", step)
	}
}
