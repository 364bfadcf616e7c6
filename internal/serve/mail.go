package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/relay"
)

// The contact forms in torg serve: the forms of a site with a [relay] url
// post to the server itself, where an in-process development relay
// (relay.Dev) validates them exactly as `torg relay` would and keeps the
// messages in memory, shown at MailboxPath. Nothing is sent.
//
// The relay reads the recipient table and its page layout from files,
// which the build makes as private outputs (Snapshot.Private). They are
// never served: they go to a private temporary folder (mode 0700),
// replaced file by file with a rename so that the relay never reads half
// a file, and removed when the server stops.

// Paths of the development relay, as the nginx example in docs/relay.md
// proxies them in production.
const (
	formPath   = "/skriv/"
	thanksPath = "/tack/"
)

// recipientsFile is the recipient table among the private outputs
// (municipal.RecipientsFile; serve does not import the content types).
const recipientsFile = "recipients.json"

// devRelay holds the development relay of a Server.
type devRelay struct {
	dev atomic.Pointer[relay.Dev] // nil until a build has forms

	mu      sync.Mutex
	dir     string            // the private temporary folder; "" until made
	written map[string][]byte // private outputs now in dir
	closed  bool
}

// relayURL is what the site's [relay] url becomes in serve builds: the
// served origin, so that form links lead to this server's /skriv/.
func (s *Server) relayURL() string {
	return strings.TrimSuffix(s.URL(), "/")
}

// newBuilder makes the incremental builder; Listen makes it again once the
// address (and so the relay URL) is known.
func (s *Server) newBuilder() {
	s.inc = build.NewIncremental(build.Options{
		Source: s.cfg.Source, Drafts: s.cfg.Drafts, Serve: true, Inject: inject,
		Registry: s.cfg.Registry, NoGit: s.cfg.NoGit, Now: s.cfg.Now,
		RelayURL: s.relayURL(),
		// Every change reaches the builder through Rebuild's paths (the
		// watcher's batches), so body-only edits are applied in place.
		Watched: true,
	})
}

// updateRelay writes the private outputs of a successful build and starts
// or reloads the development relay. It is called with buildMu held.
func (s *Server) updateRelay(snap *build.Snapshot) {
	m := &s.mail
	cfg := snap.Result.Site.Config
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || (m.dev.Load() == nil && cfg.Relay.URL == "") {
		// A site without forms needs no relay and gets no files.
		return
	}
	changed, err := m.sync(snap.Private)
	if err != nil {
		fmt.Fprintf(s.log, "torg serve: kontaktformulären: %v\n", err)
		return
	}
	if dev := m.dev.Load(); dev != nil {
		if !changed {
			return
		}
		if err := dev.Reload(); err != nil {
			fmt.Fprintf(s.log, "torg serve: kontaktformulären: mottagartabellen kunde inte läsas, den förra används: %v\n", err)
		}
		return
	}
	dev, err := relay.NewDev(relay.DevConfig{
		Recipients:  filepath.Join(m.dir, recipientsFile),
		Layout:      filepath.Join(m.dir, build.RelayLayoutFile),
		SiteURL:     s.URL(),
		SiteName:    cfg.Title,
		PrivacyURL:  s.privacyURL(cfg),
		MailboxPath: MailboxPath,
		Logger:      slog.New(&relayLog{w: s.log, mailbox: strings.TrimSuffix(s.URL(), "/") + MailboxPath}),
	})
	if err != nil {
		fmt.Fprintf(s.log, "torg serve: kontaktformulären fungerar inte: %v\n", err)
		return
	}
	m.dev.Store(dev)
}

// privacyURL is the site's privacy notice on this server, "" for the
// relay's default.
func (s *Server) privacyURL(cfg *config.Config) string {
	p := cfg.Organisation.PrivacyURL
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return ""
	}
	return strings.TrimSuffix(s.URL(), "/") + p
}

// sync makes the private folder hold exactly files, writing only the
// changed ones, and reports whether any changed. It is called with m.mu
// held.
func (m *devRelay) sync(files map[string][]byte) (changed bool, err error) {
	if m.dir == "" {
		dir, err := os.MkdirTemp("", "torg-serve-relay-")
		if err != nil {
			return false, fmt.Errorf("private folder: %w", err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			os.RemoveAll(dir)
			return false, fmt.Errorf("private folder: %w", err)
		}
		m.dir, m.written = dir, map[string][]byte{}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := files[name]
		if old, ok := m.written[name]; ok && bytes.Equal(old, data) {
			continue
		}
		if err := writeAtomic(m.dir, name, data); err != nil {
			return changed, err
		}
		m.written[name] = data
		changed = true
	}
	for name := range m.written {
		if _, ok := files[name]; ok {
			continue
		}
		full, err := privatePath(m.dir, name)
		if err == nil {
			err = os.Remove(full)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return changed, fmt.Errorf("remove private output: %w", err)
		}
		delete(m.written, name)
		changed = true
	}
	return changed, nil
}

// privatePath maps a private output's slash path to a file in dir.
func privatePath(dir, name string) (string, error) {
	clean := path.Clean("/" + name)
	if clean == "/" || strings.ContainsRune(clean, 0) {
		return "", fmt.Errorf("bad private output path %q", name)
	}
	return filepath.Join(dir, filepath.FromSlash(clean[1:])), nil
}

// writeAtomic replaces dir/name with data: a temporary file in the same
// folder renamed over it, so that a reader sees the old or the new file,
// never half of one.
func writeAtomic(dir, name string, data []byte) error {
	full, err := privatePath(dir, name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	f, err := os.CreateTemp(filepath.Dir(full), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), full)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// closeRelay removes the private folder; the relay answers no more forms.
func (s *Server) closeRelay() {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	m := &s.mail
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	if m.dir != "" {
		if err := os.RemoveAll(m.dir); err != nil {
			fmt.Fprintf(s.log, "torg serve: den privata mappen %s kunde inte tas bort: %v\n", m.dir, err)
		}
	}
}

// RelayDir returns the private folder holding the relay's files, "" when
// there is none (tests).
func (s *Server) RelayDir() string {
	s.mail.mu.Lock()
	defer s.mail.mu.Unlock()
	return s.mail.dir
}

// relayHandler returns the development relay's form handler when the
// site has forms, else nil.
func (s *Server) relayHandler() http.Handler {
	dev := s.mail.dev.Load()
	if dev == nil {
		return nil
	}
	s.mu.RLock()
	forms := s.site != nil && s.site.Config.Relay.URL != ""
	s.mu.RUnlock()
	if !forms {
		return nil
	}
	return dev.Handler()
}

// mailbox returns the handler of MailboxPath.
func (s *Server) mailbox() http.Handler {
	if s.cfg.MailboxHandler != nil {
		return s.cfg.MailboxHandler
	}
	if dev := s.mail.dev.Load(); dev != nil {
		return dev.Mailbox()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		io.WriteString(w, mailboxPlaceholder)
	})
}

// relayLog turns the relay's log into terminal lines: accepted messages
// and problems; routine lines (table and layout loaded) are left out.
type relayLog struct {
	w       io.Writer
	mailbox string
	attrs   []slog.Attr
}

func (l *relayLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelInfo }

func (l *relayLog) Handle(_ context.Context, r slog.Record) error {
	attrs := append([]slog.Attr(nil), l.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	if r.Message == "post accepted" {
		ref := ""
		for _, a := range attrs {
			if a.Key == "reference" {
				ref = a.Value.String()
			}
		}
		_, err := fmt.Fprintf(l.w, "torg serve: kontaktformuläret tog emot %s; läs det på %s\n", ref, l.mailbox)
		return err
	}
	if r.Level < slog.LevelWarn {
		return nil
	}
	var b strings.Builder
	b.WriteString("torg serve: kontaktformulärens relä: ")
	b.WriteString(r.Message)
	for _, a := range attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(l.w, b.String())
	return err
}

func (l *relayLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &relayLog{w: l.w, mailbox: l.mailbox, attrs: append(append([]slog.Attr(nil), l.attrs...), as...)}
}

func (l *relayLog) WithGroup(string) slog.Handler { return l }
