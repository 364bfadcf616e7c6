package content

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"time"

	"github.com/torgsite/torg/internal/diag"
)

// frontMatterSeed hashes the front matter of each parsed file (Page.fmHash).
var frontMatterSeed = maphash.MakeSeed()

// frontMatterHash hashes everything of a source file before its body: the
// front matter with its fences, and a byte-order mark. When the body is
// not the file's tail it hashes the whole file, so that no two different
// files compare equal.
func frontMatterHash(src, body []byte) uint64 {
	if bytes.HasSuffix(src, body) {
		return maphash.Bytes(frontMatterSeed, src[:len(src)-len(body)])
	}
	return maphash.Bytes(frontMatterSeed, src)
}

// ParseFile reads and parses one Markdown file of the site the way Load
// does (front matter, content-type decoding, "Senast uppdaterad"), without
// placing the page in a site. `torg serve` uses it to see whether an edit
// changed only a page's body (SameFrontMatter) and, if so, to apply it in
// place (ReplaceBody) instead of loading the whole site again.
func ParseFile(opts LoadOptions, file string, diags *diag.List) (*Page, error) {
	if opts.Registry == nil {
		opts.Registry = NewRegistry()
	}
	if diags == nil {
		diags = &diag.List{}
	}
	abs := filepath.Join(opts.Source, filepath.FromSlash(file))
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l := &loader{opts: opts, cfg: opts.Config}
	return l.loadPage(srcFile{rel: file, abs: abs, info: info}, diags)
}

// SameFrontMatter reports whether a and b come from the same file with
// byte-identical front matter, so that every field the loader derives from
// it (and from the file's place in the tree) is the same: only the body
// and the "Senast uppdaterad" time may differ.
func SameFrontMatter(a, b *Page) bool {
	return a.File != "" && a.File == b.File && a.fmHash == b.fmHash && a.BodyLine == b.BodyLine
}

// ReplaceBody gives p, a page of the loaded site s, the body and "Senast
// uppdaterad" time of q, a fresh parse of p's file with the same front
// matter (SameFrontMatter), and updates what the loader derived from them
// elsewhere: the Lastmod of p's fallback pages and of the generated
// /lattlast/ and /sprak/ pages. It returns the other pages whose fields
// changed. Content, Summary, Headings and WordCount are left for the
// Markdown phase.
func ReplaceBody(s *Site, p, q *Page) []*Page {
	p.Body, p.BodyLine = q.Body, q.BodyLine
	if p.Lastmod.Equal(q.Lastmod) && p.LastmodFrom == q.LastmodFrom {
		return nil
	}
	p.Lastmod, p.LastmodFrom = q.Lastmod, q.LastmodFrom
	var changed []*Page
	for _, f := range p.fallbacks {
		f.Lastmod, f.LastmodFrom = p.Lastmod, p.LastmodFrom
		changed = append(changed, f)
	}
	if sec := s.ByURL[LattlastURL]; sec != nil && sec.File == "" && sec.Lang == s.Config.Language {
		if t := latest(sec.Pages); !t.Equal(sec.Lastmod) {
			sec.Lastmod = t
			changed = append(changed, sec)
		}
	}
	if sp := s.ByURL[LanguagesURL]; sp != nil && sp.File == "" {
		if t := languagesLastmod(s.Pages); !t.Equal(sp.Lastmod) {
			sp.Lastmod = t
			changed = append(changed, sp)
		}
	}
	return changed
}

// languagesLastmod is the "Senast uppdaterad" time of the generated
// /sprak/ page: the newest of the site's own pages.
func languagesLastmod(ps []*Page) (t time.Time) {
	for _, p := range ps {
		if p.File != "" && p.FallbackOf == nil && p.Lastmod.After(t) {
			t = p.Lastmod
		}
	}
	return t
}
