package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/torgsite/torg/internal/serve"
)

// runServe builds the site into memory, serves it with live reload and
// rebuilds on every change until ctx is cancelled (Ctrl-C).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--source DIR] [--addr 127.0.0.1:1313] [--drafts=true] [--poll DURATION]", stderr)
	source := fs.String("source", ".", "site folder holding torg.toml and content/")
	addr := fs.String("addr", serve.DefaultAddr, "address to listen on (loopback unless you give another host)")
	drafts := fs.Bool("drafts", true, "show drafts, future and expired pages, marked \"Utkast\" (--drafts=false hides them)")
	poll := fs.Duration("poll", 0, "poll the sources at this interval (e.g. 500ms) instead of using file-system events, for network and container folders")
	noGit := fs.Bool("no-git", false, "do not read \"Senast uppdaterad\" dates from git history")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *poll < 0 {
		err := &UsageError{fmt.Sprintf("--poll: %v is negative", *poll)}
		fmt.Fprintln(stderr, "torg serve:", err.Msg)
		return &reportedError{err}
	}
	if *poll > 0 && *poll < 10*time.Millisecond {
		err := &UsageError{fmt.Sprintf("--poll: %v is too short; use at least 10ms", *poll)}
		fmt.Fprintln(stderr, "torg serve:", err.Msg)
		return &reportedError{err}
	}
	s := serve.New(serve.Config{Source: *source, Addr: *addr, Drafts: *drafts, Poll: *poll, Registry: Registry(), Log: stdout, NoGit: *noGit})
	if err := s.Listen(); err != nil {
		fmt.Fprintln(stderr, "torg serve:", err)
		return &reportedError{err}
	}
	if err := s.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "torg serve:", err)
		return &reportedError{err}
	}
	return nil
}
