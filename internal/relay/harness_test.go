package relay

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/smtptest"
)

// waitLong bounds every wait for a condition: generous, because the
// tests run on loaded machines and under the race detector; waits end as
// soon as the condition holds.
const waitLong = 60 * time.Second

const (
	testOrigin = "https://www.karlsborg.se"
	testSecret = "test-secret-0123456789abcdef-0123456789"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t      testing.TB
	dir    string
	cfg    Config
	smtp   *smtptest.Server
	srv    *Server
	base   string
	logs   *syncBuffer
	fs     *outbox.FaultFS
	cancel context.CancelFunc
	done   chan error
	client *http.Client
}

type option func(*harness)

func testConfig(dir string, smtpPort int) Config {
	zero := Duration(0)
	_ = zero
	min := Duration(3 * time.Second)
	return Config{
		Listen:          "127.0.0.1:0",
		Origins:         []string{testOrigin},
		Recipients:      filepath.Join(dir, "recipients.json"),
		Outbox:          filepath.Join(dir, "outbox"),
		From:            "Karlsborgs kommun <noreply@karlsborg.se>",
		Bounce:          "bounce@karlsborg.se",
		Registrar:       "registrator@karlsborg.se",
		Fallback:        "diarium@karlsborg.se",
		Domains:         []string{"karlsborg.se"},
		SecretEnv:       "TORG_RELAY_SECRET",
		SiteName:        "Karlsborgs kommun",
		SiteURL:         testOrigin + "/",
		ReferencePrefix: "KBG",
		ReloadInterval:  Duration(50 * time.Millisecond),
		SMTP:            SMTPConfig{Host: "127.0.0.1", Port: smtpPort, TLS: "none", Timeout: Duration(5 * time.Second)},
		Retry:           RetryConfig{Initial: Duration(20 * time.Millisecond), Max: Duration(200 * time.Millisecond), GiveUp: Duration(96 * time.Hour), Scan: Duration(50 * time.Millisecond), Workers: 4},
		Limits:          LimitsConfig{MinFill: &min, PerIPBurst: 1000, PerIPInterval: Duration(time.Millisecond), PerRecipientBurst: 1000, PerRecipientInterval: Duration(time.Millisecond)},
	}
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func newHarness(t testing.TB, opts ...func(*Config, *harness)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), logs: &syncBuffer{}, fs: &outbox.FaultFS{FS: outbox.OS{}}}
	if h.smtp == nil {
		h.smtp = smtptest.Start(t, smtptest.Options{})
	}
	h.cfg = testConfig(h.dir, h.smtp.Port)
	copyFile(t, "testdata/recipients.json", h.cfg.Recipients)
	for _, o := range opts {
		o(&h.cfg, h)
	}
	h.start()
	return h
}

func (h *harness) start() {
	h.t.Helper()
	srv, err := New(h.cfg, Deps{
		Getenv: func(k string) string {
			if k == "TORG_RELAY_SECRET" {
				return testSecret
			}
			return ""
		},
		FS:     h.fs,
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	h.base = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- srv.Serve(ctx, ln) }()
	h.client = &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       waitLong,
	}
	h.t.Cleanup(h.stop)
	h.t.Cleanup(func() {
		if h.t.Failed() {
			h.t.Logf("relay log:\n%s", h.logs.String())
		}
	})
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Serve: %v", err)
		}
	case <-time.After(waitLong):
		h.t.Errorf("Serve did not return after cancel")
	}
	h.cancel = nil
}

// token mints a timestamp token as if the form had been shown age ago.
func (h *harness) token(id string, age time.Duration) string {
	return h.srv.Signer().Issue(id, time.Now().Add(-age))
}

func (h *harness) values(id string) url.Values {
	return url.Values{
		"namn":       {"Åsa Öberg"},
		"epost":      {"asa.oberg@example.com"},
		"amne":       {"Fråga om snöröjning"},
		"meddelande": {"Hej!\r\nNär plogas Storgatan?"},
		"t":          {h.token(id, 10*time.Second)},
		"webbplats":  {""},
	}
}

type resp struct {
	code int
	hdr  http.Header
	body string
}

func (h *harness) do(method, path string, body io.Reader, hdr map[string]string) resp {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func (h *harness) postRaw(id, raw string, hdr map[string]string) resp {
	h.t.Helper()
	all := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": testOrigin}
	for k, v := range hdr {
		if v == "" {
			delete(all, k)
		} else {
			all[k] = v
		}
	}
	return h.do("POST", "/skriv/"+id, strings.NewReader(raw), all)
}

func (h *harness) post(id string, v url.Values) resp {
	h.t.Helper()
	return h.postRaw(id, v.Encode(), nil)
}

func (h *harness) get(path string) resp {
	h.t.Helper()
	return h.do("GET", path, nil, nil)
}

func (h *harness) queue() []outbox.Entry {
	es, err := h.srv.Outbox().List(outbox.Queue)
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

func (h *harness) dirFiles(sub string) []string {
	ents, _ := os.ReadDir(filepath.Join(h.cfg.Outbox, sub))
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// refFrom returns the reference from a 303 response.
func refFrom(t testing.TB, r resp) string {
	t.Helper()
	if r.code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", r.code, r.body)
	}
	loc := r.hdr.Get("Location")
	ref, ok := strings.CutPrefix(loc, "/tack/")
	if !ok || !outbox.ValidReference(ref) {
		t.Fatalf("Location %q", loc)
	}
	return ref
}

func hasRef(ref string) func([]smtptest.Received) bool {
	return func(ms []smtptest.Received) bool {
		for _, m := range ms {
			if bytes.Contains(m.Data, []byte("X-Torg-Reference: "+ref+"\r\n")) {
				return true
			}
		}
		return false
	}
}

func findRef(ms []smtptest.Received, ref string) []smtptest.Received {
	var out []smtptest.Received
	for _, m := range ms {
		if bytes.Contains(m.Data, []byte("X-Torg-Reference: "+ref+"\r\n")) {
			out = append(out, m)
		}
	}
	return out
}

type slogLogger = slog.Logger

func newDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
