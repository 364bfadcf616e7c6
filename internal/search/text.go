package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/swedish"
	"golang.org/x/text/unicode/norm"
)

// Text processing shared by the index (Go) and the query side
// (themes/default/assets/js/search.js). The two must agree on Fold and
// Tokenize; stemming only happens here, and the index ships the surface
// forms of every stem so the browser never needs a stemmer.

// foldMap folds letters with diacritics to their base letter, so that
// "forskola" finds "förskola". Keep in sync with FOLD in search.js.
var foldMap = map[rune]string{
	'å': "a", 'ä': "a", 'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ā': "a",
	'ö': "o", 'ø': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'ü': "u", 'ú': "u", 'ù': "u", 'û': "u",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ç': "c", 'č': "c", 'ñ': "n", 'ŋ': "n", 'ý': "y", 'ÿ': "y",
	'š': "s", 'ž': "z", 'đ': "d", 'ŧ': "t", 'ß': "ss", 'æ': "ae", 'œ': "oe",
}

// Fold lower-cases s and folds å, ä, ö and other diacritics to their base
// letters. It is used for matching only; results show the original text.
func Fold(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaxWordLen is the longest token indexed; longer ones are cut.
const MaxWordLen = 40

// Tokenize splits s into lower-case words (NFC, unfolded): runs of letters
// and digits. Single letters and pure numbers longer than 8 digits are
// dropped.
func Tokenize(s string) []string {
	s = norm.NFC.String(strings.ToLower(s))
	var out []string
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		n := 0
		digits := true
		for _, r := range w {
			n++
			if !unicode.IsDigit(r) {
				digits = false
			}
		}
		if n < 2 || digits && n > 8 {
			return
		}
		if n > MaxWordLen {
			w = string([]rune(w)[:MaxWordLen])
		}
		out = append(out, w)
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// IsStopWord reports whether the lower-case word w is a Swedish stop word
// (Snowball's list); stop words are not indexed.
func IsStopWord(w string) bool { return swedish.IsStopWord(w) }

// StopWords returns the folded stop words, for the query side.
func StopWords() []string {
	var out []string
	for _, w := range stopList {
		out = append(out, Fold(w))
	}
	return out
}

// stopList mirrors swedish.IsStopWord, which does not export its list.
var stopList = strings.Fields(`och det att i en jag hon som han på den med var sig för så till är men
ett om hade de av icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid
kunde något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon
eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa
några deras blir mina samma vilken er sådan vår blivit dess inom mellan sådant varför varje vilka
ditt vem vilket sitta sådana vart dina vars vårt våra ert era vilkas`)

// Stem returns the folded Snowball stem of the lower-case word w.
// Snowball Swedish only removes suffixes, so the stem is a prefix of
// Fold(w) (checked in the tests); the browser relies on that.
func Stem(w string) string {
	raw := swedish.Stem(w, true)
	// Snowball keeps the definite endings "-et" and "-an" ("bygglovet",
	// "förskolan", "kontoret"); on long words, drop them and stem again
	// so they meet their other forms ("bygglov", "förskola", "kontor").
	if utf8.RuneCountInString(raw) >= 7 && (strings.HasSuffix(raw, "et") || strings.HasSuffix(raw, "an")) {
		raw = swedish.Stem(raw[:len(raw)-2], true)
	}
	st := Fold(raw)
	f := Fold(w)
	if !strings.HasPrefix(f, st) {
		// Defensive: never ship a stem the browser cannot find by prefix.
		return f
	}
	return st
}

// blockTags end a text block: their boundaries become spaces so that
// words in adjacent cells or list items do not run together.
var blockTags = map[string]bool{
	"p": true, "br": true, "li": true, "td": true, "th": true, "tr": true, "div": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "dt": true,
	"dd": true, "blockquote": true, "pre": true, "figcaption": true, "section": true,
	"ul": true, "ol": true, "table": true, "hr": true, "summary": true, "details": true,
}

// HTMLText returns the visible text of an HTML fragment with entities
// decoded and whitespace collapsed. Script and style contents are dropped.
func HTMLText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	skip := ""
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			if skip == "" {
				b.WriteString(s)
			}
			break
		}
		if skip == "" {
			b.WriteString(s[:i])
		}
		s = s[i:]
		j := strings.IndexByte(s, '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(strings.TrimLeft(s[1:j], "/"))
		if k := strings.IndexAny(tag, " \t\n/"); k >= 0 {
			tag = tag[:k]
		}
		closing := strings.HasPrefix(s, "</")
		switch {
		case skip != "":
			if closing && tag == skip {
				skip = ""
			}
		case !closing && (tag == "script" || tag == "style" || tag == "svg"):
			skip = tag
		case blockTags[tag]:
			b.WriteByte(' ')
		}
		s = s[j+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// Language analysis. Swedish (the default, also for lättläst) gets the
// Snowball Swedish stemmer, its stop words, compound splitting and the
// site's synonyms; English the Snowball English stemmer and its stop
// words; every other language (fi, fit, se, rom, yi, …) no stemming and
// no stop words: words are folded and lower-cased, and the browser's
// prefix matching finds inflected forms that start with the query.

// swedishAnalysis reports whether lang is analysed as Swedish: "sv" and
// "" (the index of a single-language site).
func swedishAnalysis(lang string) bool { return lang == "" || lang == "sv" }

// StemLang returns the folded stem of the lower-case word w in lang,
// always a prefix of Fold(w).
func StemLang(lang, w string) string {
	switch {
	case swedishAnalysis(lang):
		return Stem(w)
	case lang == "en":
		st := Fold(english.Stem(w, false))
		if f := Fold(w); !strings.HasPrefix(f, st) {
			// Snowball English rewrites some endings ("city" → "citi");
			// the browser needs a prefix of the word.
			return f
		}
		return st
	}
	return Fold(w)
}

// IsStopWordLang reports whether w is a stop word of lang (none but for
// Swedish and English).
func IsStopWordLang(lang, w string) bool {
	switch {
	case swedishAnalysis(lang):
		return IsStopWord(w)
	case lang == "en":
		return english.IsStopWord(w)
	}
	return false
}

// StopWordsLang returns the folded stop words of lang, for the query side.
func StopWordsLang(lang string) []string {
	switch {
	case swedishAnalysis(lang):
		return StopWords()
	case lang == "en":
		out := make([]string, len(stopListEn))
		copy(out, stopListEn)
		return out
	}
	return []string{}
}

// stopListEn mirrors english.IsStopWord.
var stopListEn = strings.Fields(`a about above after again against all am an and any are as at be because
been before being below between both but by can did do does doing don down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out over own
s same she should so some such t than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will with
you your yours yourself yourselves`)
