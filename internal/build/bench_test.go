package build_test

// Whole-site build benchmarks over generated corpora (internal/corpus), and
// a test that a generated corpus builds without errors or warnings.
//
//	go test -run '^$' -bench Build -benchtime 3x ./internal/build/
//
// Each benchmark generates its corpus once, on tmpfs (/dev/shm) where it
// exists, then builds it b.N times into fresh destinations there. Reported:
// pages/s (generated regular pages per second of build), ms/build, html/op
// (HTML pages written) and peak-MB, the highest live heap sampled every
// 2 ms during any one build (runtime/metrics
// "/memory/classes/heap/objects:bytes", after a GC before each build).

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/corpus"
)

// benchNow pins the build's clock, so that review-date checks and the like
// do not drift with the calendar.
var benchNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// scratchDir returns a temporary folder on tmpfs when there is one, removed
// after the test.
func scratchDir(tb testing.TB) string {
	tb.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "torg-bench-")
		if err == nil {
			tb.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return tb.TempDir()
}

// heapSampler records the peak of the live heap while it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		sample := []metrics.Sample{{Name: heapMetric}}
		read := func() {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				h.peak = max(h.peak, sample[0].Value.Uint64())
			}
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			read()
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak in bytes.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak
}

func benchmarkBuild(b *testing.B, pages int) {
	dir := scratchDir(b)
	site := filepath.Join(dir, "site")
	if err := corpus.Generate(context.Background(), site, corpus.Options{Pages: pages, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var (
		total    time.Duration
		peak     uint64
		htmlPage int
	)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		dest := filepath.Join(dir, "out")
		os.RemoveAll(dest)
		os.RemoveAll(dest + build.PrivateSuffix)
		runtime.GC()
		h := startHeapSampler(2 * time.Millisecond)
		b.StartTimer()

		start := time.Now()
		res, err := build.Build(ctx, build.Options{Source: site, Dest: dest, Now: benchNow})
		elapsed := time.Since(start)

		b.StopTimer()
		peak = max(peak, h.Stop())
		if err != nil {
			b.Fatalf("build %d: %v", i, err)
		}
		total += elapsed
		htmlPage = res.Pages
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(pages)*n/total.Seconds(), "pages/s")
	b.ReportMetric(float64(total.Milliseconds())/n, "ms/build")
	b.ReportMetric(float64(htmlPage), "html/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

func BenchmarkBuild1000(b *testing.B) { benchmarkBuild(b, 1000) }

func BenchmarkBuild10000(b *testing.B) {
	if testing.Short() {
		b.Skip("10,000 pages: skipped with -short")
	}
	benchmarkBuild(b, 10000)
}

// TestCorpusBuilds builds a generated corpus: the generator's links,
// anchors and front matter must give no errors and no warnings.
func TestCorpusBuilds(t *testing.T) {
	pages := 250
	if testing.Short() {
		pages = 60
	}
	dir := scratchDir(t)
	site := filepath.Join(dir, "site")
	if err := corpus.Generate(context.Background(), site, corpus.Options{Pages: pages, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	res, err := build.Build(context.Background(), build.Options{Source: site, Dest: filepath.Join(dir, "out"), Now: benchNow})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	var w []string
	for _, d := range res.Warnings {
		w = append(w, d.Error())
	}
	if len(w) > 0 {
		t.Errorf("%d warnings:\n%s", len(w), strings.Join(w, "\n"))
	}
	// Every regular page, its sections, the home page and more.
	if res.Pages < pages+20 {
		t.Errorf("built %d HTML pages from %d generated pages", res.Pages, pages)
	}
}
