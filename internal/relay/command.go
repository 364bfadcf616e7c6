// Package relay is torg's contact-form relay: an HTTP service that shows
// and accepts the site's contact forms and delivers them by SMTP through a
// durable outbox.
//
// The forms are served by the relay itself (GET /skriv/{id}) inside the
// layout that torg build writes, so that the signed timestamp is fresh on
// every view. A post (POST /skriv/{id}) is validated, rate-limited, written
// durably to the outbox and answered with 303 to the thank-you page; a
// worker then delivers it with retries, falling back to the registrar's
// mailbox on permanent failure. See docs/relay.md.
package relay

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage:
  torg relay --config relay.toml          run the contact-form relay
  torg relay retry --config relay.toml [REFERENCE...]
                                          move dead letters back to the queue

The relay reloads its recipient table on SIGHUP and when the file changes,
and shuts down gracefully on SIGINT or SIGTERM. See docs/relay.md.

Flags:
`

// UsageError is a command-line mistake; the usage text has been printed.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return "torg relay: " + e.Msg }

// Command runs `torg relay ARGS...` (args exclude the word "relay").
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && args[0] == "retry" {
		sub, args = "retry", args[1:]
	}
	fs := flag.NewFlagSet("torg relay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config := fs.String("config", "relay.toml", "path of relay.toml")
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return flag.ErrHelp
		}
		printUsage(stderr)
		return &UsageError{err.Error()}
	}
	if sub == "" && fs.NArg() > 0 {
		printUsage(stderr)
		return &UsageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := LoadConfig(*config)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	if sub == "retry" {
		return Retry(cfg, fs.Args(), stdout, log)
	}
	srv, err := New(cfg, Deps{Logger: log})
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading recipient table and layout")
				if err := srv.Reload(); err != nil {
					log.Error("reload failed", "err", err)
				}
			}
		}
	}()
	return srv.Run(ctx)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// Retry moves dead letters back to the queue: the given references, or
// all of them. A running relay picks them up at its next scan.
func Retry(cfg Config, refs []string, stdout io.Writer, log *slog.Logger) error {
	if err := cfg.Check(); err != nil {
		return err
	}
	box, err := openOutbox(cfg, log)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		n, err := box.RequeueAll()
		fmt.Fprintf(stdout, "%d dead letter(s) moved back to the queue\n", n)
		return err
	}
	var errs []error
	for _, ref := range refs {
		if err := box.Requeue(ref); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ref, err))
			continue
		}
		fmt.Fprintf(stdout, "%s moved back to the queue\n", ref)
	}
	return errors.Join(errs...)
}
