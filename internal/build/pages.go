package build

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/render"
	"github.com/torgsite/torg/internal/urlpath"
)

func urlUnescape(s string) (string, error) { return url.PathUnescape(s) }

func nfc(s string) string { return norm.NFC.String(s) }

// PagerPath is the path segment of list pages after the first
// ("/nyheter/sida/2/").
const PagerPath = "sida"

// renderPages renders every page (and every pager page of lists) on all
// cores. Each page renders into its own buffer, so a template error never
// leaves a half-written file; identical errors from many pages are
// reported once.
func renderPages(ctx context.Context, eng *render.Engine, site *content.Site, pages []*content.Page, tr *tracker, min *minifier, opts Options) error {
	errs := &diag.List{}
	var seen dedupe
	perPage := site.Config.Paginate
	content.Parallel(ctx, len(pages), func(i int) {
		p := pages[i]
		for _, job := range pagerJobs(p, perPage) {
			data := &render.Data{Site: site, Page: p, Pager: job.pager, Lang: p.Lang, Now: site.Now, Serve: opts.Serve}
			buf := getRenderBuf()
			if err := eng.RenderPageTo(buf, p, data); err != nil {
				putRenderBuf(buf)
				if seen.first(err.Error()) {
					errs.AddError(fmt.Errorf("%w", err))
				}
				return
			}
			raw := buf.Bytes()
			html, err := min.bytes("text/html", raw)
			if err != nil {
				putRenderBuf(buf)
				errs.AddError(fmt.Errorf("%s: %w", p.URL, err))
				return
			}
			if len(html) > 0 && len(raw) > 0 && &html[0] != &raw[0] {
				// The minifier wrote a new slice: the render buffer can
				// be reused. Otherwise html is the buffer itself, and the
				// sink may keep it.
				putRenderBuf(buf)
			}
			if opts.Inject != nil {
				html = opts.Inject(p, html)
			}
			who := p.File
			if who == "" {
				who = "page " + p.URL
			}
			if err := tr.write(urlpath.OutputFile(job.url), who, html); err != nil {
				errs.AddError(err)
				return
			}
			tr.mu.Lock()
			tr.pages++
			tr.mu.Unlock()
		}
		for _, a := range p.Aliases {
			b, err := aliasPage(eng, site, p)
			if err == nil {
				b, err = min.bytes("text/html", b)
			}
			if err == nil {
				err = tr.write(urlpath.OutputFile(a), p.File+" (alias)", b)
			}
			if err != nil {
				errs.AddError(err)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errs.Err()
}

// renderBufs holds page render buffers for reuse, so that each page does
// not grow a new buffer from scratch.
var renderBufs = sync.Pool{New: func() any {
	b := new(bytes.Buffer)
	b.Grow(64 << 10)
	return b
}}

func getRenderBuf() *bytes.Buffer {
	b := renderBufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putRenderBuf returns b to the pool; nothing may refer to its bytes
// afterwards. Very large buffers are dropped.
func putRenderBuf(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return
	}
	renderBufs.Put(b)
}

type pagerJob struct {
	url   string
	pager *render.Pager
}

// pagerJobs splits a list page into pages of perPage items: the first at
// the list's own URL, the rest at URL/sida/N/.
func pagerJobs(p *content.Page, perPage int) []pagerJob {
	var items []*content.Page
	switch p.Kind {
	case content.KindHome, content.KindSection:
		items = p.RegularPages()
	case content.KindTag, content.KindTags:
		items = p.Pages
	default:
		return []pagerJob{{url: p.URL}}
	}
	total := (len(items) + perPage - 1) / perPage
	if total == 0 {
		total = 1
	}
	pageURL := func(n int) string {
		if n == 1 {
			return p.URL
		}
		return p.URL + PagerPath + "/" + strconv.Itoa(n) + "/"
	}
	jobs := make([]pagerJob, 0, total)
	for n := 1; n <= total; n++ {
		lo, hi := (n-1)*perPage, n*perPage
		if hi > len(items) {
			hi = len(items)
		}
		pg := &render.Pager{Pages: items[lo:hi], Number: n, Total: total, TotalItems: len(items), FirstURL: pageURL(1), LastURL: pageURL(total)}
		if n > 1 {
			pg.PrevURL = pageURL(n - 1)
		}
		if n < total {
			pg.NextURL = pageURL(n + 1)
		}
		jobs = append(jobs, pagerJob{url: pageURL(n), pager: pg})
	}
	return jobs
}

// aliasTemplate is the redirect page written at each alias: an immediate
// meta refresh (a zero delay is allowed by WCAG 2.2.1) plus a visible link
// for browsers that do not follow it.
var aliasTemplate = template.Must(template.New("alias").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<link rel="canonical" href="{{.Permalink}}">
<meta http-equiv="refresh" content="0; url={{.URL}}">
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p><a href="{{.URL}}">{{.Link}}</a></p>
</main>
</body>
</html>
`))

func aliasPage(eng *render.Engine, site *content.Site, p *content.Page) ([]byte, error) {
	var b bytes.Buffer
	err := aliasTemplate.Execute(&b, map[string]string{
		"Lang":      p.Lang,
		"Title":     eng.T("alias_title"),
		"Permalink": p.Permalink,
		"URL":       p.URL,
		"Link":      eng.T("alias_link", p.Title),
	})
	if err != nil {
		return nil, fmt.Errorf("alias page for %s: %w", p.URL, err)
	}
	return b.Bytes(), nil
}

// dedupe remembers messages already reported. The zero value is ready.
type dedupe struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (d *dedupe) first(msg string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	msg = strings.TrimSpace(msg)
	if d.seen[msg] {
		return false
	}
	d.seen[msg] = true
	return true
}
