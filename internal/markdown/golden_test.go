package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/torgsite/torg/internal/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// A golden file is a txtar archive: an optional comment, then sections
// headed "-- name --". Sections:
//
//	options      optional; words: "unsafe", "lang=en", "bodyline=N"
//	input.md     the Markdown body
//	output.html  what Render writes (rewritten by -update)
//	report       headings, links, summary, word count and diagnostics
//	             (rewritten by -update)
type archive struct {
	comment []byte
	names   []string
	files   map[string][]byte
}

func parseArchive(data []byte) *archive {
	a := &archive{files: map[string][]byte{}}
	cur := ""
	var buf *[]byte = &a.comment
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if name, ok := marker(line); ok {
			if cur != "" {
				a.files[cur] = *buf
			}
			cur = name
			a.names = append(a.names, name)
			b := []byte{}
			buf = &b
			continue
		}
		*buf = append(*buf, line...)
	}
	if cur != "" {
		a.files[cur] = *buf
	}
	return a
}

func marker(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

func (a *archive) set(name string, data []byte) {
	if _, ok := a.files[name]; !ok {
		a.names = append(a.names, name)
	}
	a.files[name] = data
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.Write(a.comment)
	for _, n := range a.names {
		fmt.Fprintf(&b, "-- %s --\n", n)
		d := a.files[n]
		b.Write(d)
		if len(d) > 0 && d[len(d)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// goldenOptions reads an archive's options section.
func goldenOptions(a *archive) (Options, int) {
	var o Options
	bodyLine := 1
	for _, f := range strings.Fields(string(a.files["options"])) {
		switch {
		case f == "unsafe":
			o.Unsafe = true
		case strings.HasPrefix(f, "lang="):
			o.Lang = strings.TrimPrefix(f, "lang=")
		case strings.HasPrefix(f, "bodyline="):
			bodyLine, _ = strconv.Atoi(strings.TrimPrefix(f, "bodyline="))
		}
	}
	return o, bodyLine
}

// testResolver maps destinations the way the build does, roughly:
// "x.md#f" → "/sidor/x/#f", fragments stay, anything with "saknas"
// (missing) fails.
func testResolver(dest string) (string, error) {
	if strings.Contains(dest, "saknas") {
		return "", fmt.Errorf("link to missing page %q", dest)
	}
	path, frag, _ := strings.Cut(dest, "#")
	if frag != "" {
		frag = "#" + frag
	}
	if path == "" {
		return frag, nil
	}
	if strings.HasSuffix(path, ".md") {
		path = strings.TrimSuffix(path, ".md") + "/"
	}
	for strings.HasPrefix(path, "../") {
		path = strings.TrimPrefix(path, "../")
	}
	return "/sidor/" + path + frag, nil
}

func report(doc *Document, diags ...[]*diag.Diagnostic) []byte {
	var b bytes.Buffer
	b.WriteString("headings:\n")
	for _, h := range doc.Headings {
		fmt.Fprintf(&b, "  h%d #%s %q line %d\n", h.Level, h.ID, h.Text, h.Line)
	}
	b.WriteString("links:\n")
	for _, l := range doc.Links {
		kind := "link"
		if l.Image {
			kind = "image"
		}
		fmt.Fprintf(&b, "  %d:%d %s %s\n", l.Line, l.Col, kind, l.Dest)
	}
	fmt.Fprintf(&b, "summary: %q\n", doc.Summary)
	fmt.Fprintf(&b, "words: %d\n", doc.WordCount)
	b.WriteString("diagnostics:\n")
	for _, ds := range diags {
		for _, d := range ds {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(data)
			input, ok := a.files["input.md"]
			if !ok {
				t.Fatalf("%s: no input.md section", file)
			}
			opts, bodyLine := goldenOptions(a)
			r := New(opts)
			doc, pd := r.Parse("content/"+name+".md", input, bodyLine)
			html, rd := r.Render(doc, testResolver)
			rep := report(doc, pd, rd)
			if *update {
				a.set("output.html", html)
				a.set("report", rep)
				if err := os.WriteFile(file, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := a.files["output.html"]; !bytes.Equal(html, want) {
				t.Errorf("output.html differs (run go test -update):\n--- got\n%s\n--- want\n%s", html, want)
			}
			if want := a.files["report"]; !bytes.Equal(rep, want) {
				t.Errorf("report differs (run go test -update):\n--- got\n%s\n--- want\n%s", rep, want)
			}
		})
	}
}
