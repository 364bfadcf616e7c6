package relay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// devSite mounts a Dev the way torg serve does.
func devSite(t *testing.T, dc DevConfig) (*Dev, *httptest.Server) {
	t.Helper()
	d, err := NewDev(dc)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/skriv/", d.Handler())
	mux.Handle("/tack/", d.Handler())
	mux.Handle("/_torg/mail", d.Mailbox())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return d, srv
}

func devDo(t *testing.T, method, u string, body url.Values, hdr map[string]string) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func tokenFrom(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `name="t" value="`)
	if i < 0 {
		t.Fatalf("no token in page:\n%s", page)
	}
	tok := page[i+len(`name="t" value="`):]
	return tok[:strings.IndexByte(tok, '"')]
}

func TestDevMailbox(t *testing.T) {
	dir := t.TempDir()
	rcpt := filepath.Join(dir, "recipients.json")
	copyFile(t, "testdata/recipients.json", rcpt)
	layout := filepath.Join(dir, "layout.html")
	os.WriteFile(layout, []byte(siteLayout), 0o600)
	d, srv := devSite(t, DevConfig{Recipients: rcpt, Layout: layout, SiteURL: "http://127.0.0.1:1313/", SiteName: "Karlsborgs kommun", Logger: discardLogger()})

	g := devDo(t, "GET", srv.URL+"/skriv/anna-andersson", nil, nil)
	if g.code != 200 || !strings.Contains(g.body, `<label for="f-namn">Namn</label>`) || !strings.Contains(g.body, "<style>:root{--brand:#005a87}</style>") {
		t.Fatalf("dev form %d:\n%s", g.code, g.body)
	}
	if csp := g.hdr.Get("Content-Security-Policy"); !strings.Contains(csp, sha(":root{--brand:#005a87}")) {
		t.Errorf("dev CSP %q", csp)
	}
	v := url.Values{
		"t": {tokenFrom(t, g.body)}, "namn": {"Åsa <b>Öberg</b>"}, "epost": {"asa@example.se"},
		"amne": {"Snöröjning på Östra vägen"}, "meddelande": {"Hej!\r\nNär plogas det?"}, "webbplats": {""},
	}
	// Posted at once (no minimum fill time), from the server's own origin.
	p := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", v, map[string]string{"Origin": srv.URL})
	if p.code != http.StatusSeeOther {
		t.Fatalf("dev post %d:\n%s", p.code, p.body)
	}
	ref, ok := strings.CutPrefix(p.hdr.Get("Location"), "/tack/")
	if !ok || !strings.HasPrefix(ref, "DEV-") {
		t.Fatalf("Location %q", p.hdr.Get("Location"))
	}
	th := devDo(t, "GET", srv.URL+"/tack/"+ref, nil, nil)
	if th.code != 200 || !strings.Contains(th.body, ref) || !strings.Contains(th.body, `href="/_torg/mail#`+ref+`"`) {
		t.Fatalf("dev thank-you page:\n%s", th.body)
	}

	msgs := d.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	hdr := map[string]string{}
	for _, h := range m.Headers {
		hdr[h.Name] = h.Value
	}
	if !strings.Contains(hdr["From"], "noreply@torg-dev.invalid") || hdr["Reply-To"] != "Åsa <b>Öberg</b> <asa@example.se>" || hdr["Cc"] != "Registrator <registrator@torg-dev.invalid>" ||
		!strings.Contains(hdr["To"], "anna.andersson@karlsborg.se") || m.Subject != "["+ref+"] Snöröjning på Östra vägen" || hdr["Message-ID"] == "" {
		t.Errorf("headers %v", m.Headers)
	}
	if !strings.Contains(m.Body, "Hej!\nNär plogas det?") || !strings.Contains(m.Body, "Referensnummer: "+ref) {
		t.Errorf("body %q", m.Body)
	}
	if !strings.Contains(string(m.Raw), "\r\nX-Torg-Reference: "+ref+"\r\n") {
		t.Errorf("raw message:\n%s", m.Raw)
	}

	// A second message from a loopback origin; the mailbox lists the
	// newest first, with everything escaped.
	v.Set("t", tokenFrom(t, devDo(t, "GET", srv.URL+"/skriv/kommunen", nil, nil).body))
	v.Set("amne", "Andra meddelandet")
	ref2 := refFrom(t, devDo(t, "POST", srv.URL+"/skriv/kommunen", v, map[string]string{"Origin": "http://localhost:1313"}))
	mb := devDo(t, "GET", srv.URL+"/_torg/mail", nil, nil)
	if mb.code != 200 || !strings.Contains(mb.body, "<h1>Utvecklingsbrevlåda</h1>") || !strings.Contains(mb.body, "2 meddelanden") {
		t.Fatalf("mailbox %d:\n%s", mb.code, mb.body)
	}
	i1, i2 := strings.Index(mb.body, `id="`+ref+`"`), strings.Index(mb.body, `id="`+ref2+`"`)
	if i1 < 0 || i2 < 0 || i2 > i1 {
		t.Errorf("mailbox order: %s at %d, %s at %d", ref, i1, ref2, i2)
	}
	if strings.Contains(mb.body, "<b>Öberg</b>") || !strings.Contains(mb.body, "&lt;b&gt;Öberg&lt;/b&gt;") || !strings.Contains(mb.body, "Hej!\nNär plogas det?") {
		t.Errorf("mailbox does not show the text safely:\n%s", mb.body)
	}
	for _, want := range []string{`<html lang="sv">`, "<dt>Reply-To</dt>", "<dt>To</dt>", "<pre>"} {
		if !strings.Contains(mb.body, want) {
			t.Errorf("mailbox lacks %q", want)
		}
	}
	if mb.hdr.Get("Content-Security-Policy") == "" || mb.hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("mailbox headers %v", mb.hdr)
	}
	if r := devDo(t, "POST", srv.URL+"/_torg/mail", url.Values{}, nil); r.code != http.StatusMethodNotAllowed {
		t.Errorf("POST mailbox: %d", r.code)
	}

	// Same validation as production: the text is kept on the error page.
	bad := url.Values{"t": {tokenFrom(t, g.body)}, "namn": {"Åsa"}, "epost": {"inte en adress"}, "amne": {"x"}, "meddelande": {"Min text"}}
	if r := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", bad, nil); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Min text") || !strings.Contains(r.body, `href="#f-epost"`) {
		t.Errorf("invalid post %d", r.code)
	}
	bad.Set("epost", "")
	bad.Set("webbplats", "spam")
	if r := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", bad, nil); r.code != http.StatusUnprocessableEntity {
		t.Errorf("honeypot post %d", r.code)
	}
	bad.Set("webbplats", "")
	bad.Set("t", "1.forged")
	if r := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", bad, nil); r.code != http.StatusUnprocessableEntity {
		t.Errorf("forged token %d", r.code)
	}
	// Other sites cannot post.
	bad.Set("t", tokenFrom(t, g.body))
	if r := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", bad, map[string]string{"Origin": "https://evil.example"}); r.code != http.StatusForbidden {
		t.Errorf("foreign origin %d", r.code)
	}
	// Without Origin or Referer (no-referrer policies) the post goes through.
	if r := devDo(t, "POST", srv.URL+"/skriv/anna-andersson", bad, nil); r.code != http.StatusSeeOther {
		t.Errorf("post without origin %d", r.code)
	}
	if n := len(d.Messages()); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
	// Nothing was written next to the build's files.
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"layout.html", "recipients.json"}) {
		t.Errorf("dev relay wrote files: %v", names)
	}
}

func TestDevMissingTableAndReload(t *testing.T) {
	dir := t.TempDir()
	rcpt := filepath.Join(dir, "recipients.json")
	d, srv := devSite(t, DevConfig{Recipients: rcpt, Layout: filepath.Join(dir, "layout.html"), Logger: discardLogger(), Limit: 2})
	if r := devDo(t, "GET", srv.URL+"/skriv/kommunen", nil, nil); r.code != http.StatusNotFound || !strings.Contains(r.body, "Mottagaren finns inte") {
		t.Fatalf("no table: %d", r.code)
	}
	if r := devDo(t, "GET", srv.URL+"/_torg/mail", nil, nil); r.code != 200 || !strings.Contains(r.body, "Inga meddelanden ännu") {
		t.Fatalf("empty mailbox: %d\n%s", r.code, r.body)
	}
	// The table appears after a build: noticed on the next request.
	copyFile(t, "testdata/recipients.json", rcpt)
	g := devDo(t, "GET", srv.URL+"/skriv/kommunen", nil, nil)
	if g.code != 200 {
		t.Fatalf("after the table appeared: %d", g.code)
	}
	// The mailbox keeps the newest Limit messages.
	v := url.Values{"t": {tokenFrom(t, g.body)}, "amne": {"x"}, "meddelande": {"m"}}
	var refs []string
	for i := 0; i < 3; i++ {
		refs = append(refs, refFrom(t, devDo(t, "POST", srv.URL+"/skriv/kommunen", v, nil)))
	}
	msgs := d.Messages()
	if len(msgs) != 2 || msgs[0].Reference != refs[1] || msgs[1].Reference != refs[2] {
		t.Fatalf("kept %v", msgs)
	}
	// A broken table keeps the previous one and is reported by Reload.
	os.WriteFile(rcpt, []byte("{"), 0o600)
	if err := d.Reload(); err == nil {
		t.Fatal("broken table not reported")
	}
	if r := devDo(t, "GET", srv.URL+"/skriv/kommunen", nil, nil); r.code != 200 {
		t.Fatalf("previous table dropped: %d", r.code)
	}
	if _, err := NewDev(DevConfig{}); err == nil {
		t.Fatal("NewDev without a table path")
	}
}
