package relay

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/torgsite/torg/internal/relay/form"
)

//go:embed templates/layout.html templates/pages.html
var templateFS embed.FS

var (
	defaultLayout = mustRead("templates/layout.html")
	pageDefs      = mustRead("templates/pages.html")
	// builtinInline holds the CSP hashes of the embedded layout's inline
	// style (computed from a rendered page, exactly as browsers hash it).
	builtinInline = func() inlineHashes {
		p, err := parsePagesOnly(defaultLayout)
		if err != nil {
			panic(err)
		}
		return p.inline
	}()
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// pageData is what the layout and the relay's page templates see.
type pageData struct {
	Title      string
	SiteName   string
	SiteURL    string
	PrivacyURL string
	Form       *formView
	Thanks     *thanksView
	Error      *errorView
	Mailbox    *mailboxView
}

type formView struct {
	Action          string
	Kind            string
	Heading         string
	Intro           []string
	Token           string
	PrivacyURL      string
	Fields          form.Fields
	Errors          map[string]string
	ErrorList       []errorItem
	Status          string
	StatusHeading   string
	SubjectRequired bool
	ShowPage        bool
	PageLabel       string
}

type errorItem struct{ Field, Label, Message string }

type thanksView struct {
	Reference  string
	MailboxURL string // development mode: where the message can be read
}

type errorView struct {
	Heading  string
	Text     []string
	Kept     string
	LinkURL  string
	LinkText string
}

var fieldLabels = map[string]string{
	form.FieldName: "Namn", form.FieldEmail: "E-post", form.FieldSubject: "Ämne",
	form.FieldMessage: "Meddelande", form.FieldPage: "Sidan det gäller",
}

// pages is a parsed layout plus the relay's own templates.
type pages struct {
	t      *template.Template
	custom bool // the site's layout, not the embedded one
	inline inlineHashes
	csp    string // Content-Security-Policy for pages from this layout
}

// parsePages combines a layout with the relay's page definitions, checks
// that it renders every kind of page and computes the page's
// Content-Security-Policy, which allows the layout's inline <style>
// elements (and inline scripts) by their SHA-256 hashes.
func parsePages(layout string) (*pages, error) {
	p, err := parsePagesOnly(layout)
	if err != nil {
		return nil, err
	}
	p.csp = buildCSP(p.inline)
	return p, nil
}

func parsePagesOnly(layout string) (*pages, error) {
	t, err := template.New("layout").Parse(layout)
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	if _, err := t.Parse(pageDefs); err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	p := &pages{t: t}
	for _, d := range []pageData{
		{Title: "x", Form: &formView{Errors: map[string]string{}}},
		{Title: "x", Thanks: &thanksView{Reference: "X-2026-000001"}},
		{Title: "x", Error: &errorView{Heading: "x"}},
	} {
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		if !strings.Contains(b.String(), "<main") {
			return nil, fmt.Errorf("layout: no <main> element")
		}
		// Inline elements come from the layout, not from the relay's
		// page content, so every kind of page has the same ones; take the
		// union to be safe.
		in := findInline(b.Bytes())
		p.inline.styles = uniqueSorted(append(p.inline.styles, in.styles...))
		p.inline.scripts = uniqueSorted(append(p.inline.scripts, in.scripts...))
		p.inline.styleAttrs = uniqueSorted(append(p.inline.styleAttrs, in.styleAttrs...))
	}
	return p, nil
}

// render writes a complete page with status code.
func (s *Server) render(w http.ResponseWriter, status int, d pageData) {
	s.renderWith(w, s.pages.Load(), status, d)
}

// renderWith writes a complete page rendered with p.
func (s *Server) renderWith(w http.ResponseWriter, p *pages, status int, d pageData) {
	d.SiteName, d.SiteURL, d.PrivacyURL = s.cfg.SiteName, s.cfg.SiteURL, s.cfg.PrivacyURL
	var b bytes.Buffer
	if err := p.t.Execute(&b, d); err != nil {
		s.log.Error("rendering page with the site layout failed; using the built-in layout", "err", err)
		b.Reset()
		if err := builtinPages.t.Execute(&b, d); err != nil {
			s.log.Error("rendering page failed", "err", err)
			http.Error(w, "Internt fel", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The policy that goes with the layout actually used (secure set the
	// built-in one; a reload may have happened since).
	w.Header().Set("Content-Security-Policy", p.csp)
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

var builtinPages = func() *pages {
	p, err := parsePages(defaultLayout)
	if err != nil {
		panic(err)
	}
	return p
}()
