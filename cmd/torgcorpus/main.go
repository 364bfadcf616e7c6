// Command torgcorpus writes a synthetic Swedish municipal site for
// benchmarks: torgcorpus -n 10000 -seed 1 -out DIR.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/torgsite/torg/internal/corpus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if err != flag.ErrHelp {
			fmt.Fprintln(os.Stderr, "torgcorpus:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("torgcorpus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "number of regular pages")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same files")
	out := fs.String("out", "", "folder to write the site to (created; must not hold content/ or torg.toml)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: torgcorpus -n PAGES -seed SEED -out DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("-out is required")
	}
	start := time.Now()
	if err := corpus.Generate(ctx, *out, corpus.Options{Pages: *n, Seed: *seed}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d pages to %s in %v\n", *n, *out, time.Since(start).Round(time.Millisecond))
	return nil
}
