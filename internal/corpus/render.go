package corpus

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/torgsite/torg/internal/urlpath"
)

var descriptions = []string{
	"Information om {bare} i {town}: vem som kan ansöka, vad det kostar och hur lång handläggningstiden är.",
	"Så fungerar {def} och vad du behöver veta innan du kontaktar {unit}.",
	"Regler, avgifter och kontaktuppgifter för {bare} i {place} och resten av kommunen.",
	"Här hittar du svar på vanliga frågor om {bare}.",
}

var newsDescriptions = []string{
	"{unit} informerar om {def} i {place}.",
	"Nyhet från {town} om {bare}.",
	"Beslut och information om {def} under {year}.",
}

// block is one Markdown block of a body; paragraphs stay open until cross
// links have been added to them.
type block struct {
	para  []string // sentences, for paragraphs
	text  string   // rendered Markdown, for anything else
	words int
}

// render returns the page's complete Markdown source.
func (s *site) render(p *page) string {
	r := p.rng
	var b strings.Builder
	b.Grow(p.words * 9)
	s.frontMatter(&b, p)

	var blocks []*block
	add := func(bl *block) int {
		blocks = append(blocks, bl)
		return bl.words
	}
	var paras []*block
	para := func(n int) int {
		bl := s.paraBlock(r, p, n)
		paras = append(paras, bl)
		return add(bl)
	}

	used := para(2 + r.IntN(3))
	if r.IntN(3) == 0 {
		used += para(1 + r.IntN(3))
	}
	// Headings share the remaining budget, with some jitter.
	shares := make([]float64, len(p.headings))
	var total float64
	for i, h := range p.headings {
		shares[i] = 0.6 + 0.8*r.Float64()
		if h.level == 3 {
			shares[i] *= 0.6
		}
		total += shares[i]
	}
	remaining := max(p.words-used, 60)
	tableAt := -1
	if p.table {
		tableAt = r.IntN(len(p.headings))
		for p.headings[tableAt].level != 2 {
			tableAt--
		}
	}
	// Each heading gets at least a paragraph; then blocks are added until
	// the words so far reach the cumulative target, so that overshoot in
	// one part is made up for in the next and the total stays close to
	// p.words.
	var cum float64
	for i, h := range p.headings {
		add(&block{text: strings.Repeat("#", h.level) + " " + h.text})
		cum += float64(remaining) * shares[i] / total
		used += para(1 + r.IntN(4))
		if i == tableAt {
			used += add(s.table(r, p))
		}
		for float64(used) < float64(p.words-remaining)+cum {
			switch k := r.IntN(12); {
			case k < 8:
				used += para(2 + r.IntN(5))
			case k < 10:
				used += add(s.bulletList(r, p))
			default:
				used += add(s.numberedList(r, p))
			}
		}
	}

	// Cross links to other pages go into random paragraphs.
	for range 1 + r.IntN(5) {
		bl := paras[r.IntN(len(paras))]
		bl.para = append(bl.para, s.crossLink(r, p))
	}

	for i, bl := range blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		if bl.para != nil {
			b.WriteString(strings.Join(bl.para, " "))
		} else {
			b.WriteString(bl.text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (s *site) frontMatter(b *strings.Builder, p *page) {
	r := p.rng
	date := randDate(r, firstDate, lastDate)
	lastmod := date
	if r.IntN(3) > 0 {
		lastmod = randDate(r, date, lastDate)
	}
	// Most pages were reviewed this year, some a while ago: still within
	// torg check's default limit of 24 months for a build in 2026–27.
	from := reviewFrom
	if r.IntN(100) < 5 {
		from = oldReviewFrom
	}
	if lastmod.After(from) {
		from = lastmod
	}
	reviewed := randDate(r, from, lastDate)
	weight := p.weight
	tmpl := descriptions
	if p.sec.def.news {
		tmpl = newsDescriptions
	}
	desc := s.fill(r, pick(r, tmpl), p.nounKey)
	ntags := 1 + r.IntN(4)
	var tags []string
	for _, i := range r.Perm(len(tagVocab))[:ntags] {
		tags = append(tags, tagVocab[i])
	}
	owner := p.sec.def.unit
	if r.IntN(5) == 0 {
		owner = pick(r, units)
	}
	if p.toml {
		b.WriteString("+++\n")
		fmt.Fprintf(b, "title = %s\ndescription = %s\n", yq(p.title), yq(desc))
		fmt.Fprintf(b, "date = %s\nlastmod = %s\nreviewed = %s\n", day(date), day(lastmod), day(reviewed))
		fmt.Fprintf(b, "weight = %d\n", weight)
		q := make([]string, len(tags))
		for i, t := range tags {
			q[i] = yq(t)
		}
		fmt.Fprintf(b, "tags = [%s]\n", strings.Join(q, ", "))
		fmt.Fprintf(b, "owner = %s\n", yq(owner))
		b.WriteString("+++\n\n")
		return
	}
	b.WriteString("---\n")
	fmt.Fprintf(b, "title: %s\ndescription: %s\n", yq(p.title), yq(desc))
	fmt.Fprintf(b, "date: %s\nlastmod: %s\nreviewed: %s\n", day(date), day(lastmod), day(reviewed))
	fmt.Fprintf(b, "weight: %d\n", weight)
	b.WriteString("tags:\n")
	for _, t := range tags {
		fmt.Fprintf(b, "  - %s\n", yq(t))
	}
	fmt.Fprintf(b, "owner: %s\n", yq(owner))
	b.WriteString("---\n\n")
}

// nounFor picks the noun of a sentence: mostly the page's own, else one of
// the section's or a general one.
func (s *site) nounFor(r *rand.Rand, p *page) string {
	switch k := r.IntN(20); {
	case k < 13:
		return p.nounKey
	case k < 17:
		return pick(r, p.sec.def.nouns)
	default:
		return pick(r, generalNouns)
	}
}

// sentence returns one filled sentence, sometimes with emphasis.
func (s *site) sentence(r *rand.Rand, p *page) string {
	nk := s.nounFor(r, p)
	if r.IntN(100) < 25 {
		// Short sentences keep the text's LIX near that of real
		// municipal pages (40–50).
		return s.fill(r, pick(r, shortSentences), nk)
	}
	sen := s.fill(r, pick(r, sentences), nk)
	switch k := r.IntN(100); {
	case k < 5:
		sen = emphasise(sen, nouns[nk].bare, "*")
	case k < 7:
		sen = emphasise(sen, nouns[nk].bare, "**")
	case k < 10:
		sen = "**Observera:** " + sen
	}
	return sen
}

func (s *site) paraBlock(r *rand.Rand, p *page, n int) *block {
	bl := &block{}
	for range n {
		sen := s.sentence(r, p)
		bl.para = append(bl.para, sen)
		bl.words += countWords(sen)
	}
	if r.IntN(100) < 8 {
		ag := pick(r, agencies)
		sen := fmt.Sprintf("Mer information finns hos [%s](https://www.example.se/%s/%s/).", ag, urlpath.Slugify(ag), urlpath.Slugify(nouns[p.nounKey].bare))
		bl.para = append(bl.para, sen)
		bl.words += countWords(sen)
	}
	return bl
}

func (s *site) paragraph(r *rand.Rand, nounKey string, n int) string {
	var out []string
	for range n {
		out = append(out, s.fill(r, pick(r, sentences), nounKey))
	}
	return strings.Join(out, " ")
}

func (s *site) bulletList(r *rand.Rand, p *page) *block {
	var b strings.Builder
	n := 3 + r.IntN(5)
	perm := r.Perm(len(listItems))
	for i := range n {
		item := capitalise(s.fill(r, listItems[perm[i]], s.nounFor(r, p)))
		if r.IntN(100) < 15 {
			item = fmt.Sprintf("[%s](https://www.example.se/e-tjanster/%s)", item, urlpath.Slugify(item))
		}
		fmt.Fprintf(&b, "- %s\n", item)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	return &block{text: text, words: countWords(text)}
}

func (s *site) numberedList(r *rand.Rand, p *page) *block {
	var b strings.Builder
	n := 3 + r.IntN(4)
	start := r.IntN(len(steps) - n + 1)
	for i := range n {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.fill(r, steps[start+i], p.nounKey))
	}
	text := strings.TrimSuffix(b.String(), "\n")
	return &block{text: text, words: countWords(text)}
}

// table returns a GFM table with a header row.
func (s *site) table(r *rand.Rand, p *page) *block {
	schema := r.IntN(len(tables))
	head := tables[schema]
	var b strings.Builder
	b.WriteString("| " + strings.Join(head, " | ") + " |\n")
	b.WriteString("| --- |")
	for range len(head) - 1 {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	rows := 3 + r.IntN(6)
	for i := range rows {
		var cells []string
		switch schema {
		case 0:
			cells = []string{capitalise(nouns[pick(r, p.sec.def.nouns)].bare), kronor(r, 300, 25000), strconv.Itoa(1+r.IntN(12)) + " veckor"}
		case 1:
			cells = []string{weekdays[i%len(weekdays)], clock(r, 7, 10) + "–" + clock(r, 15, 20), clock(r, 8, 10) + "–" + clock(r, 11, 13)}
		case 2:
			cells = []string{pick(r, places), strings.ToLower(pick(r, weekdays[:5])) + ", vecka " + []string{"jämna", "udda"}[r.IntN(2)], pick(r, binTypes)}
		case 3:
			cells = []string{"upp till " + kronor(r, 10000, 60000), kronor(r, 200, 1700), strconv.Itoa(1+r.IntN(3)) + " procent"}
		case 4:
			cells = []string{capitalise(nouns[pick(r, p.sec.def.nouns)].def), pick(r, units), pick(r, months) + " " + strconv.Itoa(2025+r.IntN(2))}
		default:
			cells = []string{pick(r, places), strconv.Itoa(5 + r.IntN(80)), pick(r, units)}
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	text := strings.TrimSuffix(b.String(), "\n")
	return &block{text: text, words: countWords(text)}
}

// crossLink returns a sentence linking to another page of the site, with a
// relative path from p's folder; sometimes to a heading of the target.
func (s *site) crossLink(r *rand.Rand, p *page) string {
	from := p.sec.dir
	if r.IntN(100) < 15 || len(s.pages) == 1 {
		sec := pick(r, s.sections)
		rel := relPath(from, sec.dir+"/_index.md")
		return fmt.Sprintf("Fler tjänster finns under [%s](%s).", sec.title, rel)
	}
	t := s.pages[r.IntN(len(s.pages))]
	if t == p {
		t = s.pages[(t.idx+1)%len(s.pages)]
	}
	rel := relPath(from, t.file)
	if len(t.headings) > 0 && r.IntN(100) < 40 {
		h := pick(r, t.headings)
		// The link text names page and section: a heading alone ("Mer
		// information") would not say where the link leads.
		return fmt.Sprintf("Läs mer under [%s – %s](%s#%s).", t.title, lowerFirst(h.text), rel, h.id)
	}
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("Läs mer på sidan [%s](%s).", t.title, rel)
	case 1:
		return fmt.Sprintf("Se även [%s](%s).", t.title, rel)
	case 2:
		return fmt.Sprintf("Mer information finns på sidan [%s](%s).", t.title, rel)
	default:
		return fmt.Sprintf("Du kan också läsa om [%s](%s).", lowerFirst(t.title), rel)
	}
}

// emphasise wraps the first whole-word occurrence of word in sen with mark.
func emphasise(sen, word, mark string) string {
	for off := 0; ; {
		i := strings.Index(sen[off:], word)
		if i < 0 {
			return sen
		}
		i += off
		j := i + len(word)
		before, _ := utf8.DecodeLastRuneInString(sen[:i])
		after, _ := utf8.DecodeRuneInString(sen[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(sen) || !isWordRune(after)) {
			return sen[:i] + mark + word + mark + sen[j:]
		}
		off = j
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' }

// lowerFirst lowercases the first letter unless the first word looks like a
// name or an abbreviation (second letter upper case: "VA-anslutning").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	r2, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// countWords counts space-separated words, as strings.Fields would.
func countWords(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		sp := s[i] == ' ' || s[i] == '\n' || s[i] == '\t'
		if !sp && !in {
			n++
		}
		in = !sp
	}
	return n
}

func kronor(r *rand.Rand, lo, hi int) string {
	v := (lo + r.IntN(hi-lo)) / 10 * 10
	if v >= 1000 {
		return fmt.Sprintf("%d %03d kronor", v/1000, v%1000)
	}
	return fmt.Sprintf("%d kronor", v)
}

func clock(r *rand.Rand, lo, hi int) string {
	return fmt.Sprintf("%d.%02d", lo+r.IntN(hi-lo+1), []int{0, 15, 30, 45}[r.IntN(4)])
}
