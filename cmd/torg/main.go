// Command torg builds municipal citizen-information portals from Markdown,
// serves them while editors work, and relays their contact forms by e-mail.
// See `torg help`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/torgsite/torg/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(cli.ExitCode(err))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := cli.Run(ctx, args, stdout, stderr)
	if err != nil && !cli.IsReported(err) {
		fmt.Fprintln(stderr, err)
	}
	return err
}
