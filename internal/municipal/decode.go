package municipal

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// decoder reads one page's type-specific front matter. Top-level keys go
// through fm's Take methods; records inside lists (agenda items,
// memberships) are read with record, whose errors point at the nested key.
type decoder struct {
	fm    *content.FrontMatter
	errs  []error
	warns []*diag.Diagnostic
}

func newDecoder(fm *content.FrontMatter) *decoder { return &decoder{fm: fm} }

func (d *decoder) errAt(pos content.Pos, label, format string, args ...any) {
	d.errs = append(d.errs, diag.Errorf(d.fm.File, pos.Line, pos.Col, "%s: %s", label, fmt.Sprintf(format, args...)))
}

func (d *decoder) err() error { return errors.Join(d.errs...) }

// ref is a reference to another page by id, with where it was written.
type ref struct {
	ID    string
	label string // "organ", "memberships[2].organ"
	fm    *content.FrontMatter
	key   string
	path  []any
}

func (r ref) pos() content.Pos {
	if r.fm == nil {
		return content.Pos{}
	}
	if len(r.path) == 0 {
		return r.fm.Pos(r.key)
	}
	return r.fm.NestedPos(r.key, r.path...)
}

func (r ref) file() string {
	if r.fm == nil {
		return ""
	}
	return r.fm.File
}

// at returns a diagnostic at the reference.
func (r ref) errorf(format string, args ...any) *diag.Diagnostic {
	p := r.pos()
	return diag.Errorf(r.file(), p.Line, p.Col, "%s: %s", r.label, fmt.Sprintf(format, args...))
}

// topRef reads a top-level reference key.
func (d *decoder) topRef(key string) ref {
	id := d.fm.TakeString(key)
	return ref{ID: id, label: key, fm: d.fm, key: key}
}

// topRefs reads a top-level list of references.
func (d *decoder) topRefs(key string) []ref {
	var out []ref
	for i, id := range d.fm.TakeStrings(key) {
		out = append(out, ref{ID: id, label: fmt.Sprintf("%s[%d]", key, i+1), fm: d.fm, key: key, path: []any{i}})
	}
	return out
}

// oneOf checks a top-level value against allowed values, returning the
// canonical form (accents and case folded).
func (d *decoder) oneOf(key, value string, allowed []string) string {
	if value == "" {
		return ""
	}
	if c, ok := canonical(value, allowed); ok {
		return c
	}
	d.fm.Fail(key, "%s", notOneOf(value, allowed))
	return ""
}

func canonical(value string, allowed []string) (string, bool) {
	k := foldKey(value)
	for _, a := range allowed {
		if foldKey(a) == k {
			return a, true
		}
	}
	return "", false
}

func notOneOf(value string, allowed []string) string {
	msg := fmt.Sprintf("%q is not one of %s", value, strings.Join(allowed, ", "))
	if s := config.Suggest(foldKey(value), allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// foldKey makes "Genomfört", "genomfort" and "genomfört" equal.
func foldKey(s string) string {
	r := strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "é", "e", "Å", "a", "Ä", "a", "Ö", "o", " ", "", "-", "", "_", "")
	return strings.ToLower(r.Replace(strings.TrimSpace(s)))
}

// checkEmail validates an address and its domain against torg.toml's
// emailDomains (when set).
func checkEmail(addr string, domains []string) error {
	if addr == "" {
		return nil
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return fmt.Errorf("%q is not an e-mail address", addr)
	}
	at := strings.LastIndexByte(addr, '@')
	domain := strings.ToLower(addr[at+1:])
	if len(domains) == 0 {
		return nil
	}
	for _, d := range domains {
		if strings.EqualFold(domain, strings.TrimPrefix(d, "@")) {
			return nil
		}
	}
	return fmt.Errorf("%q is outside the kommun's e-mail domains (%s in torg.toml's emailDomains): officials must be reached at official addresses only", addr, strings.Join(domains, ", "))
}

func checkExternalURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) address", s)
	}
	return nil
}

// record is one map inside a list in front matter.
type record struct {
	d    *decoder
	key  string
	path []any
	m    map[string]any
	used map[string]bool
}

// records returns the items of a top-level list of records; an item that
// is not a record is an error.
func (d *decoder) records(key string) []*record {
	list := d.fm.TakeList(key)
	var out []*record
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			d.errAt(d.fm.NestedPos(key, i), fmt.Sprintf("%s[%d]", key, i+1), "expected a group of key: value pairs, got %s", describe(it))
			continue
		}
		out = append(out, &record{d: d, key: key, path: []any{i}, m: m, used: map[string]bool{}})
	}
	return out
}

// sub returns the records of a list inside r.
func (r *record) sub(k string) []*record {
	v, ok := r.m[k]
	r.used[k] = true
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		r.fail(k, "expected a list, got %s", describe(v))
		return nil
	}
	var out []*record
	for i, it := range list {
		p := append(append([]any(nil), r.path...), k, i)
		m, ok := it.(map[string]any)
		if !ok {
			r.d.errAt(r.d.fm.NestedPos(r.key, p...), r.labelOf(p), "expected a group of key: value pairs, got %s", describe(it))
			continue
		}
		out = append(out, &record{d: r.d, key: r.key, path: p, m: m, used: map[string]bool{}})
	}
	return out
}

func (r *record) labelOf(path []any) string {
	var b strings.Builder
	b.WriteString(r.key)
	for _, s := range path {
		switch t := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", t+1)
		case string:
			b.WriteString(".")
			b.WriteString(t)
		}
	}
	return b.String()
}

func (r *record) keyPath(k string) []any { return append(append([]any(nil), r.path...), k) }

func (r *record) label(k string) string { return r.labelOf(r.keyPath(k)) }

func (r *record) pos(k string) content.Pos { return r.d.fm.NestedPos(r.key, r.keyPath(k)...) }

// self is the position and label of the record itself.
func (r *record) selfPos() content.Pos { return r.d.fm.NestedPos(r.key, r.path...) }
func (r *record) selfLabel() string    { return r.labelOf(r.path) }

func (r *record) fail(k, format string, args ...any) {
	r.d.errAt(r.pos(k), r.label(k), format, args...)
}

func (r *record) has(k string) bool { _, ok := r.m[k]; return ok }

func (r *record) str(k string) string {
	v, ok := r.m[k]
	r.used[k] = true
	if !ok || v == nil {
		return ""
	}
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case int64:
		if k == "number" { // "§ 12" or 12
			return strconv.FormatInt(t, 10)
		}
	}
	r.fail(k, "expected text, got %s", describe(v))
	return ""
}

func (r *record) integer(k string) int64 {
	v, ok := r.m[k]
	r.used[k] = true
	if !ok || v == nil {
		return 0
	}
	if n, ok := v.(int64); ok {
		return n
	}
	r.fail(k, "expected a whole number, got %s", describe(v))
	return 0
}

func (r *record) time(k string, loc *time.Location) time.Time {
	v, ok := r.m[k]
	r.used[k] = true
	if !ok || v == nil {
		return time.Time{}
	}
	s, ok := v.(string)
	if !ok {
		r.fail(k, "expected a date such as 2026-11-26, got %s", describe(v))
		return time.Time{}
	}
	t, err := content.ParseTime(s, loc)
	if err != nil {
		r.fail(k, "cannot parse %q as a date (use 2026-11-26 or 2026-11-26 14:30)", s)
	}
	return t
}

func (r *record) ref(k string) ref {
	return ref{ID: r.str(k), label: r.label(k), fm: r.d.fm, key: r.key, path: r.keyPath(k)}
}

// done reports keys nobody read as errors with a suggestion: inside
// records a typo would otherwise silently drop data.
func (r *record) done(known ...string) {
	var unknown []string
	for k := range r.m {
		if !r.used[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		msg := "unknown key"
		if s := config.Suggest(k, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else {
			msg += fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
		}
		r.d.errAt(r.d.fm.NestedPos(r.key, r.keyPath(k)...), r.label(k), "%s", msg)
	}
}

func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("text %q", t)
	case bool:
		return fmt.Sprintf("%t", t)
	case int64:
		return fmt.Sprintf("the number %d", t)
	case float64:
		return fmt.Sprintf("the number %g", t)
	case []any:
		return "a list"
	case map[string]any:
		return "a group of keys"
	}
	return fmt.Sprintf("%T", v)
}
