package serve

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/corpus"
	"github.com/torgsite/torg/internal/municipal"
	"github.com/torgsite/torg/internal/search"
)

// BenchmarkEditToReload measures, on the generated 10,000-page corpus, the
// time from writing one page's file to the reload event naming that page
// (watcher, debounce, incremental build and event included), and the
// server's heap holding the whole site. The server has the content types
// of the torg binary, the search index included. Put TORG_BENCH_DIR on a RAM disk:
//
//	TORG_BENCH_DIR=/dev/shm go test -run '^$' -bench EditToReload -benchtime 30x ./internal/serve/
func BenchmarkEditToReload(b *testing.B) {
	env := benchServer(b)
	r, dir, heap := env.r, env.dir, env.heap
	var files []string
	filepath.WalkDir(filepath.Join(dir, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") && filepath.Base(p) != "_index.md" {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	ev := env.ev
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := files[(i*7919)%len(files)]
		rel, _ := filepath.Rel(dir, f)
		page := r.s.PageURL(filepath.ToSlash(rel))
		if page == "" {
			b.Fatalf("no page for %s", rel)
		}
		src, _ := os.ReadFile(f)
		start := time.Now()
		os.WriteFile(f, append(src, "\nEn ändring i texten.\n"...), 0o644)
		ev.nextReload(b, 5*time.Minute, page)
		times = append(times, time.Since(start))
		if i < 3 {
			b.Logf("edit %d (%s): %v", i, page, times[i])
		}
		time.Sleep(50 * time.Millisecond) // an editor's pace; lets the debounce settle
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(heap, "heap-MiB")
}

// benchEnv is shared by the benchmark's runs (testing calls it with N=1
// first): the corpus is generated and built once.
type benchEnv struct {
	r    *running
	dir  string
	heap float64
	ev   *sse
}

var (
	benchOnce sync.Once
	bench     *benchEnv
)

func benchServer(b *testing.B) *benchEnv {
	benchOnce.Do(func() {
		base := os.Getenv("TORG_BENCH_DIR")
		if base == "" {
			base = os.TempDir()
		}
		dir, err := os.MkdirTemp(base, "serve-corpus")
		if err != nil {
			b.Fatal(err)
		}
		if err := corpus.Generate(context.Background(), dir, corpus.Options{Pages: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		// The server outlives this run: the next run reuses it. The
		// corpus folder is left for the OS (it is in TORG_BENCH_DIR).
		// The content types of the torg binary: the municipal types and
		// the search index, which depends on every page.
		reg := content.NewRegistry()
		municipal.Register(reg)
		search.Register(reg)
		r := start(&onceTB{b}, Config{Source: dir, Drafts: true, Registry: reg})
		b.Logf("first build: %d pages in %v", r.s.Status().Pages, time.Since(t0))
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		ev := connect(&onceTB{b}, r.base)
		ev.next(b, 10*time.Second, "hello")
		bench = &benchEnv{r: r, dir: dir, heap: float64(ms.HeapInuse) / (1 << 20), ev: ev}
	})
	if bench == nil {
		b.Fatal("setup failed")
	}
	return bench
}

// onceTB keeps Cleanup functions from running when the first benchmark
// run ends.
type onceTB struct{ testing.TB }

func (onceTB) Cleanup(func()) {}
