package search

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Synonyms maps a folded stem to the other stems of its groups.
type Synonyms struct {
	groups map[string][]string
	// forms holds the lower-case words as written in the file, so that a
	// query word that never occurs in the content ("sopor") is still
	// known to the browser.
	forms []string
}

// ParseSynonyms reads a synonym file: one group per line, words separated
// by commas ("avfall, sopor, skräp"); "#" starts a comment. Every word of
// a group finds the pages of every other word. A group entry of several
// words is not supported (each entry must be one word).
func ParseSynonyms(name string, data []byte) (*Synonyms, error) {
	s := &Synonyms{groups: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		var stems []string
		seen := map[string]bool{}
		for _, entry := range strings.Split(text, ",") {
			words := Tokenize(entry)
			if len(words) == 0 {
				continue
			}
			if len(words) > 1 {
				return nil, fmt.Errorf("%s:%d: %q: a synonym must be one word (write phrases as separate words on their own line)", name, line, strings.TrimSpace(entry))
			}
			st := Stem(words[0])
			s.forms = append(s.forms, words[0])
			if !seen[st] {
				seen[st] = true
				stems = append(stems, st)
			}
		}
		if len(stems) < 2 {
			return nil, fmt.Errorf("%s:%d: a synonym group needs at least two different words", name, line)
		}
		for _, a := range stems {
			for _, b := range stems {
				if a != b && !contains(s.groups[a], b) {
					s.groups[a] = append(s.groups[a], b)
				}
			}
		}
	}
	return s, sc.Err()
}

// Of returns the synonyms of a folded stem.
func (s *Synonyms) Of(stem string) []string {
	if s == nil {
		return nil
	}
	return s.groups[stem]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
