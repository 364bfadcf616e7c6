package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/urlpath"
)

// Layer is one source of layouts and i18n files: a site folder or a theme.
// Earlier layers override later ones file by file.
type Layer struct {
	FS fs.FS
	// Prefix is how files of this layer are named in messages
	// ("layouts/" for the site, "themes/default/layouts/" for the theme).
	Prefix string
}

// Options configure an Engine.
type Options struct {
	// Layouts are the layout folders, the site's first, then the theme's.
	Layouts []Layer
	// I18n are the i18n folders, in the same order.
	I18n []Layer
	Lang string
	// Assets maps a theme asset path ("css/main.css") to its published URL
	// with content hash.
	Assets map[string]string
	Site   *content.Site
	Serve  bool
	Diags  *diag.List
}

// Engine renders pages with one parsed template set per layout file. On a
// multilingual site it holds one Engine per language (the same layouts,
// with t, date and humanSize in that language) and renders each page with
// the one of Data.Lang.
type Engine struct {
	opts    Options
	lang    string
	sets    map[string]*template.Template // layout name → set
	files   map[string]string             // layout name → name for messages
	strings map[string]string
	missing *sync.Map // translation keys reported once

	// root holds the base layout and the partials; partialCached executes
	// partials from it. cache maps partialCached keys to *cachedHTML.
	root      *template.Template
	cache     *sync.Map
	cacheable map[string]bool // partial name → output depends only on the key

	langs map[string]*Engine // language → engine; nil on single-language sites
}

// New reads and parses every layout. Parse errors name the layout file and
// line.
func New(opts Options) (*Engine, error) {
	if opts.Lang == "" {
		opts.Lang = "sv"
	}
	srcs, files, err := readLayouts(opts)
	if err != nil {
		return nil, err
	}
	e, err := newLang(opts, opts.Lang, srcs, files)
	if err != nil {
		return nil, err
	}
	if opts.Site != nil && opts.Site.Config != nil && opts.Site.Config.Multilingual() {
		e.langs = map[string]*Engine{e.lang: e}
		for _, l := range opts.Site.Config.Languages {
			if l.Code == e.lang {
				continue
			}
			le, err := newLang(opts, l.Code, srcs, files)
			if err != nil {
				return nil, err
			}
			le.langs = e.langs
			e.langs[l.Code] = le
		}
	}
	return e, nil
}

// Reset prepares an engine for another build of the same site with the
// same layouts, after pages changed in place (`torg serve` applying a
// body-only edit): it forgets the partialCached results and the
// translation keys already reported, and sends warnings to diags.
// Parsing the layouts again is what it saves. Not safe while rendering.
func (e *Engine) Reset(diags *diag.List) {
	engines := e.langs
	if engines == nil {
		engines = map[string]*Engine{e.lang: e}
	}
	for _, le := range engines {
		le.opts.Diags = diags
		le.cache = &sync.Map{}
		le.missing = &sync.Map{}
	}
}

// For returns the engine of a language (the default one for a language
// the site does not list).
func (e *Engine) For(lang string) *Engine {
	if le, ok := e.langs[lang]; ok {
		return le
	}
	return e
}

func readLayouts(opts Options) (map[string][]byte, map[string]string, error) {
	srcs := map[string][]byte{}
	files := map[string]string{}
	for i := len(opts.Layouts) - 1; i >= 0; i-- {
		layer := opts.Layouts[i]
		if layer.FS == nil {
			continue
		}
		err := fs.WalkDir(layer.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == "." {
					return fs.SkipDir // a layer without layouts
				}
				return err
			}
			if d.IsDir() || !strings.HasSuffix(p, ".html") {
				return nil
			}
			b, err := fs.ReadFile(layer.FS, p)
			if err != nil {
				return fmt.Errorf("read layout %s%s: %w", layer.Prefix, p, err)
			}
			srcs[p] = b
			files[p] = layer.Prefix + p
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return srcs, files, nil
}

func newLang(opts Options, lang string, srcs map[string][]byte, files map[string]string) (*Engine, error) {
	e := &Engine{opts: opts, lang: lang, sets: map[string]*template.Template{}, files: files, strings: map[string]string{}, missing: &sync.Map{}, cache: &sync.Map{}, cacheable: map[string]bool{}}
	if err := e.loadI18n(); err != nil {
		return nil, err
	}
	const baseName = "_default/baseof.html"
	root := template.New("torg").Funcs(e.funcs())
	var names []string
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	errs := &diag.List{}
	if b, ok := srcs[baseName]; ok {
		if _, err := root.New(baseName).Parse(string(b)); err != nil {
			errs.Add(e.templateError(err))
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "partials/") {
			if _, err := root.New(n).Parse(string(srcs[n])); err != nil {
				errs.Add(e.templateError(err))
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	e.root = root
	e.markCacheable(names)
	for _, n := range names {
		if n == baseName || strings.HasPrefix(n, "partials/") {
			continue
		}
		set, err := root.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone templates: %w", err)
		}
		if _, err := set.New(n).Parse(string(srcs[n])); err != nil {
			errs.Add(e.templateError(err))
			continue
		}
		e.sets[n] = set
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return e, nil
}

var tmplErrRE = regexp.MustCompile(`^template: ([^:]+):(\d+)(?::(\d+))?: (.*)$`)

// templateError turns an html/template error into a diagnostic naming the
// layout file and line.
func (e *Engine) templateError(err error) *diag.Diagnostic {
	msg := err.Error()
	if m := tmplErrRE.FindStringSubmatch(msg); m != nil {
		file := m[1]
		if f, ok := e.files[file]; ok {
			file = f
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		rest := m[4]
		// Drop the repeated "template: x:1:2: executing ... at <...>:" noise.
		return &diag.Diagnostic{File: file, Line: line, Col: col, Severity: diag.Error, Msg: rest, Err: err}
	}
	return &diag.Diagnostic{Severity: diag.Error, Msg: "template: " + msg, Err: err}
}

// Has reports whether a layout exists.
func (e *Engine) Has(name string) bool {
	_, ok := e.sets[name]
	return ok
}

// Lookup returns the layout to render p with, following the lookup order
// in the package documentation.
func (e *Engine) Lookup(p *content.Page) (string, error) {
	var cands []string
	switch p.Kind {
	case content.KindHome:
		cands = []string{"index.html", p.Type + "/list.html", "_default/list.html"}
	case content.KindSection:
		cands = []string{p.Type + "/list.html", p.Section + "/list.html", "_default/list.html"}
	case content.KindTags:
		cands = []string{"_default/tags.html", "_default/list.html"}
	case content.KindTag:
		cands = []string{"_default/tag.html", "_default/list.html"}
	case content.Kind404:
		cands = []string{"404.html", "_default/single.html"}
	case content.KindVirtual:
		if p.Layout != "" {
			cands = append(cands, p.Type+"/"+p.Layout+".html", p.Layout+".html", "_default/"+p.Layout+".html")
		}
		cands = append(cands, p.Type+"/single.html", "_default/single.html")
	default:
		if p.Layout != "" {
			cands = append(cands, p.Type+"/"+p.Layout+".html", p.Layout+".html")
		}
		cands = append(cands, p.Type+"/single.html")
		if p.Section != "" {
			cands = append(cands, p.Section+"/single.html")
		}
		cands = append(cands, "_default/single.html")
	}
	if p.FallbackOf != nil {
		cands = append([]string{"_default/fallback.html"}, cands...)
	}
	for _, c := range cands {
		if e.Has(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("no layout for %s page %s (looked for %s)", p.Kind, p.URL, strings.Join(cands, ", "))
}

// Render executes layout with data into w. A layout that is a whole
// document (it does not use baseof) is executed as it is.
func (e *Engine) Render(w io.Writer, layout string, data *Data) error {
	if data != nil && data.Lang != "" && data.Lang != e.lang && e.langs != nil {
		e = e.For(data.Lang)
	}
	set, ok := e.sets[layout]
	if !ok {
		return fmt.Errorf("no layout %s", layout)
	}
	name := layout
	if set.Lookup("_default/baseof.html") != nil && set.Lookup("main") != nil {
		name = "_default/baseof.html"
	}
	if err := set.ExecuteTemplate(w, name, data); err != nil {
		return e.templateError(err)
	}
	return nil
}

// RenderPageTo looks up p's layout and renders it into buf.
func (e *Engine) RenderPageTo(buf *bytes.Buffer, p *content.Page, data *Data) error {
	layout, err := e.Lookup(p)
	if err != nil {
		return err
	}
	return e.Render(buf, layout, data)
}

// RenderPage looks up p's layout and renders it into a new buffer.
func (e *Engine) RenderPage(p *content.Page, data *Data) ([]byte, error) {
	layout, err := e.Lookup(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	if err := e.Render(&buf, layout, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// i18nChain lists the string files read for a language, later ones
// overriding earlier ones: a language other than Swedish and English falls
// back to Swedish, then English, key by key.
func i18nChain(lang string) []string {
	switch lang {
	case "sv", "en":
		return []string{lang}
	}
	return []string{"en", "sv", lang}
}

func (e *Engine) loadI18n() error {
	for _, lang := range i18nChain(e.lang) {
		if err := e.loadI18nLang(lang); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) loadI18nLang(lang string) error {
	for i := len(e.opts.I18n) - 1; i >= 0; i-- {
		layer := e.opts.I18n[i]
		if layer.FS == nil {
			continue
		}
		// <lang>.toml, then <lang>.*.toml (feature strings kept apart,
		// e.g. sv.municipal.toml), in name order.
		names := []string{lang + ".toml"}
		if more, err := fs.Glob(layer.FS, lang+".*.toml"); err == nil {
			sort.Strings(more)
			names = append(names, more...)
		}
		for _, name := range names {
			b, err := fs.ReadFile(layer.FS, name)
			if err != nil {
				continue
			}
			m := map[string]string{}
			if _, err := toml.Decode(string(b), &m); err != nil {
				var pe toml.ParseError
				if errorsAs(err, &pe) {
					return diag.Errorf(layer.Prefix+name, pe.Position.Line, pe.Position.Col, "%s", pe.Message)
				}
				return diag.Errorf(layer.Prefix+name, 0, 0, "%v", err)
			}
			for k, v := range m {
				e.strings[k] = v
			}
		}
	}
	return nil
}

func errorsAs(err error, pe *toml.ParseError) bool {
	if p, ok := err.(toml.ParseError); ok {
		*pe = p
		return true
	}
	return false
}

// T returns the translated interface string for key, formatted with args.
func (e *Engine) T(key string, args ...any) string {
	s, ok := e.strings[key]
	if !ok {
		if _, seen := e.missing.LoadOrStore(key, true); !seen && e.opts.Diags != nil {
			e.opts.Diags.Add(diag.Warnf("i18n/"+e.lang+".toml", 0, 0, "no translation for %q", key))
		}
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var monthsSv = []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// FormatDate formats t as "26 november 2026" (Swedish), "26 November
// 2026" (English) or "26.11.2026" (the other languages: the Finnish
// convention, also read without month names in every language), in the
// site's time zone.
func (e *Engine) FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(e.location())
	switch e.lang {
	case "en":
		return t.Format("2 January 2006")
	case "sv":
		return fmt.Sprintf("%d %s %d", t.Day(), monthsSv[t.Month()-1], t.Year())
	}
	return t.Format("2.1.2006")
}

// FormatDateTime formats t as "26 november 2026 kl. 14.30".
func (e *Engine) FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(e.location())
	switch e.lang {
	case "en":
		return t.Format("2 January 2006, 15:04")
	case "sv":
		return fmt.Sprintf("%s kl. %02d.%02d", e.FormatDate(t), t.Hour(), t.Minute())
	}
	return t.Format("2.1.2006 15.04")
}

func (e *Engine) location() *time.Location {
	if e.opts.Site != nil && e.opts.Site.Config != nil && e.opts.Site.Config.Location != nil {
		return e.opts.Site.Config.Location
	}
	return time.UTC
}

// HumanSize formats a byte count as "120 kB" or "1,2 MB" (Swedish decimal
// comma; English uses a point).
func HumanSize(n int64, lang string) string {
	var s string
	switch {
	case n < 1000:
		s = fmt.Sprintf("%d byte", n)
	case n < 1000*1000:
		s = fmt.Sprintf("%d kB", (n+500)/1000)
	case n < 1000*1000*1000:
		s = fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		s = fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"t":        e.T,
		"date":     e.FormatDate,
		"datetime": e.FormatDateTime,
		"isodate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(e.location()).Format("2006-01-02")
		},
		"isotime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(e.location()).Format(time.RFC3339)
		},
		"asset": func(p string) (string, error) {
			u, ok := e.opts.Assets[strings.TrimPrefix(p, "/")]
			if !ok {
				return "", fmt.Errorf("asset %q not found in the theme's assets/ folder", p)
			}
			return u, nil
		},
		"absURL": func(p string) string {
			if e.opts.Site == nil {
				return p
			}
			if strings.Contains(p, "://") {
				return p
			}
			return e.opts.Site.Config.Absolute("/" + strings.TrimPrefix(p, "/"))
		},
		"relURL":    func(p string) string { return "/" + strings.TrimPrefix(p, "/") },
		"humanSize": func(n int64) string { return HumanSize(n, e.lang) },
		// tl LANG KEY: an interface string in another language (the
		// language menu, the "Andra språk" page).
		"tl": func(lang, key string, args ...any) string { return e.For(lang).T(key, args...) },
		"langName": func(code string) string {
			if e.opts.Site == nil {
				return code
			}
			return e.opts.Site.Config.Lang(code).Name
		},
		"langDir": func(code string) string {
			if e.opts.Site == nil {
				return "ltr"
			}
			return e.opts.Site.Config.Lang(code).Dir
		},
		// partialCached NAME DATA KEY: the partial's HTML, executed once
		// per language and key (see cache.go).
		"partialCached": e.partialCached,
		"menuKey":       e.menuKey,
		"sectionNav":    e.sectionNav,
		"lower":         strings.ToLower,
		"upper":         strings.ToUpper,
		"title": func(s string) string {
			if s == "" {
				return s
			}
			r := []rune(s)
			return strings.ToUpper(string(r[0])) + string(r[1:])
		},
		"join":      strings.Join,
		"split":     strings.Split,
		"trim":      strings.TrimSpace,
		"hasPrefix": strings.HasPrefix,
		"hasSuffix": strings.HasSuffix,
		"contains":  strings.Contains,
		"replace":   strings.ReplaceAll,
		"slugify":   urlpath.Slugify,
		"first": func(n int, ps []*content.Page) []*content.Page {
			if n < len(ps) {
				return ps[:n]
			}
			return ps
		},
		"slice": func(items ...any) []any { return items },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs key value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict keys must be text")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"add":      func(a, b int) int { return a + b },
		"sub":      func(a, b int) int { return a - b },
		"mul":      func(a, b int) int { return a * b },
		"safeHTML": func(s string) template.HTML { return template.HTML(s) },
		"safeURL":  func(s string) template.URL { return template.URL(s) },
		"safeCSS":  func(s string) template.CSS { return template.CSS(s) },
		"jsonLD": func(v any) (template.JS, error) {
			b, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("jsonLD: %w", err)
			}
			return template.JS(b), nil
		},
		"now": func() time.Time {
			if e.opts.Site != nil {
				return e.opts.Site.Now
			}
			return time.Now()
		},
		"pageByID": func(id string) *content.Page {
			if e.opts.Site == nil {
				return nil
			}
			return e.opts.Site.ByID[id]
		},
		"pagesOfType": func(name string) []*content.Page {
			if e.opts.Site == nil {
				return nil
			}
			return e.opts.Site.PagesOfType(name)
		},
		"section": func(name string) *content.Page {
			if e.opts.Site == nil {
				return nil
			}
			for _, s := range e.opts.Site.Sections {
				if s.Section == name {
					return s
				}
			}
			return nil
		},
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"path": func(p string) string { return path.Clean(p) },
		"isZero": func(t time.Time) bool {
			return t.IsZero()
		},
	}
}
