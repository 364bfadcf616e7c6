package markdown

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yuin/goldmark/ast"

	"github.com/torgsite/torg/internal/diag"
)

// render parses and renders body with a resolver that maps every
// destination to "R(dest)".
func render(t *testing.T, opts Options, body string) (string, *Document, []*diag.Diagnostic) {
	t.Helper()
	r := New(opts)
	doc, diags := r.Parse("content/t.md", []byte(body), 1)
	html, rd := r.Render(doc, func(d string) (string, error) { return "R(" + d + ")", nil })
	return string(html), doc, append(diags, rd...)
}

func messages(diags []*diag.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Error())
	}
	return out
}

func TestTypographer(t *testing.T) {
	tests := []struct {
		lang, in, want string
	}{
		{"", `"citat"`, "<p>”citat”</p>\n"},
		{"sv", `"citat"`, "<p>”citat”</p>\n"},
		{"sv", `'enkla'`, "<p>’enkla’</p>\n"},
		{"sv", `Kalle's`, "<p>Kalle’s</p>\n"},
		{"sv", `8--16`, "<p>8–16</p>\n"},
		{"sv", `a --- b`, "<p>a — b</p>\n"},
		{"sv", `vänta...`, "<p>vänta…</p>\n"},
		{"fi", `"lainaus"`, "<p>”lainaus”</p>\n"},
		{"en", `"quote"`, "<p>“quote”</p>\n"},
		{"en-GB", `'single' it's`, "<p>‘single’ it’s</p>\n"},
		{"EN", `"quote"`, "<p>“quote”</p>\n"},
		{"sv", "`\"kod\"`", "<p><code>&quot;kod&quot;</code></p>\n"},
		{"sv", `'enkla' och 'e'`, "<p>’enkla’ och ’e’</p>\n"},
		{"sv", `21" skärm, 'n`, "<p>21” skärm, ’n</p>\n"},
		{"sv", `\"rakt\" och \'rakt\'`, "<p>&quot;rakt&quot; och 'rakt'</p>\n"},
		{"sv", "a 'b'\nc \"d\"  \ne", "<p>a ’b’\nc ”d”<br>\ne</p>\n"},
		{"sv", `[”a” 'b'](x.md "t'i\"tel")`, "<p><a href=\"R(x.md)\" title=\"t'i&quot;tel\">”a” ’b’</a></p>\n"},
		{"sv", "<b title='x'>", "<p>&lt;b title='x'&gt;</p>\n"},
		{"en", `'enkla'`, "<p>’enkla'</p>\n"}, // goldmark's English rules: "'e" is an elision
	}
	for _, tt := range tests {
		got, _, _ := render(t, Options{Lang: tt.lang}, tt.in)
		if got != tt.want {
			t.Errorf("lang %q, %q:\n got %q\nwant %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestHeadingIDs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ids  []string
	}{
		{"swedish", "## Så ansöker du om bygglov", []string{"sa-ansoker-du-om-bygglov"}},
		{"markup ignored", "## Så *ansöker* du om [bygglov](x.md)", []string{"sa-ansoker-du-om-bygglov"}},
		{"duplicates", "## Avgifter\n\n## Avgifter\n\n### Avgifter", []string{"avgifter", "avgifter-2", "avgifter-3"}},
		{"empty", "##\n\n## !!!\n\n## ", []string{"rubrik", "rubrik-2", "rubrik-3"}},
		{"explicit", "## Avgifter {#kostnad}", []string{"kostnad"}},
		{"explicit reserved first", "## Avgifter\n\n## Annat {#avgifter}", []string{"avgifter-2", "avgifter"}},
		{"explicit suffix taken", "## A {#a-2}\n\n## A\n\n## A", []string{"a-2", "a", "a-3"}},
		{"explicit non-string", "## Tre {id=3}", []string{"3"}},
		{"setext", "Rubrik\n======\n\nUnder\n-----", []string{"rubrik", "under"}},
		{"entities and escapes", `## Bygg &amp; bo \*nu\*`, []string{"bygg-bo-nu"}},
		{"typographer", `## "Citat" -- och...`, []string{"citat-och"}},
		{"nested", "> ## I citat\n\n- ## I lista", []string{"i-citat", "i-lista"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, doc, _ := render(t, Options{}, tt.in)
			var ids []string
			for _, h := range doc.Headings {
				ids = append(ids, h.ID)
				if !strings.Contains(html, `id="`+h.ID+`"`) {
					t.Errorf("id %q not in HTML %q", h.ID, html)
				}
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids = %q, want %q", ids, tt.ids)
			}
		})
	}
}

func TestSlugIDs(t *testing.T) {
	ids := newSlugIDs()
	ids.Put([]byte("b-2"))
	var got []string
	for _, v := range []string{"A", "a", "", "", "B", "b", "b", "Å"} {
		got = append(got, string(ids.Generate([]byte(v), ast.KindHeading)))
	}
	want := []string{"a", "a-2", "rubrik", "rubrik-2", "b", "b-3", "b-4", "a-3"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := string(ids.Generate(nil, ast.KindParagraph)); got != "id" {
		t.Errorf("non-heading empty id = %q", got)
	}
}

func TestHeadings(t *testing.T) {
	body := "Intro\n\n## Så *gör* du {.steg lang=en}\n\nText\n\n### Steg `1` &amp; 2\n"
	r := New(Options{})
	doc, _ := r.Parse("content/t.md", []byte(body), 10)
	want := []struct {
		level int
		id    string
		text  string
		line  int
	}{
		{2, "sa-gor-du", "Så gör du", 12},
		{3, "steg-1-2", "Steg 1 & 2", 16},
	}
	if len(doc.Headings) != len(want) {
		t.Fatalf("headings = %+v", doc.Headings)
	}
	for i, w := range want {
		h := doc.Headings[i]
		if h.Level != w.level || h.ID != w.id || h.Text != w.text || h.Line != w.line {
			t.Errorf("heading %d = %+v, want %+v", i, h, w)
		}
	}
	html, _ := r.Render(doc, nil)
	if !strings.Contains(string(html), `<h2 class="steg" lang="en" id="sa-gor-du">Så <em>gör</em> du</h2>`) {
		t.Errorf("attributes not rendered: %s", html)
	}
}

func TestParagraphLang(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Hello. {lang=en}", `<p lang="en">Hello.</p>` + "\n"},
		{`Hello. {lang="en"}`, `<p lang="en">Hello.</p>` + "\n"},
		{`Hello. {lang='en-GB'}`, `<p lang="en-GB">Hello.</p>` + "\n"},
		{"Hei.{ lang = fi }", `<p lang="fi">Hei.</p>` + "\n"},
		{"Two\nlines {lang=en}", "<p lang=\"en\">Two\nlines</p>\n"},
		{"Own\nline\n{lang=se}", "<p lang=\"se\">Own\nline</p>\n"},
		{"Trailing spaces {lang=en}   ", `<p lang="en">Trailing spaces</p>` + "\n"},
		{"*Emph* {lang=en}", `<p lang="en"><em>Emph</em></p>` + "\n"},
		{"- Tight item {lang=en}", "<ul>\n<li><span lang=\"en\">Tight item</span></li>\n</ul>\n"},
		{"- Loose {lang=en}\n\n- item", "<ul>\n<li>\n<p lang=\"en\">Loose</p>\n</li>\n<li>\n<p>item</p>\n</li>\n</ul>\n"},
		{"Setext {lang=en}\n---", "<h2 id=\"setext\" lang=\"en\">Setext</h2>\n"},
		{"Setext {#egen}\n---", "<h2 id=\"egen\">Setext</h2>\n"},
		{"Term {lang=en}\n: def {lang=fi}", "<dl>\n<dt lang=\"en\">Term</dt>\n<dd><span lang=\"fi\">def</span></dd>\n</dl>\n"},
		{"> quote\nlazy {lang=en}", "<blockquote>\n<p lang=\"en\">quote\nlazy</p>\n</blockquote>\n"},
		{"![alt](x.png){lang=en}", "<p lang=\"en\"><img src=\"R(x.png)\" alt=\"alt\" loading=\"lazy\" decoding=\"async\"></p>\n"},
		// Not a trailing lang block: stays text.
		{"Mid {lang=en} text", "<p>Mid {lang=en} text</p>\n"},
		{`Escaped \{lang=en}`, "<p>Escaped {lang=en}</p>\n"},
		{"Bad {lang=e}", "<p>Bad {lang=e}</p>\n"},
		{"Bad {lang=en_GB}", "<p>Bad {lang=en_GB}</p>\n"},
		{"Bad {lang=}", "<p>Bad {lang=}</p>\n"},
		{"Other {#id}", "<p>Other {#id}</p>\n"},
		{"Other {language=en}", "<p>Other {language=en}</p>\n"},
		{"{lang=en}", "<p>{lang=en}</p>\n"},
		{"`{lang=en}`", "<p><code>{lang=en}</code></p>\n"},
		{"| a |\n|---|\n| b {lang=en} |", "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Tabell: a\">\n<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b {lang=en}</td>\n</tr>\n</tbody>\n</table>\n</div>\n"},
	}
	for _, tt := range tests {
		got, _, _ := render(t, Options{}, tt.in)
		if got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestRawHTML(t *testing.T) {
	tests := []struct {
		name   string
		unsafe bool
		in     string
		want   string
		warns  int
	}{
		{"inline escaped", false, "a <b>b</b> c", "<p>a &lt;b&gt;b&lt;/b&gt; c</p>\n", 2},
		{"block escaped", false, "<div class=\"x\">\ntext\n</div>", "<p>&lt;div class=&quot;x&quot;&gt;\ntext\n&lt;/div&gt;</p>\n", 1},
		{"script escaped", false, "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n", 1},
		{"comment block dropped", false, "<!-- anteckning -->", "", 0},
		{"comment inline dropped", false, "a <!-- x --> b", "<p>a  b</p>\n", 0},
		{"comment then html kept", false, "<!-- a --> <b>x</b>", "<p>&lt;!-- a --&gt; &lt;b&gt;x&lt;/b&gt;</p>\n", 1},
		{"nul", false, "<div>\x00</div>", "<p>&lt;div&gt;\uFFFD&lt;/div&gt;</p>\n", 1},
		{"inline unsafe", true, "a <b>b</b> c", "<p>a <b>b</b> c</p>\n", 0},
		{"block unsafe", true, "<div class=\"x\">\ntext\n</div>", "<div class=\"x\">\ntext\n</div>\n", 0},
		{"comment unsafe", true, "<!-- a -->", "<!-- a -->\n", 0},
		{"code is not html", false, "`<b>`\n\n    <i>", "<p><code>&lt;b&gt;</code></p>\n<pre><code>&lt;i&gt;\n</code></pre>\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, diags := render(t, Options{Unsafe: tt.unsafe}, tt.in)
			if got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if len(diags) != tt.warns {
				t.Errorf("diagnostics %q, want %d", messages(diags), tt.warns)
			}
			for _, d := range diags {
				if d.Severity != diag.Warning || !strings.Contains(d.Msg, "raw HTML is shown as text") {
					t.Errorf("unexpected diagnostic %v", d)
				}
			}
		})
	}
}

func TestDangerousURLs(t *testing.T) {
	in := "[a](javascript:alert(1)) [b](JavaScript:x) [c](vbscript:x) [d](file:///etc/passwd) " +
		"![e](data:text/html;base64,AAAA) <javascript:alert(1)>"
	for _, unsafe := range []bool{false, true} {
		got, _, _ := render(t, Options{Unsafe: unsafe}, in)
		low := strings.ToLower(got)
		for _, bad := range []string{`href="javascript`, `href="vbscript`, `href="file`, `src="data:text`} {
			if strings.Contains(low, bad) {
				t.Errorf("unsafe=%v: %s in %s", unsafe, bad, got)
			}
		}
	}
	// A resolver that returns a dangerous URL is filtered too.
	r := New(Options{})
	doc, _ := r.Parse("content/t.md", []byte("[a](x.md)"), 1)
	html, _ := r.Render(doc, func(string) (string, error) { return "javascript:alert(1)", nil })
	if string(html) != "<p><a href=\"\">a</a></p>\n" {
		t.Errorf("resolved dangerous URL written: %s", html)
	}
	// Image data URLs stay.
	got, _, _ := render(t, Options{}, "![pixel](data:image/png;base64,iVBORw0KGgo=)")
	if !strings.Contains(got, `src="data:image/png;base64,iVBORw0KGgo="`) {
		t.Errorf("image data URL dropped: %s", got)
	}
}

func TestIsRelative(t *testing.T) {
	tests := []struct {
		dest string
		want bool
	}{
		{"../tjanster/bygglov.md", true},
		{"bygglov.md#avgifter", true},
		{"#steg-2", true},
		{"bilaga.pdf", true},
		{"bilder/karta.png", true},
		{"?sok=x", true},
		{"./a.md", true},
		{"a:b/c.md", false}, // looks like a scheme: left alone
		{"https://www.kommun.se/", false},
		{"HTTP://X", false},
		{"mailto:a@b.se", false},
		{"tel:+46123", false},
		{"sms:123", false},
		{"/kontakt/", false},
		{"//cdn.example.com/x", false},
		{`\\server\share`, false},
		{"", false},
		{"1http:x", true}, // a scheme starts with a letter
	}
	for _, tt := range tests {
		if got := isRelative(tt.dest); got != tt.want {
			t.Errorf("isRelative(%q) = %v, want %v", tt.dest, got, tt.want)
		}
	}
}

func TestLinkResolution(t *testing.T) {
	body := "[a](../tjanster/bygglov.md) [b](bygglov.md#avgifter) [c](#steg-2) [d](bilaga.pdf)\n" +
		"![e](karta.png) [f](https://www.kommun.se/) [g](mailto:a@kommun.se) [h](tel:+46123)\n" +
		"[i](/kontakt/) [j](//cdn.se/x) <https://auto.se> www.linkify.se [k]()\n"
	r := New(Options{})
	doc, _ := r.Parse("content/t.md", []byte(body), 1)
	var calls []string
	html, diags := r.Render(doc, func(d string) (string, error) {
		calls = append(calls, d)
		return "/ny/" + strings.TrimPrefix(d, "#"), nil
	})
	if len(diags) != 0 {
		t.Errorf("diags: %q", messages(diags))
	}
	want := []string{"../tjanster/bygglov.md", "bygglov.md#avgifter", "#steg-2", "bilaga.pdf", "karta.png"}
	if !slices.Equal(calls, want) {
		t.Errorf("resolver called with %q, want %q", calls, want)
	}
	for _, s := range []string{
		`<a href="/ny/../tjanster/bygglov.md">a</a>`, `<a href="/ny/steg-2">c</a>`,
		`<img src="/ny/karta.png" alt="e" loading="lazy" decoding="async">`,
		`<a href="https://www.kommun.se/">f</a>`, `<a href="mailto:a@kommun.se">g</a>`,
		`<a href="tel:+46123">h</a>`, `<a href="/kontakt/">i</a>`, `<a href="//cdn.se/x">j</a>`,
		`<a href="https://auto.se">https://auto.se</a>`, `<a href="http://www.linkify.se">www.linkify.se</a>`,
	} {
		if !strings.Contains(string(html), s) {
			t.Errorf("missing %s in\n%s", s, html)
		}
	}
	if strings.Contains(string(html), "target=") || strings.Contains(string(html), "rel=") {
		t.Errorf("external links must not open new windows: %s", html)
	}
	// A nil resolver leaves destinations alone.
	html, _ = r.Render(doc, nil)
	if !strings.Contains(string(html), `href="../tjanster/bygglov.md"`) {
		t.Errorf("nil resolver changed links: %s", html)
	}
}

func TestResolverError(t *testing.T) {
	body := "Intro\n\nÅäö [trasig](saknas.md) och ![bild](borta.png)\n"
	r := New(Options{})
	doc, _ := r.Parse("content/tjanster/bygglov.md", []byte(body), 5)
	cause := errors.New("no such page")
	html, diags := r.Render(doc, func(d string) (string, error) {
		return "", fmt.Errorf("%s: %w", d, cause)
	})
	want := []string{
		"content/tjanster/bygglov.md:7:5: saknas.md: no such page",
		"content/tjanster/bygglov.md:7:29: borta.png: no such page",
	}
	if got := messages(diags); !slices.Equal(got, want) {
		t.Errorf("diags = %q, want %q", got, want)
	}
	for _, d := range diags {
		if d.Severity != diag.Error || !errors.Is(d, cause) {
			t.Errorf("diag %v: severity %v, cause not wrapped", d, d.Severity)
		}
	}
	if !strings.Contains(string(html), `<a href="saknas.md">trasig</a>`) {
		t.Errorf("failed link not written as is: %s", html)
	}
}

func TestImages(t *testing.T) {
	got, _, _ := render(t, Options{}, `![Karta *över* &amp; "området"](karta.png "Titel & mer")`)
	want := `<p><img src="R(karta.png)" alt="Karta över &amp; ”området”" title="Titel &amp; mer" loading="lazy" decoding="async"></p>` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestExtensions(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"table", "| A | B |\n|---|--:|\n| 1 | 2 |", []string{"<table>", "<th>A</th>", `<td style="text-align:right">2</td>`}},
		{"strikethrough", "~~bort~~", []string{"<del>bort</del>"}},
		{"linkify", "Se www.kommun.se och https://a.se/x.", []string{`<a href="http://www.kommun.se">www.kommun.se</a>`, `<a href="https://a.se/x">https://a.se/x</a>.`}},
		{"linkify email", "Mejla info@kommun.se", []string{`<a href="mailto:info@kommun.se">info@kommun.se</a>`}},
		{"task list", "- [x] klar\n- [ ] kvar", []string{`<input type="checkbox" disabled checked aria-label="klar"> klar`, `<input type="checkbox" disabled aria-label="kvar"> kvar`}},
		{"footnote", "Text[^1].\n\n[^1]: Not.", []string{`<a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a>`, `<li id="fn:1">`, "Not."}},
		{"definition list", "Bygglov\n: Ett beslut.", []string{"<dl>\n<dt>Bygglov</dt>\n<dd>Ett beslut.</dd>\n</dl>"}},
		{"autolink", "<https://a.se>", []string{`<a href="https://a.se">https://a.se</a>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _ := render(t, Options{}, tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestPositions(t *testing.T) {
	body := "---\nfront: matter\n---\n" // not part of the body; bodyLine counts it
	_ = body
	src := "Åäö [a](a.md)\n\n" + // line 4
		"- [b](b.md)\n\n" + // line 6
		"> citat ![c](c.png)\n\n" + // line 8
		"| x | [d](d.md) |\n|---|---|\n\n" + // line 10
		"## Rubrik [e](e.md)\n\n" + // line 13
		"*[f](f.md)* [g][ref] <https://h.se>\n\n" + // line 15
		"\ttabb [i](i.md)\n\n" + // line 17: an indented code block, no link
		"1. x\n\n   [j](j.md)\n\n" + // line 21
		"[ref]: g.md\n"
	r := New(Options{})
	doc, _ := r.Parse("content/t.md", []byte(src), 4)
	type pos struct {
		dest      string
		line, col int
	}
	want := []pos{
		{"a.md", 4, 5}, {"b.md", 6, 3}, {"c.png", 8, 9}, {"d.md", 10, 7}, {"e.md", 13, 11},
		{"f.md", 15, 2}, {"g.md", 15, 13}, {"https://h.se", 15, 22}, {"j.md", 21, 4},
	}
	var got []pos
	for _, l := range doc.Links {
		got = append(got, pos{l.Dest, l.Line, l.Col})
	}
	if !slices.Equal(got, want) {
		t.Errorf("positions:\n got %v\nwant %v", got, want)
	}
}

func TestLineIndex(t *testing.T) {
	li := newLineIndex([]byte("ab\nåäö x\n\nz"), 10)
	tests := []struct{ off, line, col int }{
		{0, 10, 1}, {2, 10, 3}, {3, 11, 1}, {5, 11, 2}, {9, 11, 4}, {10, 11, 5}, {11, 11, 6}, {12, 12, 1}, {13, 13, 1}, {14, 13, 2}, {99, 13, 2}, {-1, 10, 1},
	}
	for _, tt := range tests {
		if l, c := li.pos(tt.off); l != tt.line || c != tt.col {
			t.Errorf("pos(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"no alt", "Text\n\n![](bild.png)", []string{"content/t.md:3:1: warning: image has no alt text: bild.png"}},
		{"blank alt", "![ ](bild.png)", []string{"content/t.md:1:1: warning: image has no alt text: bild.png"}},
		{"alt ok", "![Karta](bild.png)", nil},
		{"empty link", "Se [](sida.md).", []string{"content/t.md:1:4: warning: link has no text: sida.md"}},
		{"blank link", "Se [ ](sida.md).", []string{"content/t.md:1:4: warning: link has no text: sida.md"}},
		{"image as link text", "[![Logotyp](logo.png)](index.md)", nil},
		{"image without alt as link text", "[![](logo.png)](index.md)", []string{
			"content/t.md:1:1: warning: link has no text: index.md",
			"content/t.md:1:2: warning: image has no alt text: logo.png",
		}},
		{"skip", "## A\n\n#### B", []string{`content/t.md:3:1: warning: heading level skips from h2 to h4: "B"`}},
		{"skip from title", "### A", []string{`content/t.md:1:1: warning: heading level skips from h1 (the page title) to h3: "A"`}},
		{"no skip", "## A\n\n### B\n\n## C\n\n### D\n\n# E\n\n## F", nil},
		{"going up is fine", "## A\n\n### B\n\n#### C\n\n## D", nil},
		{"duplicate explicit id", "## A {#x}\n\n## B {#x}", []string{`content/t.md:3:1: warning: heading id "x" is used more than once`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, diags := render(t, Options{}, tt.in)
			if got := messages(diags); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("Kommunen handlägger ansökningar om bygglov. ", 20)
	tests := []struct {
		name, in, want string
	}{
		{"first paragraph", "## Rubrik\n\nFörsta *stycket* med [länk](a.md).\n\nAndra.", "Första stycket med länk."},
		{"lines joined", "Rad ett\nrad två  \nrad tre", "Rad ett rad två rad tre"},
		{"image-only paragraph skipped", "![Bild](a.png)\n\nText.", "Text."},
		{"raw html left out", "Text <b>fet</b>.", "Text fet."},
		{"footnote marker left out", "Text[^1].\n\n[^1]: Not.", "Text."},
		{"list fallback", "- Punkt ett\n- Punkt två", "Punkt ett"},
		{"no paragraphs", "## Bara rubrik", ""},
		{"long", long, func() string {
			r := []rune(long)[:300]
			s := string(r[:299])
			return s[:strings.LastIndex(s, " ")] + "…"
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc, _ := render(t, Options{}, tt.in)
			if doc.Summary != tt.want {
				t.Errorf("got  %q\nwant %q", doc.Summary, tt.want)
			}
		})
	}
}

func TestTrimSummary(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"kort text", 300, "kort text"},
		{"  mellanslag \n  överallt  ", 300, "mellanslag överallt"},
		{"ett två tre fyra", 10, "ett två…"},
		{"ett två, tre", 10, "ett två…"},
		{"åäöåäöåäöåäö", 5, "åäöå…"},
		{"abc defghij", 4, "abc…"},
		{"abcd", 4, "abcd"},
	}
	for _, tt := range tests {
		got := trimSummary(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("trimSummary(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.max {
			t.Errorf("trimSummary(%q, %d) is %d long", tt.in, tt.max, n)
		}
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Ett två tre.", 3},
		{"## Rubrik\n\nEtt -- två – tre • fyra", 5},
		{"Ett [två tre](a.md) ![alt ord](b.png) <b>fyra</b>", 4},
		{"- ett\n- två\n\n| a | b |\n|---|---|\n| c | d |", 6},
		{"```\nkod rad\n```\n\nslut", 3},
		{"Ord\nord\nord", 3},
	}
	for _, tt := range tests {
		_, doc, _ := render(t, Options{}, tt.in)
		if doc.WordCount != tt.want {
			t.Errorf("%q: %d words, want %d", tt.in, doc.WordCount, tt.want)
		}
	}
}

func TestRenderIsRepeatable(t *testing.T) {
	r := New(Options{})
	doc, _ := r.Parse("content/t.md", []byte("[a](a.md) ![b](b.png) [c](https://c.se)"), 1)
	one, _ := r.Render(doc, func(d string) (string, error) { return "/1/" + d, nil })
	two, _ := r.Render(doc, func(d string) (string, error) { return "/2/" + d, nil })
	plain, _ := r.Render(doc, nil)
	again, _ := r.Render(doc, func(d string) (string, error) { return "/1/" + d, nil })
	if !strings.Contains(string(one), `href="/1/a.md"`) || !strings.Contains(string(two), `href="/2/a.md"`) ||
		!strings.Contains(string(plain), `href="a.md"`) || string(again) != string(one) {
		t.Errorf("Render is not repeatable:\n%s\n%s\n%s\n%s", one, two, plain, again)
	}
	if doc.Links[0].Dest != "a.md" {
		t.Errorf("Render changed Links: %+v", doc.Links)
	}
	// goldmark's own table cell renderer adds to the cell's style attribute
	// on every call; ours must not.
	doc, _ = r.Parse("content/t.md", []byte(benchPage(t)), 1)
	one, _ = r.Render(doc, nil)
	two, _ = r.Render(doc, nil)
	if string(one) != string(two) {
		t.Errorf("second Render of the bench page differs")
	}
	if !strings.Contains(string(one), `<th style="text-align:right">Avgift</th>`) {
		t.Errorf("table alignment lost")
	}
}

func TestNilDocument(t *testing.T) {
	html, diags := New(Options{}).Render(nil, nil)
	if html != nil || diags != nil {
		t.Errorf("Render(nil) = %q, %v", html, diags)
	}
}

func TestBodyLineDefault(t *testing.T) {
	doc, _ := New(Options{}).Parse("f.md", []byte("## A"), 0)
	if doc.Headings[0].Line != 1 {
		t.Errorf("bodyLine 0: heading on line %d", doc.Headings[0].Line)
	}
}

// TestConcurrent parses and renders many documents, and one shared
// document, from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	r := New(Options{})
	bodies := []string{
		"## Så ansöker du\n\nText \"citat\" [a](a.md) ![b](b.png) {lang=en}\n\n- punkt {lang=fi}\n\n| a | b |\n|:--|--:|\n| [c](c.md) | 2 |\n\nFot[^1]\n\n[^1]: not\n",
		"<div>html</div>\n\n## Avgifter\n\n## Avgifter\n\nwww.kommun.se [saknas](saknas.md)\n",
		benchPage(t),
	}
	resolve := func(d string) (string, error) {
		if strings.Contains(d, "saknas") {
			return "", errors.New("missing")
		}
		return "/x/" + d, nil
	}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		doc, _ := r.Parse("f.md", []byte(b), 1)
		html, _ := r.Render(doc, resolve)
		want[i] = string(html)
	}
	shared, _ := r.Parse("shared.md", []byte(bodies[0]), 1)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				k := (g + i) % len(bodies)
				doc, _ := r.Parse(fmt.Sprintf("f%d.md", g), []byte(bodies[k]), 1)
				html, _ := r.Render(doc, resolve)
				if string(html) != want[k] {
					t.Errorf("goroutine %d: body %d renders differently", g, k)
					return
				}
				if html, _ := r.Render(shared, resolve); string(html) != want[0] {
					t.Errorf("goroutine %d: shared document renders differently", g)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestTaskListBoxesHaveNames(t *testing.T) {
	r := New(Options{})
	doc, _ := r.Parse("content/x.md", []byte("- [x] Ritningar *klara*\n- [ ] Ansökan & \"avgift\"\n"), 1)
	html, diags := r.Render(doc, nil)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	for _, want := range []string{`<input type="checkbox" disabled checked aria-label="Ritningar klara">`, `<input type="checkbox" disabled aria-label="Ansökan &amp; ”avgift”">`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("missing %s in\n%s", want, html)
		}
	}
}

func TestTablesAreLabelledScrollRegions(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"sv", `<div class="table-wrap" role="region" tabindex="0" aria-label="Tabell: Åtgärd, Avgift &amp; moms">`},
		{"en", `<div class="table-wrap" role="region" tabindex="0" aria-label="Table: Åtgärd, Avgift &amp; moms">`},
	} {
		r := New(Options{Lang: tc.lang})
		doc, _ := r.Parse("content/x.md", []byte("| Åtgärd | Avgift & moms |\n|---|---:|\n| Nybyggnad | 20 000 kr |\n"), 1)
		html, _ := r.Render(doc, nil)
		if !strings.HasPrefix(string(html), tc.want+"\n<table>") || !strings.HasSuffix(string(html), "</table>\n</div>\n") {
			t.Errorf("%s: got\n%s", tc.lang, html)
		}
	}
}
