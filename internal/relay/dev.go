package relay

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/mailmsg"
	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/ratelimit"
)

// DevConfig configures the development relay of `torg serve` (NewDev).
type DevConfig struct {
	// Recipients is the recipient table written by the build
	// (public.relay/recipients.json). It may be missing at start (a site
	// without contact forms); it is read again whenever it changes.
	Recipients string
	// Layout is the relay layout written by the build
	// (public.relay/layout.html); "" or missing means the built-in one.
	Layout string
	// SiteURL is the address of the served site, e.g.
	// "http://127.0.0.1:1313/"; it is used for links on the relay's pages.
	SiteURL string
	// SiteName is shown on the pages and in the e-mail; "" means
	// "Webbplatsen".
	SiteName string
	// PrivacyURL is the privacy notice; "" means
	// SiteURL + "om-webbplatsen/personuppgifter/".
	PrivacyURL string
	// MailboxPath is where Mailbox is mounted; "" means "/_torg/mail". The
	// thank-you page links to it.
	MailboxPath string
	// Limit is how many messages the mailbox keeps (oldest dropped first);
	// 0 means 200.
	Limit int
	// Logger receives the relay's log lines; nil means slog.Default().
	Logger *slog.Logger
}

// Dev is an in-process relay for `torg serve`: the same forms, validation,
// error pages and thank-you page as `torg relay`, but accepted messages
// are kept in an in-memory development mailbox instead of being sent.
// Nothing is written to disk and nothing is sent anywhere.
//
// Differences from production, so that forms can be tried out at once:
// no minimum time between showing and posting the form (the signed
// timestamp must still be valid and at most 24 h old); posts are accepted
// without an Origin or Referer, from loopback origins and from the
// server's own origin (the request's Host); no rate limits; the HMAC key
// is random per process; recipient addresses in any domain are accepted.
//
// Dev is safe for concurrent use.
type Dev struct {
	s *Server
}

// DevMessage is one message in the development mailbox.
type DevMessage struct {
	Reference   string
	Received    time.Time
	RecipientID string
	Form        string // "kontakt", "fel" or "tillganglighet"
	// Headers are the decoded e-mail headers in the order they would be
	// sent (From, To, Cc, Reply-To, Subject, Date, Message-ID, ...).
	Headers []DevHeader
	Subject string // decoded Subject header
	Body    string // decoded text/plain body, LF line ends
	// Raw is the complete message exactly as it would go to the SMTP
	// server (CRLF, MIME-encoded).
	Raw []byte
}

// DevHeader is one decoded e-mail header.
type DevHeader struct{ Name, Value string }

type devBox struct {
	path  string
	limit int

	mu   sync.Mutex
	seq  int
	msgs []DevMessage // oldest first
}

// NewDev returns a development relay. Mount Handler at /skriv/ and /tack/
// and Mailbox at DevConfig.MailboxPath (default /_torg/mail).
func NewDev(dc DevConfig) (*Dev, error) {
	if dc.Logger == nil {
		dc.Logger = slog.Default()
	}
	if dc.MailboxPath == "" {
		dc.MailboxPath = "/_torg/mail"
	}
	if !strings.HasPrefix(dc.MailboxPath, "/") {
		return nil, fmt.Errorf("relay dev: mailbox path %q must start with /", dc.MailboxPath)
	}
	if dc.Limit <= 0 {
		dc.Limit = 200
	}
	if dc.Recipients == "" {
		return nil, errors.New("relay dev: recipient table path is required")
	}
	if dc.SiteURL == "" {
		dc.SiteURL = "/"
	}
	if dc.SiteName == "" {
		dc.SiteName = "Webbplatsen"
	}
	if dc.PrivacyURL == "" {
		dc.PrivacyURL = strings.TrimRight(dc.SiteURL, "/") + "/om-webbplatsen/personuppgifter/"
	}
	minFill := Duration(0)
	off := false
	cfg := Config{
		Recipients:      dc.Recipients,
		Layout:          dc.Layout,
		Registrar:       "registrator@torg-dev.invalid",
		SiteName:        dc.SiteName,
		SiteURL:         dc.SiteURL,
		PrivacyURL:      dc.PrivacyURL,
		ReferencePrefix: "DEV",
		RequireOrigin:   &off,
		Timezone:        "Europe/Stockholm",
		Limits:          LimitsConfig{BodyBytes: MaxBodyBytes, MinFill: &minFill, MaxAge: Duration(24 * time.Hour)},
	}
	var key [32]byte
	rand.Read(key[:])
	signer, err := form.NewSigner(key[:])
	if err != nil {
		return nil, fmt.Errorf("relay dev: %w", err)
	}
	s := &Server{
		cfg: cfg, log: dc.Logger, now: time.Now, signer: signer,
		wake: make(chan struct{}, 1),
		dev:  &devBox{path: dc.MailboxPath, limit: dc.Limit},
	}
	s.loc, _ = time.LoadLocation(cfg.Timezone)
	if s.loc == nil {
		s.loc = time.Local
	}
	if !mailmsg.SafeLine(dc.SiteName) {
		return nil, errors.New("relay dev: site name has control characters")
	}
	s.from = &mail.Address{Name: dc.SiteName, Address: "noreply@torg-dev.invalid"}
	// No rate limits in development; the limiters still need to exist.
	s.ipLimit = ratelimit.New(1<<30, time.Nanosecond, 1000, s.now)
	s.rcptLimit = ratelimit.New(1<<30, time.Nanosecond, 1000, s.now)
	s.table.Store(&Table{})
	d := &Dev{s: s}
	if err := d.Reload(); err != nil {
		return nil, err
	}
	s.handler = s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.refresh()
		s.devRoutes().ServeHTTP(w, r)
	}))
	return d, nil
}

func (s *Server) devRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /skriv/{id}", s.handleForm)
	mux.HandleFunc("POST /skriv/{id}", s.handlePost)
	mux.HandleFunc("GET /tack/{ref}", s.handleThanks)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, http.StatusNotFound, pageData{Title: "Sidan finns inte", Error: &errorView{
			Heading: "Sidan finns inte",
			Text:    []string{"Adressen leder inte till något formulär."},
			LinkURL: s.cfg.SiteURL, LinkText: "Till startsidan",
		}})
	})
	return mux
}

// Handler serves GET and POST /skriv/{id} and GET /tack/{reference}, with
// the relay's security headers.
func (d *Dev) Handler() http.Handler { return d.s.handler }

// Mailbox serves the development mailbox: an accessible Swedish page
// that lists every message with its headers and text, newest first. It
// answers GET and HEAD at any path it is mounted on.
func (d *Dev) Mailbox() http.Handler {
	return d.s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Endast GET.", http.StatusMethodNotAllowed)
			return
		}
		msgs := d.Messages()
		mv := &mailboxView{}
		for i := len(msgs) - 1; i >= 0; i-- {
			mv.Messages = append(mv.Messages, msgs[i])
		}
		d.s.renderWith(w, builtinPages, http.StatusOK, pageData{Title: "Utvecklingsbrevlåda", Mailbox: mv})
	}))
}

// Messages returns a copy of the mailbox, oldest first.
func (d *Dev) Messages() []DevMessage {
	b := d.s.dev
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]DevMessage(nil), b.msgs...)
}

// Reload reads the recipient table and the layout again (call it after a
// rebuild; changed files are also noticed on the next request). A missing
// recipient table means no recipients; a broken one keeps the previous
// table and is reported.
func (d *Dev) Reload() error {
	s := d.s
	s.loadPages(true)
	if _, err := os.Stat(s.cfg.Recipients); errors.Is(err, fs.ErrNotExist) {
		s.table.Store(&Table{})
		s.reloadMu.Lock()
		s.tableStat = fileStamp{}
		s.reloadMu.Unlock()
		return nil
	}
	return s.loadTable(true)
}

// refresh picks up a changed recipient table or layout.
func (d *Dev) refresh() {
	s := d.s
	if _, err := os.Stat(s.cfg.Recipients); errors.Is(err, fs.ErrNotExist) {
		if s.table.Load().Len() > 0 {
			d.Reload()
		}
	} else if err := s.loadTable(false); err != nil {
		s.log.Debug("recipient table check", "err", err)
	}
	s.loadPages(false)
}

type mailboxView struct {
	Messages []DevMessage
}

// accept composes the message exactly as the relay would send it and
// keeps it in memory.
func (b *devBox) accept(s *Server, rec *Recipient, sp formSpec, f form.Fields) (string, error) {
	now := s.now()
	b.mu.Lock()
	b.seq++
	ref := fmt.Sprintf("%s-%d-%06d", s.cfg.ReferencePrefix, now.In(s.loc).Year(), b.seq)
	b.mu.Unlock()
	subject := f.Subject
	if subject == "" {
		subject = sp.defaultSubject
	}
	m := &outbox.Message{
		Reference: ref, MessageID: s.newMessageID(ref), Created: now, Queued: now,
		Form: sp.kind, RecipientID: rec.ID, RecipientName: rec.Name,
		Name: f.Name, Email: f.Email, Subject: subject, Body: f.Message, Page: f.Page,
	}
	seen := map[string]bool{}
	for _, r := range sp.to {
		if a := strings.ToLower(r.Address); !seen[a] {
			seen[a] = true
			m.To = append(m.To, outbox.Address{Name: r.Name, Address: r.Address})
		}
	}
	raw, _, err := s.compose(m)
	if err != nil {
		return "", err
	}
	dm, err := decodeDevMessage(raw)
	if err != nil {
		return "", err
	}
	dm.Reference, dm.Received, dm.RecipientID, dm.Form, dm.Raw = ref, now, rec.ID, sp.kind, raw
	b.mu.Lock()
	b.msgs = append(b.msgs, dm)
	if len(b.msgs) > b.limit {
		b.msgs = append([]DevMessage(nil), b.msgs[len(b.msgs)-b.limit:]...)
	}
	b.mu.Unlock()
	return ref, nil
}

var devHeaderOrder = []string{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-Id", "X-Torg-Reference", "X-Torg-Form", "X-Torg-Recipient"}

// decodeDevMessage reads a composed message back into readable headers
// and text, so the mailbox shows what a mail program would.
func decodeDevMessage(raw []byte) (DevMessage, error) {
	var dm DevMessage
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return dm, fmt.Errorf("relay dev: composed message unreadable: %w", err)
	}
	dec := new(mime.WordDecoder)
	for _, k := range devHeaderOrder {
		v := m.Header.Get(k)
		if v == "" {
			continue
		}
		switch k {
		case "From", "To", "Cc", "Reply-To":
			if as, err := (&mail.AddressParser{WordDecoder: dec}).ParseList(v); err == nil {
				parts := make([]string, len(as))
				for i, a := range as {
					parts[i] = "<" + a.Address + ">"
					if a.Name != "" {
						parts[i] = a.Name + " " + parts[i]
					}
				}
				v = strings.Join(parts, ", ")
			}
		default:
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
		}
		if k == "Message-Id" {
			k = "Message-ID"
		}
		dm.Headers = append(dm.Headers, DevHeader{Name: k, Value: v})
		if k == "Subject" {
			dm.Subject = v
		}
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return dm, fmt.Errorf("relay dev: composed message body: %w", err)
	}
	dm.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return dm, nil
}

// devOriginOK accepts posts without Origin and Referer, from loopback
// hosts and from the server's own origin.
func devOriginOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
