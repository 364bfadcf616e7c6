// Package corpus generates synthetic but realistic Swedish municipal sites
// for benchmarks and load tests: a torg.toml, a home page, about twenty
// sections (nested for larger corpora) and any number of regular pages of
// varied length, with front matter, headings, lists, tables, emphasis,
// external links and relative cross links between the pages, some of them
// to headings of the target page.
//
// Output is a pure function of Options: the same Pages and Seed give
// byte-identical files. Every page draws from its own PCG stream, so pages
// are generated concurrently without changing the result.
package corpus

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/torgsite/torg/internal/urlpath"
)

// Options says what to generate.
type Options struct {
	// Pages is the number of regular pages (section and home _index.md
	// files not counted). Must be at least 1.
	Pages int
	// Seed selects the corpus; the same seed gives the same files.
	Seed int64
}

// Word counts of regular page bodies: log-normal around the median, clamped.
const (
	minWords    = 200
	maxWords    = 2500
	maxNewsWord = 900
	medianWords = 550
	sigmaWords  = 0.65
)

// Dates lie in this range, so that they are in the past for builds run from
// December 2026 on; reviews mostly fall in the last months of it.
var (
	firstDate     = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDate      = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	reviewFrom    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	oldReviewFrom = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// section is a folder of content with an _index.md.
type section struct {
	title    string
	slug     string
	dir      string // content-relative folder ("bygga-och-bo/vanliga-fragor")
	def      *sectionDef
	parent   *section
	children []*section
	weight   int
	share    float64 // relative share of pages
	pages    []*page
	used     map[string]bool // slugs taken in dir (pages and subsections)
}

// heading is a planned body heading with the ID torg will give it.
type heading struct {
	level int
	text  string
	id    string
}

// page is a planned regular page.
type page struct {
	idx      int
	weight   int
	sec      *section
	file     string // content-relative path ("bygga-och-bo/bygglov.md")
	title    string
	nounKey  string
	words    int
	toml     bool
	table    bool
	headings []heading
	rng      *rand.Rand
}

// site is the whole plan.
type site struct {
	opts     Options
	town     string
	sections []*section // all sections, pre-order
	top      []*section
	pages    []*page
}

// Generate writes a complete torg site to dir: torg.toml, content/_index.md,
// sections with _index.md each, and opts.Pages regular pages. dir is
// created when missing; it must not already hold a content folder or a
// torg.toml.
func Generate(ctx context.Context, dir string, opts Options) error {
	if opts.Pages < 1 {
		return fmt.Errorf("corpus: Pages must be at least 1, got %d", opts.Pages)
	}
	for _, name := range []string{"content", "torg.toml"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("corpus: %s already exists in %s", name, dir)
		}
	}
	s := plan(opts)
	if err := os.MkdirAll(filepath.Join(dir, "content"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "torg.toml"), []byte(s.config()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "_index.md"), []byte(s.home()), 0o644); err != nil {
		return err
	}
	for _, sec := range s.sections {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := filepath.Join(dir, "content", filepath.FromSlash(sec.dir))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "_index.md"), []byte(s.sectionIndex(sec)), 0o644); err != nil {
			return err
		}
	}
	sd := filepath.Join(dir, "content", statementSlug)
	if err := os.MkdirAll(sd, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sd, "_index.md"), []byte(s.statement()), 0o644); err != nil {
		return err
	}
	return s.writePages(ctx, dir)
}

// statementSlug is the folder of the accessibility statement, which
// torg.toml names as organisation.accessibilityURL.
const statementSlug = "tillganglighetsredogorelse"

// statement returns the accessibility statement: a section page of its own
// with the eleven parts torg check looks for, and no regular pages.
func (s *site) statement() string {
	return fmt.Sprintf(`---
title: "Tillgänglighetsredogörelse"
description: "Hur tillgänglig %[1]s webbplats är, vilka brister som finns och hur du rapporterar dem."
date: 2024-01-15
lastmod: 2026-10-01
reviewed: 2026-10-01
weight: 999
owner: "Kommunikationsenheten"
---

%[1]s står bakom den här webbplatsen. Vi vill att så många som möjligt ska kunna använda den.

## Tillgänglighet för %[1]s webbplats

Den här redogörelsen gäller hela webbplatsen och beskriver hur den uppfyller lagen om tillgänglighet till digital offentlig service.

## Hur tillgänglig är webbplatsen?

Webbplatsen är helt förenlig med lagens krav, med de undantag som beskrivs nedan.

## Innehåll som inte är tillgängligt

Vi känner inte till några brister just nu.

## Oskäligt betungande anpassning

Vi åberopar inte oskäligt betungande anpassning för något innehåll.

## Innehåll som inte omfattas av lagstiftningen

Filer som publicerades före den 23 september 2018 omfattas inte av lagen.

## Hur vi testat webbplatsen

Vi har testat webbplatsen med automatiska verktyg och med skärmläsare.

## Redogörelsens datum

Redogörelsen upprättades den 15 januari 2024 och uppdaterades senast den 1 oktober 2026.

## Kontakta oss om du hittar brister

Ring kontaktcenter på 0123-45 67 89 eller skriv till [kommun@kommun.example](mailto:kommun@kommun.example).

## Begär innehåll i ett tillgängligt format

Du kan begära en fil i ett annat format. Kontakta oss så hjälper vi dig.

## Handläggningstid

Vi svarar inom fem arbetsdagar.

## Tillsyn

Myndigheten för digital förvaltning har tillsyn över lagen. Du kan anmäla brister till dem.
`, s.town)
}

// writePages renders and writes the regular pages on all cores.
func (s *site) writePages(ctx context.Context, dir string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	work := make(chan *page)
	workers := runtime.GOMAXPROCS(0)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				src := s.render(p)
				err := os.WriteFile(filepath.Join(dir, "content", filepath.FromSlash(p.file)), []byte(src), 0o644)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
feed:
	for _, p := range s.pages {
		select {
		case work <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// plan lays out sections and pages: everything but the page bodies.
func plan(opts Options) *site {
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x746f7267636f7270)) // "torgcorp"
	s := &site{opts: opts, town: municipalities[rng.IntN(len(municipalities))]}
	topUsed := map[string]bool{"tags": true} // torg's tag pages live at /tags/
	for i := range topSections {
		def := &topSections[i]
		sec := &section{title: def.title, slug: urlpath.Slugify(def.title), def: def, weight: 10 * (i + 1), used: map[string]bool{}}
		sec.dir = sec.slug
		topUsed[sec.slug] = true
		sec.share = 0.8 + 0.4*rng.Float64()
		if def.news {
			sec.share = 2.5
		}
		s.top = append(s.top, sec)
	}
	for _, sec := range s.top {
		s.sections = append(s.sections, sec)
		if sec.def.news || opts.Pages < 500 {
			continue
		}
		// Larger corpora: 2–5 subsections, and from 5,000 pages some of
		// those hold subsections of their own.
		n := 2 + rng.IntN(4)
		perm := rng.Perm(len(subsectionTitles))
		for j := 0; j < n; j++ {
			sub := s.addChild(sec, subsectionTitles[perm[j]], j, rng)
			s.sections = append(s.sections, sub)
			if opts.Pages >= 5000 && rng.IntN(10) < 3 {
				m := 2 + rng.IntN(2)
				k := 0
				for _, t := range rng.Perm(len(subsectionTitles)) {
					if k == m {
						break
					}
					if subsectionTitles[t] == sub.title {
						continue
					}
					s.sections = append(s.sections, s.addChild(sub, subsectionTitles[t], k, rng))
					k++
				}
			}
		}
	}
	s.allocate(rng)
	s.planPages()
	return s
}

func (s *site) addChild(parent *section, title string, j int, rng *rand.Rand) *section {
	slug := urlpath.Slugify(title)
	sub := &section{title: title, slug: slug, dir: parent.dir + "/" + slug, def: parent.def, parent: parent,
		weight: 10 * (j + 1), used: map[string]bool{}}
	sub.share = 0.5 + 0.7*rng.Float64()
	parent.used[slug] = true
	parent.children = append(parent.children, sub)
	return sub
}

// allocate distributes opts.Pages over the sections by share, with largest
// remainders, so that the total is exact.
func (s *site) allocate(rng *rand.Rand) {
	var total float64
	for _, sec := range s.sections {
		if sec.parent == nil && len(sec.children) > 0 {
			sec.share *= 0.4 // a section with subsections keeps fewer pages itself
		}
		total += sec.share
	}
	counts := make([]int, len(s.sections))
	rem := make([]float64, len(s.sections))
	sum := 0
	for i, sec := range s.sections {
		exact := float64(s.opts.Pages) * sec.share / total
		counts[i] = int(exact)
		rem[i] = exact - float64(counts[i]) + rng.Float64()*1e-9
		sum += counts[i]
	}
	for sum < s.opts.Pages {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
		sum++
	}
	idx := 0
	for i, sec := range s.sections {
		for range counts[i] {
			p := &page{idx: idx, sec: sec, weight: 10 * (len(sec.pages) + 1)}
			p.rng = rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(idx)*0x9e3779b97f4a7c15+1))
			sec.pages = append(sec.pages, p)
			s.pages = append(s.pages, p)
			idx++
		}
	}
}

// planPages picks every page's title, file name, length and headings.
func (s *site) planPages() {
	for _, p := range s.pages {
		r := p.rng
		def := p.sec.def
		p.nounKey = def.nouns[r.IntN(len(def.nouns))]
		if def.news {
			p.title = s.fill(r, pick(r, newsTitles), p.nounKey)
		} else {
			p.title = s.fill(r, pick(r, pageTitles), p.nounKey)
		}
		slug := trimSlug(urlpath.Slugify(p.title), 60)
		name := slug
		for n := 2; p.sec.used[name]; n++ {
			name = slug + "-" + strconv.Itoa(n)
		}
		p.sec.used[name] = true
		p.file = p.sec.dir + "/" + name + ".md"

		w := math.Exp(math.Log(medianWords) + sigmaWords*r.NormFloat64())
		hi := float64(maxWords)
		if def.news {
			hi = maxNewsWord
			w *= 0.6
		}
		p.words = int(math.Max(minWords, math.Min(hi, w)))
		p.toml = r.IntN(100) < 5
		p.table = r.IntN(100) < 30

		nH2 := p.words/220 + r.IntN(3) - 1
		nH2 = max(1, min(nH2, 12, len(h2Titles)))
		perm := r.Perm(len(h2Titles))
		for i := 0; i < nH2; i++ {
			p.headings = append(p.headings, heading{level: 2, text: h2Titles[perm[i]]})
			if p.words > 600 && r.IntN(100) < 35 {
				for range 1 + r.IntN(3) {
					// h3 texts repeat across h2s: IDs then get -2, -3.
					p.headings = append(p.headings, heading{level: 3, text: pick(r, h3Titles)})
				}
			}
		}
		ids := NewIDs()
		for i := range p.headings {
			p.headings[i].id = ids.Generate(p.headings[i].text)
		}
	}
}

// IDs hands out heading IDs the way torg's Markdown renderer does:
// urlpath.Slugify of the heading text, "-2", "-3" for repeats.
type IDs struct {
	used map[string]bool
	next map[string]int
}

// NewIDs returns an empty ID set for one page.
func NewIDs() *IDs { return &IDs{used: map[string]bool{}, next: map[string]int{}} }

// Generate returns an unused ID for a heading with the given text.
func (s *IDs) Generate(text string) string {
	base := urlpath.Slugify(text)
	if base == "" {
		base = "rubrik"
	}
	if !s.used[base] {
		s.used[base] = true
		return base
	}
	n := max(s.next[base], 2)
	for ; ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if !s.used[id] {
			s.used[id] = true
			s.next[base] = n + 1
			return id
		}
	}
}

func trimSlug(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '-'); i > 20 {
		s = s[:i]
	}
	return strings.Trim(s, "-")
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// fill replaces the placeholders of a template. nounKey is the page's main
// noun; {bare2} takes another noun of the same section.
func (s *site) fill(r *rand.Rand, tmpl, nounKey string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		b.WriteString(tmpl[:i])
		key := tmpl[i+1 : i+j]
		tmpl = tmpl[i+j+1:]
		n := nouns[nounKey]
		switch key {
		case "bare":
			b.WriteString(n.bare)
		case "Bare":
			b.WriteString(capitalise(n.bare))
		case "indef":
			b.WriteString(n.indef)
		case "def":
			b.WriteString(n.def)
		case "bare2":
			other := generalNouns[r.IntN(len(generalNouns))]
			if other == nounKey {
				other = "avgift"
				if nounKey == "avgift" {
					other = "ansokan"
				}
			}
			b.WriteString(nouns[other].bare)
		case "unit":
			b.WriteString(pick(r, units))
		case "board":
			b.WriteString(pick(r, boards))
		case "place":
			b.WriteString(pick(r, places))
		case "street":
			b.WriteString(pick(r, streets))
		case "agency":
			b.WriteString(pick(r, agencies))
		case "law":
			b.WriteString(pick(r, laws))
		case "court":
			b.WriteString(pick(r, courts))
		case "month":
			b.WriteString(pick(r, months))
		case "season":
			b.WriteString(pick(r, seasons))
		case "factor":
			b.WriteString(pick(r, factors))
		case "audience":
			b.WriteString(pick(r, audiences))
		case "aspect":
			b.WriteString(pick(r, aspects))
		case "num":
			b.WriteString(strconv.Itoa(2 + r.IntN(11)))
		case "day":
			b.WriteString(strconv.Itoa(1 + r.IntN(28)))
		case "year":
			b.WriteString(strconv.Itoa(2024 + r.IntN(3)))
		case "town":
			b.WriteString(s.town)
		default:
			panic("corpus: unknown placeholder " + key)
		}
	}
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// config returns torg.toml.
func (s *site) config() string {
	return fmt.Sprintf(`# Generated by torgcorpus (pages = %d, seed = %d).
title    = %q
baseURL  = "https://kommun.example/"
language = "sv"
emailDomains = ["kommun.example"]

[organisation]
name  = %q
phone = "0123-45 67 89"
email = "kommun@kommun.example"
accessibilityURL = "/%s/"

[sections.nyheter]
sort = "date"
`, s.opts.Pages, s.opts.Seed, s.town, s.town, statementSlug)
}

// home returns content/_index.md.
func (s *site) home() string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "title: %s\n", yq("Välkommen till "+s.town))
	b.WriteString("linkTitle: Startsida\n")
	fmt.Fprintf(&b, "description: %s\n", yq(s.town+"s webbplats med service, nyheter och information om kommunen."))
	b.WriteString("date: 2024-01-15\nlastmod: 2026-10-01\nreviewed: 2026-10-01\nowner: Kommunikationsenheten\n---\n\n")
	fmt.Fprintf(&b, "Här hittar du information och service från %s. Har du frågor kan du alltid kontakta kontaktcenter.\n\n", s.town)
	b.WriteString("## Hitta rätt\n\n")
	for _, sec := range s.top {
		fmt.Fprintf(&b, "- [%s](%s/_index.md)\n", sec.title, sec.slug)
	}
	b.WriteString("\n## Kontakta kommunen\n\nRing kontaktcenter på 0123-45 67 89 eller skriv till [kommun@kommun.example](mailto:kommun@kommun.example).\n")
	fmt.Fprintf(&b, "\n## Om webbplatsen\n\nLäs om hur tillgänglig webbplatsen är i [tillgänglighetsredogörelsen](%s/_index.md).\n", statementSlug)
	return b.String()
}

// sectionIndex returns a section's _index.md.
func (s *site) sectionIndex(sec *section) string {
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed), hashString(sec.dir)))
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "title: %s\n", yq(sec.title))
	nk := sec.def.nouns[r.IntN(len(sec.def.nouns))]
	fmt.Fprintf(&b, "description: %s\n", yq(fmt.Sprintf("%s: information om %s och andra tjänster från %s.", sec.title, nouns[nk].bare, sec.def.unit)))
	d := randDate(r, firstDate, lastDate)
	rev := reviewFrom
	if d.After(rev) {
		rev = d
	}
	fmt.Fprintf(&b, "date: %s\nlastmod: %s\nreviewed: %s\n", day(d), day(d), day(randDate(r, rev, lastDate)))
	fmt.Fprintf(&b, "weight: %d\n", sec.weight)
	if sec.parent == nil {
		fmt.Fprintf(&b, "menu:\n  main:\n    weight: %d\n", sec.weight)
	}
	fmt.Fprintf(&b, "owner: %s\n---\n\n", yq(sec.def.unit))
	fmt.Fprintf(&b, "%s\n\n", s.paragraph(r, nk, 2+r.IntN(3)))
	if len(sec.children) > 0 {
		b.WriteString("## Områden\n\n")
		for _, c := range sec.children {
			fmt.Fprintf(&b, "- [%s](%s/_index.md)\n", c.title, c.slug)
		}
		b.WriteString("\n")
	}
	if len(sec.pages) > 0 && !sec.def.news {
		b.WriteString("## Populära sidor\n\n")
		for i, p := range sec.pages {
			if i == 5 {
				break
			}
			fmt.Fprintf(&b, "- [%s](%s)\n", p.title, path.Base(p.file))
		}
		b.WriteString("\n")
	}
	if sec.parent != nil {
		fmt.Fprintf(&b, "Tillbaka till [%s](../_index.md).\n", sec.parent.title)
	}
	return b.String()
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func randDate(r *rand.Rand, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(days+1))
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// yq quotes a YAML string (double-quoted style, which also is a TOML
// basic string for the characters the vocabulary uses).
func yq(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// relPath returns the path of the content-relative file to, relative to the
// folder fromDir.
func relPath(fromDir, to string) string {
	var from []string
	if fromDir != "" {
		from = strings.Split(fromDir, "/")
	}
	tp := strings.Split(to, "/")
	i := 0
	for i < len(from) && i < len(tp)-1 && from[i] == tp[i] {
		i++
	}
	var b strings.Builder
	for range len(from) - i {
		b.WriteString("../")
	}
	b.WriteString(strings.Join(tp[i:], "/"))
	return b.String()
}
