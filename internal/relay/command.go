// Package relay is torg's contact-form relay: an HTTP service that shows
// and accepts the site's contact forms and delivers them by SMTP through a
// durable outbox.
package relay

import (
	"context"
	"errors"
	"io"
)

// Command runs `torg relay ARGS...` (args exclude the word "relay").
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("torg relay: not implemented yet")
}
