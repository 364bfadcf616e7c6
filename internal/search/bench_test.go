package search_test

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"maps"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
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

// BenchmarkCacheEdit measures a rebuild through a warm Cache after a
// one-page edit (a sentence appended to a page's body, every other time
// with a word new to the site; a different page each time, the edits
// kept), against a from-scratch BuildLang in the same run. Reported:
// scratch-ms (from scratch, the best of two), cold-ms (the first build
// through an empty cache), median-ms (an edit), ratio (scratch over
// median), remove-ms (a rebuild after a page is removed, which renumbers
// the documents), cache-MiB (live heap the warm cache holds) and peak-MiB
// (the highest live heap during the cold build).
func BenchmarkCacheEdit(b *testing.B) {
	s := corpusSite(b)
	lang := s.Config.Language
	scratch := time.Duration(math.MaxInt64)
	for range 2 {
		t0 := time.Now()
		if _, err := search.BuildLang(s, lang); err != nil {
			b.Fatal(err)
		}
		scratch = min(scratch, time.Since(t0))
	}

	base := liveHeap()
	c := search.NewCache()
	peak := startHeapSampler()
	t0 := time.Now()
	if _, err := c.BuildLang(s, lang); err != nil {
		b.Fatal(err)
	}
	cold := time.Since(t0)
	peakHeap := peak.stop()
	cacheHeap := liveHeap() - base

	var pages []*content.Page
	for _, p := range s.Pages {
		if p.Kind == content.KindPage && p.Content != "" {
			pages = append(pages, p)
		}
	}
	var times []time.Duration
	var ix *search.Index
	orig := map[*content.Page]template.HTML{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pages[(i*7919)%len(pages)]
		if _, ok := orig[p]; !ok {
			orig[p] = p.Content
		}
		add := "<p>En ändring.</p>"
		if i%2 == 1 {
			add = fmt.Sprintf("<p>Ett nytt ord: ändringsnummer%d.</p>", i)
		}
		p.Content += template.HTML(add)
		t0 := time.Now()
		var err error
		if ix, err = c.BuildLang(s, lang); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	// The cached index must be the one BuildLang makes of the edited
	// site.
	want, err := search.BuildLang(s, lang)
	if err != nil {
		b.Fatal(err)
	}
	if ix.Hash != want.Hash || !maps.EqualFunc(ix.Files, want.Files, bytes.Equal) {
		b.Fatalf("cached index %s differs from BuildLang's %s", ix.Hash, want.Hash)
	}
	for p, html := range orig {
		p.Content = html
	}
	// Removing a page renumbers the documents: every term is computed
	// afresh (from the cached analysis).
	if _, err := c.BuildLang(s, lang); err != nil {
		b.Fatal(err)
	}
	gone := pages[len(pages)/2]
	gone.NoIndex = true
	t0 = time.Now()
	if _, err := c.BuildLang(s, lang); err != nil {
		b.Fatal(err)
	}
	remove := time.Since(t0)
	gone.NoIndex = false
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	med := times[len(times)/2]
	b.ReportMetric(ms(scratch), "scratch-ms")
	b.ReportMetric(ms(cold), "cold-ms")
	b.ReportMetric(ms(med), "median-ms")
	b.ReportMetric(float64(scratch)/float64(med), "ratio")
	b.ReportMetric(ms(remove), "remove-ms")
	b.ReportMetric(float64(cacheHeap)/(1<<20), "cache-MiB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-MiB")
	runtime.KeepAlive(c)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// liveHeap returns the live heap after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// heapSampler records the highest live heap while it runs.
type heapSampler struct {
	done chan struct{}
	peak chan uint64
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{done: make(chan struct{}), peak: make(chan uint64)}
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-h.done:
				h.peak <- peak
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) stop() uint64 {
	close(h.done)
	return <-h.peak
}
