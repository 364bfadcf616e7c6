// Package cli implements torg's command line: one function per subcommand,
// each with its own flag set, all writing to the given stdout and stderr so
// that tests run them in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/torgsite/torg/internal/relay"
)

// Version is torg's version, set at link time with -ldflags "-X".
var Version = "0.1.0-dev"

// UsageError is returned for wrong command-line use; it exits with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// reportedError marks an error whose details were already printed.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// IsReported reports whether err's details were already printed to stderr.
func IsReported(err error) bool {
	var r *reportedError
	return errors.As(err, &r)
}

// ExitCode maps an error from Run to the process exit status: 0 success,
// 2 usage errors, 1 everything else (content, template, I/O errors).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var u *UsageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	return 1
}

const usage = `torg builds municipal citizen-information portals from Markdown.

Usage:
  torg build  [--source DIR] [--dest DIR] [--drafts] [--baseurl URL] [--now TIME] [--minify=true|false]
  torg check  [--source DIR] [--now TIME] [--external] [--format text|json|github] [--owner NAME] [--since REV]
  torg serve  [--source DIR] [--addr 127.0.0.1:1313] [--drafts=true] [--poll DURATION]
  torg relay  --config relay.toml      contact-form relay
  torg relay retry --config relay.toml re-queue dead letters
  torg version
  torg help

Run "torg COMMAND -h" for a command's flags.
`

// Run runs the torg command line with args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &reportedError{&UsageError{"no command given"}}
	}
	switch args[0] {
	case "build":
		return runBuild(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "relay":
		err := relay.Command(ctx, args[1:], stdout, stderr)
		var ue *relay.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, ue.Error())
			return &reportedError{&UsageError{ue.Msg}}
		}
		return err
	case "version", "--version":
		fmt.Fprintf(stdout, "torg %s\n", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return &reportedError{&UsageError{fmt.Sprintf("unknown command %q", args[0])}}
	}
}
