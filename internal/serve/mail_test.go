package serve

import (
	"context"
	"errors"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/municipal"
)

// formSite is a small municipal site with contact forms: a unit with an
// e-mail address (its page links to its contact form) and the
// organisation's address (every page links to the page-error form).
var formSite = map[string]string{
	"torg.toml": `title = "Provkommun"
baseURL = "https://prov.example/"
language = "sv"
timeZone = "Europe/Stockholm"

[organisation]
name = "Provkommun"
email = "kommun@prov.example"

[relay]
url = "/kontakt-api"
`,
	"content/_index.md":           "---\ntitle: Startsida\n---\nVälkommen.\n",
	"content/kontakt/_index.md":   "---\ntitle: Kontakt\n---\nSå når du oss.\n",
	"content/kontakt/kansliet.md": "---\ntitle: Kansliet\ntype: unit\ndescription: Kommunens kansli.\nemail: kansliet@prov.example\nphone: 0100-100 20\n---\nKansliet svarar på frågor.\n",
}

func municipalRegistry() *content.Registry {
	reg := content.NewRegistry()
	municipal.Register(reg)
	return reg
}

func startFormSite(t *testing.T) *running {
	t.Helper()
	dir := t.TempDir()
	writeSite(t, dir, formSite)
	return start(t, Config{Source: dir, Registry: municipalRegistry(), NoWatch: true})
}

var (
	formRE     = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputRE    = regexp.MustCompile(`<input\b([^>]*)>`)
	textareaRE = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	attrRE     = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
	hrefRE     = regexp.MustCompile(`href="([^"]*)"`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// browserForm reads the page's POST form (not the site's search form) as
// a browser submits it: the action, and every named field with its value
// (hidden ones included, the honeypot empty).
func browserForm(t *testing.T, page string) (action string, fields url.Values) {
	t.Helper()
	var m []string
	var fa map[string]string
	for _, f := range formRE.FindAllStringSubmatch(page, -1) {
		if a := attrs(f[1]); strings.EqualFold(a["method"], "post") {
			m, fa = f, a
			break
		}
	}
	if m == nil {
		t.Fatalf("no POST form in the page:\n%s", page)
	}
	fields = url.Values{}
	for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
		a := attrs(in[1])
		if a["name"] != "" {
			fields.Set(a["name"], a["value"])
		}
	}
	for _, ta := range textareaRE.FindAllStringSubmatch(m[2], -1) {
		a := attrs(ta[1])
		// A newline right after <textarea> is not part of the value.
		fields.Set(a["name"], strings.TrimPrefix(html.UnescapeString(ta[2]), "\n"))
	}
	return fa["action"], fields
}

// TestContactFormToMailbox fills in a contact form of the served site the
// way a browser does and finds the message in the development mailbox.
func TestContactFormToMailbox(t *testing.T) {
	r := startFormSite(t)

	// The unit's page links to its form on this server, not to the
	// [relay] url of torg.toml.
	code, page := get(t, r.base+"/kontakt/kansliet/")
	if code != http.StatusOK {
		t.Fatalf("unit page: %d", code)
	}
	if strings.Contains(page, "/kontakt-api") {
		t.Errorf("the served page still points at the production relay")
	}
	formURL := formLink(t, page, "enhet-kansliet")
	if formURL != r.base+"/skriv/enhet-kansliet" {
		t.Fatalf("contact form link %q, want %s/skriv/enhet-kansliet", formURL, r.base)
	}

	// The form, in the site's layout.
	code, formPage := get(t, formURL)
	if code != http.StatusOK || !strings.Contains(formPage, "Kansliet") {
		t.Fatalf("form page: %d\n%s", code, formPage)
	}
	if !strings.Contains(formPage, `class="site-header"`) {
		t.Errorf("the form is not shown in the site's layout (the relay layout from the build)")
	}
	action, fields := browserForm(t, formPage)
	if fields.Get("t") == "" || !fields.Has("webbplats") || fields.Get("webbplats") != "" || fields.Get("formular") != "kontakt" {
		t.Fatalf("hidden fields missing: %v", fields)
	}
	const (
		subject = `Trasig <b>lampa</b> & "skylt"`
		message = "Lampan vid <script>alert(1)</script> är trasig.\nRad två, med åäö."
	)
	fields.Set("namn", "Åsa Öberg")
	fields.Set("epost", "asa@example.org")
	fields.Set("amne", subject)
	fields.Set("meddelande", message)
	actionURL := postForm(t, r.base, formURL, action, fields)
	ref, thanks := submit(t, r.base, formURL, actionURL, fields)
	if !strings.Contains(thanks, ref) || !strings.Contains(thanks, MailboxPath+"#"+ref) {
		t.Errorf("thank-you page without the reference and the mailbox link:\n%s", thanks)
	}

	// The message in the mailbox, escaped.
	code, box := get(t, r.base+MailboxPath)
	if code != http.StatusOK {
		t.Fatalf("mailbox: %d", code)
	}
	for _, want := range []string{ref, "Trasig &lt;b&gt;lampa&lt;/b&gt; &amp; ", "Lampan vid &lt;script&gt;alert(1)&lt;/script&gt; är trasig.\nRad två, med åäö.", "kansliet@prov.example", "Åsa Öberg", "asa@example.org"} {
		if !strings.Contains(box, want) {
			t.Errorf("mailbox lacks %q:\n%s", want, box)
		}
	}
	if strings.Contains(box, "<script>alert") || strings.Contains(box, "<b>lampa") {
		t.Errorf("mailbox shows the message unescaped")
	}
	if !strings.Contains(r.log.String(), "tog emot "+ref) {
		t.Errorf("the terminal was not told of the message:\n%s", r.log.String())
	}

	// The page-error link of every page leads to the same relay.
	if code, body := get(t, r.base+"/skriv/kommunen?sida=/kontakt/"); code != http.StatusOK || !strings.Contains(body, "/kontakt/") {
		t.Errorf("page-error form: %d", code)
	}
	// Another origin is still refused.
	req, _ := http.NewRequest(http.MethodPost, actionURL, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://elak.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("post from another origin: %d, want 403", resp.StatusCode)
	}
}

// postForm resolves a form's action against the page it is on and checks
// that it posts to the served origin.
func postForm(t *testing.T, base, formURL, action string, fields url.Values) string {
	t.Helper()
	page, err := url.Parse(formURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := page.Parse(action)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host != base {
		t.Fatalf("the form posts to %s, not to the served origin %s", u, base)
	}
	return u.String()
}

// submit posts fields as a browser does (with the served origin in
// Origin), follows the 303 to the thank-you page and returns the
// reference and the page.
func submit(t *testing.T, base, formURL, actionURL string, fields url.Values) (ref, thanks string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, actionURL, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Referer", formURL)
	resp, err := http.DefaultClient.Do(req) // follows the 303 with a GET
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/tack/DEV-") {
		t.Fatalf("after posting: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	return strings.TrimPrefix(resp.Request.URL.Path, "/tack/"), string(body)
}

// formLink returns the link to the recipient's form on a page.
func formLink(t *testing.T, page, recipient string) string {
	t.Helper()
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "/skriv/"+recipient) {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no link to the form of %s", recipient)
	return ""
}

// TestRelayFilesPrivate checks that the recipient table and the relay
// layout are written to a private folder, are never served, are replaced
// only when they change, and are removed when the server stops.
func TestRelayFilesPrivate(t *testing.T) {
	r := startFormSite(t)
	dir := r.s.RelayDir()
	if dir == "" {
		t.Fatal("no private folder")
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("private folder mode %v, want 0700", perm)
	}
	table, err := os.ReadFile(filepath.Join(dir, recipientsFile))
	if err != nil || !strings.Contains(string(table), "kansliet@prov.example") {
		t.Fatalf("recipient table: %v %s", err, table)
	}
	layoutFile := filepath.Join(dir, build.RelayLayoutFile)
	layoutBefore, err := os.Stat(layoutFile)
	if err != nil {
		t.Fatal(err)
	}

	// Never served: not at any plausible address, and not among the files.
	for _, p := range []string{
		"/recipients.json", "/layout.html", "/public.relay/recipients.json", "/.relay/recipients.json",
		"/_torg/recipients.json", "/_torg/relay/recipients.json", "/relay/recipients.json",
		"/skriv/recipients.json", "/tack/recipients.json", "/kontakt-api/recipients.json",
		"/data/recipients.json", filepath.ToSlash(filepath.Join(dir, recipientsFile)),
		"/recipients.json/", "/%72ecipients.json", "/kontakt/../recipients.json",
	} {
		req, _ := http.NewRequest(http.MethodGet, r.base+p, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
		if strings.Contains(string(body), `"recipients"`) || strings.Contains(string(body), `{{template "main" .}}`) {
			t.Errorf("GET %s serves private data", p)
		}
	}
	r.s.mu.RLock()
	for p, data := range r.s.files {
		if string(data) == string(table) || strings.Contains(string(data), `"recipients": [`) || strings.Contains(string(data), `{{template "main" .}}`) {
			t.Errorf("private data among the served files at %s", p)
		}
	}
	r.s.mu.RUnlock()

	// A rebuild writes the changed table and leaves the layout alone.
	src := filepath.Join(r.dir, "content/kontakt/kansliet.md")
	writeSite(t, r.dir, map[string]string{"content/kontakt/kansliet.md": strings.ReplaceAll(formSite["content/kontakt/kansliet.md"], "kansliet@", "registrator@")})
	r.s.Rebuild(context.Background(), []string{src})
	if st := r.s.Status(); !st.OK {
		t.Fatalf("rebuild failed: %v", st.Errors)
	}
	table, _ = os.ReadFile(filepath.Join(dir, recipientsFile))
	if !strings.Contains(string(table), "registrator@prov.example") {
		t.Errorf("recipient table not rewritten after the edit:\n%s", table)
	}
	layoutAfter, err := os.Stat(layoutFile)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(layoutBefore, layoutAfter) {
		t.Errorf("the unchanged layout was written again")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	if code, _ := get(t, r.base+"/skriv/enhet-kansliet"); code != http.StatusOK {
		t.Errorf("form after the rebuild: %d", code)
	}

	r.stop()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("private folder %s still there after stop: %v", dir, err)
	}
}

// TestNoForms checks a site without a [relay] url: no relay, no files,
// the site's own pages at /skriv/ and /tack/, and an explanation at the
// mailbox.
func TestNoForms(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for k, v := range formSite {
		files[k] = v
	}
	files["torg.toml"] = strings.Replace(files["torg.toml"], `url = "/kontakt-api"`, `url = ""`, 1)
	files["content/tack.md"] = "---\ntitle: Tack\n---\nTack till alla som hjälpt till.\n"
	writeSite(t, dir, files)
	r := start(t, Config{Source: dir, Registry: municipalRegistry(), NoWatch: true})
	if d := r.s.RelayDir(); d != "" {
		t.Errorf("private folder %s made for a site without forms", d)
	}
	if code, _ := get(t, r.base+"/skriv/kommunen"); code != http.StatusNotFound {
		t.Errorf("GET /skriv/kommunen: %d, want 404", code)
	}
	if code, body := get(t, r.base+"/tack/"); code != http.StatusOK || !strings.Contains(body, "Tack till alla") {
		t.Errorf("the site's own /tack/ page: %d", code)
	}
	if _, page := get(t, r.base+"/kontakt/kansliet/"); strings.Contains(page, "/skriv/") {
		t.Errorf("form link on a site without forms")
	}
	if code, body := get(t, r.base+MailboxPath); code != http.StatusOK || !strings.Contains(body, "inga kontaktformulär") {
		t.Errorf("mailbox of a site without forms: %d\n%s", code, body)
	}
}

func TestRecipientsFileName(t *testing.T) {
	if recipientsFile != municipal.RecipientsFile {
		t.Errorf("recipientsFile = %q, municipal writes %q", recipientsFile, municipal.RecipientsFile)
	}
}
