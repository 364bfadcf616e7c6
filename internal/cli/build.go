package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// Registry returns the content types every torg command knows. Municipal
// types register here, in one place, without changes to the core.
func Registry() *content.Registry {
	r := content.NewRegistry()
	for _, register := range typeRegistrars {
		register(r)
	}
	return r
}

// typeRegistrars are the content-type packages linked into torg.
var typeRegistrars []func(*content.Registry)

// newFlagSet returns a flag set that prints its usage to stderr and
// returns errors instead of exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: torg %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &reportedError{&UsageError{err.Error()}}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &reportedError{&UsageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}}
	}
	return nil
}

// optionalBool is a flag that remembers whether it was set.
type optionalBool struct{ v *bool }

func (o *optionalBool) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.FormatBool(*o.v)
}

func (o *optionalBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	o.v = &b
	return nil
}

func (o *optionalBool) IsBoolFlag() bool { return true }

// parseNow reads --now: RFC 3339, or a plain date.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, &UsageError{fmt.Sprintf("--now: %q is not an RFC 3339 time such as 2026-11-26T12:00:00+01:00", s)}
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", "[--source DIR] [--dest DIR] [--drafts] [--baseurl URL] [--now TIME] [--minify=true|false]", stderr)
	source := fs.String("source", ".", "site folder holding torg.toml and content/")
	dest := fs.String("dest", "", "output folder (default SOURCE/public)")
	drafts := fs.Bool("drafts", false, "include drafts, future and expired pages")
	baseURL := fs.String("baseurl", "", "absolute base URL, overriding torg.toml")
	now := fs.String("now", "", "the build's current time (RFC 3339), for scheduled content and tests")
	var minify optionalBool
	fs.Var(&minify, "minify", "minify HTML, CSS, JS, SVG, JSON and XML (default from torg.toml, else true)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintln(stderr, "torg build:", err)
		return &reportedError{err}
	}
	opts := build.Options{Source: *source, Dest: *dest, Drafts: *drafts, BaseURL: *baseURL, Now: t, Minify: minify.v, Registry: Registry(), Checker: buildChecker(*source)}
	res, err := build.Build(ctx, opts)
	if res != nil {
		printDiags(stderr, res.Warnings)
	}
	if err != nil {
		var ue *build.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "torg build:", ue.Msg)
			return &reportedError{&UsageError{ue.Msg}}
		}
		printError(stderr, err)
		return &reportedError{err}
	}
	out := *dest
	if out == "" {
		out = filepath.Join(*source, "public")
	}
	fmt.Fprintf(stdout, "torg: %d pages, %d files in %s → %s\n", res.Pages, res.Files, res.Duration.Round(time.Millisecond), out)
	return nil
}

func printDiags(w io.Writer, ds []*diag.Diagnostic) {
	for _, d := range ds {
		fmt.Fprintln(w, d.Error())
	}
}

// printError prints every diagnostic of err on its own line, then a count.
func printError(w io.Writer, err error) {
	var de *diag.Errors
	if errors.As(err, &de) {
		for _, d := range de.List {
			fmt.Fprintln(w, d.Error())
		}
		n := len(de.List) + de.Dropped
		if de.Dropped > 0 {
			fmt.Fprintf(w, "(%d more errors not shown)\n", de.Dropped)
		}
		fmt.Fprintf(w, "torg: build failed with %d error%s\n", n, plural(n))
		return
	}
	fmt.Fprintln(w, err.Error())
	fmt.Fprintln(w, "torg: build failed")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
