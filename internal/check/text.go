package check

import (
	"strings"
	"unicode"
)

// words splits text into words: runs of letters and digits (with inner
// hyphens and apostrophes), as LIX counts them. Numbers count as words.
func words(text string) []string {
	var out []string
	start := -1
	rs := []rune(text)
	for i, r := range rs {
		inner := (r == '-' || r == '\'' || r == '’') && start >= 0 && i+1 < len(rs) && isWordRune(rs[i+1])
		if isWordRune(r) || inner {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, string(rs[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// letters counts the letters of a word.
func letters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// sentences splits a block's text into sentences: a ".", "!", "?" or ":"
// followed by a space and a capital letter (or the end) ends one,
// so that "t.ex. så" and "kl. 8" do not.
func sentences(text string) []string {
	var out []string
	rs := []rune(strings.TrimSpace(text))
	start := 0
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '.', '!', '?', ':':
		default:
			continue
		}
		j := i + 1
		for j < len(rs) && (rs[j] == '.' || rs[j] == '!' || rs[j] == '?' || rs[j] == '”' || rs[j] == '"' || rs[j] == ')' || rs[j] == '’') {
			j++
		}
		if j < len(rs) && !unicode.IsSpace(rs[j]) {
			continue
		}
		k := j
		for k < len(rs) && unicode.IsSpace(rs[k]) {
			k++
		}
		if k < len(rs) && !(unicode.IsUpper(rs[k]) || rs[k] == '”' || rs[k] == '–' || rs[k] == '-') {
			continue
		}
		if s := strings.TrimSpace(string(rs[start:j])); s != "" {
			out = append(out, s)
		}
		start = j
		i = j - 1
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

// lixCounter accumulates words, sentences and long words over a page's
// running text (paragraphs and list items).
type lixCounter struct {
	words, sentences, long int
}

func (l *lixCounter) add(text string) {
	for _, s := range sentences(text) {
		ws := words(s)
		if len(ws) == 0 {
			continue
		}
		l.sentences++
		l.words += len(ws)
		for _, w := range ws {
			if letters(w) > 6 {
				l.long++
			}
		}
	}
}

// value returns LIX = words/sentences + 100·long words/words.
func (l *lixCounter) value() float64 {
	if l.words == 0 || l.sentences == 0 {
		return 0
	}
	return float64(l.words)/float64(l.sentences) + 100*float64(l.long)/float64(l.words)
}

// LIX returns the readability index of a text.
func LIX(text string) float64 {
	var l lixCounter
	l.add(text)
	return l.value()
}

// lixLevel names a LIX value the way Swedish readability guides do.
func lixLevel(v float64) string {
	switch {
	case v < 30:
		return "mycket lätt"
	case v < 40:
		return "lätt"
	case v < 50:
		return "medelsvår"
	case v < 60:
		return "svår"
	}
	return "mycket svår"
}

// Function words that tell languages apart. Short, frequent words only:
// names and borrowed terms do not change the result.
var stopwords = map[string]map[string]bool{
	"sv": set("och att det som en på är för med till av om har de inte kan du vi ett den jag så eller när man ska vid från efter under hos mot också där här sina din ditt dina vår våra alla måste får"),
	"en": set("the and of to is for with you your this that are be on in it we our by from as at can will have not or if an was which their they there these who what when how must may"),
	"fi": set("ja on ei että se tai kanssa voit sinun myös kun jos ovat oli kuin mutta niin tämä joka ole voi hän he me te sekä tai kaikki"),
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var langNames = map[string]string{"sv": "svenska", "en": "engelska", "fi": "finska"}

// detectLang guesses the language of a block of text: "sv", "en" or "fi"
// by function words, or the name of a non-Latin script. It returns "" when
// the text is too short or unclear.
func detectLang(text string) string {
	var latin, other int
	script := ""
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		if unicode.Is(unicode.Latin, r) {
			latin++
			continue
		}
		other++
		if script == "" {
			script = scriptName(r)
		}
	}
	if other >= 4 && other > latin {
		return script
	}
	ws := words(strings.ToLower(text))
	if len(ws) < 6 {
		return ""
	}
	hits := map[string]int{}
	for _, w := range ws {
		for lang, sw := range stopwords {
			if sw[w] {
				hits[lang]++
			}
		}
	}
	best, second := "", 0
	for _, lang := range []string{"sv", "en", "fi"} {
		if best == "" || hits[lang] > hits[best] {
			if best != "" {
				second = max(second, hits[best])
			}
			best = lang
		} else {
			second = max(second, hits[lang])
		}
	}
	if hits[best] < 3 || hits[best] < 2*second+1 {
		return ""
	}
	return best
}

func scriptName(r rune) string {
	for _, s := range []struct {
		name  string
		table *unicode.RangeTable
	}{
		{"arabisk skrift", unicode.Arabic}, {"kyrillisk skrift", unicode.Cyrillic}, {"grekisk skrift", unicode.Greek},
		{"hebreisk skrift", unicode.Hebrew}, {"etiopisk skrift", unicode.Ethiopic}, {"kinesisk skrift", unicode.Han},
		{"thailändsk skrift", unicode.Thai}, {"tigrinja/amhariska", unicode.Ethiopic},
	} {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	return "en annan skrift"
}

// langLabel names a detected language or script in Swedish.
func langLabel(l string) string {
	if n, ok := langNames[l]; ok {
		return n
	}
	return l
}

// shouting returns the first all-caps passage of text: three or more
// words in capitals in a row, or one capitalised word of seven letters or
// more. Abbreviations (EU, LSS, SFI) are short and do not count alone.
func shouting(text string) string {
	ws := strings.Fields(text)
	run := 0
	for i, raw := range ws {
		w := strings.TrimFunc(raw, func(r rune) bool { return !unicode.IsLetter(r) })
		if isCaps(w) && letters(w) >= 2 {
			run++
			if letters(w) >= 7 {
				return w
			}
			if run >= 3 {
				return strings.Join(ws[i-2:i+1], " ")
			}
			continue
		}
		run = 0
	}
	return ""
}

// isCaps reports whether every letter of w is a capital.
func isCaps(w string) bool {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			n++
		}
	}
	return n > 0
}
