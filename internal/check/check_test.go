package check_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/torgsite/torg/internal/check"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/municipal"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar")

// defaultNow is the check time of the testdata sites unless an archive's
// comment says "now: ...".
var defaultNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("CET", 3600))

func registry() *content.Registry {
	r := content.NewRegistry()
	municipal.Register(r)
	return r
}

// TestRules runs every testdata/*.txtar archive: a small site whose pages
// hold positive (fel*.md) and negative (bra*.md) cases for the rules named
// in the archive's "rules:" line. The "want" file lists the expected
// diagnostics of those rules, one "file:line:col severity rule" a line;
// bra pages must have none.
func TestRules(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	covered := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rules, off, now := map[string]bool{}, map[string]bool{}, defaultNow
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				if v, ok := strings.CutPrefix(line, "rules:"); ok {
					for _, r := range strings.Fields(v) {
						if _, known := check.Lookup(r); !known {
							t.Fatalf("unknown rule %q", r)
						}
						rules[r] = true
						covered[r] = true
					}
				}
				if v, ok := strings.CutPrefix(line, "off:"); ok {
					// Rules switched off in torg.toml: checked for silence.
					for _, r := range strings.Fields(v) {
						rules[r], off[r] = true, true
					}
				}
				if v, ok := strings.CutPrefix(line, "now:"); ok {
					now, err = time.Parse(time.RFC3339, strings.TrimSpace(v))
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			dir := t.TempDir()
			var want string
			for _, f := range ar.Files {
				if f.Name == "want" {
					want = string(f.Data)
					continue
				}
				p := filepath.Join(dir, filepath.FromSlash(f.Name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := check.Run(context.Background(), check.RunOptions{Source: dir, Now: now, Registry: registry(), NoGit: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range rep.Diagnostics {
				if d.Rule == check.Bygg && d.Severity.String() == "error" {
					t.Errorf("build error in test site: %s", d.Error())
				}
				if !rules[d.Rule] {
					continue
				}
				if strings.Contains(d.File, "/bra") {
					t.Errorf("negative case reported: %s [%s]", d.Error(), d.Rule)
				}
				got = append(got, fmt.Sprintf("%s:%d:%d %s %s", d.File, d.Line, d.Col, d.Severity, d.Rule))
				t.Logf("%s [%s]", d.Error(), d.Rule)
			}
			gotText := strings.Join(got, "\n")
			if gotText != "" {
				gotText += "\n"
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data = []byte(gotText)
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if gotText != want {
				t.Errorf("diagnostics differ\n--- got\n%s--- want\n%s", gotText, want)
			}
			for r := range rules {
				if !off[r] && !strings.Contains(want, " "+r+"\n") {
					t.Errorf("rule %s has no positive case", r)
				}
			}
		})
	}
	t.Run("every rule has cases", func(t *testing.T) {
		for _, r := range check.Rules {
			if r.ID == check.Bygg || r.ID == check.LankExternTrasig {
				continue // the build's own problems; external links: external_test.go
			}
			if !covered[r.ID] {
				t.Errorf("rule %s has no testdata", r.ID)
			}
		}
	})
}

// TestRulesDocumented checks that every rule has a Swedish explanation, a
// criterion, and an entry in the editors' guide and docs/check.md.
func TestRulesDocumented(t *testing.T) {
	guide, err := os.ReadFile("../../docs/redaktorsguide-kontroll.md")
	if err != nil {
		t.Fatal(err)
	}
	design, err := os.ReadFile("../../docs/check.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range check.Rules {
		if r.Help == "" {
			t.Errorf("%s: no help text", r.ID)
		}
		if r.Criterion == "" && r.ID != check.Bygg {
			t.Errorf("%s: no criterion", r.ID)
		}
		if !strings.Contains(string(guide), "`"+r.ID+"`") {
			t.Errorf("%s: not in docs/redaktorsguide-kontroll.md", r.ID)
		}
		if !strings.Contains(string(design), "`"+r.ID+"`") {
			t.Errorf("%s: not in docs/check.md", r.ID)
		}
	}
}
