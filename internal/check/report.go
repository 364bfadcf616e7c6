package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// RunOptions configure a whole `torg check` run.
type RunOptions struct {
	Source   string
	Now      time.Time
	Drafts   bool
	BaseURL  string
	Registry *content.Registry
	NoGit    bool
	Options
}

// Report is the result of a check run.
type Report struct {
	Diagnostics []*diag.Diagnostic
	// Owners maps a diagnostic's file to its page's owner.
	Owners map[string]string
	// Pages is the number of Markdown pages checked.
	Pages int
}

// discard is a build sink that keeps nothing: torg check writes no files.
type discard struct{}

func (discard) Write(string, []byte) error { return nil }
func (discard) Copy(string, string) error  { return nil }

// Run loads and renders the site without writing anything, runs every
// check, and returns the report. The build's own problems (broken relative
// links, bad front matter, template errors) are in the report too, under
// the rule "bygg"; an error is returned only when the site cannot be read
// at all.
func Run(ctx context.Context, o RunOptions) (*Report, error) {
	var checked []*diag.Diagnostic
	ran := false
	o.Options.Source = o.Source
	opts := build.Options{Source: o.Source, Now: o.Now, Drafts: o.Drafts, BaseURL: o.BaseURL, Registry: o.Registry, NoGit: o.NoGit,
		Checker: func(ctx context.Context, site *content.Site) []*diag.Diagnostic {
			ran = true
			checked = Site(ctx, site, o.Options)
			return nil // reported here, not as build failures
		}}
	res, err := build.Generate(ctx, opts, discard{})
	rep := &Report{Owners: map[string]string{}}
	if err != nil {
		var ue *build.UsageError
		if errors.As(err, &ue) {
			return nil, err
		}
		var de *diag.Errors
		var d *diag.Diagnostic
		switch {
		case errors.As(err, &de):
			for _, d := range de.List {
				rep.Diagnostics = append(rep.Diagnostics, fromBuild(d))
			}
		case errors.As(err, &d):
			rep.Diagnostics = append(rep.Diagnostics, fromBuild(d))
		default:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
	}
	if res != nil {
		for _, w := range res.Warnings {
			if !superseded(w) {
				rep.Diagnostics = append(rep.Diagnostics, fromBuild(w))
			}
		}
		if res.Site != nil {
			for _, p := range res.Site.Pages {
				if p.File != "" {
					rep.Owners[p.File] = p.Owner
					if strings.HasSuffix(p.File, ".md") {
						rep.Pages++
					}
				}
			}
		}
	}
	if ran {
		rep.Diagnostics = append(rep.Diagnostics, checked...)
	}
	SortDiagnostics(rep.Diagnostics)
	return rep, nil
}

func fromBuild(d *diag.Diagnostic) *diag.Diagnostic {
	c := *d
	if c.Rule == "" {
		c.Rule = Bygg
	}
	return &c
}

// superseded reports whether a build warning is covered by a check rule
// with a Swedish explanation, so that the report does not say it twice.
func superseded(d *diag.Diagnostic) bool {
	for _, prefix := range []string{"image has no alt text", "link has no text", "heading level skips", "reviewed: last reviewed", "reviewed: missing"} {
		if strings.HasPrefix(d.Msg, prefix) {
			return true
		}
	}
	return false
}

// Filter keeps the diagnostics of pages owned by owner (case-insensitive;
// "" keeps all) and, when files is not nil, of those files only.
func (r *Report) Filter(owner string, files map[string]bool) {
	var out []*diag.Diagnostic
	for _, d := range r.Diagnostics {
		if owner != "" && !strings.EqualFold(strings.TrimSpace(r.Owners[d.File]), strings.TrimSpace(owner)) {
			continue
		}
		if files != nil && !files[d.File] {
			continue
		}
		out = append(out, d)
	}
	r.Diagnostics = out
}

// Counts returns the number of errors, warnings and infos.
func (r *Report) Counts() (errs, warns, infos int) {
	for _, d := range r.Diagnostics {
		switch d.Severity {
		case diag.Error:
			errs++
		case diag.Warning:
			warns++
		default:
			infos++
		}
	}
	return
}

// HasErrors reports whether the report holds an error.
func (r *Report) HasErrors() bool {
	e, _, _ := r.Counts()
	return e > 0
}

// severityWord is the Swedish word for a severity.
func severityWord(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "fel"
	case diag.Warning:
		return "varning"
	}
	return "tips"
}

// Summary is the last line of every report.
func (r *Report) Summary() string {
	e, w, i := r.Counts()
	return fmt.Sprintf("torg check: %s, %s, %s (%d sidor kontrollerade)", count(e, "fel", "fel"), count(w, "varning", "varningar"), count(i, "tips", "tips"), r.Pages)
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

const (
	noOwner  = "Sidor utan ansvarig (lägg till owner)"
	siteWide = "Webbplatsen (torg.toml och bygget)"
)

// groups returns the report's diagnostics by owner, in Swedish
// alphabetical order, with pages without owner and site-wide problems last.
func (r *Report) groups() (names []string, by map[string][]*diag.Diagnostic) {
	by = map[string][]*diag.Diagnostic{}
	for _, d := range r.Diagnostics {
		g := siteWide
		if _, isPage := r.Owners[d.File]; isPage {
			g = strings.TrimSpace(r.Owners[d.File])
			if g == "" {
				g = noOwner
			}
		}
		by[g] = append(by[g], d)
	}
	for g := range by {
		names = append(names, g)
	}
	rank := func(g string) int {
		switch g {
		case noOwner:
			return 1
		case siteWide:
			return 2
		}
		return 0
	}
	sort.Slice(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return content.CompareSwedish(names[i], names[j]) < 0
	})
	return names, by
}

// WriteText writes the report for people: one section per owner, each
// problem as file:line:col like a compiler, then what the rules mean and
// how to fix them, and a summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	names, by := r.groups()
	for _, g := range names {
		ds := by[g]
		e, wn, in := (&Report{Diagnostics: ds}).Counts()
		fmt.Fprintf(&b, "%s (%s, %s, %s)\n", g, count(e, "fel", "fel"), count(wn, "varning", "varningar"), count(in, "tips", "tips"))
		var rules []string
		seen := map[string]bool{}
		for _, d := range ds {
			fmt.Fprintf(&b, "  %s\n", formatLine(d))
			if !seen[d.Rule] {
				seen[d.Rule] = true
				rules = append(rules, d.Rule)
			}
		}
		b.WriteString("  Så rättar du:\n")
		for _, id := range rules {
			rule, ok := Lookup(id)
			if !ok {
				continue
			}
			crit := ""
			if rule.Criterion != "" {
				crit = " (" + rule.Criterion + ")"
			}
			fmt.Fprintf(&b, "  - %s%s: %s\n", id, crit, rule.Help)
		}
		b.WriteByte('\n')
	}
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// formatLine writes "file:line:col: fel: message [rule]".
func formatLine(d *diag.Diagnostic) string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
			if d.Col > 0 {
				fmt.Fprintf(&b, ":%d", d.Col)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(severityWord(d.Severity))
	b.WriteString(": ")
	b.WriteString(d.Msg)
	if d.Rule != "" {
		fmt.Fprintf(&b, " [%s]", d.Rule)
	}
	return b.String()
}

// jsonDiag is one diagnostic in --format json.
type jsonDiag struct {
	File      string `json:"file"`
	Line      int    `json:"line,omitempty"`
	Col       int    `json:"col,omitempty"`
	Severity  string `json:"severity"`
	Rule      string `json:"rule"`
	Message   string `json:"message"`
	Owner     string `json:"owner,omitempty"`
	Help      string `json:"help,omitempty"`
	Criterion string `json:"criterion,omitempty"`
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	e, wn, in := r.Counts()
	out := struct {
		Summary struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
			Info     int `json:"info"`
			Pages    int `json:"pages"`
		} `json:"summary"`
		Diagnostics []jsonDiag `json:"diagnostics"`
	}{Diagnostics: []jsonDiag{}}
	out.Summary.Errors, out.Summary.Warnings, out.Summary.Info, out.Summary.Pages = e, wn, in, r.Pages
	for _, d := range r.Diagnostics {
		j := jsonDiag{File: d.File, Line: d.Line, Col: d.Col, Severity: d.Severity.String(), Rule: d.Rule, Message: d.Msg, Owner: r.Owners[d.File]}
		if rule, ok := Lookup(d.Rule); ok {
			j.Help, j.Criterion = rule.Help, rule.Criterion
		}
		out.Diagnostics = append(out.Diagnostics, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteGitHub writes GitHub Actions workflow commands, one annotation per
// problem, then the summary line.
func (r *Report) WriteGitHub(w io.Writer) error {
	var b bytes.Buffer
	for _, d := range r.Diagnostics {
		kind := "notice"
		switch d.Severity {
		case diag.Error:
			kind = "error"
		case diag.Warning:
			kind = "warning"
		}
		props := []string{}
		if d.File != "" {
			props = append(props, "file="+ghProp(d.File))
			if d.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", d.Line))
				if d.Col > 0 {
					props = append(props, fmt.Sprintf("col=%d", d.Col))
				}
			}
		}
		if d.Rule != "" {
			props = append(props, "title="+ghProp(d.Rule))
		}
		msg := d.Msg
		if rule, ok := Lookup(d.Rule); ok && rule.Help != "" {
			msg += "\n" + rule.Help
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", kind, strings.Join(props, ","), ghData(msg))
	}
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProp escapes a workflow command's property value.
func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// ChangedSince returns the site files (relative to source, slash-separated)
// changed in git since rev: committed, staged, in the work tree, or new
// and untracked.
func ChangedSince(ctx context.Context, source, rev string) (map[string]bool, error) {
	files := map[string]bool{}
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", source, "-c", "core.quotepath=off"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
		}
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files[filepath.ToSlash(f)] = true
			}
		}
		return nil
	}
	if err := run("diff", "-z", "--name-only", "--relative", rev, "--"); err != nil {
		return nil, err
	}
	if err := run("ls-files", "-z", "--others", "--exclude-standard"); err != nil {
		return nil, err
	}
	return files, nil
}
