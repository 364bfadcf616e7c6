// Package diag holds torg's diagnostics: errors and warnings that point at a
// place in a source file, printed the way a compiler prints them
// ("content/x.md:3:7: message").
//
// Every phase of a build reports problems as *Diagnostic values collected in
// a List, so that an editor sees up to MaxErrors problems at once instead of
// fixing them one build at a time.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Severity orders diagnostics from the merely informative to the fatal.
type Severity int

const (
	// Info is a hint that never changes the exit status.
	Info Severity = iota
	// Warning is printed but does not fail the build.
	Warning
	// Error fails the build.
	Error
)

// String returns the word printed before a warning's or info's message.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	default:
		return "error"
	}
}

// MaxErrors is how many errors a List keeps before it stops collecting.
const MaxErrors = 20

// Diagnostic is one problem at one place. Line and Col are 1-based; zero
// means unknown, and the position is then printed only as far as it is known.
type Diagnostic struct {
	File     string // slash-separated path relative to the site source, e.g. "content/x.md"
	Line     int
	Col      int
	Severity Severity
	Rule     string // optional rule id, for checkers
	Msg      string
	Err      error // optional wrapped cause
}

// Error formats the diagnostic as "file:line:col: [warning: ]msg".
func (d *Diagnostic) Error() string {
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
	if d.Severity != Error {
		b.WriteString(d.Severity.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (d *Diagnostic) Unwrap() error { return d.Err }

// Errorf builds an error diagnostic.
func Errorf(file string, line, col int, format string, args ...any) *Diagnostic {
	return &Diagnostic{File: file, Line: line, Col: col, Severity: Error, Msg: fmt.Sprintf(format, args...)}
}

// Warnf builds a warning diagnostic.
func Warnf(file string, line, col int, format string, args ...any) *Diagnostic {
	return &Diagnostic{File: file, Line: line, Col: col, Severity: Warning, Msg: fmt.Sprintf(format, args...)}
}

// List collects diagnostics from concurrent workers. The zero value is ready
// to use.
type List struct {
	mu      sync.Mutex
	items   []*Diagnostic
	errors  int
	dropped int
}

// Add records d. Errors beyond MaxErrors are counted but not kept.
func (l *List) Add(d *Diagnostic) {
	if d == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if d.Severity == Error {
		l.errors++
		if l.errors > MaxErrors {
			l.dropped++
			return
		}
	}
	l.items = append(l.items, d)
}

// AddError records err: a *Diagnostic as it is, a joined error as each of
// its parts, anything else as a position-less error.
func (l *List) AddError(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			l.AddError(e)
		}
		return
	}
	var d *Diagnostic
	if errors.As(err, &d) {
		l.Add(d)
		return
	}
	l.Add(&Diagnostic{Severity: Error, Msg: err.Error(), Err: err})
}

// HasErrors reports whether any error was added.
func (l *List) HasErrors() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errors > 0
}

// Items returns the diagnostics sorted by file, line and column, so that
// output does not depend on the order in which workers finished.
func (l *List) Items() []*Diagnostic {
	l.mu.Lock()
	out := append([]*Diagnostic(nil), l.items...)
	l.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
	return out
}

// Warnings returns only the non-error diagnostics, sorted.
func (l *List) Warnings() []*Diagnostic {
	var out []*Diagnostic
	for _, d := range l.Items() {
		if d.Severity != Error {
			out = append(out, d)
		}
	}
	return out
}

// Err returns nil when no error was added, else an *Errors holding every
// kept error, sorted.
func (l *List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	var errs []*Diagnostic
	for _, d := range l.Items() {
		if d.Severity == Error {
			errs = append(errs, d)
		}
	}
	l.mu.Lock()
	dropped := l.dropped
	l.mu.Unlock()
	return &Errors{List: errs, Dropped: dropped}
}

// Errors is the error a failed phase returns: every kept error diagnostic.
type Errors struct {
	List    []*Diagnostic
	Dropped int // errors beyond MaxErrors, counted only
}

// Error prints one diagnostic a line.
func (e *Errors) Error() string {
	var b strings.Builder
	for i, d := range e.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	if e.Dropped > 0 {
		fmt.Fprintf(&b, "\n(%d more errors not shown)", e.Dropped)
	}
	return b.String()
}

// Unwrap exposes the individual diagnostics to errors.As and errors.Is.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, d := range e.List {
		out[i] = d
	}
	return out
}

// LineCol converts a byte offset in src to a 1-based line and column
// (columns count runes, as editors do).
func LineCol(src []byte, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	line, col = 1, 1
	for _, r := range string(src[:offset]) {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
