// Package config reads a site's torg.toml.
//
// Every key is optional: a folder holding only content/ builds with the
// defaults below. Keys (TOML):
//
//	title        = "Karlsborgs kommun"        # site name
//	baseURL      = "https://www.karlsborg.se/"
//	language     = "sv"                       # the default language: "sv" or "en", or
//	                                          # one of [[languages]] (default: the first)
//	timeZone     = "Europe/Stockholm"
//	theme        = ""                         # folder under themes/; "" = built-in default
//	unsafeHTML   = false                      # let raw HTML in Markdown through
//	paginate     = 20                         # pages per list page
//	minify       = true
//	emailDomains = ["karlsborg.se"]           # allowed e-mail domains on the site
//	reviewMonths = 12                         # freshness limit for "reviewed"
//
//	[organisation]                            # footer, contact page, structured data
//	name, visitingAddress, postalAddress, phone, email, orgNumber, openingHours
//
//	[style]  brand = "#005a87"                # checked for 4.5:1 contrast at build
//	[relay]  url = "https://www.karlsborg.se" # where the relay's /skriv/ is served
//	[sections.nyheter] type = "news"  sort = "date"   # per-section defaults
//	[[menu.main]] name = "Kontakt"  url = "/kontakt/"  weight = 50
//	[params] anything = "for site layouts"
//	[[languages]]                             # a multilingual site (package content)
//	code = "en"  name = "English"  dir = "ltr"  title = "Karlsborg Municipality"
//	[check]                                   # torg check (docs/check.md)
//	lix = 50  lixLattlast = 40                # LIX limits: ordinary and lättläst pages
//	sentenceWords = 35  paragraphWords = 120  # "long" sentences and paragraphs
//	reviewMonths = { default = 24, service = 12 }  # freshness per content type
//	rules = { versaler = "off", lix-hogt = "info" } # severity per rule
//
// Unknown keys are warnings with a suggestion; wrong types are errors with
// the line and column in torg.toml.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/torgsite/torg/internal/diag"
)

// FileName is the configuration file's name in the site source folder.
const FileName = "torg.toml"

// Config is the site configuration.
type Config struct {
	Title        string   `toml:"title"`
	BaseURL      string   `toml:"baseURL"`
	Language     string   `toml:"language"`
	TimeZone     string   `toml:"timeZone"`
	Theme        string   `toml:"theme"`
	UnsafeHTML   bool     `toml:"unsafeHTML"`
	Paginate     int      `toml:"paginate"`
	Minify       *bool    `toml:"minify"`
	EmailDomains []string `toml:"emailDomains"`
	ReviewMonths int      `toml:"reviewMonths"`
	// Copyright line and licence for open data, shown in the footer.
	Copyright string `toml:"copyright"`

	Organisation Organisation              `toml:"organisation"`
	Style        Style                     `toml:"style"`
	Relay        Relay                     `toml:"relay"`
	Sections     map[string]SectionConfig  `toml:"sections"`
	Menu         map[string][]MenuConfig   `toml:"menu"`
	Params       map[string]any            `toml:"params"`
	Types        map[string]map[string]any `toml:"types"`
	Check        Check                     `toml:"check"`
	Search       Search                    `toml:"search"`
	// Languages lists the site's languages, the default one first; empty
	// (or one entry) for a single-language site.
	Languages []Language `toml:"languages"`

	// Dir is the site folder torg.toml was read from ("" when parsed
	// from bytes), for features that read files beside it.
	Dir string `toml:"-"`
	// Location is TimeZone loaded.
	Location *time.Location `toml:"-"`
	// Base is BaseURL parsed, always ending in "/".
	Base *url.URL `toml:"-"`
}

// Language is one language of a multilingual site.
type Language struct {
	// Code is the BCP 47 language code ("sv", "en", "fi", "fit", "se",
	// "rom", "yi"): the lang attribute, the URL prefix (/en/) and the
	// file suffix (bygglov.en.md).
	Code string `toml:"code"`
	// Name is the language's name in the language itself ("Suomi").
	Name string `toml:"name"`
	// Dir is the writing direction: "ltr" (default) or "rtl".
	Dir string `toml:"dir"`
	// Title is the site's title in the language (default: title).
	Title string `toml:"title"`
}

// Organisation is the organisation behind the site, shown in every footer.
type Organisation struct {
	Name            string `toml:"name"`
	VisitingAddress string `toml:"visitingAddress"`
	PostalAddress   string `toml:"postalAddress"`
	Phone           string `toml:"phone"`
	Email           string `toml:"email"`
	OrgNumber       string `toml:"orgNumber"`
	OpeningHours    string `toml:"openingHours"`
	// AccessibilityURL is the accessibility statement's URL.
	AccessibilityURL string `toml:"accessibilityURL"`
	// PrivacyURL is the privacy notice's URL (personuppgifter).
	PrivacyURL string `toml:"privacyURL"`
}

// Check configures `torg check` and the checks `torg build` runs. Zero
// values mean the defaults of internal/check.
type Check struct {
	// Rules sets a rule's severity by id: "error", "warning", "info" or
	// "off".
	Rules map[string]string `toml:"rules"`
	// LIX is the highest LIX readability index of an ordinary page;
	// LIXLattlast that of a page with "lattlast: true".
	LIX         float64 `toml:"lix"`
	LIXLattlast float64 `toml:"lixLattlast"`
	// SentenceWords and ParagraphWords are the word counts above which a
	// sentence or paragraph is reported as long.
	SentenceWords  int `toml:"sentenceWords"`
	ParagraphWords int `toml:"paragraphWords"`
	// ReviewMonths is how old a page's "reviewed" date may be, by content
	// type ("person", "service"; "default" for the rest).
	ReviewMonths map[string]int `toml:"reviewMonths"`
}

// Style holds the theme's adjustable look.
type Style struct {
	// Brand is the brand colour as #rrggbb: used for the header, links and
	// buttons, so it must reach 4.5:1 against white.
	Brand string `toml:"brand"`
}

// Search configures the site search (internal/search).
type Search struct {
	// Synonyms names the synonym file, relative to the site folder
	// (default "synonymer.txt" when it exists).
	Synonyms string `toml:"synonyms"`
}

// DefaultSynonyms is the synonym file read from the site folder when
// [search] synonyms names none.
const DefaultSynonyms = "synonymer.txt"

// SynonymsFile is the synonym file's name relative to the site folder.
func (s Search) SynonymsFile() string {
	if s.Synonyms != "" {
		return s.Synonyms
	}
	return DefaultSynonyms
}

// Relay tells the theme where contact forms post.
type Relay struct {
	// URL is where the relay's /skriv/ and /tack/ are served: the site's
	// own origin ("https://www.karlsborg.se") when the web server proxies
	// them (docs/relay.md), or a path prefix the web server strips. Empty:
	// forms are not shown.
	URL string `toml:"url"`
}

// SectionConfig holds a section's defaults.
type SectionConfig struct {
	Type string `toml:"type"` // default content type of the section's pages
	Sort string `toml:"sort"` // "weight" (default), "date" or "title"
}

// MenuConfig is a menu entry configured in torg.toml.
type MenuConfig struct {
	Name   string `toml:"name"`
	URL    string `toml:"url"`
	Weight int    `toml:"weight"`
}

// MinifyOutput reports whether output is minified (default true).
func (c *Config) MinifyOutput() bool { return c.Minify == nil || *c.Minify }

// Default returns the configuration of a folder without torg.toml.
func Default() *Config {
	c := &Config{}
	if err := c.finish(); err != nil {
		panic(err) // the defaults are valid
	}
	return c
}

// Load reads dir/torg.toml. A missing file gives the defaults. Warnings
// (unknown keys) go to diags; errors are returned as *diag.Diagnostic.
func Load(dir string, diags *diag.List) (*Config, error) {
	path := filepath.Join(dir, FileName)
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		c := Default()
		c.Dir = dir
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", FileName, err)
	}
	c, err := Parse(src, diags)
	if c != nil {
		c.Dir = dir
	}
	return c, err
}

// Parse reads configuration from src (the contents of torg.toml).
func Parse(src []byte, diags *diag.List) (*Config, error) {
	c := &Config{}
	md, err := toml.Decode(string(src), c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, diag.Errorf(FileName, pe.Position.Line, pe.Position.Col, "%s", pe.Message)
		}
		return nil, diag.Errorf(FileName, 0, 0, "%v", err)
	}
	if diags != nil {
		for _, k := range md.Undecoded() {
			key := k.String()
			if strings.HasPrefix(key, "params.") || strings.HasPrefix(key, "types.") {
				continue
			}
			line := findKeyLine(src, k[len(k)-1])
			msg := fmt.Sprintf("unknown key %q", key)
			if s := Suggest(k[len(k)-1], knownKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			diags.Add(diag.Warnf(FileName, line, 0, "%s", msg))
		}
	}
	if err := c.finish(); err != nil {
		return nil, diag.Errorf(FileName, 0, 0, "%v", err)
	}
	return c, nil
}

var knownKeys = []string{"title", "baseURL", "language", "timeZone", "theme", "unsafeHTML", "paginate", "minify", "emailDomains", "reviewMonths", "copyright", "organisation", "style", "relay", "sections", "menu", "params", "types", "name", "visitingAddress", "postalAddress", "phone", "email", "orgNumber", "openingHours", "accessibilityURL", "privacyURL", "brand", "url", "type", "sort", "weight", "check", "rules", "lix", "lixLattlast", "sentenceWords", "paragraphWords", "languages", "code", "dir", "search", "synonyms"}

func findKeyLine(src []byte, key string) int {
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, key) && strings.Contains(t, "=") || strings.Contains(t, "."+key) {
			return i + 1
		}
	}
	return 0
}

func (c *Config) finish() error {
	if c.Title == "" {
		c.Title = "Webbplats"
	}
	if err := c.finishLanguages(); err != nil {
		return err
	}
	if c.TimeZone == "" {
		c.TimeZone = "Europe/Stockholm"
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return fmt.Errorf("timeZone: %w", err)
	}
	c.Location = loc
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost:1313/"
	}
	if err := c.SetBaseURL(c.BaseURL); err != nil {
		return err
	}
	if c.Paginate <= 0 {
		c.Paginate = 20
	}
	if c.ReviewMonths <= 0 {
		c.ReviewMonths = 12
	}
	if c.Style.Brand == "" {
		c.Style.Brand = "#005a87"
	}
	if c.Organisation.Name == "" {
		c.Organisation.Name = c.Title
	}
	for id, sev := range c.Check.Rules {
		switch sev {
		case "error", "warning", "info", "off":
		default:
			return fmt.Errorf("check.rules.%s: %q is not one of error, warning, info, off", id, sev)
		}
	}
	for name, s := range c.Sections {
		switch s.Sort {
		case "", "weight", "date", "title":
		default:
			return fmt.Errorf("sections.%s.sort: %q is not one of weight, date, title", name, s.Sort)
		}
	}
	return nil
}

var langCodeRE = regexp.MustCompile(`^[a-z]{2,3}$`)

func (c *Config) finishLanguages() error {
	if len(c.Languages) == 0 {
		if c.Language == "" {
			c.Language = "sv"
		}
		if c.Language != "sv" && c.Language != "en" {
			return fmt.Errorf("language: %q is not supported (use \"sv\" or \"en\", or list the site's languages with [[languages]])", c.Language)
		}
		return nil
	}
	seen := map[string]bool{}
	for i := range c.Languages {
		l := &c.Languages[i]
		if !langCodeRE.MatchString(l.Code) {
			return fmt.Errorf("languages: code %q is not a language code of two or three lowercase letters (\"en\", \"fit\")", l.Code)
		}
		if seen[l.Code] {
			return fmt.Errorf("languages: %q is listed twice", l.Code)
		}
		seen[l.Code] = true
		switch l.Dir {
		case "":
			l.Dir = "ltr"
		case "ltr", "rtl":
		default:
			return fmt.Errorf("languages.%s.dir: %q is not \"ltr\" or \"rtl\"", l.Code, l.Dir)
		}
		if l.Name == "" {
			l.Name = l.Code
		}
	}
	if c.Language == "" {
		c.Language = c.Languages[0].Code
	}
	if !seen[c.Language] {
		return fmt.Errorf("language: %q is not one of the [[languages]]", c.Language)
	}
	// The default language first.
	for i, l := range c.Languages {
		if l.Code == c.Language && i > 0 {
			c.Languages = append(append([]Language{l}, c.Languages[:i]...), c.Languages[i+1:]...)
			break
		}
	}
	for i := range c.Languages {
		if c.Languages[i].Title == "" {
			c.Languages[i].Title = c.Title
		}
	}
	return nil
}

// Multilingual reports whether torg.toml lists more than one language.
func (c *Config) Multilingual() bool { return len(c.Languages) > 1 }

// IsLanguage reports whether code is one of the site's languages.
func (c *Config) IsLanguage(code string) bool {
	for _, l := range c.Languages {
		if l.Code == code {
			return true
		}
	}
	return code == c.Language
}

// Lang returns the language with the given code; for a code the site does
// not list, a left-to-right language named by its code.
func (c *Config) Lang(code string) Language {
	for _, l := range c.Languages {
		if l.Code == code {
			return l
		}
	}
	return Language{Code: code, Name: code, Dir: "ltr", Title: c.Title}
}

// LangPrefix returns the URL prefix of a language's pages: "" for the
// default language, "/en" for the others.
func (c *Config) LangPrefix(code string) string {
	if code == "" || code == c.Language {
		return ""
	}
	return "/" + code
}

// SetBaseURL replaces the base URL (for --baseurl).
func (c *Config) SetBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("baseURL: %q is not an absolute http(s) URL", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c.BaseURL = u.String()
	c.Base = u
	return nil
}

// Absolute returns the absolute URL of a site path ("/tjanster/").
func (c *Config) Absolute(path string) string {
	return strings.TrimSuffix(c.BaseURL, "/") + c.Base.Path[:len(c.Base.Path)-1] + path
}

// SectionDefaults returns the configured defaults of a top-level section.
func (c *Config) SectionDefaults(section string) SectionConfig {
	return c.Sections[section]
}

// Suggest returns the candidate closest to word, or "" when none is close.
// Swedish words editors are likely to type are mapped first.
func Suggest(word string, candidates []string) string {
	if s, ok := swedishKeys[strings.ToLower(word)]; ok {
		for _, c := range candidates {
			if c == s {
				return s
			}
		}
	}
	best, bestD := "", 1<<30
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := levenshtein(lw, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(word) > 8 {
		limit = 3
	}
	if bestD <= limit {
		return best
	}
	return ""
}

var swedishKeys = map[string]string{
	"titel": "title", "rubrik": "title", "beskrivning": "description", "datum": "date",
	"publicerad": "date", "uppdaterad": "lastmod", "senastuppdaterad": "lastmod", "granskad": "reviewed",
	"utkast": "draft", "vikt": "weight", "taggar": "tags", "etiketter": "tags", "meny": "menu",
	"agare": "owner", "ägare": "owner", "ansvarig": "owner", "typ": "type", "alias": "aliases",
	"publiceringsdatum": "publishDate", "avpubliceringsdatum": "expiryDate", "utgangsdatum": "expiryDate",
	"sammanfattning": "description", "namn": "title", "sprak": "language", "språk": "language",
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// SortedSections returns the configured section names, sorted.
func (c *Config) SortedSections() []string {
	var out []string
	for k := range c.Sections {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
