package search_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
)

// TestBuildCorpus builds a large generated site for the search benchmark
// (tests/search/bench.mjs), without the content checks of `torg build`:
//
//	go run ./cmd/torgcorpus -n 10000 -seed 1 -out /dev/shm/c10k
//	SEARCH_CORPUS=/dev/shm/c10k SEARCH_CORPUS_OUT=/dev/shm/c10k-site \
//	  go test -run TestBuildCorpus -timeout 30m ./internal/search/
//	node tests/search/bench.mjs /dev/shm/c10k-site
func TestBuildCorpus(t *testing.T) {
	src, dst := os.Getenv("SEARCH_CORPUS"), os.Getenv("SEARCH_CORPUS_OUT")
	if src == "" || dst == "" {
		t.Skip("set SEARCH_CORPUS and SEARCH_CORPUS_OUT")
	}
	now, _ := time.Parse(time.RFC3339, "2026-11-26T12:00:00+01:00")
	res, err := build.Build(context.Background(), build.Options{Source: src, Dest: dst, Now: now, NoGit: true, Registry: cli.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages in %s", res.Pages, res.Duration)
}
