// Package smtpsend delivers one message per SMTP transaction with
// github.com/emersion/go-smtp: STARTTLS or implicit TLS with the server
// certificate verified, optional AUTH PLAIN, line endings normalised to CRLF
// before the library dot-stuffs the data (no SMTP smuggling). Errors are
// classified as temporary (network, TLS, SMTP 4xx) or permanent (SMTP 5xx).
package smtpsend

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/torgsite/torg/internal/relay/mailmsg"
)

// TLS modes.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// Config says how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int
	TLS      string // starttls, tls or none
	User     string
	Password string
	// RootCAs verifies the server certificate; nil means the system pool.
	RootCAs *x509.CertPool
	// HeloName is the name sent in EHLO; empty means "localhost".
	HeloName string
	// Timeout bounds the whole transaction; zero means one minute.
	Timeout time.Duration
}

// LoadCAFile reads a PEM bundle into a new pool.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("smtp ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp ca_file %s: no PEM certificates found", path)
	}
	return pool, nil
}

// Sender sends messages.
type Sender struct {
	cfg Config
}

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	case "":
		cfg.TLS = TLSStartTLS
	default:
		return nil, fmt.Errorf("smtp tls %q: use starttls, tls or none", cfg.TLS)
	}
	if cfg.Host == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: host and port are required")
	}
	if cfg.TLS == TLSNone && cfg.User != "" && !isLoopback(cfg.Host) {
		return nil, fmt.Errorf("smtp: refusing to send a password without TLS to %s", cfg.Host)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	return &Sender{cfg: cfg}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Error is a delivery failure.
type Error struct {
	Permanent bool
	Code      int // SMTP reply code, 0 for network and TLS errors
	Err       error
}

func (e *Error) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("smtp %s failure: %v", kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent delivery failure.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// Code returns the SMTP reply code in err, or 0.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return &Error{Permanent: se.Code >= 500 && se.Code < 600, Code: se.Code, Err: err}
	}
	return &Error{Err: err}
}

// Send delivers msg from the envelope sender to the recipients in one
// transaction. Every line ending in msg is rewritten as CRLF first.
func (s *Sender) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if !mailmsg.ValidAddress(from) {
		return &Error{Permanent: true, Err: fmt.Errorf("bad envelope sender")}
	}
	for _, r := range to {
		if !mailmsg.ValidAddress(r) {
			return &Error{Permanent: true, Err: fmt.Errorf("bad recipient address")}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	tlsCfg := &tls.Config{ServerName: s.cfg.Host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return classify(err)
	}
	// Closing the connection is how a cancelled context interrupts a
	// blocked read or write.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}

	var c *smtp.Client
	switch s.cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return classify(err)
		}
		c = smtp.NewClient(tc)
	case TLSStartTLS:
		// Fails (temporarily) when the server does not offer STARTTLS or
		// its certificate does not verify: never falls back to plain text.
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			conn.Close()
			return classify(err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = s.cfg.Timeout
	if err := c.Hello(s.cfg.HeloName); err != nil {
		return classify(err)
	}
	if s.cfg.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.User, s.cfg.Password)); err != nil {
			return classify(err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return classify(err)
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			return classify(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := bytes.NewReader(mailmsg.ToCRLF(msg)).WriteTo(w); err != nil {
		w.Close()
		return classify(err)
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	// The message is accepted once DATA is answered with 250; a failing
	// QUIT does not change that.
	_ = c.Quit()
	return nil
}
