// Package check implements `torg check`: accessibility, plain-language and
// freshness checks of a site's content, reported with file:line:col like a
// compiler and explained in plain Swedish for editors.
//
// The checks run on a loaded site after the build's Markdown phase (the
// build.Options.Checker seam), so `torg build` runs the same rules: errors
// fail the build, warnings are printed. Each page's Markdown is read again
// from the source folder and parsed with the same renderer settings as the
// build, so that every diagnostic points at a line and column of the file.
//
// Rules are listed in rules.go; every rule has an id, a default severity
// (adjustable in torg.toml's [check.rules]), a Swedish explanation and the
// WCAG success criterion, law or webbriktlinje it serves. docs/check.md
// describes the design, docs/redaktorsguide-kontroll.md the rules for
// editors.
package check

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/markdown"
)

// Options configure a check run.
type Options struct {
	// Source is the site folder, from which page sources are read again.
	Source string
	// External checks links to other sites over the network.
	External bool
	// ExternalOptions tune the external link checker; zero values are
	// the defaults.
	ExternalOptions ExternalOptions
}

// Defaults used when torg.toml's [check] leaves a value out.
const (
	DefaultLIX            = 50
	DefaultLIXLattlast    = 40
	DefaultSentenceWords  = 35
	DefaultParagraphWords = 120
	// DefaultReviewMonths is the freshness limit of pages whose type has
	// no limit of its own.
	DefaultReviewMonths = 24
	// StatementMonths is how old the accessibility statement may be.
	StatementMonths = 12
	// minLIXWords is the fewest words a page needs for a LIX value to
	// mean anything.
	minLIXWords = 80
)

// NewChecker returns the function build.Options.Checker expects.
func NewChecker(opts Options) func(ctx context.Context, site *content.Site) []*diag.Diagnostic {
	return func(ctx context.Context, site *content.Site) []*diag.Diagnostic {
		return Site(ctx, site, opts)
	}
}

// checker holds one run's state.
type checker struct {
	opts   Options
	site   *content.Site
	cfg    *config.Config
	md     *markdown.Renderer
	sev    map[string]diag.Severity
	off    map[string]bool
	mu     sync.Mutex
	out    []*diag.Diagnostic
	pages  []*page
	byFile map[string]*page
}

// page is a page with its Markdown parsed again.
type page struct {
	p   *content.Page
	fm  *content.FrontMatter
	doc *markdown.Document
	// justified maps rule ids to the reason an editor gave in the page
	// for keeping its warnings (<!-- torg-check: id: reason -->).
	justified map[string]string
	// links are the page's link destinations with their positions, for
	// the site-wide rules.
	links []link
}

type link struct {
	dest      string
	line, col int
	image     bool
}

// Site runs every rule on site and returns the diagnostics, sorted by file
// and position. Their Rule field holds the rule id; Msg is Swedish.
func Site(ctx context.Context, site *content.Site, opts Options) []*diag.Diagnostic {
	c := &checker{opts: opts, site: site, cfg: site.Config, sev: map[string]diag.Severity{}, off: map[string]bool{}, byFile: map[string]*page{}}
	if c.cfg == nil {
		c.cfg = config.Default()
	}
	c.md = markdown.New(markdown.Options{Unsafe: c.cfg.UnsafeHTML, Lang: c.cfg.Language})
	c.configure()

	for _, p := range site.Pages {
		if p.File == "" || !strings.HasSuffix(p.File, ".md") {
			continue
		}
		pg := &page{p: p}
		c.pages = append(c.pages, pg)
		c.byFile[p.File] = pg
	}
	content.Parallel(ctx, len(c.pages), func(i int) {
		c.checkPage(c.pages[i])
	})
	if ctx.Err() != nil {
		return c.sorted()
	}
	c.checkStatement()
	if opts.External {
		c.checkExternal(ctx)
	}
	return c.sorted()
}

// configure reads [check.rules] and reports unknown rule ids.
func (c *checker) configure() {
	ids := make([]string, 0, len(c.cfg.Check.Rules))
	for id := range c.cfg.Check.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sev := c.cfg.Check.Rules[id]
		if _, ok := byID[id]; !ok {
			msg := fmt.Sprintf("[check.rules]: det finns ingen regel som heter %q", id)
			if s := config.Suggest(id, ruleIDs()); s != "" {
				msg += fmt.Sprintf(" (menade du %q?)", s)
			}
			c.out = append(c.out, &diag.Diagnostic{File: config.FileName, Line: findLine(filepath.Join(c.opts.Source, config.FileName), id), Severity: diag.Warning, Rule: Bygg, Msg: msg})
			continue
		}
		switch sev {
		case "off":
			c.off[id] = true
		case "error":
			c.sev[id] = diag.Error
		case "warning":
			c.sev[id] = diag.Warning
		case "info":
			c.sev[id] = diag.Info
		}
	}
}

// report adds a diagnostic of rule at file:line:col, with the rule's
// configured severity; nothing when the rule is off.
func (c *checker) report(rule, file string, line, col int, format string, args ...any) {
	c.reportAs(byID[rule].Severity, rule, file, line, col, format, args...)
}

// reportAs is report with another default severity for this case.
func (c *checker) reportAs(sev diag.Severity, rule, file string, line, col int, format string, args ...any) {
	if c.off[rule] {
		return
	}
	if s, ok := c.sev[rule]; ok {
		sev = s
	}
	if pg := c.byFile[file]; pg != nil && sev != diag.Error {
		if why, ok := pg.justified[rule]; ok {
			// Justified in the content: kept visible as a tip, never
			// a warning. Errors cannot be waived in the content.
			sev = diag.Info
			format = "motiverat undantag (" + strings.ReplaceAll(why, "%", "%%") + "): " + format
		}
	}
	d := &diag.Diagnostic{File: file, Line: line, Col: col, Severity: sev, Rule: rule, Msg: fmt.Sprintf(format, args...)}
	c.mu.Lock()
	c.out = append(c.out, d)
	c.mu.Unlock()
}

func (c *checker) sorted() []*diag.Diagnostic {
	c.mu.Lock()
	out := append([]*diag.Diagnostic(nil), c.out...)
	c.mu.Unlock()
	SortDiagnostics(out)
	return out
}

// SortDiagnostics sorts by file, position, rule and message.
func SortDiagnostics(ds []*diag.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Msg < b.Msg
	})
}

// checkPage reads and parses p's source and runs the page rules.
func (c *checker) checkPage(pg *page) {
	p := pg.p
	src, err := os.ReadFile(filepath.Join(c.opts.Source, filepath.FromSlash(p.File)))
	if err != nil {
		return // the build already read it; a file removed meanwhile is not a content problem
	}
	fm, body, bodyLine, err := content.SplitFrontMatter(p.File, src, c.cfg.Location)
	if err != nil {
		return
	}
	pg.fm = fm
	pg.doc, _ = c.md.Parse(p.File, body, bodyLine) // the build reports the parser's own warnings
	pg.justified = justifications(pg.doc)
	for _, l := range pg.doc.Links {
		pg.links = append(pg.links, link{dest: l.Dest, line: l.Line, col: l.Col, image: l.Image})
	}
	c.checkBody(pg)
	c.checkReviewed(pg)
}

// reviewMonths returns the freshness limit of a content type; 0 means the
// type's pages are not checked (dated records such as news and notices).
func (c *checker) reviewMonths(typ string) int {
	if m, ok := c.cfg.Check.ReviewMonths[typ]; ok {
		return m
	}
	switch typ {
	case "person", "service":
		if c.cfg.ReviewMonths > 0 {
			return c.cfg.ReviewMonths
		}
		return 12
	case "news", "notice", "meeting", "regulation":
		return 0
	}
	if m, ok := c.cfg.Check.ReviewMonths["default"]; ok {
		return m
	}
	return DefaultReviewMonths
}

// checkReviewed reports pages whose "reviewed" date is too old.
func (c *checker) checkReviewed(pg *page) {
	p := pg.p
	months := c.reviewMonths(p.Type)
	if months <= 0 {
		return
	}
	now := c.site.Now
	if p.Reviewed.IsZero() {
		if p.Type == "person" || p.Type == "service" {
			c.report(GranskningSaknas, p.File, 1, 1, "sidan saknar granskningsdatum (reviewed); %s ska granskas minst var %d:e månad (ansvarig: %s)", typeName(p.Type), months, ownerOf(p))
		}
		return
	}
	limit := now.AddDate(0, -months, 0)
	if p.Reviewed.Before(limit) {
		pos := pg.fm.Pos("reviewed")
		c.report(GranskningGammal, p.File, pos.Line, pos.Col, "sidan granskades senast %s, för mer än %d månader sedan (ansvarig: %s)", swedishDate(p.Reviewed, c.cfg.Location), months, ownerOf(p))
	}
}

func typeName(t string) string {
	switch t {
	case "person":
		return "kontaktuppgifter"
	case "service":
		return "tjänstebeskrivningar"
	}
	return "sidor"
}

func ownerOf(p *content.Page) string {
	if p.Owner == "" {
		return "ingen angiven, lägg till owner"
	}
	return p.Owner
}

var swedishMonths = []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// swedishDate writes t as "20 november 2026".
func swedishDate(t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	return fmt.Sprintf("%d %s %d", t.Day(), swedishMonths[t.Month()-1], t.Year())
}

// findLine returns the first line of file that mentions s, or 0.
func findLine(file, s string) int {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// resolveLink returns the page a link destination of pg leads to, with its
// fragment; nil when it leads outside the site's pages.
func (c *checker) resolveLink(pg *page, dest string) (target *content.Page, frag string, internal bool) {
	dest, frag, _ = strings.Cut(dest, "#")
	if q := strings.IndexByte(dest, '?'); q >= 0 {
		dest = dest[:q]
	}
	switch {
	case dest == "":
		return pg.p, frag, true
	case strings.HasPrefix(dest, "//"):
		return nil, frag, false
	case strings.HasPrefix(dest, "/"):
		return c.pageAt(dest), frag, true
	case hasScheme(dest):
		if u := c.cfg.Base; u != nil {
			low := strings.ToLower(dest)
			for _, scheme := range []string{"https://", "http://"} {
				prefix := scheme + strings.ToLower(u.Host)
				if strings.HasPrefix(low, prefix) && (len(dest) == len(prefix) || dest[len(prefix)] == '/') {
					rest := dest[len(prefix):]
					if rest == "" {
						rest = "/"
					}
					return c.pageAt(rest), frag, true
				}
			}
		}
		return nil, frag, false
	}
	file := path.Clean(path.Join(path.Dir(pg.p.File), unescapePath(dest)))
	for _, cand := range []string{file, file + ".md", file + "/_index.md", file + "/index.md"} {
		if t, ok := c.site.ByFile[cand]; ok {
			return t, frag, true
		}
	}
	return nil, frag, true
}

// pageAt returns the page published at a site path, following aliases.
func (c *checker) pageAt(p string) *content.Page {
	p = unescapePath(p)
	if base := c.cfg.Base; base != nil && base.Path != "/" {
		p = "/" + strings.TrimPrefix(p, strings.TrimSuffix(base.Path, "/")+"/")
	}
	for _, cand := range []string{p, p + "/", strings.TrimSuffix(p, "index.html")} {
		if t, ok := c.site.ByURL[cand]; ok {
			return t
		}
	}
	for _, t := range c.site.Pages {
		for _, a := range t.Aliases {
			if a == p || a+"/" == p || a == p+"/" {
				return t
			}
		}
	}
	return nil
}

// fileExists reports whether a site path names a published file that is not
// a page: a bundle resource, a file under content/ or static/, or an
// output the build writes (feeds, sitemap, calendars).
func (c *checker) fileExists(p string) bool {
	p = unescapePath(p)
	for _, t := range c.site.Pages {
		for _, r := range t.Resources {
			if r.URL == p {
				return true
			}
		}
		if t.FeedURL == p {
			return true
		}
	}
	rel := filepath.FromSlash(strings.TrimPrefix(p, "/"))
	for _, dir := range []string{"static", content.ContentDir} {
		if fi, err := os.Stat(filepath.Join(c.opts.Source, dir, rel)); err == nil && !fi.IsDir() {
			return true
		}
	}
	switch p {
	case "/sitemap.xml", "/robots.txt", "/atom.xml", "/404.html":
		return true
	}
	// Outputs of content types (calendars, vCards, open data) are not
	// known before they are written: only the folders the municipal types
	// use are trusted.
	for _, prefix := range []string{"/kalender/", "/data/", "/oppna-data/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return strings.HasSuffix(p, ".vcf") || strings.HasSuffix(p, ".ics")
}

func unescapePath(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// hasScheme reports whether s starts with a URL scheme ("https:").
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// defaultClient is used for external links when none is given.
var defaultClient = &http.Client{}
