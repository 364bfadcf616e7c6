package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Stockholm without system zone data

	"github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/mailmsg"
	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/ratelimit"
	"github.com/torgsite/torg/internal/relay/smtpsend"
)

// Deps are the relay's connections to the outside world, replaceable in
// tests. Zero values mean the real thing.
type Deps struct {
	Getenv func(string) string // os.Getenv
	FS     outbox.FS           // outbox.OS{}
	Logger *slog.Logger        // slog.Default()
	Now    func() time.Time    // time.Now
}

// Server is the contact-form relay: HTTP handlers, the delivery worker and
// the recipient-table reloader.
type Server struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	loc    *time.Location
	signer *form.Signer
	box    *outbox.Outbox
	sender *smtpsend.Sender
	from   *mail.Address

	table     atomic.Pointer[Table]
	pages     atomic.Pointer[pages]
	reloadMu  sync.Mutex
	tableStat fileStamp
	pageStat  fileStamp

	ipLimit   *ratelimit.Limiter
	rcptLimit *ratelimit.Limiter
	trusted   []netip.Prefix

	m       metrics
	wake    chan struct{}
	handler http.Handler

	dev *devBox // development mode (NewDev): messages go to memory, never to SMTP
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// New checks cfg, opens the outbox (quarantining damaged files), loads
// the recipient table and layout, and returns a server that is not yet
// listening.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if deps.Getenv == nil {
		deps.Getenv = os.Getenv
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Server{cfg: cfg, log: deps.Logger, now: deps.Now, wake: make(chan struct{}, 1)}
	s.loc, _ = time.LoadLocation(cfg.Timezone)
	s.from = mustMailbox(cfg.From)

	key := deps.Getenv(cfg.SecretEnv)
	if key == "" {
		return nil, fmt.Errorf("relay: environment variable %s (secret_env) is empty; set it to a random string of at least 32 characters", cfg.SecretEnv)
	}
	var err error
	if s.signer, err = form.NewSigner([]byte(key)); err != nil {
		return nil, fmt.Errorf("relay: %s: %w", cfg.SecretEnv, err)
	}

	pw, err := cfg.smtpPassword(deps.Getenv)
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	sc := smtpsend.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: cfg.SMTP.TLS, User: cfg.SMTP.User, Password: pw, HeloName: cfg.SMTP.Helo, Timeout: cfg.SMTP.Timeout.D()}
	if cfg.SMTP.CAFile != "" {
		if sc.RootCAs, err = smtpsend.LoadCAFile(cfg.SMTP.CAFile); err != nil {
			return nil, fmt.Errorf("relay: %w", err)
		}
	}
	if s.sender, err = smtpsend.New(sc); err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}

	s.box, err = outbox.Open(cfg.Outbox, outbox.Options{FS: deps.FS, Logger: s.log, Now: s.now, Location: s.loc, Prefix: cfg.ReferencePrefix})
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	if err := s.loadTable(true); err != nil {
		return nil, err
	}
	s.loadPages(true)

	for _, p := range cfg.TrustedProxies {
		pfx, _ := parsePrefix(p)
		s.trusted = append(s.trusted, pfx.Masked())
	}
	l := cfg.Limits
	s.ipLimit = ratelimit.New(l.PerIPBurst, l.PerIPInterval.D(), 100000, s.now)
	s.rcptLimit = ratelimit.New(l.PerRecipientBurst, l.PerRecipientInterval.D(), 10000, s.now)

	s.handler = s.routes()
	return s, nil
}

// Outbox returns the server's outbox (for tests and tools).
func (s *Server) Outbox() *outbox.Outbox { return s.box }

// Signer returns the form timestamp signer (for tests and benchmarks).
func (s *Server) Signer() *form.Signer { return s.signer }

// Handler returns the HTTP handler with security headers on every response.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on the configured address and serves until ctx is cancelled.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves HTTP on ln and runs the delivery worker, the reloader and
// the retention job until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets running requests finish (bounded by
// http.shutdown_timeout) and stops the worker. Messages being delivered at
// that moment stay in the outbox and are sent again on the next start.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.HTTP.ReadHeaderTimeout.D(),
		ReadTimeout:       s.cfg.HTTP.ReadTimeout.D(),
		WriteTimeout:      s.cfg.HTTP.WriteTimeout.D(),
		IdleTimeout:       s.cfg.HTTP.IdleTimeout.D(),
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("relay listening", "addr", ln.Addr().String(), "recipients", s.table.Load().Len())
	bg, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); s.runWorker(bg) }()
	go func() { defer wg.Done(); s.runReloader(bg) }()
	go func() { defer wg.Done(); s.runRetention(bg) }()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("relay shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout.D())
	defer cancel()
	shutErr := hs.Shutdown(sctx)
	stopBg()
	wg.Wait()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("relay: %w", serveErr)
	}
	if shutErr != nil {
		return fmt.Errorf("relay: shutdown: %w", shutErr)
	}
	s.log.Info("relay stopped")
	return nil
}

// Reload re-reads the recipient table and the layout (SIGHUP). A table
// that fails to load leaves the previous one in place.
func (s *Server) Reload() error {
	err := s.loadTable(true)
	s.loadPages(true)
	return err
}

func stamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// loadTable (re)loads the recipient table; unless force, only when the
// file changed.
func (s *Server) loadTable(force bool) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	st, err := stamp(s.cfg.Recipients)
	if err != nil {
		return fmt.Errorf("relay: recipient table: %w", err)
	}
	if !force && st == s.tableStat {
		return nil
	}
	data, err := os.ReadFile(s.cfg.Recipients)
	if err != nil {
		return fmt.Errorf("relay: recipient table: %w", err)
	}
	var t *Table
	if s.dev != nil {
		t, err = parseTable(data, func(string) bool { return true }, s.log) // nothing is sent
	} else {
		t, err = ParseTable(data, s.cfg.Domains, s.log)
	}
	if err != nil {
		s.tableStat = st // do not retry the same broken file every poll
		if s.table.Load() != nil {
			s.log.Error("recipient table not reloaded; keeping the previous one", "err", err)
		}
		return fmt.Errorf("relay: %w", err)
	}
	s.tableStat = st
	s.table.Store(t)
	s.m.reloads.Add(1)
	s.log.Info("recipient table loaded", "recipients", t.Len())
	return nil
}

// loadPages (re)loads the layout; a missing or broken layout means the
// built-in one.
func (s *Server) loadPages(force bool) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.cfg.Layout == "" {
		s.pages.Store(builtinPages)
		return
	}
	st, err := stamp(s.cfg.Layout)
	if err != nil {
		if s.pages.Load() == nil || s.pages.Load().custom {
			s.log.Warn("layout not found; using the built-in layout", "err", err)
		}
		s.pages.Store(builtinPages)
		s.pageStat = fileStamp{}
		return
	}
	if !force && st == s.pageStat {
		return
	}
	s.pageStat = st
	data, err := os.ReadFile(s.cfg.Layout)
	var p *pages
	if err == nil {
		p, err = parsePages(string(data))
	}
	if err != nil {
		s.log.Error("layout unusable; using the built-in layout", "err", err)
		s.pages.Store(builtinPages)
		return
	}
	p.custom = true
	s.pages.Store(p)
	s.log.Info("layout loaded", "inline_styles", len(p.inline.styles), "inline_scripts", len(p.inline.scripts), "style_attributes", len(p.inline.styleAttrs))
}

func (s *Server) runReloader(ctx context.Context) {
	t := time.NewTicker(s.cfg.ReloadInterval.D())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.loadTable(false); err != nil {
				s.log.Debug("recipient table check", "err", err)
			}
			s.loadPages(false)
		}
	}
}

func (s *Server) runRetention(ctx context.Context) {
	for {
		now := s.now()
		if n, err := s.box.PruneLog(now.Add(-s.cfg.Retention.DeliveryLog.D())); err != nil {
			s.log.Error("delivery log retention failed", "err", err)
		} else if n > 0 {
			s.log.Info("delivery log entries removed after retention period", "entries", n)
		}
		if _, err := s.box.PruneQuarantine(now.Add(-s.cfg.Retention.Quarantine.D())); err != nil {
			s.log.Error("quarantine retention failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(6 * time.Hour):
		}
	}
}

func openOutbox(cfg Config, log *slog.Logger) (*outbox.Outbox, error) {
	loc, _ := time.LoadLocation(cfg.Timezone)
	box, err := outbox.Open(cfg.Outbox, outbox.Options{Logger: log, Location: loc, Prefix: cfg.ReferencePrefix})
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	return box, nil
}

// newMessageID returns a Message-ID for reference ref: unique, and stored
// with the message so retries carry the same one.
func (s *Server) newMessageID(ref string) string {
	var b [8]byte
	rand.Read(b[:])
	return ref + "." + hex.EncodeToString(b[:]) + "@" + mailmsg.Domain(s.from.Address)
}

// clientKey returns the rate-limit key for the request: the client address
// (behind a trusted proxy, the rightmost untrusted X-Forwarded-For entry),
// with IPv6 addresses reduced to their /64.
func (s *Server) clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if s.isTrusted(addr) {
		var hops []string
		for _, h := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(h, ",")...)
		}
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !s.isTrusted(addr) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// originOK checks Origin, or Referer when Origin is absent, against the
// allowed origins.
func (s *Server) originOK(r *http.Request) bool {
	if s.dev != nil {
		return devOriginOK(r)
	}
	o := r.Header.Get("Origin")
	if o == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return !*s.cfg.RequireOrigin
		}
		u, err := url.Parse(ref)
		if err != nil || u.Host == "" {
			return false
		}
		o = u.Scheme + "://" + u.Host
	}
	return slices.Contains(s.cfg.Origins, strings.ToLower(o))
}

// thanksLocation is where a successful post is redirected.
func (s *Server) thanksLocation(ref string) string {
	if s.cfg.ThanksURL == "" {
		return "/tack/" + ref
	}
	if strings.Contains(s.cfg.ThanksURL, "{ref}") {
		return strings.ReplaceAll(s.cfg.ThanksURL, "{ref}", url.QueryEscape(ref))
	}
	sep := "?"
	if strings.Contains(s.cfg.ThanksURL, "?") {
		sep = "&"
	}
	return s.cfg.ThanksURL + sep + "referens=" + url.QueryEscape(ref)
}

func retryAfter(d time.Duration) string {
	sec := int((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return strconv.Itoa(sec)
}
