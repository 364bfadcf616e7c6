package search

import (
	"sort"
	"strings"
)

// stemmer caches Stem: a corpus has far fewer distinct words than tokens.
type stemmer struct {
	lang  string // "" or "sv": Swedish; see StemLang
	cache map[string]string
}

func newStemmer() *stemmer { return &stemmer{cache: map[string]string{}} }

func newLangStemmer(lang string) *stemmer { return &stemmer{lang: lang, cache: map[string]string{}} }

func (s *stemmer) stop(w string) bool { return IsStopWordLang(s.lang, w) }

func (s *stemmer) stem(w string) string {
	if st, ok := s.cache[w]; ok {
		return st
	}
	st := StemLang(s.lang, w)
	s.cache[w] = st
	return st
}

// Compound splitting, the cheap way: a long word is split in two where
// both halves are words of the site's own vocabulary (the first may end
// in the linking "s" of Swedish compounds, or be a stem), so that
// "bygglovsansökan" is also indexed under "bygglov" and "ansökan".

const (
	minCompound = 8 // shortest word (in letters) that is tried
	minPart     = 4 // shortest part
)

// splitCompounds returns, for each word of vocab that splits, the folded
// stems of its two parts.
func splitCompounds(vocab map[string]int, st *stemmer) map[string][]string {
	known := map[string]bool{}
	stems := map[string]bool{}
	for w := range vocab {
		if st.stop(w) || len([]rune(w)) < minPart-1 {
			continue
		}
		known[w] = true
		stems[st.stem(w)] = true
	}
	out := map[string][]string{}
	words := make([]string, 0, len(vocab))
	for w := range vocab {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, w := range words {
		if parts := split(w, known, stems, st); parts != nil {
			out[w] = parts
		}
	}
	return out
}

// Split returns the stems of the two parts of the compound w, or nil, for
// a vocabulary of known lower-case words.
func Split(w string, vocab []string) []string {
	m := map[string]int{}
	for _, v := range vocab {
		m[v]++
	}
	return splitCompounds(m, newStemmer())[w]
}

func split(w string, known, stems map[string]bool, st *stemmer) []string {
	r := []rune(w)
	if len(r) < minCompound {
		return nil
	}
	for _, c := range r {
		if c >= '0' && c <= '9' {
			return nil
		}
	}
	best, bestScore := []string(nil), 0
	for i := minPart; i <= len(r)-minPart; i++ {
		head, tail := string(r[:i]), string(r[i:])
		h := ""
		switch {
		case known[head]:
			h = head
		case strings.HasSuffix(head, "s") && i-1 >= minPart && known[string(r[:i-1])]:
			h = string(r[:i-1])
		case strings.HasSuffix(head, "e") && i-1 >= minPart && known[string(r[:i-1])+"a"]:
			// "förskole|klass": a linking e instead of the final a.
			h = string(r[:i-1]) + "a"
		}
		if h == "" {
			continue
		}
		if !known[tail] && !stems[st.stem(tail)] {
			continue
		}
		// Prefer balanced splits: "bygglovs|ansökan" over "bygg|lovsansökan".
		score := min(len([]rune(h)), len(r)-i)
		if score > bestScore {
			best, bestScore = []string{st.stem(h), st.stem(tail)}, score
		}
	}
	return best
}

func (s *stemmer) size() int { return len(s.cache) }
