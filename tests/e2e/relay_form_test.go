// Package e2e holds end-to-end tests that drive torg's output with a real
// browser and the Nu HTML checker.
//
// TestRelayFormInBrowser builds the example site, starts an SMTP test
// server, the relay and a small front server that does what the nginx
// example in docs/relay.md does (the built site from disk, /skriv/ and
// /tack/ proxied to the relay), fills the contact form in Debian's
// Chromium with tests/a11y/form.mjs and checks the e-mail that arrives.
//
// It needs node, tests/a11y/node_modules (installed with `npm ci` when
// missing), chromium and java. When one of them is missing the test is
// skipped, except under CI (CI set to anything but "" or "false"), where
// it fails.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
	"github.com/torgsite/torg/internal/relay"
	rform "github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/smtptest"
)

const secret = "e2e-secret-0123456789abcdef-0123456789"

func underCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// need skips the test for a missing tool, or fails it under CI.
func need(t *testing.T, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if underCI() {
		t.Fatalf("%s (CI is set, so this is a failure, not a skip)", msg)
	}
	t.Skipf("%s; skipping (set CI=true to make this a failure)", msg)
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", root)
	}
	return root
}

// prerequisites checks node, the a11y node_modules (running npm ci when
// they are missing), chromium and java.
func prerequisites(t *testing.T, root string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		need(t, "node is not installed")
	}
	a11y := filepath.Join(root, "tests", "a11y")
	if _, err := os.Stat(filepath.Join(a11y, "node_modules", "playwright-core")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			need(t, "tests/a11y/node_modules is missing and npm is not installed")
		}
		t.Logf("tests/a11y/node_modules missing: running npm ci")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = a11y
		if out, err := cmd.CombinedOutput(); err != nil {
			need(t, "npm ci in tests/a11y failed: %v\n%s", err, out)
		}
	}
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		need(t, "chromium not found at %s", chromium)
	}
	if _, err := exec.LookPath("java"); err != nil {
		need(t, "java is not installed (needed for the Nu HTML checker)")
	}
}

// syncBuffer collects log lines from several goroutines.
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

// buildSite builds the example portal into dir/public (and
// dir/public.relay) and returns the two folders.
func buildSite(t *testing.T, root, dir string) (public, private string) {
	t.Helper()
	public = filepath.Join(dir, "public")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	if _, err := build.Build(ctx, build.Options{Source: root, Dest: public, Registry: cli.Registry(), NoGit: true, Now: now}); err != nil {
		t.Fatalf("building the example site: %v", err)
	}
	private = public + build.PrivateSuffix
	if _, err := os.Stat(filepath.Join(private, build.RelayLayoutFile)); err != nil {
		t.Fatalf("the build wrote no relay layout: %v", err)
	}
	table := filepath.Join(private, "recipients.json")
	if _, err := os.Stat(table); err != nil {
		// The municipal types that write the table have not landed yet:
		// a small table of our own.
		t.Logf("no recipients.json from the build; writing a test table")
		os.WriteFile(table, []byte(`{"version":1,"recipients":[
{"id":"kommunen","name":"Karlsborgs kommun","title":"Allmänna frågor","address":"kommun@karlsborg.se","kind":"general"},
{"id":"tillganglighet","name":"Karlsborgs kommun","address":"kommun@karlsborg.se","kind":"accessibility"}]}`), 0o600)
	}
	return public, private
}

type stack struct {
	front  string // http://127.0.0.1:PORT, the site with the relay behind it
	smtp   *smtptest.Server
	logs   *syncBuffer
	from   string
	layout string
}

// startStack starts the SMTP test server, the relay and the front server.
func startStack(t *testing.T, public, private, outboxDir string) *stack {
	t.Helper()
	st := &stack{smtp: smtptest.Start(t, smtptest.Options{}), logs: &syncBuffer{}, from: "noreply@karlsborg.se", layout: filepath.Join(private, build.RelayLayoutFile)}
	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st.front = "http://" + frontLn.Addr().String()
	cfg := relay.Config{
		Listen:          "127.0.0.1:0",
		Origins:         []string{st.front},
		Recipients:      filepath.Join(private, "recipients.json"),
		Layout:          st.layout,
		Outbox:          outboxDir,
		From:            "Karlsborgs kommun <" + st.from + ">",
		Bounce:          "bounce@karlsborg.se",
		Registrar:       "registrator@karlsborg.se",
		Domains:         []string{"karlsborg.se"},
		SecretEnv:       "TORG_RELAY_SECRET",
		SiteName:        "Karlsborgs kommun",
		SiteURL:         st.front + "/",
		ReferencePrefix: "KBG",
		SMTP:            relay.SMTPConfig{Host: "127.0.0.1", Port: st.smtp.Port, TLS: "none", Timeout: relay.Duration(30 * time.Second)},
		Retry:           relay.RetryConfig{Initial: relay.Duration(100 * time.Millisecond), Max: relay.Duration(time.Second)},
	}
	srv, err := relay.New(cfg, relay.Deps{
		Getenv: func(k string) string {
			if k == "TORG_RELAY_SECRET" {
				return secret
			}
			return ""
		},
		Logger: slog.New(slog.NewTextHandler(st.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	relayLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, relayLn) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("relay: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("relay did not stop")
		}
	})

	// The front server does what the nginx example does.
	target, _ := url.Parse("http://" + relayLn.Addr().String())
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.Handle("/skriv/", proxy)
	mux.Handle("/tack/", proxy)
	mux.Handle("/", http.FileServer(http.Dir(public)))
	front := &httptest.Server{Listener: frontLn, Config: &http.Server{Handler: mux}}
	front.Start()
	t.Cleanup(front.Close)
	return st
}

// entry is what form.mjs types into the form.
type entry struct {
	Name    string `json:"Namn"`
	Email   string `json:"E-post"`
	Subject string `json:"Ämne"`
	Message string `json:"Meddelande"`
}

func formEntry(t *testing.T, root string) entry {
	t.Helper()
	cmd := exec.Command("node", "--input-type=module", "-e",
		`const m = await import('./tests/a11y/form.mjs'); console.log(JSON.stringify(m.ENTRY));`)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reading ENTRY from form.mjs: %v", err)
	}
	var e entry
	if err := json.Unmarshal(out, &e); err != nil || e.Message == "" || e.Email == "" {
		t.Fatalf("ENTRY from form.mjs: %v %q", err, out)
	}
	return e
}

func runNode(t *testing.T, root string, timeout time.Duration, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = root
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestRelayFormInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs a browser")
	}
	root := moduleRoot(t)
	prerequisites(t, root)
	want := formEntry(t, root)
	dir := t.TempDir()
	public, private := buildSite(t, root, dir)
	st := startStack(t, public, private, filepath.Join(dir, "outbox"))
	defer func() {
		if t.Failed() {
			t.Logf("relay log:\n%s", st.logs.String())
		}
	}()

	// The form, filled and sent in Chromium, with axe on both pages.
	stdout, stderr, err := runNode(t, root, 5*time.Minute, "tests/a11y/form.mjs", st.front+"/skriv/kommunen")
	if err != nil {
		t.Fatalf("form.mjs: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	var res struct {
		Status    int    `json:"status"`
		URL       string `json:"url"`
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal([]byte(lastLine(stdout)), &res); err != nil {
		t.Fatalf("form.mjs output %q: %v", stdout, err)
	}
	ref := res.Reference
	if res.Status != 200 || !outbox.ValidReference(ref) || res.URL != st.front+"/tack/"+ref {
		t.Fatalf("form.mjs result %+v", res)
	}

	// Exactly that message arrived, with the typed text intact.
	hasRef := func(ms []smtptest.Received) bool {
		for _, m := range ms {
			if bytes.Contains(m.Data, []byte("\r\nX-Torg-Reference: "+ref+"\r\n")) {
				return true
			}
		}
		return false
	}
	msgs := st.smtp.Wait(2*time.Minute, hasRef)
	if len(msgs) != 1 {
		t.Fatalf("%d messages at the SMTP server, want 1", len(msgs))
	}
	got := msgs[0]
	m, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := m.Header.AddressList("From")
	if len(from) != 1 || from[0].Address != st.from {
		t.Errorf("From %v, want the relay's %s", from, st.from)
	}
	replyTo, err := m.Header.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Address != want.Email || replyTo[0].Name != want.Name {
		t.Errorf("Reply-To %v (%v), want %s <%s>", replyTo, err, want.Name, want.Email)
	}
	for _, to := range got.To {
		if strings.EqualFold(to, want.Email) {
			t.Errorf("mail sent to the address the citizen typed")
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != "["+ref+"] "+want.Subject {
		t.Errorf("Subject %q (%v)", subject, err)
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	wantBody := strings.ReplaceAll(want.Message, "\n", "\r\n")
	if !bytes.Contains(body, []byte(wantBody)) {
		t.Errorf("the message text did not arrive intact; want %q in\n%s", wantBody, body)
	}

	// The thank-you page shows the reference.
	if r := get(t, st.front+"/tack/"+ref); r.code != 200 || !strings.Contains(r.body, ref) {
		t.Errorf("thank-you page %d", r.code)
	}

	checkCSPInBrowser(t, root, st)
	validatePages(t, root, dir, st, private, ref)
}

// checkCSPInBrowser loads the form in Chromium and checks that the
// relay's CSP blocked nothing and the layout's inline brand colour
// applies.
func checkCSPInBrowser(t *testing.T, root string, st *stack) {
	t.Helper()
	layout, err := os.ReadFile(st.layout)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runNode(t, root, 3*time.Minute, "tests/e2e/csp.mjs", st.front+"/skriv/kommunen")
	if err != nil {
		t.Fatalf("csp.mjs: %v\n%s\n%s", err, stdout, stderr)
	}
	var res struct {
		Status     int      `json:"status"`
		Brand      string   `json:"brand"`
		Violations []string `json:"violations"`
	}
	if err := json.Unmarshal([]byte(lastLine(stdout)), &res); err != nil {
		t.Fatalf("csp.mjs output %q: %v", stdout, err)
	}
	if res.Status != 200 || len(res.Violations) > 0 {
		t.Errorf("CSP in the browser: status %d, violations %q", res.Status, res.Violations)
	}
	if m := regexp.MustCompile(`<style>[^<]*--brand:\s*([^;}]+)`).FindSubmatch(layout); m != nil {
		if res.Brand != strings.TrimSpace(string(m[1])) {
			t.Errorf("--brand is %q in the browser, want %q from the layout's inline style", res.Brand, m[1])
		}
	} else {
		t.Logf("the layout has no inline --brand style; brand check skipped")
	}
}

type response struct {
	code int
	body string
}

func get(t *testing.T, u string) response {
	t.Helper()
	return do(t, "GET", u, nil, nil)
}

func do(t *testing.T, method, u string, body url.Values, hdr map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b)}
}

var tokenRE = regexp.MustCompile(`name="t" value="([^"]+)"`)

// validatePages runs the Nu HTML checker on the relay's pages: with the
// site's layout (form, validation errors, thank-you page, unknown
// recipient, page-error and accessibility forms) and with the built-in layout and the development mailbox.
func validatePages(t *testing.T, root, dir string, st *stack, private, ref string) {
	t.Helper()
	pages := map[string]string{}
	form := get(t, st.front+"/skriv/kommunen")
	if form.code != 200 {
		t.Fatalf("form page %d", form.code)
	}
	pages["site-form"] = form.body
	if tokenRE.FindStringSubmatch(form.body) == nil {
		t.Fatal("no token on the form page")
	}
	// A token as if the form had been shown a minute ago, so that the
	// page shows field errors and not "sent too fast".
	signer, err := rform.NewSigner([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	bad := url.Values{"t": {signer.Issue("kommunen", time.Now().Add(-time.Minute))}, "namn": {"Åsa"}, "epost": {"inte en adress"}, "amne": {""}, "meddelande": {""}, "webbplats": {""}}
	inv := do(t, "POST", st.front+"/skriv/kommunen", bad, map[string]string{"Origin": st.front})
	if inv.code != http.StatusUnprocessableEntity || !strings.Contains(inv.body, `href="#f-epost"`) || !strings.Contains(inv.body, `href="#f-meddelande"`) || strings.Contains(inv.body, "snabbt") {
		t.Fatalf("validation error page %d", inv.code)
	}
	pages["site-invalid"] = inv.body
	pages["site-thanks"] = get(t, st.front+"/tack/"+ref).body
	pages["site-notfound"] = get(t, st.front+"/skriv/finns-inte").body
	pages["site-pageerror"] = get(t, st.front+"/skriv/kommunen?sida=/kontakt/").body
	pages["site-accessibility"] = get(t, st.front+"/skriv/tillganglighet").body

	// The built-in layout and the development mailbox, through NewDev.
	dev, err := relay.NewDev(relay.DevConfig{Recipients: filepath.Join(private, "recipients.json"), SiteName: "Karlsborgs kommun", SiteURL: "/", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/skriv/", dev.Handler())
	mux.Handle("/tack/", dev.Handler())
	mux.Handle("/_torg/mail", dev.Mailbox())
	ds := httptest.NewServer(mux)
	defer ds.Close()
	dform := get(t, ds.URL+"/skriv/kommunen")
	pages["builtin-form"] = dform.body
	dtok := tokenRE.FindStringSubmatch(dform.body)
	if dtok == nil {
		t.Fatal("no token on the dev form page")
	}
	pages["builtin-invalid"] = do(t, "POST", ds.URL+"/skriv/kommunen", url.Values{"t": {dtok[1]}, "epost": {"x"}}, nil).body
	ok := url.Values{"t": {dtok[1]}, "namn": {"Åsa <Öberg>"}, "epost": {"asa@example.se"}, "amne": {"Hej"}, "meddelande": {"Rad ett\r\nRad två & <tre>"}}
	dres := do(t, "POST", ds.URL+"/skriv/kommunen", ok, nil)
	if dres.code != http.StatusSeeOther {
		t.Fatalf("dev post %d", dres.code)
	}
	pages["builtin-thanks"] = get(t, ds.URL+"/tack/"+dev.Messages()[0].Reference).body
	pages["builtin-notfound"] = get(t, ds.URL+"/skriv/finns-inte").body
	pages["dev-mailbox"] = get(t, ds.URL+"/_torg/mail").body
	pages["dev-mailbox-empty"] = func() string {
		d2, err := relay.NewDev(relay.DevConfig{Recipients: filepath.Join(dir, "none.json"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		d2.Mailbox().ServeHTTP(rec, httptest.NewRequest("GET", "/_torg/mail", nil))
		return rec.Body.String()
	}()

	vdir := filepath.Join(dir, "vnu")
	os.MkdirAll(vdir, 0o755)
	var files []string
	for name, body := range pages {
		if !strings.Contains(body, "<main") {
			t.Errorf("%s: not a relay page:\n%s", name, body)
		}
		f := filepath.Join(vdir, name+".html")
		os.WriteFile(f, []byte(body), 0o644)
		files = append(files, f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"-jar", filepath.Join(root, "tests", "a11y", "node_modules", "vnu-jar", "build", "dist", "vnu.jar"), "--errors-only", "--format", "gnu"}, files...)
	out, err := exec.CommandContext(ctx, "java", args...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("Nu HTML checker: %v\n%s", err, out)
	}
}
