package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/check"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// errCheckFailed is returned when the report holds errors (exit status 1).
var errCheckFailed = errors.New("torg check found errors")

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "[--source DIR] [--now TIME] [--drafts] [--baseurl URL] [--external] [--format text|json|github] [--owner NAME] [--since REV]", stderr)
	source := fs.String("source", ".", "site folder holding torg.toml and content/")
	drafts := fs.Bool("drafts", false, "include drafts, future and expired pages")
	baseURL := fs.String("baseurl", "", "absolute base URL, overriding torg.toml")
	now := fs.String("now", "", "the check's current time (RFC 3339), for freshness rules and tests")
	external := fs.Bool("external", false, "also check links to other sites (network; cached in SOURCE/.torg-cache/links.json)")
	timeout := fs.Duration("timeout", 10*time.Second, "with --external: time limit per request")
	format := fs.String("format", "text", "report format: text, json or github (workflow annotations)")
	owner := fs.String("owner", "", "report only pages whose owner is NAME")
	since := fs.String("since", "", "report only files changed in git since REV (a commit, branch or tag)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintln(stderr, "torg check:", err)
		return &reportedError{err}
	}
	switch *format {
	case "text", "json", "github":
	default:
		err := &UsageError{fmt.Sprintf("--format: %q is not one of text, json, github", *format)}
		fmt.Fprintln(stderr, "torg check:", err)
		return &reportedError{err}
	}
	var changed map[string]bool
	if *since != "" {
		changed, err = check.ChangedSince(ctx, *source, *since)
		if err != nil {
			err := &UsageError{"--since: " + err.Error()}
			fmt.Fprintln(stderr, "torg check:", err)
			return &reportedError{err}
		}
	}
	rep, err := check.Run(ctx, check.RunOptions{Source: *source, Now: t, Drafts: *drafts, BaseURL: *baseURL, Registry: Registry(),
		Options: check.Options{External: *external, ExternalOptions: check.ExternalOptions{Timeout: *timeout}}})
	if err != nil {
		var ue *build.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "torg check:", ue.Msg)
			return &reportedError{&UsageError{ue.Msg}}
		}
		fmt.Fprintln(stderr, "torg check:", err)
		return &reportedError{err}
	}
	rep.Filter(*owner, changed)
	switch *format {
	case "json":
		err = rep.WriteJSON(stdout)
	case "github":
		err = rep.WriteGitHub(stdout)
	default:
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if rep.HasErrors() {
		return &reportedError{errCheckFailed}
	}
	return nil
}

// buildChecker returns the checks `torg build` runs: errors fail the build,
// warnings are printed with their rule id; tips (info) are left to
// `torg check`.
func buildChecker(source string) func(ctx context.Context, site *content.Site) []*diag.Diagnostic {
	inner := check.NewChecker(check.Options{Source: source})
	return func(ctx context.Context, site *content.Site) []*diag.Diagnostic {
		var out []*diag.Diagnostic
		for _, d := range inner(ctx, site) {
			if d.Severity == diag.Info {
				continue
			}
			c := *d
			if c.Rule != "" && c.Rule != check.Bygg {
				c.Msg += " [" + c.Rule + "]"
			}
			out = append(out, &c)
		}
		return out
	}
}
