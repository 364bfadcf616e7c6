package check

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/markdown"
)

// dosDate is the day from which the DOS law covers office documents.
var dosDate = time.Date(2018, 9, 23, 0, 0, 0, 0, time.UTC)

// checkBody runs the rules that read a page's Markdown.
func (c *checker) checkBody(pg *page) {
	p, doc := pg.p, pg.doc
	file := p.File
	prevLevel := 1
	var lix lixCounter
	var pdfs []ast.Node
	hasAltNote := false
	pageLang := p.Lang
	if pageLang == "" {
		pageLang = c.cfg.Language
	}
	doc.Walk(func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			line, col := doc.Position(n)
			text := doc.Text(n, true)
			switch {
			case n.Level == 1:
				c.report(RubrikH1, file, line, col, "huvudrubrik (#) i texten: ”%s”; sidans titel är redan huvudrubrik, använd ##", text)
			case n.Level > prevLevel+1:
				c.report(RubrikNivaHoppar, file, line, col, "rubriknivån hoppar från %d till %d: ”%s”", prevLevel, n.Level, text)
			}
			if text == "" {
				c.report(RubrikTom, file, line, col, "tom rubrik")
			}
			prevLevel = n.Level
			c.checkText(pg, n, text, pageLang, false)
		case *ast.Paragraph, *ast.TextBlock:
			text := doc.Text(n, false)
			if altNote(text) {
				hasAltNote = true
			}
			c.checkFakeList(pg, n)
			c.checkText(pg, n, text, pageLang, true)
			lix.add(text)
		case *east.Table:
			c.checkTable(pg, n)
			return ast.WalkContinue, nil
		case *ast.Image:
			c.checkImage(pg, n)
		case *ast.Link, *ast.AutoLink:
			if c.checkLink(pg, n) {
				pdfs = append(pdfs, n)
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			if targetBlank.MatchString(doc.RawHTML(n)) {
				line, col := doc.Position(n)
				c.report(LankNyttFonster, file, line, col, "länken öppnas i ett nytt fönster (target i HTML-koden)")
			}
		}
		return ast.WalkContinue, nil
	})

	// LIX over the page's running text.
	// LIX is calibrated for Swedish (and is used for English); for the
	// minority languages (Finnish, Meänkieli, Sámi, ...), whose words are
	// long by nature, it says nothing.
	if lix.words >= minLIXWords && (sameLang("sv", pageLang) || sameLang("en", pageLang)) {
		limit, what := float64(DefaultLIX), "sidor"
		if c.cfg.Check.LIX > 0 {
			limit = c.cfg.Check.LIX
		}
		if lattlast(p) {
			limit, what = DefaultLIXLattlast, "lättlästa sidor"
			if c.cfg.Check.LIXLattlast > 0 {
				limit = c.cfg.Check.LIXLattlast
			}
		}
		if v := lix.value(); v > limit {
			c.report(LIXHogt, file, p.BodyLine, 1, "LIX är %.0f (%s); gränsen för %s är %.0f. Meningarna har i snitt %.0f ord och %.0f %% av orden är långa",
				v, lixLevel(v), what, limit, float64(lix.words)/float64(lix.sentences), 100*float64(lix.long)/float64(lix.words))
		}
	}

	// PDFs without an accessible alternative: a note on the page, or a
	// link to a web page beside the PDF link.
	if len(pdfs) > 0 && !hasAltNote && !(p.Date.Before(dosDate) && !p.Date.IsZero()) {
		for _, n := range pdfs {
			if hasSiblingPageLink(doc, n) {
				continue
			}
			line, col := doc.Position(n)
			c.report(DokumentAlternativ, file, line, col, "PDF utan tillgängligt alternativ: %s", doc.Dest(n))
		}
	}
}

// lattlast reports whether the page is marked lättläst in front matter
// ("lattlast: true", or under params).
func lattlast(p *content.Page) bool {
	v := p.Params["lattlast"]
	if m, ok := p.Params["params"].(map[string]any); ok && v == nil {
		v = m["lattlast"]
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "ja"
	}
	return false
}

var targetBlank = regexp.MustCompile(`(?i)target\s*=\s*["']?_?(blank|new)`)

// altNote reports whether text offers documents in another format.
func altNote(text string) bool {
	t := strings.ToLower(text)
	for _, s := range []string{"annat format", "tillgängligt format", "tillgänglig version", "alternativt format", "tillgänglig form", "som webbsida", "som text på webbplatsen", "lättläst version"} {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// hasSiblingPageLink reports whether the block holding link n also links
// to something that is not a document (the HTML version).
func hasSiblingPageLink(doc *markdown.Document, n ast.Node) bool {
	block := n.Parent()
	for block != nil && block.Type() != ast.TypeBlock {
		block = block.Parent()
	}
	if block == nil {
		return false
	}
	if li := block.Parent(); li != nil && li.Kind() == ast.KindListItem {
		block = li
	}
	found := false
	_ = ast.Walk(block, func(m ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || m == n {
			return ast.WalkContinue, nil
		}
		if m.Kind() == ast.KindLink || m.Kind() == ast.KindAutoLink {
			d := doc.Dest(m)
			if d != "" && docFormat(d) == "" && !strings.HasPrefix(d, "mailto:") && !strings.HasPrefix(d, "tel:") {
				found = true
				return ast.WalkStop, nil
			}
		}
		return ast.WalkContinue, nil
	})
	return found
}

// decorative words and file names.
var (
	genericAlt      = set("bild foto fotografi image img picture photo bilden illustration ikon icon logo logotyp grafik")
	decorativeAlt   = set("dekoration dekorativ utsmyckning avdelare skiljelinje linje bakgrund bakgrundsbild ornament spacer decoration divider mönster")
	decorativeFiles = []string{"spacer", "divider", "avdelare", "dekor", "ornament", "separator", "skiljelinje", "bakgrund", "background"}
)

// isDecorativeTitle reports whether an image's title marks it decorative.
func isDecorativeTitle(title string) bool {
	t := strings.ToLower(strings.TrimSpace(title))
	return t == "dekorativ" || t == "dekoration" || t == "decorative"
}

func (c *checker) checkImage(pg *page, n *ast.Image) {
	doc, file := pg.doc, pg.p.File
	line, col := doc.Position(n)
	alt := strings.TrimSpace(doc.Text(n, true))
	dest := doc.Dest(n)
	base := path.Base(strings.SplitN(strings.SplitN(dest, "?", 2)[0], "#", 2)[0])
	stem := strings.TrimSuffix(base, path.Ext(base))
	decorativeMark := isDecorativeTitle(string(n.Title))
	lowAlt := strings.ToLower(strings.Trim(alt, " .:"))
	switch {
	case alt == "" && decorativeMark:
		// Marked decorative: alt="" is right.
	case alt == "":
		c.report(BildAltSaknas, file, line, col, "bilden %s saknar alternativtext", base)
	case lowAlt == strings.ToLower(base) || lowAlt == strings.ToLower(stem) || normName(lowAlt) == normName(strings.ToLower(stem)) || genericAlt[lowAlt]:
		c.report(BildAltFilnamn, file, line, col, "alternativtexten ”%s” beskriver inte bilden %s", alt, base)
	case decorativeAlt[lowAlt] || looksDecorativeFile(stem):
		c.report(BildDekorativOmarkerad, file, line, col, "bilden %s ser ut att vara utsmyckning men har alternativtexten ”%s”", base, alt)
	}
}

func normName(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '.' }), " ")
}

func looksDecorativeFile(stem string) bool {
	s := strings.ToLower(stem)
	for _, d := range decorativeFiles {
		if strings.Contains(s, d) {
			return true
		}
	}
	return false
}

// vague link texts, compared in lower case without surrounding punctuation.
var vagueLinks = set("här klicka länk mer läs mer info information länken sidan webbplats here link more")
var vaguePhrases = []string{"klicka här", "läs mer", "läs mer här", "mer info", "mer information", "denna länk", "den här länken", "till sidan", "se här", "tryck här", "klicka", "click here", "read more", "more info", "här hittar du", "läs här", "gå hit", "länk hit"}

func isVague(text string) bool {
	t := strings.ToLower(strings.Trim(strings.TrimSpace(text), ".,:;!?»«”\"()…→ "))
	t = strings.Join(strings.Fields(t), " ")
	if vagueLinks[t] {
		return true
	}
	for _, p := range vaguePhrases {
		if t == p {
			return true
		}
	}
	return false
}

var urlText = regexp.MustCompile(`(?i)^(https?://|www\.)\S+$`)

// trailingParen is a parenthesis at the end of a link text ("(pdf)").
var trailingParen = regexp.MustCompile(`\s*\([^()]*\)\s*$`)

// sizeText finds a file size in a link text ("240 kB", "1,2 MB").
var sizeText = regexp.MustCompile(`(?i)\d+([,.]\d+)?\s*(kb|mb|gb|kilobyte|megabyte|byte)\b`)

// docFormat returns the document format a destination names ("PDF"), or ""
// for web pages.
func docFormat(dest string) string {
	d := strings.ToLower(strings.SplitN(strings.SplitN(dest, "?", 2)[0], "#", 2)[0])
	switch path.Ext(d) {
	case ".pdf":
		return "PDF"
	case ".doc", ".docx", ".odt", ".rtf":
		return "Word"
	case ".xls", ".xlsx", ".ods", ".csv":
		return "Excel"
	case ".ppt", ".pptx", ".odp":
		return "PowerPoint"
	}
	return ""
}

var formatWords = map[string][]string{
	"PDF":        {"pdf"},
	"Word":       {"word", "docx", "doc", "odt", "rtf", "dokument"},
	"Excel":      {"excel", "xlsx", "xls", "ods", "csv", "kalkylark"},
	"PowerPoint": {"powerpoint", "pptx", "ppt", "odp", "presentation"},
}

// checkLink runs the link rules on n and reports whether it links a PDF.
func (c *checker) checkLink(pg *page, n ast.Node) (pdf bool) {
	doc, file := pg.doc, pg.p.File
	line, col := doc.Position(n)
	dest := doc.Dest(n)
	text := strings.TrimSpace(doc.Text(n, true))
	title := ""
	if l, ok := n.(*ast.Link); ok {
		title = string(l.Title)
	}
	low := strings.ToLower(dest)

	if al, ok := n.(*ast.AutoLink); ok {
		if al.AutoLinkType == ast.AutoLinkURL {
			c.report(LankTextURL, file, line, col, "länktexten är en webbadress: %s", text)
		}
	} else {
		switch {
		case isVague(text):
			c.report(LankTextIntetsagande, file, line, col, "länktexten ”%s” säger inte vart länken leder (%s)", text, dest)
		case urlText.MatchString(text):
			c.report(LankTextURL, file, line, col, "länktexten är en webbadress: %s", text)
		}
	}

	tl := strings.ToLower(text + " " + title)
	for _, s := range []string{"nytt fönster", "ny flik", "new window", "new tab", "nytt webbläsarfönster"} {
		if strings.Contains(tl, s) {
			c.report(LankNyttFonster, file, line, col, "länken säger att den öppnas i %s", s)
			break
		}
	}

	if strings.HasPrefix(low, "mailto:") {
		c.checkEmail(file, line, col, dest)
		return false
	}

	if f := docFormat(dest); f != "" {
		hasFormat := false
		for _, w := range formatWords[f] {
			if regexp.MustCompile(`\b` + w + `\b`).MatchString(tl) {
				hasFormat = true
				break
			}
		}
		hasSize := sizeText.MatchString(tl)
		if !hasFormat || !hasSize {
			var missing []string
			if !hasFormat {
				missing = append(missing, "format")
			}
			if !hasSize {
				missing = append(missing, "storlek")
			}
			hint := ""
			if size := c.localSize(pg, dest); size > 0 {
				hint = fmt.Sprintf("; skriv till exempel ”%s (%s, %s)”", trailingParen.ReplaceAllString(text, ""), strings.ToLower(f), formatSize(size))
			}
			c.report(LankDokumentFormat, file, line, col, "länken till dokumentet %s saknar %s i länktexten%s", path.Base(dest), strings.Join(missing, " och "), hint)
		}
		pdf = f == "PDF"
	}

	target, frag, internal := c.resolveLink(pg, dest)
	if target != nil && target != pg.p {
		if expired, when := expiredNotice(target, c.site.Now); expired {
			c.report(LankUtgangetAnslag, file, line, col, "länken leder till anslaget ”%s”, som togs ned %s", target.Title, swedishDate(when, c.cfg.Location))
		}
	}
	// Relative links are checked by the build itself; absolute site paths
	// and links to the site's own address only here.
	if internal && (strings.HasPrefix(dest, "/") && !strings.HasPrefix(dest, "//") || hasScheme(dest)) {
		switch {
		case target == nil:
			p := strings.SplitN(strings.SplitN(dest, "#", 2)[0], "?", 2)[0]
			if hasScheme(p) {
				p = "/" + strings.SplitN(strings.SplitN(p, "//", 2)[1], "/", 2)[1]
			}
			if !c.fileExists(p) {
				c.report(LankInternTrasig, file, line, col, "länken leder till %s, men det finns ingen sådan sida eller fil på webbplatsen", dest)
			}
		case frag != "" && target.File != "" && !hasHeadingID(target, frag):
			c.report(LankInternTrasig, file, line, col, "länken leder till #%s, men sidan ”%s” har ingen rubrik med det ankaret", frag, target.Title)
		}
	}
	return pdf
}

func hasHeadingID(p *content.Page, id string) bool {
	for _, h := range p.Headings {
		if h.ID == id {
			return true
		}
	}
	return false
}

// localSize returns the size of a document beside the page, or 0.
func (c *checker) localSize(pg *page, dest string) int64 {
	if hasScheme(dest) || strings.HasPrefix(dest, "//") {
		return 0
	}
	d := unescapePath(strings.SplitN(strings.SplitN(dest, "#", 2)[0], "?", 2)[0])
	var rel string
	if strings.HasPrefix(d, "/") {
		for _, dir := range []string{"static", "content"} {
			if fi, err := os.Stat(filepath.Join(c.opts.Source, dir, filepath.FromSlash(d))); err == nil {
				return fi.Size()
			}
		}
		return 0
	}
	rel = path.Join(path.Dir(pg.p.File), d)
	if fi, err := os.Stat(filepath.Join(c.opts.Source, filepath.FromSlash(rel))); err == nil {
		return fi.Size()
	}
	return 0
}

// formatSize writes a size the Swedish way: "240 kB", "1,2 MB".
func formatSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d byte", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d kB", (n+500)/1000)
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/1e6), ".", ",", 1)
}

// checkEmail reports a mailto: address outside the allowed domains.
func (c *checker) checkEmail(file string, line, col int, dest string) {
	if len(c.cfg.EmailDomains) == 0 {
		return
	}
	addr := strings.TrimPrefix(strings.TrimPrefix(dest, "mailto:"), "MAILTO:")
	addr = strings.SplitN(addr, "?", 2)[0]
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return
	}
	domain := strings.ToLower(addr[at+1:])
	for _, d := range c.cfg.EmailDomains {
		d = strings.ToLower(strings.TrimPrefix(d, "@"))
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return
		}
	}
	c.report(LankEpostDoman, file, line, col, "e-postadressen %s hör inte till de tillåtna domänerna (%s)", addr, strings.Join(c.cfg.EmailDomains, ", "))
}

// checkTable reports a table whose header row is empty.
func (c *checker) checkTable(pg *page, t *east.Table) {
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		if row.Kind() != east.KindTableHeader {
			continue
		}
		empty := true
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			if strings.TrimSpace(pg.doc.Text(cell, true)) != "" {
				empty = false
				break
			}
		}
		if empty {
			line, col := pg.doc.Position(t)
			c.report(TabellRubrikrad, pg.p.File, line, col, "tabellen har en tom rubrikrad")
		}
		return
	}
}

// listMarker matches a line that starts like a list item typed by hand.
var listMarker = regexp.MustCompile(`^\s*([-–—•·*+]|\d{1,2}[.)]|[a-z][)])\s+\S`)

// checkFakeList reports a paragraph of two or more lines that start with
// list markers: a list typed as plain lines.
func (c *checker) checkFakeList(pg *page, n ast.Node) {
	lines := n.Lines()
	if lines.Len() < 2 {
		return
	}
	src := pg.doc.Source()
	marked := 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if listMarker.Match(seg.Value(src)) {
			marked++
		}
	}
	if marked >= 2 {
		line, col := pg.doc.Position(n)
		c.report(ListaFalsk, pg.p.File, line, col, "%d rader i stycket börjar som listpunkter men stycket är ingen lista", marked)
	}
}

// checkText runs the language rules on a block's text.
func (c *checker) checkText(pg *page, n ast.Node, text, pageLang string, running bool) {
	doc, file := pg.doc, pg.p.File
	if text == "" {
		return
	}
	line, col := doc.Position(n)
	if doc.Lang(n) == "" {
		if l := detectLang(text); l != "" && !sameLang(l, pageLang) {
			c.report(SprakOmarkerat, file, line, col, "texten verkar vara på %s men saknar språkmärkning: %s", langLabel(l), excerpt(text))
		}
	}
	if s := shouting(text); s != "" {
		c.report(Versaler, file, line, col, "text med versaler: ”%s”", s)
	}
	if !running {
		return
	}
	limit := DefaultSentenceWords
	if c.cfg.Check.SentenceWords > 0 {
		limit = c.cfg.Check.SentenceWords
	}
	for _, s := range sentences(text) {
		if n := len(words(s)); n > limit {
			c.report(MeningLang, file, line, col, "en mening har %d ord (gräns %d): %s", n, limit, excerpt(s))
		}
	}
	plimit := DefaultParagraphWords
	if c.cfg.Check.ParagraphWords > 0 {
		plimit = c.cfg.Check.ParagraphWords
	}
	if n := len(words(text)); n > plimit {
		c.report(StyckeLangt, file, line, col, "stycket har %d ord (gräns %d)", n, plimit)
	}
}

func sameLang(detected, page string) bool {
	page = strings.ToLower(strings.SplitN(page, "-", 2)[0])
	if strings.EqualFold(detected, page) {
		return true
	}
	// The detector knows Swedish, English and Finnish by their words and
	// other languages only by script: Meänkieli and North Sámi share many
	// short words with Finnish, and Yiddish is written in Hebrew script.
	switch detected {
	case "fi":
		return page == "fit" || page == "se" || page == "smj" || page == "sma"
	case "hebreisk skrift":
		return page == "yi" || page == "he"
	}
	return false
}

// excerpt returns the start of a text for a message.
func excerpt(s string) string {
	rs := []rune(strings.Join(strings.Fields(s), " "))
	if len(rs) > 60 {
		return fmt.Sprintf("”%s…”", strings.TrimSpace(string(rs[:57])))
	}
	return fmt.Sprintf("”%s”", string(rs))
}

// justification matches an editor's comment that keeps a warning on
// purpose: <!-- torg-check: lix-hogt, versaler: Juridiska termer som måste stå kvar. -->
var justification = regexp.MustCompile(`(?s)^<!--\s*torg-check:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*:\s*(\S.*?)\s*-->\s*$`)

// justifications returns the rules a page's comments justify, with the
// reasons given. A comment without a reason justifies nothing.
func justifications(doc *markdown.Document) map[string]string {
	m := map[string]string{}
	doc.Walk(func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHTMLBlock, ast.KindRawHTML:
			if g := justification.FindStringSubmatch(strings.TrimSpace(doc.RawHTML(n))); g != nil {
				why := strings.Join(strings.Fields(g[2]), " ")
				for _, id := range strings.Split(g[1], ",") {
					m[strings.TrimSpace(id)] = why
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return m
}
