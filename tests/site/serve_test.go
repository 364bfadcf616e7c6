package site

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/torgsite/torg/internal/build"
	"github.com/torgsite/torg/internal/cli"
)

// TestExampleSiteIncremental edits the example portal the way an editor
// does in `torg serve` (every municipal content type, the search index,
// seven languages, lättläst twins) and checks after each edit that the
// incremental build equals a full build of the same files, public and
// private outputs alike, and that body edits took the in-place path.
func TestExampleSiteIncremental(t *testing.T) {
	dir := copySite(t)
	opts := build.Options{Source: dir, Now: buildNow, NoGit: true, Registry: cli.Registry(), Serve: true, Drafts: true, Watched: true}
	inc := build.NewIncremental(opts)
	ctx := context.Background()
	if _, err := inc.Rebuild(ctx); err != nil {
		t.Fatalf("first build: %v", err)
	}
	appendText := func(s string) string { return s + "\nEtt nytt stycke om hur det går till.\n" }
	retitle := func(s string) string { return strings.Replace(s, "\ntitle: ", "\ntitle: Ändrad ", 1) }
	// A change of "" removes the file; a file that does not exist is
	// created.
	edits := []struct {
		file     string
		change   func(string) string
		bodyOnly bool
	}{
		{"content/kontakt/fortroendevalda/gunilla-ahlberg.md", appendText, true},
		{"content/tjanster/miljo-och-avfall/eldning.md", appendText, true},
		{"content/kommun-och-politik/sammantraden/bun-2026-11-12.md", appendText, true},
		{"content/nyheter/budget-2027-beslutad.md", appendText, true},
		{"content/kommun-och-politik/anslagstavla/kungorelse-kf-2026-10-15.md", appendText, true},
		{"content/kommun-och-politik/organ/kommunfullmaktige.md", appendText, true},
		{"content/tjanster/miljo-och-avfall/avfall-och-atervinning.md", appendText, true},
		{"content/tjanster/miljo-och-avfall/avfall-och-atervinning.lattlast.md", appendText, true},
		{"content/tjanster/forskola-och-skola/forskola.en.md", appendText, true},
		{"content/_index.md", appendText, true},
		{"content/tjanster/miljo-och-avfall/eldning.md", retitle, false},
		{"content/kontakt/fortroendevalda/gunilla-ahlberg.md", func(s string) string {
			return strings.Replace(s, "\nrole: ", "\nrole: Vice ", 1)
		}, false},
		{"content/kommun-och-politik/sammantraden/bun-2026-12-10.md", func(s string) string {
			return strings.Replace(s, "\nstart: ", "\nstatus: inställt\nstart: ", 1)
		}, false},
		{"content/nyheter/ny-nyhet.md", func(string) string {
			return "---\ntitle: En ny nyhet\ntype: news\ndate: 2026-11-25 09:00\ntags: [budget]\n---\nKommunen har en nyhet.\n"
		}, false},
		{"content/kommun-och-politik/anslagstavla/kungorelse-kf-2026-10-15.md", nil, false},
	}
	for _, e := range edits {
		path := filepath.Join(dir, e.file)
		src, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if e.change == nil {
			err = os.Remove(path)
		} else if changed := e.change(string(src)); changed == string(src) {
			t.Fatalf("%s: the edit changes nothing", e.file)
		} else {
			err = os.WriteFile(path, []byte(changed), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		inc.Invalidate(path)
		snap, err := inc.Rebuild(ctx)
		if err != nil {
			t.Fatalf("after editing %s: %v", e.file, err)
		}
		if snap.BodyOnly != e.bodyOnly {
			t.Errorf("after editing %s: applied in place %v, want %v", e.file, snap.BodyOnly, e.bodyOnly)
		}
		full, priv := build.NewMemSink(), build.NewMemSink()
		fopts := opts
		fopts.Private = priv
		if _, err := build.Generate(ctx, fopts, full); err != nil {
			t.Fatalf("full build after editing %s: %v", e.file, err)
		}
		sameFiles(t, e.file, full.Files, snap.Files)
		sameFiles(t, e.file+" (private)", priv.Files, snap.Private)
		t.Logf("%s: %d pages rendered, %d files changed", e.file, snap.Rendered, len(snap.Changed))
	}
}

func sameFiles(t *testing.T, step string, want, got map[string][]byte) {
	t.Helper()
	var bad []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			bad = append(bad, "missing "+p)
		case !bytes.Equal(w, g):
			bad = append(bad, "differs "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			bad = append(bad, "extra "+p)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		if len(bad) > 20 {
			bad = append(bad[:20], "…")
		}
		t.Fatalf("after editing %s the incremental build differs from a full build:\n%s", step, strings.Join(bad, "\n"))
	}
}
