package check

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/municipal"
)

// expiredNotice reports whether p is a notice that has been taken down from
// the notice board, and when. Pages of other types never are.
func expiredNotice(p *content.Page, now time.Time) (bool, time.Time) {
	n, ok := p.Data.(*municipal.Notice)
	if !ok || n == nil || n.TakeDown.IsZero() || n.Current {
		return false, time.Time{}
	}
	if n.TakeDown.After(now) {
		return false, time.Time{} // not yet posted
	}
	return true, n.TakeDown
}

// statementPart is one required part of the accessibility statement
// (MDFFS 2019:2 and DIGG's model statement), found by key words in the h2
// headings so that editors may word them freely.
type statementPart struct {
	name string     // how the report names it
	keys [][]string // any of these groups; every word of a group must occur
}

// statementParts are the eleven parts, in the order of the model
// statement.
var statementParts = []statementPart{
	{"inledning: vilken webbplats redogörelsen gäller (”Tillgänglighet för …”)", [][]string{{"tillgänglighet för"}, {"gäller"}}},
	{"hur tillgänglig webbplatsen är (”Hur tillgänglig är webbplatsen?”)", [][]string{{"hur tillgänglig"}, {"förenlig"}, {"efterlevnad"}}},
	{"innehåll som inte är tillgängligt", [][]string{{"inte", "tillgänglig"}, {"brister", "förenlighet"}, {"kända brister"}}},
	{"oskäligt betungande anpassning", [][]string{{"betungande"}}},
	{"innehåll som inte omfattas av lagstiftningen", [][]string{{"omfattas"}, {"undantag"}}},
	{"hur webbplatsen har testats", [][]string{{"testa"}, {"granskat"}, {"utvärder"}}},
	{"redogörelsens datum (upprättad och senast uppdaterad)", [][]string{{"datum"}, {"uppdaterad"}, {"upprättad"}}},
	{"hur man rapporterar brister (”Kontakta oss om du hittar brister”)", [][]string{{"rapportera"}, {"kontakta"}, {"hittar brister"}, {"synpunkt"}}},
	{"hur man begär innehåll i ett tillgängligt format", [][]string{{"format"}, {"begär"}}},
	{"handläggningstid", [][]string{{"handläggningstid"}, {"svarstid"}, {"hur snabbt"}}},
	{"tillsyn (Myndigheten för digital förvaltning)", [][]string{{"tillsyn"}, {"digg"}, {"anmäl"}}},
}

func (p statementPart) matches(heading string) bool {
	h := strings.ToLower(heading)
	for _, group := range p.keys {
		all := true
		for _, k := range group {
			if !strings.Contains(h, k) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// checkStatement checks the accessibility statement named by torg.toml's
// organisation.accessibilityURL.
func (c *checker) checkStatement() {
	u := c.cfg.Organisation.AccessibilityURL
	if u == "" {
		line := findLine(c.opts.Source+"/"+config.FileName, "[organisation]")
		// A warning only: test and demo sites have no statement.
		c.reportAs(diag.Warning, RedogorelseSaknas, config.FileName, line, 0, "ingen tillgänglighetsredogörelse: ange dess adress som accessibilityURL under [organisation] i torg.toml")
		return
	}
	p := c.pageAt(u)
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		if base := c.cfg.Base; base == nil || !strings.Contains(u, base.Host) {
			return // hosted elsewhere: nothing to check here
		}
		if i := strings.Index(u, "//"); i >= 0 {
			rest := u[i+2:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				p = c.pageAt(rest[j:])
			}
		}
	}
	if p == nil || p.File == "" {
		c.report(RedogorelseSaknas, config.FileName, findLine(c.opts.Source+"/"+config.FileName, "accessibilityURL"), 0, "accessibilityURL är %s, men det finns ingen sida med den adressen", u)
		return
	}
	pg := c.byFile[p.File]
	var h2 []string
	for _, h := range p.Headings {
		if h.Level == 2 {
			h2 = append(h2, h.Text)
		}
	}
	var missing []string
	for _, part := range statementParts {
		found := false
		for _, h := range h2 {
			if part.matches(h) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, part.name)
		}
	}
	for _, m := range missing {
		c.report(RedogorelseDelar, p.File, p.BodyLine, 1, "tillgänglighetsredogörelsen saknar en rubrik (##) för %s", m)
	}

	// Last updated: the latest date in the date section, else the
	// page's lastmod.
	updated, line := time.Time{}, p.BodyLine
	if pg != nil && pg.doc != nil {
		for _, h := range p.Headings {
			if h.Level == 2 && statementParts[6].matches(h.Text) {
				line = h.Line
			}
		}
		updated = c.latestDateIn(sectionText(pg, line))
	}
	from := "datumet under rubriken om redogörelsens datum"
	if updated.IsZero() {
		updated, from = p.Lastmod, "sidans senast ändrad-datum"
	}
	if updated.IsZero() {
		return
	}
	if updated.Before(c.site.Now.AddDate(0, -StatementMonths, 0)) {
		c.report(RedogorelseGammal, p.File, line, 1, "tillgänglighetsredogörelsen uppdaterades senast %s (%s), för mer än %d månader sedan", swedishDate(updated, c.cfg.Location), from, StatementMonths)
	}
}

// sectionText returns the source lines of pg from the heading on line
// (a line of the file) to the next h2.
func sectionText(pg *page, line int) string {
	src := string(pg.doc.Source())
	lines := strings.Split(src, "\n")
	start := line - pg.p.BodyLine
	if start < 0 || start >= len(lines) {
		return ""
	}
	var b strings.Builder
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "## ") {
			break
		}
		b.WriteString(lines[i])
		b.WriteByte('\n')
	}
	return b.String()
}

var (
	isoDate     = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	swedishDay  = regexp.MustCompile(`(?i)\b(\d{1,2})\s+(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)\s+(\d{4})\b`)
	monthNumber = map[string]time.Month{}
)

func init() {
	for i, m := range swedishMonths {
		monthNumber[m] = time.Month(i + 1)
	}
}

// latestDateIn returns the latest date written in text, as 2026-11-20 or
// "20 november 2026"; zero when there is none.
func (c *checker) latestDateIn(text string) time.Time {
	var latest time.Time
	loc := c.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, m := range isoDate.FindAllStringSubmatch(text, -1) {
		if t, err := time.ParseInLocation("2006-01-02", m[0], loc); err == nil && t.After(latest) {
			latest = t
		}
	}
	for _, m := range swedishDay.FindAllStringSubmatch(text, -1) {
		d, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, monthNumber[strings.ToLower(m[2])], d, 0, 0, 0, 0, loc)
		if t.After(latest) {
			latest = t
		}
	}
	return latest
}
