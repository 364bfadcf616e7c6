package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
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

// BenchmarkIncrementalEdit measures a one-page body edit on the generated
// 10,000-page corpus: the rebuild alone, from Invalidate to the snapshot.
// Run with TORG_BENCH_DIR on a RAM disk (/dev/shm) to keep disk noise out.
func BenchmarkIncrementalEdit(b *testing.B) {
	benchEdits(b, plainBench, appendSentence)
}

// BenchmarkIncrementalEditTypes is BenchmarkIncrementalEdit with every
// content type of the torg command registered (municipal types and the
// search index, as in `torg serve`).
func BenchmarkIncrementalEditTypes(b *testing.B) {
	benchEdits(b, typesBench, appendSentence)
}

func appendSentence(src []byte, _ int) []byte { return append(src, "\nEn ändring.\n"...) }

// BenchmarkIncrementalTitleEdit is BenchmarkIncrementalEdit with an edit
// of the page's title in its front matter: the site structure is loaded
// again (lists, menus and links may show the title).
func BenchmarkIncrementalTitleEdit(b *testing.B) {
	benchEdits(b, plainBench, func(src []byte, i int) []byte {
		return []byte(strings.Replace(string(src), "\ntitle: \"", fmt.Sprintf("\ntitle: \"Ändrad %d ", i), 1))
	})
}

func benchEdits(b *testing.B, bc *benchCorpus, edit func(src []byte, i int) []byte) {
	ctx := context.Background()
	bc.once.Do(func() {
		base := os.Getenv("TORG_BENCH_DIR")
		if base == "" {
			base = os.TempDir()
		}
		dir, err := os.MkdirTemp(base, "corpus")
		if err != nil {
			b.Fatal(err)
		}
		if err := corpus.Generate(ctx, dir, corpus.Options{Pages: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		opts := Options{Source: dir, NoGit: true, Serve: true, Drafts: true, Watched: true}
		if bc.types {
			opts.Registry = content.NewRegistry()
			municipal.Register(opts.Registry)
			search.Register(opts.Registry)
		}
		inc := NewIncremental(opts)
		t0 := time.Now()
		first, err := inc.Rebuild(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("first build: %d pages, %d files in %v", first.Result.Pages, len(first.Files), time.Since(t0))
		bc.dir, bc.inc = dir, inc
	})
	dir, inc := bc.dir, bc.inc
	if inc == nil {
		b.Fatal("setup failed")
	}
	var files []string
	filepath.WalkDir(filepath.Join(dir, "content"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) != "_index.md" {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var times []time.Duration
	if f := os.Getenv("TORG_BENCH_CPUPROFILE"); f != "" {
		// Profiles the edits only, without the first build.
		out, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		pprof.StartCPUProfile(out)
		defer func() { pprof.StopCPUProfile(); out.Close() }()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := files[(i*7919)%len(files)]
		src, _ := os.ReadFile(f)
		os.WriteFile(f, edit(src, i), 0o644)
		start := time.Now()
		inc.Invalidate(f)
		snap, err := inc.Rebuild(ctx)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		if i == 0 {
			b.Logf("rendered %d, reused %d, changed %d, in place %v", snap.Rendered, snap.Reused, len(snap.Changed), snap.BodyOnly)
		}
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}

// benchCorpus is a generated corpus and its first build, shared by a
// benchmark's runs (and the benchmarks using the same registry).
type benchCorpus struct {
	once  sync.Once
	types bool // the torg command's content types
	dir   string
	inc   *Incremental
}

var plainBench, typesBench = &benchCorpus{}, &benchCorpus{types: true}
