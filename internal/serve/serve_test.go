package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var testSite = map[string]string{
	"torg.toml": `title = "Provkommun"
baseURL = "https://prov.example/"
language = "sv"
timeZone = "Europe/Stockholm"
`,
	"content/_index.md":          "---\ntitle: Startsida\n---\nVälkommen.\n",
	"content/tjanster/_index.md": "---\ntitle: Tjänster\n---\nAlla tjänster.\n",
	"content/tjanster/a.md":      "---\ntitle: Sida A\ndate: 2026-01-10\n---\n## Om A\n\nFörsta versionen av A.\n",
	"content/tjanster/b.md":      "---\ntitle: Sida B\ndate: 2026-01-11\n---\nSida B.\n",
	"content/om.md":              "---\ntitle: Om oss\n---\nOm oss.\n",
	"content/utkast.md":          "---\ntitle: Ett utkast\ndraft: true\n---\nInte klart.\n",
}

func writeSite(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sse reads server-sent events into a channel.
type sse struct {
	events chan event
	resp   *http.Response
}

func connect(t testing.TB, base string) *sse {
	t.Helper()
	resp, err := http.Get(base + EventsPath)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events content type %q", ct)
	}
	s := &sse{events: make(chan event, 1000), resp: resp}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = []byte(line[6:])
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return s
}

// next waits for the next event named one of names, skipping others.
func (s *sse) next(t testing.TB, timeout time.Duration, names ...string) event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("event stream closed while waiting for %v", names)
			}
			for _, n := range names {
				if ev.name == n {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", names, timeout)
		}
	}
}

// nextReload waits for a reload event naming page.
func (s *sse) nextReload(t testing.TB, timeout time.Duration, page string) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ev := s.next(t, time.Until(deadline), "reload")
		var d struct {
			All   bool     `json:"all"`
			Pages []string `json:"pages"`
		}
		json.Unmarshal(ev.data, &d)
		for _, p := range d.Pages {
			if p == page {
				return d.Pages
			}
		}
		if d.All {
			return nil
		}
	}
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls fn until it returns "" or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, fn func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msg := fn()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type running struct {
	s    *Server
	base string
	dir  string
	log  *syncBuffer
	stop func()
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func start(t testing.TB, cfg Config) *running {
	t.Helper()
	if cfg.Source == "" {
		cfg.Source = t.TempDir()
		writeSite(t, cfg.Source, testSite)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.NoGit = true
	if cfg.Quiet == 0 {
		cfg.Quiet = 15 * time.Millisecond
	}
	log := &syncBuffer{}
	cfg.Log = log
	s := New(cfg)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	r := &running{s: s, base: "http://" + s.Addr(), dir: cfg.Source, log: log}
	var once sync.Once
	r.stop = func() { once.Do(func() { stopRun(t, cancel, done) }) }
	t.Cleanup(r.stop)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer wcancel()
	if err := s.Wait(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return r
}

// stopRun cancels a running server and waits for Run to return.
func stopRun(t testing.TB, cancel func(), done chan error) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("Run did not return within 10 s of cancel")
	}
}

func (r *running) write(t testing.TB, rel, data string) {
	t.Helper()
	writeSite(t, r.dir, map[string]string{rel: data})
}

func TestServeEdits(t *testing.T) {
	r := start(t, Config{Drafts: true})
	base := r.base

	code, body := get(t, base+"/tjanster/a/")
	if code != 200 || !strings.Contains(body, "Första versionen av A") {
		t.Fatalf("GET /tjanster/a/: %d %.200s", code, body)
	}
	if !strings.Contains(body, scriptTag+"</body>") {
		t.Errorf("the live-reload script is not injected before </body>")
	}
	if code, body := get(t, base+"/utkast/"); code != 200 || !strings.Contains(body, "Utkast") {
		t.Errorf("draft page: %d, want it shown with the Utkast marker", code)
	}
	if code, _ := get(t, base+"/finns-inte/"); code != 404 {
		t.Errorf("missing page: %d, want 404", code)
	}
	if code, _ := get(t, base+"/tjanster/a"); code != 200 {
		t.Errorf("page without slash: %d, want it redirected to the page", code)
	}
	if code, body := get(t, base+MailboxPath); code != 200 || !strings.Contains(body, "Utvecklingsbrevlådan") || !strings.Contains(body, `lang="sv"`) {
		t.Errorf("mailbox placeholder: %d %.200s", code, body)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "public")); err == nil {
		t.Errorf("serve wrote public/")
	}

	ev := connect(t, base)
	ev.next(t, 5*time.Second, "hello")

	t.Run("write", func(t *testing.T) {
		r.write(t, "content/tjanster/a.md", "---\ntitle: Sida A\ndate: 2026-01-10\n---\n## Om A\n\nAndra versionen av A.\n")
		pages := ev.nextReload(t, 10*time.Second, "/tjanster/a/")
		for _, p := range pages {
			if p == "/tjanster/b/" || p == "/om/" {
				t.Errorf("reload names %s, which did not change (pages %v)", p, pages)
			}
		}
		if _, body := get(t, base+"/tjanster/a/"); !strings.Contains(body, "Andra versionen av A") {
			t.Errorf("edited page not served")
		}
	})

	t.Run("rename over (atomic save)", func(t *testing.T) {
		// vim: probe file 4913, backup a.md~, then the new file; other
		// editors: write a temporary file and rename it over.
		os.WriteFile(filepath.Join(r.dir, "content/tjanster/4913"), nil, 0o644)
		os.Remove(filepath.Join(r.dir, "content/tjanster/4913"))
		os.WriteFile(filepath.Join(r.dir, "content/tjanster/a.md~"), []byte("backup"), 0o644)
		os.WriteFile(filepath.Join(r.dir, "content/tjanster/.a.md.swp"), []byte("swap"), 0o644)
		tmp := filepath.Join(r.dir, "content/tjanster/a.md.tmp")
		os.WriteFile(tmp, []byte("---\ntitle: Sida A\ndate: 2026-01-10\n---\nTredje versionen av A.\n"), 0o644)
		if err := os.Rename(tmp, filepath.Join(r.dir, "content/tjanster/a.md")); err != nil {
			t.Fatal(err)
		}
		ev.nextReload(t, 10*time.Second, "/tjanster/a/")
		if _, body := get(t, base+"/tjanster/a/"); !strings.Contains(body, "Tredje versionen av A") {
			t.Errorf("page saved by rename not served")
		}
		for _, f := range []string{"a.md~", ".a.md.swp"} {
			os.Remove(filepath.Join(r.dir, "content/tjanster", f))
		}
	})

	t.Run("delete", func(t *testing.T) {
		os.Remove(filepath.Join(r.dir, "content/om.md"))
		ev.nextReload(t, 10*time.Second, "/om/")
		if code, _ := get(t, base+"/om/"); code != 404 {
			t.Errorf("deleted page: %d, want 404", code)
		}
	})

	t.Run("new folder", func(t *testing.T) {
		os.MkdirAll(filepath.Join(r.dir, "content/ny/djup"), 0o755)
		r.write(t, "content/ny/djup/sida.md", "---\ntitle: Ny sida\n---\nI en ny mapp.\n")
		eventually(t, 10*time.Second, func() string {
			if code, body := get(t, base+"/ny/djup/sida/"); code != 200 || !strings.Contains(body, "I en ny mapp") {
				return fmt.Sprintf("page in a new folder: %d", code)
			}
			return ""
		})
		// A file in a folder created after the first: the new folder
		// must be watched too.
		r.write(t, "content/ny/djup/till.md", "---\ntitle: Till\n---\nÄnnu en.\n")
		eventually(t, 10*time.Second, func() string {
			if code, _ := get(t, base+"/ny/djup/till/"); code != 200 {
				return fmt.Sprintf("second page in the new folder: %d", code)
			}
			return ""
		})
	})

	t.Run("error overlay", func(t *testing.T) {
		r.write(t, "content/tjanster/b.md", "---\ntitle: [Sida B\n---\nTrasig.\n")
		e := ev.next(t, 10*time.Second, "failed")
		if !strings.Contains(string(e.data), "content/tjanster/b.md:") {
			t.Errorf("failed event %s, want file:line", e.data)
		}
		_, body := get(t, base+"/tjanster/a/")
		if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "content/tjanster/b.md:") || !strings.Contains(body, "Tredje versionen av A") {
			t.Errorf("page during an error: want the last good page with an overlay naming file:line, got %.300s", body)
		}
		if !strings.Contains(r.log.String(), "content/tjanster/b.md:") {
			t.Errorf("terminal does not show the error:\n%s", r.log.String())
		}
		r.write(t, "content/tjanster/b.md", "---\ntitle: Sida B\ndate: 2026-01-11\n---\nLagad.\n")
		ev.next(t, 10*time.Second, "ok")
		ev.nextReload(t, 10*time.Second, "/tjanster/b/")
		if _, body := get(t, base+"/tjanster/a/"); strings.Contains(body, `role="alert"`) {
			t.Errorf("overlay still shown after the fix")
		}
	})

	t.Run("css", func(t *testing.T) {
		r.write(t, "assets/css/main.css", "body { color: #123456 }\n")
		e := ev.next(t, 10*time.Second, "css", "reload")
		if e.name != "css" {
			t.Fatalf("got %s %s, want a css event first", e.name, e.data)
		}
		var d struct{ Swap map[string]string }
		json.Unmarshal(e.data, &d)
		if len(d.Swap) != 1 {
			t.Fatalf("css event %s", e.data)
		}
		for _, u := range d.Swap {
			if code, body := get(t, base+u); code != 200 || !strings.Contains(body, "#123456") {
				t.Errorf("new stylesheet %s: %d %q", u, code, body)
			}
		}
		// No page reloads for a stylesheet change.
		select {
		case e := <-ev.events:
			if e.name == "reload" {
				t.Errorf("a CSS change reloaded pages: %s", e.data)
			}
		case <-time.After(300 * time.Millisecond):
		}
	})

	t.Run("burst", func(t *testing.T) {
		before := r.s.Status().Builds
		for i := 0; i < 500; i++ {
			r.write(t, fmt.Sprintf("content/massa/sida-%03d.md", i), fmt.Sprintf("---\ntitle: Massa %d\n---\nText %d.\n", i, i))
		}
		eventually(t, 60*time.Second, func() string {
			if code, _ := get(t, base+"/massa/sida-499/"); code != 200 {
				return "the last of 500 new pages is not served"
			}
			return ""
		})
		for i := 0; i < 500; i += 37 {
			if code, _ := get(t, base+fmt.Sprintf("/massa/sida-%03d/", i)); code != 200 {
				t.Errorf("page %d of the burst: %d", i, code)
			}
		}
		if n := r.s.Status().Builds - before; n > 60 {
			t.Errorf("500 changes took %d rebuilds; bursts should be debounced", n)
		}
	})
}

func TestDraftsHidden(t *testing.T) {
	r := start(t, Config{Drafts: false, NoWatch: true})
	if code, _ := get(t, r.base+"/utkast/"); code != 404 {
		t.Errorf("draft with --drafts=false: %d, want 404", code)
	}
}

func TestInitialBuildFails(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, testSite)
	writeSite(t, dir, map[string]string{"content/om.md": "---\ntitle: [trasig\n---\n"})
	r := start(t, Config{Source: dir})
	code, body := get(t, r.base+"/")
	if code != 404 || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "content/om.md:") || !strings.Contains(body, ScriptPath) {
		t.Fatalf("before the first good build: %d %.300s", code, body)
	}
	ev := connect(t, r.base)
	ev.next(t, 5*time.Second, "failed")
	r.write(t, "content/om.md", "---\ntitle: Om oss\n---\nLagad.\n")
	ev.next(t, 10*time.Second, "reload")
	if code, _ := get(t, r.base+"/om/"); code != 200 {
		t.Errorf("after the fix: %d", code)
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := New(Config{Source: t.TempDir(), Addr: ln.Addr().String()})
	err = s.Listen()
	if err == nil {
		t.Fatal("Listen on a port in use succeeded")
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if !strings.Contains(err.Error(), "används redan") || !strings.Contains(err.Error(), "--addr 127.0.0.1:") || strings.Contains(err.Error(), ":"+port+"\n") {
		t.Errorf("error %q: want a clear message with a suggested --addr", err)
	}
}

func TestDefaultAddrIsLoopback(t *testing.T) {
	host, _, _ := net.SplitHostPort(DefaultAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("DefaultAddr %s is not loopback", DefaultAddr)
	}
}

func TestSlowClientDropped(t *testing.T) {
	h := newHub()
	slow := h.join()
	fast := h.join()
	done := make(chan bool)
	go func() {
		for i := 0; i < clientBuffer*4; i++ {
			h.broadcast(event{name: "reload", data: []byte("{}")})
			<-fast.ch
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("broadcast blocked on a client that does not read")
	}
	select {
	case <-slow.dropped:
	default:
		t.Error("the slow client was not dropped")
	}
	if h.count() != 1 {
		t.Errorf("%d clients, want the reading one", h.count())
	}
}

func TestInject(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<html><body><p>x</p></body></html>", "<html><body><p>x</p>" + scriptTag + "</body></html>"},
		{"<P>ingen body</P>", "<P>ingen body</P>" + scriptTag},
		{"<BODY>x</BODY>", "<BODY>x" + scriptTag + "</BODY>"},
		{"<body><pre>&lt;/body&gt;</pre></body>", "<body><pre>&lt;/body&gt;</pre>" + scriptTag + "</body>"},
	} {
		if got := string(inject(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("inject(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMailboxHandler(t *testing.T) {
	mail := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "brevlåda "+r.URL.Path) })
	r := start(t, Config{MailboxHandler: mail, NoWatch: true})
	if _, body := get(t, r.base+MailboxPath+"/1"); body != "brevlåda /_torg/mail/1" {
		t.Errorf("mailbox handler not used: %q", body)
	}
}

func TestPolling(t *testing.T) {
	r := start(t, Config{Poll: 50 * time.Millisecond})
	eventually(t, 10*time.Second, func() string {
		if !r.s.Polling() {
			return "not polling with Poll set"
		}
		return ""
	})
	ev := connect(t, r.base)
	r.write(t, "content/tjanster/a.md", "---\ntitle: Sida A\n---\nAvläst.\n")
	ev.nextReload(t, 10*time.Second, "/tjanster/a/")
}

func TestRelevant(t *testing.T) {
	root := "/site"
	in := []string{
		"/site/torg.toml", "/site/synonymer.txt", "/site/content/a.md", "/site/layouts/x.html",
		"/site/public/index.html", "/site/.git/index", "/site/.hidden", "/site/node_modules/x/y.js", "/elsewhere/a.md",
	}
	got := relevant(root, in)
	want := []string{"/site/torg.toml", "/site/synonymer.txt", "/site/content/a.md", "/site/layouts/x.html"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("relevant:\n got %q\nwant %q", got, want)
	}
}
