// Package serve implements `torg serve`: it builds the site into memory,
// serves it over HTTP, watches the sources and rebuilds incrementally on
// every change, telling open browser tabs over server-sent events to
// reload (only tabs whose page changed), to swap a changed stylesheet, or
// to show an error overlay while the last good pages stay served.
//
// The contact forms of a site with a [relay] url post to the server
// itself, to an in-process development relay that keeps the messages in
// memory and shows them at MailboxPath (mail.go); nothing is sent.
//
// It never writes to public/. The only thing it writes is the relay's
// private data (recipient table and layout) in a private temporary
// folder, removed when the server stops; that data is never served.
package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/watch"
)

// DefaultAddr is where the server listens unless told otherwise: loopback
// only, so that the draft site is not visible on the network.
const DefaultAddr = "127.0.0.1:1313"

// Config configures a Server.
type Config struct {
	// Source is the site folder.
	Source string
	// Addr is the address to listen on; "" means DefaultAddr.
	Addr string
	// Drafts shows drafts, future and expired pages (marked "Utkast").
	Drafts bool
	// Poll, when positive, polls the sources at this interval instead of
	// using file-system events.
	Poll time.Duration
	// Registry holds the content types; nil means only "page".
	Registry *content.Registry
	// MailboxHandler, when set, serves /_torg/mail instead of the
	// development relay's mailbox (tests).
	MailboxHandler http.Handler
	// Log receives what the terminal shows: the address, rebuilds,
	// diagnostics. Nil discards it.
	Log io.Writer
	// NoGit disables "Senast uppdaterad" dates from git history.
	NoGit bool
	// Now fixes the build time (tests); zero means the time of each build.
	Now time.Time
	// NoMemoryLimit keeps the Go runtime's memory limit as it is; by
	// default the server sets it from the live heap after every build
	// (limitMemory), which tests running several servers do not want.
	NoMemoryLimit bool
	// Quiet is the debounce pause of the watcher (default 20 ms).
	Quiet time.Duration
	// NoWatch disables the watcher; Rebuild is then called by the owner
	// (tests).
	NoWatch bool
	// OnRequest, when set, is told of every request (tests, logging).
	OnRequest func(method, path string)
}

// Server is a running `torg serve`.
type Server struct {
	cfg Config
	inc *build.Incremental
	hub *hub
	ln  net.Listener
	log io.Writer

	mu      sync.RWMutex
	files   map[string][]byte
	site    *content.Site
	failed  []*diag.Diagnostic // diagnostics of the last build, when it failed
	gen     int                // builds finished, failed ones included
	ok      int                // successful builds
	warned  map[string]bool
	watcher atomic.Pointer[watch.Watcher]

	buildMu sync.Mutex
	mail    devRelay
}

// New returns a server for cfg; Listen binds it, Run serves.
func New(cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	s := &Server{cfg: cfg, hub: newHub(), log: log, files: map[string][]byte{}, warned: map[string]bool{}}
	s.newBuilder()
	return s
}

// Listen binds the address. A port in use gives an error that says so and
// suggests the next port.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("adressen %s används redan av ett annat program (kanske en annan torg serve); välj en annan port, till exempel --addr %s", s.cfg.Addr, nextAddr(s.cfg.Addr))
		}
		return fmt.Errorf("kan inte lyssna på %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	// The form links point at the address now known (port 0 is chosen
	// by the system).
	s.newBuilder()
	return nil
}

func nextAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "127.0.0.1:1314"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n == 0 {
		return net.JoinHostPort(host, "1314")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1))
}

// Addr returns the address listened on (after Listen).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.cfg.Addr
	}
	return s.ln.Addr().String()
}

// URL returns the site's address for a browser.
func (s *Server) URL() string {
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return "http://" + s.Addr() + "/"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// Run builds the site, serves it and watches the sources until ctx is
// cancelled; then it stops cleanly and returns nil. Listen is called
// when it was not.
func (s *Server) Run(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	defer s.closeRelay()
	start := time.Now()
	s.Rebuild(ctx, nil)
	s.mu.RLock()
	pages, failed := s.countPages(), s.failed != nil
	s.mu.RUnlock()
	if !failed {
		fmt.Fprintf(s.log, "torg serve: %d sidor byggda på %v\n", pages, time.Since(start).Round(time.Millisecond))
	}
	fmt.Fprintf(s.log, "Webbplatsen visas på %s (Ctrl-C avslutar)\n", s.URL())

	abs, err := filepath.Abs(s.cfg.Source)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
			cancel()
		}
	}()
	if !s.cfg.NoWatch {
		// Errors of the watcher (and of the HTTP server) reach errc and
		// stop both through cancel, so neither outlives Run.
		w := watch.New(watch.Options{Root: abs, Poll: s.cfg.Poll, Quiet: s.cfg.Quiet, Warn: func(m string) { fmt.Fprintln(s.log, m) }})
		s.watcher.Store(w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.Run(ctx, func(paths []string) {
				if paths = relevant(abs, paths); len(paths) > 0 {
					s.Rebuild(ctx, paths)
				}
			})
			if err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("bevakning av %s: %w", abs, err)
				cancel()
			}
		}()
	}
	<-ctx.Done()
	s.hub.closeAll()
	shutCtx, stop := context.WithTimeout(context.Background(), 3*time.Second)
	defer stop()
	srv.Shutdown(shutCtx)
	wg.Wait()
	s.closeRelay()
	select {
	case err := <-errc:
		return err
	default:
	}
	fmt.Fprintln(s.log, "torg serve: avslutad")
	return nil
}

// Polling reports whether the watcher polls instead of using events.
func (s *Server) Polling() bool {
	w := s.watcher.Load()
	return w != nil && w.Polling()
}

func (s *Server) countPages() int {
	n := 0
	for p := range s.files {
		if strings.HasSuffix(p, ".html") {
			n++
		}
	}
	return n
}

// Rebuild builds again after the given files changed (absolute paths; nil
// after the start) and tells the browsers what changed.
func (s *Server) Rebuild(ctx context.Context, paths []string) {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	start := time.Now()
	s.inc.Invalidate(paths...)
	snap, err := s.inc.Rebuild(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		ds := diagnostics(err)
		s.mu.Lock()
		s.failed = ds
		s.gen++
		s.mu.Unlock()
		for _, d := range ds {
			fmt.Fprintln(s.log, d.Error())
		}
		fmt.Fprintf(s.log, "torg serve: bygget misslyckades med %d fel; de senast fungerande sidorna visas tills felet är rättat\n", len(ds))
		s.hub.broadcast(event{name: "failed", data: errorEvent(ds)})
		return
	}
	s.mu.Lock()
	prev := s.files
	wasFailed := s.failed != nil
	s.files = snap.Files
	s.site = snap.Result.Site
	s.failed = nil
	s.gen++
	s.ok++
	if !s.cfg.NoMemoryLimit {
		limitMemory()
	}
	first := s.ok == 1
	var fresh []*diag.Diagnostic
	for _, w := range snap.Result.Warnings {
		if k := w.Error(); !s.warned[k] {
			s.warned[k] = true
			fresh = append(fresh, w)
		}
	}
	s.mu.Unlock()
	s.updateRelay(snap)
	for _, w := range fresh {
		fmt.Fprintln(s.log, w.Error())
	}
	if wasFailed {
		fmt.Fprintln(s.log, "torg serve: felen är rättade")
		s.hub.broadcast(event{name: "ok", data: []byte("{}")})
	}
	if first && !wasFailed {
		return
	}
	pages, swap := reloads(prev, snap)
	if len(prev) == 0 {
		s.hub.broadcast(event{name: "reload", data: []byte(`{"all":true}`)})
	} else {
		if len(swap) > 0 {
			b, _ := json.Marshal(map[string]any{"swap": swap})
			s.hub.broadcast(event{name: "css", data: b})
		}
		if len(pages) > 0 {
			b, _ := json.Marshal(map[string]any{"pages": pages})
			s.hub.broadcast(event{name: "reload", data: b})
		}
	}
	if len(paths) > 0 {
		fmt.Fprintf(s.log, "torg serve: %s → %d sidor uppdaterade, %d renderade (%v)\n", describe(s.cfg.Source, paths), len(pages), snap.Rendered, time.Since(start).Round(time.Millisecond))
	}
}

// siteDirs are the folders of a site source that builds read.
var siteDirs = []string{"content", "layouts", "static", "assets", "i18n", "themes"}

// relevant keeps the changed paths a build reads: the site folders and
// torg.toml (a site kept in a repository with other files changes often).
func relevant(root string, paths []string) []string {
	var out []string
	for _, p := range paths {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		first, _, _ := strings.Cut(rel, "/")
		if rel == "torg.toml" || rel == "." {
			out = append(out, p)
			continue
		}
		if !strings.Contains(rel, "/") && !strings.HasPrefix(rel, ".") {
			// Files beside torg.toml that it names (the search
			// synonyms, synonymer.txt by default).
			out = append(out, p)
			continue
		}
		for _, d := range siteDirs {
			if first == d {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func describe(source string, paths []string) string {
	abs, _ := filepath.Abs(source)
	var names []string
	for i, p := range paths {
		if i == 3 {
			names = append(names, fmt.Sprintf("och %d till", len(paths)-3))
			break
		}
		if r, err := filepath.Rel(abs, p); err == nil {
			p = filepath.ToSlash(r)
		}
		names = append(names, p)
	}
	return strings.Join(names, ", ")
}

// reloads returns the URLs of pages that changed or disappeared, and the
// stylesheet URL swaps. A page whose only change is a changed asset URL is
// not reloaded: the script swaps the stylesheet in place.
func reloads(prev map[string][]byte, snap *build.Snapshot) (pages []string, swap map[string]string) {
	var pairs []string
	for old, u := range snap.Assets {
		pairs = append(pairs, old, u)
		if strings.HasSuffix(old, ".css") {
			if swap == nil {
				swap = map[string]string{}
			}
			swap[old] = u
		}
	}
	onlyCSS := len(snap.Assets) > 0
	for old := range snap.Assets {
		if !strings.HasSuffix(old, ".css") {
			onlyCSS = false
		}
	}
	var repl *strings.Replacer
	if onlyCSS {
		repl = strings.NewReplacer(pairs...)
	}
	for _, p := range snap.Changed {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		if repl != nil {
			if old, ok := prev[p]; ok && repl.Replace(string(old)) == string(snap.Files[p]) {
				continue
			}
		}
		pages = append(pages, pageURL(p))
	}
	for _, p := range snap.Removed {
		if strings.HasSuffix(p, ".html") {
			pages = append(pages, pageURL(p))
		}
	}
	sort.Strings(pages)
	return pages, swap
}

// pageURL maps an output path to the URL a browser shows.
func pageURL(p string) string {
	if p == "index.html" {
		return "/"
	}
	if strings.HasSuffix(p, "/index.html") {
		return "/" + strings.TrimSuffix(p, "index.html")
	}
	return "/" + p
}

// diagnostics lists the diagnostics of a failed build.
func diagnostics(err error) []*diag.Diagnostic {
	var de *diag.Errors
	if errors.As(err, &de) {
		return de.List
	}
	var d *diag.Diagnostic
	if errors.As(err, &d) {
		return []*diag.Diagnostic{d}
	}
	return []*diag.Diagnostic{{Severity: diag.Error, Msg: err.Error(), Err: err}}
}

// Status is what /_torg/status reports.
type Status struct {
	Builds int      `json:"builds"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors,omitempty"`
	Pages  int      `json:"pages"`
}

// Status returns the state of the last build.
func (s *Server) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{Builds: s.gen, OK: s.failed == nil, Pages: s.countPages()}
	for _, d := range s.failed {
		st.Errors = append(st.Errors, d.Error())
	}
	return st
}

// ServeHTTP serves the site from memory and the /_torg/ endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OnRequest != nil {
		s.cfg.OnRequest(r.Method, r.URL.Path)
	}
	switch {
	case r.URL.Path == EventsPath:
		s.serveEvents(w, r)
		return
	case r.URL.Path == ScriptPath:
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		io.WriteString(w, reloadScript)
		return
	case r.URL.Path == MailboxPath || strings.HasPrefix(r.URL.Path, MailboxPath+"/"):
		s.mailbox().ServeHTTP(w, r)
		return
	case strings.HasPrefix(r.URL.Path, formPath) || strings.HasPrefix(r.URL.Path, thanksPath):
		// The contact forms, when the site has them; otherwise the
		// site's own pages, if any, are served there.
		if h := s.relayHandler(); h != nil {
			h.ServeHTTP(w, r)
			return
		}
	case r.URL.Path == StatusPath:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Status())
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Metoden stöds inte", http.StatusMethodNotAllowed)
		return
	}
	s.mu.RLock()
	files, failed := s.files, s.failed
	s.mu.RUnlock()
	clean := path.Clean("/" + r.URL.Path)
	key := strings.TrimPrefix(clean, "/")
	if strings.HasSuffix(r.URL.Path, "/") || key == "" {
		key = strings.TrimPrefix(key+"/index.html", "/")
	}
	data, ok := files[key]
	if !ok && !strings.HasSuffix(r.URL.Path, "/") {
		if _, dir := files[key+"/index.html"]; dir {
			http.Redirect(w, r, clean+"/", http.StatusFound)
			return
		}
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusNotFound
		key = "404.html"
		data, ok = files[key]
		if !ok {
			data = []byte(notBuiltPage)
		}
	}
	ctype := mime.TypeByExtension(path.Ext(key))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if strings.HasPrefix(ctype, "text/html") && failed != nil {
		data = insertBeforeBodyEnd(data, overlayHTML(failed))
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// notBuiltPage is served before the first successful build.
const notBuiltPage = `<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Webbplatsen är inte byggd – torg serve</title></head>
<body>
<main><h1>Webbplatsen är inte byggd än</h1>
<p>Det första bygget misslyckades. Rätta felet och spara filen, så visas webbplatsen här av sig själv.</p></main>
` + scriptTag + `
</body>
</html>
`

// mailboxPlaceholder stands at /_torg/mail while the site has no contact
// forms ([relay] url is empty in torg.toml, or no build has succeeded
// yet): then there is no relay and the mailbox would stay empty, so the
// page explains how to get the forms instead.
const mailboxPlaceholder = `<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Utvecklingsbrevlådan – torg serve</title>
<style>body{font:18px/1.6 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#1a1a1a}</style></head>
<body>
<main>
<h1>Utvecklingsbrevlådan</h1>
<p>Här ser du meddelandena som skickas med webbplatsens kontaktformulär medan du arbetar med <code>torg serve</code>. Ingenting skickas med e-post.</p>
<p><strong>Webbplatsen har inga kontaktformulär just nu.</strong> De visas när <code>url</code> under <code>[relay]</code> i <code>torg.toml</code> har ett värde, till exempel <code>url = "https://www.karlsborg.se"</code> (adressen där reläet nås), och webbplatsen har byggts utan fel. Då skickar formulären sina meddelanden hit i stället för till reläet.</p>
<p><a href="/">Till webbplatsens startsida</a></p>
</main>
` + scriptTag + `
</body>
</html>
`

// Wait blocks until at least n builds have finished (tests, the
// benchmark) or ctx is done.
func (s *Server) Wait(ctx context.Context, n int) error {
	for {
		s.mu.RLock()
		g := s.gen
		s.mu.RUnlock()
		if g >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// PageURL returns the URL of the page built from file (site-relative,
// "content/a/b.md"), or "" when there is none.
func (s *Server) PageURL(file string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.site == nil {
		return ""
	}
	if p := s.site.ByFile[file]; p != nil {
		return p.URL
	}
	return ""
}

// File returns a served file's bytes (tests).
func (s *Server) File(p string) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.files[p]
	return bytes.Clone(b), ok
}
