package serve

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/corpus"
)

// BenchmarkEditToReload measures, on the generated 10,000-page corpus, the
// time from writing one page's file to the reload event naming that page
// (watcher, debounce, incremental build and event included), and the
// server's heap holding the whole site. Put TORG_BENCH_DIR on a RAM disk:
//
//	TORG_BENCH_DIR=/dev/shm go test -run '^$' -bench EditToReload -benchtime 30x ./internal/serve/
func BenchmarkEditToReload(b *testing.B) {
	base := os.Getenv("TORG_BENCH_DIR")
	if base == "" {
		base = b.TempDir()
	}
	dir, err := os.MkdirTemp(base, "serve-corpus")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := corpus.Generate(context.Background(), dir, corpus.Options{Pages: 10000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	r := start(b, Config{Source: dir, Drafts: true})
	b.Logf("first build: %d pages in %v", r.s.Status().Pages, time.Since(t0))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap := float64(ms.HeapInuse) / (1 << 20)

	var files []string
	filepath.WalkDir(filepath.Join(dir, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") && filepath.Base(p) != "_index.md" {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	ev := connect(b, r.base)
	ev.next(b, 10*time.Second, "hello")
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := files[(i*7919)%len(files)]
		rel, _ := filepath.Rel(filepath.Join(dir, "content"), f)
		page := "/" + strings.TrimSuffix(filepath.ToSlash(rel), ".md") + "/"
		src, _ := os.ReadFile(f)
		start := time.Now()
		os.WriteFile(f, append(src, "\nEn ändring i texten.\n"...), 0o644)
		ev.nextReload(b, 60*time.Second, page)
		times = append(times, time.Since(start))
		time.Sleep(50 * time.Millisecond) // an editor's pace; lets the debounce settle
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(heap, "heap-MiB")
}
