package search_test

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/corpus"
	"github.com/torgsite/torg/internal/search"
)

// Benchmarks of the index over the generated 10,000-page corpus
// (internal/corpus, seed 1):
//
//	go test -run '^$' -bench . -benchtime 5x ./internal/search/
//
// The corpus is generated once per run, on tmpfs (/dev/shm) when there
// is one, and built once (Markdown rendered, so that every page's Content
// is set); the benchmarks then index its Swedish pages.

var (
	benchOnce sync.Once
	benchSite *content.Site
	benchErr  error
)

// corpusSite returns the built 10,000-page corpus.
func corpusSite(b *testing.B) *content.Site {
	b.Helper()
	benchOnce.Do(func() {
		base := os.TempDir()
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			base = "/dev/shm"
		}
		dir, err := os.MkdirTemp(base, "torg-search-bench-")
		if err != nil {
			benchErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		if err := corpus.Generate(ctx, dir, corpus.Options{Pages: 10000, Seed: 1}); err != nil {
			benchErr = err
			return
		}
		res, err := build.Generate(ctx, build.Options{
			Source: dir, Registry: cli.Registry(), NoGit: true, Minify: new(bool),
			Now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		}, build.NewMemSink())
		if err != nil {
			benchErr = err
			return
		}
		benchSite = res.Site
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSite
}

// BenchmarkBuildLang indexes the corpus from scratch.
func BenchmarkBuildLang(b *testing.B) {
	s := corpusSite(b)
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix, err := search.BuildLang(s, s.Config.Language)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.ReportMetric(float64(ix.Docs), "docs")
			b.ReportMetric(float64(ix.Terms), "terms")
			b.ReportMetric(float64(ix.Size())/(1<<20), "index-MiB")
		}
	}
}
