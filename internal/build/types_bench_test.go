package build_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
	"github.com/torgsite/torg/internal/corpus"
)

// BenchmarkIncrementalEditTypes is BenchmarkIncrementalEdit with every
// content type of the torg command registered (municipal types and the
// search index, as in `torg serve`): a one-page body edit on the
// generated 10,000-page corpus, from Invalidate to the snapshot.
//
//	go test -run '^$' -bench IncrementalEditTypes -benchtime 10x ./internal/build/
func BenchmarkIncrementalEditTypes(b *testing.B) {
	ctx := context.Background()
	dir := scratchDir(b)
	if err := corpus.Generate(ctx, dir, corpus.Options{Pages: 10000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	inc := build.NewIncremental(build.Options{Source: dir, NoGit: true, Serve: true, Drafts: true, Watched: true, Registry: cli.Registry()})
	t0 := time.Now()
	if _, err := inc.Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("first build %v", time.Since(t0))
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
		os.WriteFile(f, append(src, "\nEn ändring.\n"...), 0o644)
		start := time.Now()
		inc.Invalidate(f)
		if _, err := inc.Rebuild(ctx); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}
