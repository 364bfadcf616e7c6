// Package urlpath makes URL paths from file names and titles: lowercase
// ASCII, Swedish letters transliterated (å, ä → a; ö → o; é → e), spaces
// and punctuation folded to single hyphens. It also guards against paths
// that would leave the site root.
package urlpath

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

var translit = map[rune]string{
	'å': "a", 'ä': "a", 'ö': "o", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'á': "a", 'à': "a", 'â': "a",
	'ü': "u", 'ú': "u", 'ù': "u", 'û': "u", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ó': "o", 'ò': "o",
	'ô': "o", 'ø': "o", 'æ': "ae", 'ß': "ss", 'ç': "c", 'ñ': "n", 'ý': "y", 'ÿ': "y", 'š': "s", 'ž': "z",
	'č': "c", 'đ': "d", 'ŋ': "n", 'ŧ': "t", 'ʼ': "",
}

// Slugify turns a name into a URL path segment: "Förskola & skola" →
// "forskola-skola". It returns "" when nothing usable is left.
func Slugify(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if t, ok := translit[r]; ok {
			if t != "" {
				b.WriteString(t)
				hyphen = false
			}
			continue
		}
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			hyphen = false
		case r == '_' || r == '.':
			// Keep dots and underscores out of slugs but let them split words.
			fallthrough
		default:
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				// Letters outside Latin-1 (Sámi, Yiddish): strip marks, keep base.
				base := norm.NFD.String(string(r))
				kept := false
				for _, c := range base {
					if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
						b.WriteRune(c)
						kept = true
					}
				}
				if kept {
					hyphen = false
					continue
				}
			}
			if b.Len() > 0 && !hyphen {
				b.WriteByte('-')
				hyphen = true
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

// CheckInside returns an error when a slug, url or alias from front matter
// would leave the site root: "..", a NUL, a backslash or a scheme.
func CheckInside(p string) error {
	if strings.ContainsRune(p, 0) {
		return fmt.Errorf("contains a NUL character")
	}
	if strings.Contains(p, "\\") {
		return fmt.Errorf("contains a backslash")
	}
	if strings.Contains(p, "://") || strings.HasPrefix(p, "//") {
		return fmt.Errorf("must be a path on this site, not a full address")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return fmt.Errorf("must not contain \"..\"")
		}
	}
	return nil
}

// Clean makes a site path: leading slash, no duplicate slashes, and a
// trailing slash unless the last segment has a file extension.
func Clean(p string) string {
	p = path.Clean("/" + p)
	if p != "/" && path.Ext(p) == "" {
		p += "/"
	}
	return p
}

// OutputFile maps a site path to the file that serves it: "/a/b/" →
// "a/b/index.html", "/feed.xml" → "feed.xml".
func OutputFile(p string) string {
	p = strings.TrimPrefix(p, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	return p
}
