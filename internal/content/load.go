package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/urlpath"
)

// ContentDir is the folder of a site source that holds the Markdown.
const ContentDir = "content"

// LoadOptions configure Load.
type LoadOptions struct {
	// Source is the site folder (holding torg.toml and content/).
	Source string
	Config *config.Config
	// Registry holds the content types; nil means only "page".
	Registry *Registry
	// Drafts includes drafts, future and expired pages.
	Drafts bool
	// Now is the build's current time, for publishDate and expiryDate.
	Now time.Time
	// Diags receives warnings; required.
	Diags *diag.List
	// Lastmod returns the "Senast uppdaterad" time of a source file
	// (site-relative path) and where it came from ("git", "mtime"), for
	// pages without "lastmod". Nil means the file's modification time.
	Lastmod func(file string, info fs.FileInfo) (time.Time, string)
	// Parse, when set, is called for every Markdown file instead of
	// parsing it directly, so that `torg serve` can reuse pages parsed
	// before: file is site-relative, abs absolute. parse does the normal
	// work, reporting warnings to diags; the page returned is changed by
	// the rest of Load, so a cached page must be copied each time.
	Parse func(file, abs string, info fs.FileInfo, parse func(diags *diag.List) (*Page, error)) (*Page, error)
}

// StaticFile is a non-Markdown file under content/ (bundle resources and
// documents), copied to the output.
type StaticFile struct {
	File string // site-relative source path ("content/tjanster/bygglov/karta.svg")
	Abs  string // absolute source path
	URL  string // output URL path ("/tjanster/bygglov/karta.svg")
	Size int64
}

// Loaded is the result of Load: the site and the files to copy.
type Loaded struct {
	Site  *Site
	Files []StaticFile
	// FileURL maps every content file (Markdown and others) that is
	// published to its URL, for resolving relative links.
	FileURL map[string]string
	// Hidden maps content files left out of this build (drafts, future,
	// expired) to the reason, so that links to them give a clear error.
	Hidden map[string]string
}

type srcFile struct {
	rel  string // site-relative, slash-separated, NFC ("content/a/b.md")
	abs  string
	info fs.FileInfo
}

// Load reads every file under Source/content, parses front matter, decodes
// content types, computes URLs and builds the section tree. Markdown bodies
// are not rendered here. All errors found are returned together.
func Load(ctx context.Context, opts LoadOptions) (*Loaded, error) {
	if opts.Registry == nil {
		opts.Registry = NewRegistry()
	}
	if opts.Diags == nil {
		opts.Diags = &diag.List{}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	root := filepath.Join(opts.Source, ContentDir)
	mdFiles, others, err := walk(opts.Source, root, opts.Diags)
	if err != nil {
		return nil, err
	}
	l := &loader{opts: opts, cfg: opts.Config}

	pages := make([]*Page, len(mdFiles))
	errs := &diag.List{}
	parallel(ctx, len(mdFiles), func(i int) {
		f := mdFiles[i]
		var p *Page
		var err error
		if opts.Parse != nil {
			p, err = opts.Parse(f.rel, f.abs, f.info, func(d *diag.List) (*Page, error) { return l.loadPage(f, d) })
		} else {
			p, err = l.loadPage(f, opts.Diags)
		}
		if err != nil {
			errs.AddError(err)
			return
		}
		pages[i] = p
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return l.assemble(ctx, pages, others)
}

func walk(source, root string, diags *diag.List) (md, others []srcFile, err error) {
	rootAbs, err := filepath.Abs(source)
	if err != nil {
		return nil, nil, fmt.Errorf("content folder: %w", err)
	}
	if _, err := os.Stat(root); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, diag.Errorf(ContentDir, 0, 0, "no content folder in %s", source)
		}
		return nil, nil, fmt.Errorf("content folder: %w", err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read content: %w", err)
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		relOS, _ := filepath.Rel(source, p)
		rel := norm.NFC.String(filepath.ToSlash(relOS))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				diags.Add(diag.Warnf(rel, 0, 0, "broken symbolic link, skipped"))
				return nil
			}
			targetAbs, _ := filepath.Abs(target)
			if !within(rootAbs, targetAbs) {
				diags.Add(diag.Warnf(rel, 0, 0, "symbolic link points outside the site, not followed"))
				return nil
			}
			info, err = os.Stat(target)
			if err != nil || info.IsDir() {
				diags.Add(diag.Warnf(rel, 0, 0, "symbolic link to a folder, not followed"))
				return nil
			}
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f := srcFile{rel: rel, abs: p, info: info}
		if strings.EqualFold(path.Ext(rel), ".md") {
			md = append(md, f)
		} else {
			others = append(others, f)
		}
		return nil
	})
	sort.Slice(md, func(i, j int) bool { return md[i].rel < md[j].rel })
	sort.Slice(others, func(i, j int) bool { return others[i].rel < others[j].rel })
	return md, others, err
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

type loader struct {
	opts LoadOptions
	cfg  *config.Config

	mu      sync.Mutex
	dirURLs map[string]string // folder → its URL (dirURL)
}

// commonKeys are the front-matter keys every page understands.
var commonKeys = []string{"title", "linkTitle", "description", "date", "lastmod", "reviewed", "publishDate", "expiryDate", "draft", "weight", "tags", "slug", "url", "aliases", "menu", "owner", "type", "layout", "id", "params", "lattlast"}

func (l *loader) loadPage(f srcFile, diags *diag.List) (*Page, error) {
	src, err := os.ReadFile(f.abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.rel, err)
	}
	fm, body, bodyLine, err := SplitFrontMatter(f.rel, src, l.cfg.Location)
	if err != nil {
		return nil, err
	}
	p := &Page{File: f.rel, Body: body, BodyLine: bodyLine, Lang: l.cfg.Language, fmHash: frontMatterHash(src, body)}
	relToContent, lang, lattlast, langErr := splitLang(l.cfg, strings.TrimPrefix(f.rel, ContentDir+"/"))
	if langErr != "" {
		return nil, diag.Errorf(f.rel, 0, 0, "%s", langErr)
	}
	p.Lang, p.lattlastFile, p.logical = lang, lattlast, relToContent
	p.transKey = translationKey(relToContent)
	p.noDerivedID = lang != l.cfg.Language || lattlast
	dir, base := path.Split(relToContent)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == "_index.md" && dir == "":
		p.Kind = KindHome
	case base == "_index.md":
		p.Kind = KindSection
	default:
		p.Kind = KindPage
	}
	if lattlast && base == "_index.md" {
		if dir == "" {
			return nil, diag.Errorf(f.rel, 0, 0, "the home page has no lättläst twin: write the lättläst start page as content/lattlast/_index.md")
		}
		p.Kind = KindPage // a section's twin is a page in the section
	}
	if p.Kind == KindPage && base == "index.md" {
		// A page bundle: its folder is the page; its section is the folder above.
		dir, _ = path.Split(dir)
		dir = strings.TrimSuffix(dir, "/")
	}
	p.Dir = dir
	if p.Kind == KindSection {
		p.Dir = dir
	}
	p.Section = strings.SplitN(p.Dir, "/", 2)[0]
	if p.Kind == KindSection {
		p.Section = strings.SplitN(dir, "/", 2)[0]
	}

	p.Title = fm.TakeString("title")
	p.LinkTitle = fm.TakeString("linkTitle")
	p.Description = fm.TakeString("description")
	p.Date = fm.TakeTime("date")
	p.Lastmod = fm.TakeTime("lastmod")
	if !p.Lastmod.IsZero() {
		p.LastmodFrom = "frontmatter"
	}
	p.Reviewed = fm.TakeTime("reviewed")
	p.PublishDate = fm.TakeTime("publishDate")
	p.ExpiryDate = fm.TakeTime("expiryDate")
	p.Draft = fm.TakeBool("draft")
	p.Weight = fm.TakeInt("weight")
	p.Tags = fm.TakeStrings("tags")
	p.Slug = fm.TakeString("slug")
	p.URL = fm.TakeString("url")
	p.Aliases = fm.TakeStrings("aliases")
	p.Owner = fm.TakeString("owner")
	p.Layout = fm.TakeString("layout")
	id := fm.TakeString("id")
	p.Type = fm.TakeString("type")
	if params := fm.TakeMap("params"); params != nil {
		p.Params = params
	}
	p.Menus = takeMenus(fm)

	if p.Title == "" {
		if fm.Has("title") {
			fm.Fail("title", "must not be empty")
		} else if p.Kind == KindPage || fm.Format != "" {
			pos := Pos{1, 1}
			fm.errs = append(fm.errs, diag.Errorf(f.rel, pos.Line, pos.Col, "title: missing (every page needs a title in its front matter)"))
		}
	}
	if p.Slug != "" {
		if err := urlpath.CheckInside(p.Slug); err != nil || strings.Contains(p.Slug, "/") {
			if err == nil {
				err = fmt.Errorf("must be a single path segment without \"/\"")
			}
			fm.Fail("slug", "%v", err)
		}
	}
	if p.URL != "" {
		if err := urlpath.CheckInside(p.URL); err != nil {
			fm.Fail("url", "%v", err)
		}
	}
	for _, a := range p.Aliases {
		if err := urlpath.CheckInside(a); err != nil {
			fm.Fail("aliases", "%q %v", a, err)
		}
	}
	if !p.PublishDate.IsZero() && !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(p.PublishDate) {
		fm.Fail("expiryDate", "is not after publishDate")
	}

	// Type: front matter, else the section default, else "page". Pages in
	// other languages and lättläst twins are plain pages unless their
	// front matter names a type, so that they do not join the registers
	// of the default language.
	if p.Type == "" && !p.noDerivedID {
		p.Type = l.cfg.SectionDefaults(p.Section).Type
	}
	if p.Type == "" {
		p.Type = "page"
	}
	t, ok := l.opts.Registry.Lookup(p.Type)
	if !ok {
		msg := fmt.Sprintf("unknown content type %q (known: %s)", p.Type, strings.Join(l.opts.Registry.Names(), ", "))
		if fm.Has("type") {
			fm.Fail("type", "%s", msg)
		} else {
			fm.errs = append(fm.errs, diag.Errorf(f.rel, 0, 0, "%s, set as default for section %q in torg.toml", msg, p.Section))
		}
	} else if t.Decode != nil {
		if err := t.Decode(fm, p); err != nil {
			fm.errs = append(fm.errs, err)
		}
	}

	// Whatever nobody took is unknown: a warning with a suggestion.
	known := commonKeys
	if t != nil {
		known = append(append([]string(nil), commonKeys...), t.Keys...)
	}
	for _, k := range fm.Untaken() {
		v, _ := fm.Raw(k)
		if p.Params == nil {
			p.Params = map[string]any{}
		}
		p.Params[k] = v
		if slices.Contains(commonKeys, k) {
			continue // known, kept in Params for checks and layouts ("lattlast")
		}
		kp := fm.KeyPos(k)
		msg := fmt.Sprintf("unknown front matter key %q", k)
		if s := config.Suggest(k, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		diags.Add(diag.Warnf(f.rel, kp.Line, kp.Col, "%s", msg))
	}
	if err := fm.Err(); err != nil {
		return nil, err
	}
	if p.LinkTitle == "" {
		p.LinkTitle = p.Title
	}
	if p.lattlastFile {
		if p.Params == nil {
			p.Params = map[string]any{}
		}
		p.Params["lattlast"] = true // the lättläst limits of torg check
	}
	if p.Lastmod.IsZero() {
		if l.opts.Lastmod != nil {
			p.Lastmod, p.LastmodFrom = l.opts.Lastmod(f.rel, f.info)
		} else {
			p.Lastmod, p.LastmodFrom = f.info.ModTime().In(l.cfg.Location), "mtime"
		}
	}
	p.pageID = id
	if id == "" {
		p.derivedID = p.ID() // asked for often (references, keys): slugify once
	}
	return p, nil
}

func takeMenus(fm *FrontMatter) []MenuEntry {
	v, ok := fm.Raw("menu")
	if !ok || v == nil {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []MenuEntry{{Menu: t}}
	case []any:
		var out []MenuEntry
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				fm.Fail("menu", "expected menu names, got %s", describe(e))
				return nil
			}
			out = append(out, MenuEntry{Menu: s})
		}
		return out
	case map[string]any:
		var out []MenuEntry
		names := make([]string, 0, len(t))
		for k := range t {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			me := MenuEntry{Menu: name}
			if props, ok := t[name].(map[string]any); ok {
				if n, ok := props["name"].(string); ok {
					me.Name = n
				}
				switch w := props["weight"].(type) {
				case int64:
					me.Weight = int(w)
				case float64:
					me.Weight = int(w)
				}
			}
			out = append(out, me)
		}
		return out
	}
	fm.Fail("menu", "expected a menu name, a list of names or a map, got %s", describe(v))
	return nil
}

// visible reports why a page is left out, or "" when it is published.
func (l *loader) hiddenReason(p *Page) string {
	if l.opts.Drafts {
		return ""
	}
	now := l.opts.Now
	switch {
	case p.Draft:
		return "it is a draft (draft: true)"
	case !p.PublishDate.IsZero() && p.PublishDate.After(now):
		return fmt.Sprintf("its publishDate %s is in the future", p.PublishDate.Format("2006-01-02"))
	case !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(now):
		return fmt.Sprintf("its expiryDate %s has passed", p.ExpiryDate.Format("2006-01-02"))
	}
	return ""
}

func (l *loader) assemble(ctx context.Context, loaded []*Page, others []srcFile) (*Loaded, error) {
	s := &Site{
		Config:   l.cfg,
		ByURL:    map[string]*Page{},
		ByFile:   map[string]*Page{},
		ByID:     map[string]*Page{},
		Tags:     map[string]*Page{},
		Menus:    map[string][]MenuItem{},
		Diags:    l.opts.Diags,
		Registry: l.opts.Registry,
		Now:      l.opts.Now,
	}
	res := &Loaded{Site: s, FileURL: map[string]string{}, Hidden: map[string]string{}}
	errs := &diag.List{}

	// Drop hidden pages first, so that nothing links or lists them.
	var pages []*Page
	bundleDirs := map[string]*Page{} // content-relative bundle folder → page
	for _, p := range loaded {
		if reason := l.hiddenReason(p); reason != "" {
			res.Hidden[p.File] = reason
			if strings.HasSuffix(p.File, "/index.md") && p.Kind == KindPage {
				bundleDirs[path.Dir(strings.TrimPrefix(p.File, ContentDir+"/"))] = nil
			}
			continue
		}
		p.IsDraftShown = p.Draft
		pages = append(pages, p)
		if p.Kind == KindPage && strings.HasSuffix(p.File, "/index.md") {
			bundleDirs[path.Dir(strings.TrimPrefix(p.File, ContentDir+"/"))] = p
		}
	}

	// Sections: every folder holding pages gets a section page, generated
	// when it has no _index.md.
	sections := map[string]*Page{} // content-relative dir → section page
	ls := &langState{homes: map[string]*Page{}, sections: map[string]map[string]*Page{}}
	for _, p := range pages {
		if p.Lang != l.cfg.Language {
			switch p.Kind {
			case KindHome:
				if other := ls.homes[p.Lang]; other != nil {
					errs.Add(diag.Errorf(p.File, 0, 0, "a second home page for language %q (the first is %s)", p.Lang, other.File))
				}
				ls.homes[p.Lang] = p
			case KindSection:
				if ls.sections[p.Lang] == nil {
					ls.sections[p.Lang] = map[string]*Page{}
				}
				ls.sections[p.Lang][p.Dir] = p
			}
			continue
		}
		switch p.Kind {
		case KindHome:
			s.Home = p
		case KindSection:
			sections[strings.TrimSuffix(path.Dir(strings.TrimPrefix(p.File, ContentDir+"/")), "/")] = p
		}
	}
	if s.Home == nil {
		s.Home = &Page{Kind: KindHome, Title: l.cfg.Title, LinkTitle: l.cfg.Title, Type: "page", Lang: l.cfg.Language}
	}
	// Every other language has a home page: its _index.<code>.md, else a
	// fallback page showing the default home page under a notice.
	if l.cfg.Multilingual() {
		ls.homes[l.cfg.Language] = s.Home
		for _, lang := range l.cfg.Languages[1:] {
			if ls.homes[lang.Code] == nil {
				h := newFallback(s.Home, lang.Code)
				ls.homes[lang.Code] = h
				pages = append(pages, h)
			}
		}
	}
	s.langHomes = ls.homes
	var ensure func(dir string) *Page
	ensure = func(dir string) *Page {
		if dir == "" || dir == "." {
			return s.Home
		}
		if sec, ok := sections[dir]; ok {
			return sec
		}
		base := path.Base(dir)
		title := strings.ReplaceAll(base, "-", " ")
		if title != "" {
			title = strings.ToUpper(title[:1]) + title[1:]
		}
		sec := &Page{Kind: KindSection, Dir: dir, Section: strings.SplitN(dir, "/", 2)[0], Title: title, LinkTitle: title, Type: "page", Lang: l.cfg.Language}
		if t := l.cfg.SectionDefaults(sec.Section).Type; t != "" && sec.Dir == sec.Section {
			sec.Type = "page"
		}
		sections[dir] = sec
		pages = append(pages, sec)
		return sec
	}
	for _, p := range append([]*Page(nil), pages...) {
		if p.Lang != l.cfg.Language {
			if p.Kind != KindHome {
				p.Parent = ls.parent(p)
			}
			continue
		}
		switch p.Kind {
		case KindPage:
			if _, inBundle := insideBundle(p.Dir, bundleDirs); inBundle {
				errs.Add(diag.Errorf(p.File, 0, 0, "a page inside page bundle %q: bundles cannot hold other pages (move it out, or rename the bundle's index.md to _index.md to make a section)", p.Dir))
				continue
			}
			p.Parent = ensure(p.Dir)
		case KindSection:
			p.Parent = ensure(parentDir(p.Dir))
		}
	}
	// ensure adds sections while the map is ranged over, and a range may
	// skip entries added during it: repeat until every section has a
	// parent (generated "a" for a page in a/b/ otherwise had none, at
	// random).
	for more := true; more; {
		more = false
		for _, sec := range sections {
			if sec.Parent == nil {
				sec.Parent = ensure(parentDir(sec.Dir))
				more = true
			}
		}
	}
	if !containsPage(pages, s.Home) {
		pages = append(pages, s.Home)
	}

	// URLs.
	for _, p := range pages {
		p.URL = l.pageURL(p)
	}
	// Generated section pages need a URL before children list them.
	for _, p := range pages {
		p.Permalink = l.cfg.Absolute(p.URL)
	}

	// Duplicate URLs are errors naming both files.
	for _, p := range pages {
		if other, dup := s.ByURL[p.URL]; dup {
			errs.Add(diag.Errorf(p.File, 0, 0, "URL %s is also the URL of %s (give one of them another slug or url)", p.URL, nameOf(other)))
			continue
		}
		s.ByURL[p.URL] = p
		if p.File != "" {
			s.ByFile[p.File] = p
			res.FileURL[p.File] = p.URL
		}
	}

	// Ids, for references between pages. An explicit front-matter id wins
	// over ids derived from file names; two explicit ids clash (an error);
	// two derived ids are ambiguous and name no page until one of the
	// files sets an explicit id.
	explicit := map[string]*Page{}
	derived := map[string][]*Page{}
	for _, p := range pages {
		id := p.ID()
		switch {
		case id == "":
		case p.pageID != "":
			if other, dup := explicit[id]; dup {
				errs.Add(diag.Errorf(p.File, 0, 0, "id %q is also the id of %s", id, nameOf(other)))
				continue
			}
			explicit[id] = p
		default:
			derived[id] = append(derived[id], p)
		}
	}
	for id, p := range explicit {
		s.ByID[id] = p
	}
	for id, ps := range derived {
		if _, ok := explicit[id]; ok {
			continue
		}
		if len(ps) == 1 {
			s.ByID[id] = ps[0]
			continue
		}
		var files []string
		for _, p := range ps {
			files = append(files, nameOf(p))
		}
		sort.Strings(files)
		s.ambiguous = appendMap(s.ambiguous, id, files)
	}

	// Translations, lättläst twins and fallback pages.
	pages = l.linkLanguages(s, ls, pages, errs)

	// Children, sorted as the section is configured. Lättläst twins are
	// listed in the lättläst section instead, fallback pages nowhere.
	for _, p := range pages {
		if p.Parent == nil || p.Kind == KindHome || p.FallbackOf != nil || p.lattlastFile {
			continue
		}
		p.Parent.Pages = append(p.Parent.Pages, p)
		if p.Kind == KindSection {
			p.Parent.Sections = append(p.Parent.Sections, p)
		}
	}
	for _, p := range pages {
		if len(p.Pages) > 0 {
			SortPages(p.Pages, l.sortOf(p))
			SortPages(p.Sections, "weight")
		}
	}
	s.Sections = append(s.Sections, s.Home.Sections...)

	// Aliases must not collide with pages.
	for _, p := range pages {
		for i, a := range p.Aliases {
			a = urlpath.Clean(a)
			p.Aliases[i] = a
			if other, dup := s.ByURL[a]; dup {
				errs.Add(diag.Errorf(p.File, 0, 0, "alias %s is the URL of %s", a, nameOf(other)))
			}
		}
	}

	// Tags.
	l.buildTags(s, &pages, errs)

	// Menus from pages and torg.toml.
	for _, p := range pages {
		for _, m := range p.Menus {
			name := m.Name
			if name == "" {
				name = p.Name()
			}
			w := m.Weight
			if w == 0 {
				w = p.Weight
			}
			menu := m.Menu
			if p.Lang != l.cfg.Language {
				menu += "." + p.Lang // a language's own menus: see Site.Menu
			}
			s.Menus[menu] = append(s.Menus[menu], MenuItem{Name: name, URL: p.URL, Weight: w, Page: p})
		}
	}
	for menu, items := range l.cfg.Menu {
		for _, it := range items {
			s.Menus[menu] = append(s.Menus[menu], MenuItem{Name: it.Name, URL: it.URL, Weight: it.Weight})
		}
	}
	for _, items := range s.Menus {
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Weight != items[j].Weight {
				return items[i].Weight < items[j].Weight
			}
			return items[i].Name < items[j].Name
		})
	}

	// The lättläst section and the "Andra språk" page.
	l.generatedLanguagePages(s, &pages, errs)

	// Non-Markdown files: bundle resources and documents.
	for _, f := range others {
		rel := strings.TrimPrefix(f.rel, ContentDir+"/")
		dir, name := path.Split(rel)
		dir = strings.TrimSuffix(dir, "/")
		if bdir, ok := insideBundle(dir, bundleDirs); ok && bundleDirs[bdir] == nil {
			continue // resources of a hidden bundle stay hidden
		}
		u := l.dirURL(dir) + fileSlug(name)
		if other, dup := s.ByURL[u]; dup {
			errs.Add(diag.Errorf(f.rel, 0, 0, "URL %s is also the URL of %s", u, nameOf(other)))
			continue
		}
		res.Files = append(res.Files, StaticFile{File: f.rel, Abs: f.abs, URL: u, Size: f.info.Size()})
		res.FileURL[f.rel] = u
		if bdir, ok := insideBundle(dir, bundleDirs); ok {
			if bp := bundleDirs[bdir]; bp != nil {
				bp.Resources = append(bp.Resources, Resource{Name: strings.TrimPrefix(rel, bdir+"/"), URL: u, Size: f.info.Size(), MediaType: mime.TypeByExtension(path.Ext(name))})
			}
		}
	}

	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	s.Pages = pages
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return res, ctx.Err()
}

func appendMap(m map[string][]string, k string, v []string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[k] = v
	return m
}

func containsPage(ps []*Page, p *Page) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// insideBundle reports whether dir is a bundle folder or below one, and which.
func insideBundle(dir string, bundles map[string]*Page) (string, bool) {
	for d := dir; d != "" && d != "."; d = parentDir(d) {
		if _, ok := bundles[d]; ok {
			return d, true
		}
	}
	return "", false
}

func parentDir(dir string) string {
	i := strings.LastIndex(dir, "/")
	if i < 0 {
		return ""
	}
	return dir[:i]
}

func nameOf(p *Page) string {
	if p.File != "" {
		return p.File
	}
	return "the generated page " + p.URL
}

// ID returns the page's id for references: front matter "id", else its
// file name without extension (a bundle's or section's folder name).
func (p *Page) ID() string {
	if p.pageID != "" {
		return p.pageID
	}
	if p.derivedID != "" {
		return p.derivedID
	}
	if p.File == "" || p.noDerivedID {
		return ""
	}
	rel := strings.TrimPrefix(p.File, ContentDir+"/")
	if p.logical != "" {
		rel = p.logical
	}
	base := path.Base(rel)
	if base == "_index.md" || base == "index.md" {
		d := path.Dir(rel)
		if d == "." {
			return ""
		}
		return urlpath.Slugify(path.Base(d))
	}
	return urlpath.Slugify(strings.TrimSuffix(base, path.Ext(base)))
}

func (l *loader) dirURL(dir string) string {
	if dir == "" {
		return "/"
	}
	// Every page of a folder asks: slugify each folder once per load.
	l.mu.Lock()
	defer l.mu.Unlock()
	if u, ok := l.dirURLs[dir]; ok {
		return u
	}
	var segs []string
	for _, s := range strings.Split(dir, "/") {
		segs = append(segs, urlpath.Slugify(s))
	}
	u := "/" + strings.Join(segs, "/") + "/"
	if l.dirURLs == nil {
		l.dirURLs = map[string]string{}
	}
	l.dirURLs[dir] = u
	return u
}

func fileSlug(name string) string {
	ext := strings.ToLower(path.Ext(name))
	base := urlpath.Slugify(strings.TrimSuffix(name, path.Ext(name)))
	if base == "" {
		base = "fil"
	}
	return base + ext
}

func (l *loader) pageURL(p *Page) string {
	if p.URL != "" && p.File != "" {
		return urlpath.Clean(p.URL)
	}
	u := l.treeURL(p)
	if p.lattlastFile {
		u += LattlastSuffix + "/"
	}
	return l.cfg.LangPrefix(p.Lang) + u
}

// treeURL is a page's URL from its place in the content tree, without
// language prefix.
func (l *loader) treeURL(p *Page) string {
	if p.lattlastFile && path.Base(p.logical) == "_index.md" {
		return l.dirURL(p.Dir) // a section's twin: /tjanster/lattlast/
	}
	switch p.Kind {
	case KindHome:
		return "/"
	case KindSection:
		u := l.dirURL(p.Dir)
		if p.Slug != "" {
			u = l.dirURL(parentDir(p.Dir)) + p.Slug + "/"
		}
		return u
	}
	name := p.Slug
	if name == "" {
		rel := strings.TrimPrefix(p.File, ContentDir+"/")
		if p.logical != "" {
			rel = p.logical
		}
		base := path.Base(rel)
		if base == "index.md" {
			base = path.Base(path.Dir(rel))
		} else {
			base = strings.TrimSuffix(base, path.Ext(base))
		}
		name = urlpath.Slugify(base)
		if name == "" {
			name = "sida"
		}
	}
	return l.dirURL(p.Dir) + name + "/"
}

func (l *loader) sortOf(p *Page) string {
	if p.Kind == KindHome {
		return "weight"
	}
	if s := l.cfg.SectionDefaults(p.Section).Sort; s != "" {
		return s
	}
	return "weight"
}

// TagsURL is the URL of the list of all tags.
const TagsURL = "/taggar/"

func (l *loader) buildTags(s *Site, pages *[]*Page, errs *diag.List) {
	byTag := map[string]*Page{}
	var tagNames []string
	for _, p := range *pages {
		for _, t := range p.Tags {
			slug := urlpath.Slugify(t)
			if slug == "" {
				continue
			}
			tp, ok := byTag[slug]
			if !ok {
				tp = &Page{Kind: KindTag, Title: t, LinkTitle: t, Type: "page", URL: TagsURL + slug + "/", Lang: l.cfg.Language}
				byTag[slug] = tp
				tagNames = append(tagNames, slug)
			}
			tp.Pages = append(tp.Pages, p)
		}
	}
	if len(byTag) == 0 {
		return
	}
	tags := &Page{Kind: KindTags, Title: "Taggar", LinkTitle: "Taggar", Type: "page", URL: TagsURL, Parent: s.Home, Lang: l.cfg.Language}
	sort.Strings(tagNames)
	for _, slug := range tagNames {
		tp := byTag[slug]
		tp.Parent = tags
		SortPages(tp.Pages, "date")
		tags.Pages = append(tags.Pages, tp)
		s.Tags[slug] = tp
	}
	for _, p := range append([]*Page{tags}, tags.Pages...) {
		p.Permalink = l.cfg.Absolute(p.URL)
		if other, dup := s.ByURL[p.URL]; dup {
			errs.Add(diag.Errorf(nameOf(other), 0, 0, "URL %s is reserved for the tag pages", p.URL))
			continue
		}
		s.ByURL[p.URL] = p
		*pages = append(*pages, p)
	}
}

// SortPages sorts pages in place: "weight" (weight, then date newest first,
// then title; pages without weight after weighted ones), "date" (newest
// first) or "title" (Swedish alphabetical order).
func SortPages(ps []*Page, by string) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		switch by {
		case "date":
			if !a.Date.Equal(b.Date) {
				return a.Date.After(b.Date)
			}
		case "title":
		default:
			if a.Weight != b.Weight {
				if a.Weight == 0 || b.Weight == 0 {
					return b.Weight == 0
				}
				return a.Weight < b.Weight
			}
			if !a.Date.Equal(b.Date) {
				return a.Date.After(b.Date)
			}
		}
		if c := CompareSwedish(a.Name(), b.Name()); c != 0 {
			return c < 0
		}
		return a.URL < b.URL
	})
}

// CompareSwedish compares strings in Swedish alphabetical order (… x y z å ä
// ö), case-insensitively.
func CompareSwedish(a, b string) int {
	ka, kb := swedishKey(a), swedishKey(b)
	return strings.Compare(ka, kb)
}

func swedishKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'å':
			b.WriteRune('{') // sorts right after 'z'
		case 'ä', 'æ':
			b.WriteRune('|')
		case 'ö', 'ø':
			b.WriteRune('}')
		case 'é', 'è':
			b.WriteRune('e')
		case 'ü':
			b.WriteRune('y')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parallel runs fn(0..n-1) on all cores and returns when all are done or
// ctx is cancelled.
func parallel(ctx context.Context, n int, fn func(i int)) {
	Parallel(ctx, n, fn)
}

// Parallel runs fn(0..n-1) on GOMAXPROCS workers. Work not yet started is
// skipped once ctx is cancelled.
func Parallel(ctx context.Context, n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	var next int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if int(i) >= n {
					return
				}
				fn(int(i))
			}
		}()
	}
	wg.Wait()
}
