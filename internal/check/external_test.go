package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/markdown"
)

// externalSite builds a one-page site linking to every URL in urls, so the
// external checker can run without the build.
func externalSite(t *testing.T, urls ...string) (*content.Site, string) {
	t.Helper()
	dir := t.TempDir()
	var body strings.Builder
	body.WriteString("---\ntitle: Länkar\n---\n")
	for i, u := range urls {
		fmt.Fprintf(&body, "[Länk nummer %d](%s)\n\n", i+1, u)
	}
	if err := os.MkdirAll(filepath.Join(dir, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "lankar.md"), []byte(body.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	p := &content.Page{File: "content/lankar.md", Title: "Länkar", Type: "page", Kind: content.KindPage, URL: "/lankar/", BodyLine: 4}
	site := &content.Site{Config: cfg, Pages: []*content.Page{p}, ByURL: map[string]*content.Page{p.URL: p}, ByFile: map[string]*content.Page{p.File: p}, Now: time.Now()}
	return site, dir
}

func externalOnly(ds []*diag.Diagnostic) []*diag.Diagnostic {
	var out []*diag.Diagnostic
	for _, d := range ds {
		if d.Rule == LankExternTrasig {
			out = append(out, d)
		}
	}
	return out
}

func TestExternalLinks(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	var inFlight, maxInFlight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		mu.Lock()
		hits[r.Method+" "+r.URL.Path]++
		count := hits[r.Method+" "+r.URL.Path]
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(200)
		case "/saknas":
			w.WriteHeader(404)
		case "/bara-get":
			if r.Method == http.MethodHead {
				w.WriteHeader(405)
				return
			}
			w.WriteHeader(200)
		case "/lugna-ner":
			if count == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(429)
				return
			}
			w.WriteHeader(200)
		case "/alltid-429":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		case "/langsam":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
				w.WriteHeader(200)
			}
		case "/inloggning":
			w.WriteHeader(401)
		}
	}))
	defer srv.Close()

	urls := []string{srv.URL + "/ok", srv.URL + "/saknas", srv.URL + "/bara-get", srv.URL + "/lugna-ner", srv.URL + "/alltid-429", srv.URL + "/langsam", srv.URL + "/inloggning", srv.URL + "/ok#ankare"}
	site, dir := externalSite(t, urls...)
	cache := filepath.Join(dir, ".torg-cache", "links.json")
	opts := Options{Source: dir, External: true, ExternalOptions: ExternalOptions{
		Client: srv.Client(), Timeout: 500 * time.Millisecond, HostInterval: 10 * time.Millisecond, MaxRetryAfter: 2 * time.Second, CachePath: cache,
	}}
	start := time.Now()
	ds := externalOnly(Site(context.Background(), site, opts))
	var got []string
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%d %s", d.Line, d.Msg))
	}
	want := []string{
		"6 " + srv.URL + "/saknas: sidan finns inte (svar 404)",
		"14 " + srv.URL + "/langsam: webbplatsen svarade inte inom 0 sekunder",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("Retry-After: 1 was not waited for (%s)", d)
	}
	if m := maxInFlight.Load(); m > 1 {
		t.Errorf("%d concurrent requests to one host; want 1", m)
	}
	mu.Lock()
	if hits["HEAD /ok"] != 1 {
		t.Errorf("/ok and /ok#ankare: %d requests, want 1", hits["HEAD /ok"])
	}
	if hits["GET /bara-get"] != 1 {
		t.Errorf("HEAD 405 did not fall back to GET")
	}
	if hits["HEAD /alltid-429"] != 1 {
		t.Errorf("a Retry-After beyond the limit was retried: %d requests", hits["HEAD /alltid-429"])
	}
	mu.Unlock()

	// The cache answers the second run, except for the link that was
	// never checked (429) and failures, which are kept a day only.
	b, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "alltid-429") {
		t.Errorf("a rate-limited link was cached:\n%s", b)
	}
	mu.Lock()
	for k := range hits {
		delete(hits, k)
	}
	mu.Unlock()
	ds2 := externalOnly(Site(context.Background(), site, opts))
	if len(ds2) != len(ds) {
		t.Errorf("cached run: %d diagnostics, want %d", len(ds2), len(ds))
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range hits {
		if !strings.Contains(k, "alltid-429") {
			t.Errorf("cached run requested %s %d times", k, n)
		}
	}
}

func TestExternalCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	site, dir := externalSite(t, srv.URL+"/a", srv.URL+"/b")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	ds := externalOnly(Site(ctx, site, Options{Source: dir, External: true, ExternalOptions: ExternalOptions{Client: srv.Client(), CachePath: "-"}}))
	if time.Since(start) > 3*time.Second {
		t.Errorf("cancelled check took %s", time.Since(start))
	}
	if len(ds) != 0 {
		t.Errorf("a cancelled check reported links as broken: %v", ds)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"x", 0}, {"-3", 0},
		{"Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second},
		{"Thu, 26 Nov 2026 11:00:00 GMT", 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestLIX(t *testing.T) {
	for _, tc := range []struct {
		text string
		want float64
	}{
		// 6 words, 1 sentence, 1 long word (biblioteket): 6 + 100/6.
		{"Jag går till biblioteket i dag.", 6 + 100.0/6},
		// Two sentences; "t.ex." and "kl. 8" do not end one.
		// (t.ex. counts as two words, as in most LIX tools.)
		{"Vi har öppet t.ex. kl. 8 i dag. Välkommen!", 10.0/2 + 100.0/10},
		{"", 0},
	} {
		if got := LIX(tc.text); fmt.Sprintf("%.3f", got) != fmt.Sprintf("%.3f", tc.want) {
			t.Errorf("LIX(%q) = %.3f, want %.3f", tc.text, got, tc.want)
		}
	}
}

func TestDetectLang(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"This page is about how you can apply for a permit.", "en"},
		{"Den här sidan handlar om hur du ansöker om bygglov och vad det kostar.", "sv"},
		{"Tämä sivu kertoo, miten voit hakea lupaa ja mitä se maksaa.", "fi"},
		{"هذه الصفحة تشرح كيفية التقديم", "arabisk skrift"},
		{"Göta kanal and Vättern", ""}, // too short to tell
		{"Karlsborg Fortress Museum Göta Canal Tiveden National Park", ""},
	} {
		if got := detectLang(tc.text); got != tc.want {
			t.Errorf("detectLang(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestShouting(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"VIKTIG INFORMATION OM SOPHÄMTNING", "INFORMATION"},
		{"SE UPP FÖR ISEN", "SE UPP FÖR"},
		{"Läs ANSÖKNINGSBLANKETTEN noga", "ANSÖKNINGSBLANKETTEN"},
		{"Enligt LSS och SoL kan EU-medborgare ansöka", ""},
		{"Kontakta SFI eller KF", ""},
	} {
		if got := shouting(tc.text); got != tc.want {
			t.Errorf("shouting(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{900: "900 byte", 240_400: "240 kB", 1_234_567: "1,2 MB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// The markdown package is used read-only and concurrently: Position must
// not race (go test -race).
func TestConcurrentPositions(t *testing.T) {
	doc, _ := markdown.New(markdown.Options{}).Parse("x.md", []byte("# A\n\n[b](c) och [d](e)\n"), 1)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if l, _ := doc.OffsetPosition(7); l != 3 {
					t.Errorf("line %d", l)
				}
			}
		}()
	}
	wg.Wait()
}
