package municipal_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/municipal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// now is the build date of every test: the fixture's notices and meetings
// are current, past or upcoming relative to it.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("CET", 3600))

func registry() *content.Registry {
	r := content.NewRegistry()
	municipal.Register(r)
	return r
}

type result struct {
	files   map[string][]byte
	private map[string][]byte
	res     *build.Result
	err     error
}

func (r *result) warnings() []string {
	var out []string
	for _, w := range r.res.Warnings {
		out = append(out, w.Error())
	}
	return out
}

func (r *result) errors() []string {
	var out []string
	var de *diag.Errors
	if errors.As(r.err, &de) {
		for _, d := range de.List {
			out = append(out, d.Error())
		}
	} else if r.err != nil {
		out = append(out, r.err.Error())
	}
	return out
}

// generate builds the site in dir. The working folder is the site, as for
// `torg build` run in it, so that positions inside records are exact.
func generate(t *testing.T, dir string) *result {
	t.Helper()
	t.Chdir(dir)
	sink, priv := build.NewMemSink(), build.NewMemSink()
	res, err := build.Generate(context.Background(), build.Options{Source: ".", Registry: registry(), Now: now, NoGit: true, Private: priv, Minify: new(bool)}, sink)
	return &result{files: sink.Files, private: priv.Files, res: res, err: err}
}

func fixture(t *testing.T) *result {
	t.Helper()
	r := generate(t, siteDir)
	if r.err != nil {
		t.Fatalf("fixture site does not build:\n%v", r.err)
	}
	return r
}

var mainRE = regexp.MustCompile(`(?s)<main\b.*</main>`)
var ldRE = regexp.MustCompile(`(?s)<script type="application/ld\+json">.*?</script>`)
var metaRE = regexp.MustCompile(`<meta name="DC\.[^>]*>`)

// pageBody is what a golden file holds of a page: its structured data,
// SDG tags and <main>, so that changes to the header and footer do not
// touch these tests.
func pageBody(html []byte) []byte {
	var b bytes.Buffer
	for _, m := range metaRE.FindAll(html, -1) {
		b.Write(m)
		b.WriteByte('\n')
	}
	if m := ldRE.Find(html); m != nil {
		b.Write(m)
		b.WriteByte('\n')
	}
	b.Write(mainRE.Find(html))
	b.WriteByte('\n')
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	r := fixture(t)
	pages := map[string]string{
		"person.html":            "kontakt/fortroendevalda/anna-ek/index.html",
		"person-staff.html":      "kontakt/medarbetare/david-ahl/index.html",
		"elected.html":           "kontakt/fortroendevalda/index.html",
		"staff.html":             "kontakt/medarbetare/index.html",
		"unit.html":              "kontakt/medarbetare/kansliet/index.html",
		"organ.html":             "politik/organ/kf/index.html",
		"organ-ks.html":          "politik/organ/ks/index.html",
		"organs.html":            "politik/organ/index.html",
		"party.html":             "politik/partier/bla/index.html",
		"parties.html":           "politik/partier/index.html",
		"meeting-upcoming.html":  "politik/sammantraden/kf-2026-12-14/index.html",
		"meeting-held.html":      "politik/sammantraden/ks-2026-11-10/index.html",
		"meeting-cancelled.html": "politik/sammantraden/ks-2026-10-01/index.html",
		"meetings.html":          "politik/sammantraden/index.html",
		"decisions.html":         "politik/beslut/index.html",
		"decision.html":          "politik/beslut/ks-2026-45/index.html",
		"notice.html":            "politik/anslagstavla/kungorelse-kf-2026-12-14/index.html",
		"notice-expired.html":    "politik/anslagstavla/protokoll-ks-2026-10-01/index.html",
		"board.html":             "politik/anslagstavla/index.html",
		"board-archive.html":     "politik/anslagstavla/arkiv/index.html",
		"regulation.html":        "politik/forfattningssamling/kfs-2025-1/index.html",
		"regulations.html":       "politik/forfattningssamling/index.html",
		"service.html":           "tjanster/bygglov/index.html",
		"service-person.html":    "tjanster/parkering/index.html",
		"services-az.html":       "tjanster/a-o/index.html",
		"category.html":          "tjanster/kategori/bygga-och-bo/index.html",
		"news.html":              "nyheter/budget/index.html",
		"opendata.html":          "data/index.html",
	}
	files := map[string][]byte{
		"ks.ics":          r.files["kalender/ks.ics"],
		"anna-ek.vcf":     r.files["kontakt/fortroendevalda/anna-ek/anna-ek.vcf"],
		"recipients.json": r.private[municipal.RecipientsFile],
		"beslut.csv":      r.files["data/beslut.csv"],
		"popolo.json":     r.files["data/popolo.json"],
		"decisions.xml":   r.files["politik/beslut/atom.xml"],
	}
	for name, path := range pages {
		html, ok := r.files[path]
		if !ok {
			t.Errorf("%s: no page %s", name, path)
			continue
		}
		files[name] = pageBody(html)
	}
	for name, got := range files {
		if got == nil {
			t.Errorf("%s: output missing", name)
			continue
		}
		golden := filepath.Join(goldenDir(t), name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test ./internal/municipal -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file (run go test ./internal/municipal -update and review the diff):\n%s", name, firstDiff(string(want), string(got)))
		}
	}
}

var goldenPath, siteDir string

func goldenDir(t *testing.T) string {
	if goldenPath == "" {
		t.Fatal("golden dir not set")
	}
	return goldenPath
}

func TestMain(m *testing.M) {
	flag.Parse()
	wd, _ := os.Getwd()
	goldenPath = filepath.Join(wd, "testdata", "golden")
	siteDir = filepath.Join(wd, "testdata", "site")
	os.MkdirAll(goldenPath, 0o755)
	os.Exit(m.Run())
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
