package municipal_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyFixture copies testdata/site into a temporary folder and writes
// files over it.
func copyFixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dst := t.TempDir()
	src := siteDir
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.TrimLeft(body, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

const person = `
---
lastmod: 2026-11-01
title: Bo Lind
type: person
kind: fortroendevald
party: bla
email: %s
reviewed: 2026-09-01
owner: Kansliet
memberships:
  - organ: kf
    role: ordförande
    from: 2026-10-15
  - organ: %s
    role: vice ordförande
    from: 2026-10-15
---
`

func TestValidation(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		errors []string
		warns  []string
	}{
		{
			name:  "wrong type of value",
			files: map[string]string{"content/politik/organ/ks.md": "---\ntitle: Kommunstyrelsen\ntype: organ\nkind: kommunstyrelse\nseats: många\n---\n"},
			errors: []string{
				`content/politik/organ/ks.md:5:8: seats: expected a whole number, got text "många"`,
			},
		},
		{
			name:  "unknown value with suggestion",
			files: map[string]string{"content/politik/organ/ks.md": "---\ntitle: Kommunstyrelsen\ntype: organ\nkind: kommunstyrelsen\n---\n"},
			errors: []string{
				`content/politik/organ/ks.md:4:7: kind: "kommunstyrelsen" is not one of kommunfullmaktige, kommunstyrelse, namnd, utskott, beredning, bolag, kommunalforbund, annat (did you mean "kommunstyrelse"?)`,
			},
		},
		{
			name:  "missing reference inside a record",
			files: map[string]string{"content/kontakt/fortroendevalda/bo-lind.md": sprintf(person, "bo.lind@provkommun.se", "kss")},
			errors: []string{
				`content/kontakt/fortroendevalda/bo-lind.md:14:12: memberships[2].organ: no page has the id "kss" (did you mean "ks"?)`,
			},
		},
		{
			name:  "reference to a page of the wrong type",
			files: map[string]string{"content/kontakt/fortroendevalda/bo-lind.md": sprintf(person, "bo.lind@provkommun.se", "anna-ek")},
			errors: []string{
				`content/kontakt/fortroendevalda/bo-lind.md:14:12: memberships[2].organ: "anna-ek" is a person (content/kontakt/fortroendevalda/anna-ek.md), not an organ`,
			},
		},
		{
			name:  "wrong type at the top level",
			files: map[string]string{"content/politik/sammantraden/ks-2026-10-01.md": "---\ntitle: KS\ntype: meeting\norgan: bla\nstart: 2026-10-01 13:00\nend: 2026-10-01 15:00\n---\n"},
			errors: []string{
				`content/politik/sammantraden/ks-2026-10-01.md:4:8: organ: "bla" is a party (content/politik/partier/bla.md), not an organ`,
			},
		},
		{
			name:  "e-mail outside the kommun's domains",
			files: map[string]string{"content/kontakt/fortroendevalda/bo-lind.md": sprintf(person, "bo.lind@gmail.com", "ks")},
			errors: []string{
				`content/kontakt/fortroendevalda/bo-lind.md:7:8: email: "bo.lind@gmail.com" is outside the kommun's e-mail domains (provkommun.se in torg.toml's emailDomains): officials must be reached at official addresses only`,
			},
		},
		{
			name: "document file missing in the bundle",
			files: map[string]string{"content/politik/forfattningssamling/kfs-2025-1/index.md": `
---
title: Lokala ordningsföreskrifter
type: regulation
number: KFS 2025:1
decidedBy: kf
inForce: 2025-05-01
document: foreskrifter.pdf
---
`},
			errors: []string{
				`content/politik/forfattningssamling/kfs-2025-1/index.md:7:11: document: no file "foreskrifter.pdf" beside this page (did you mean "foreskrift.pdf"?)`,
			},
		},
		{
			name: "unknown key in a record",
			files: map[string]string{"content/politik/sammantraden/ks-2026-10-01.md": `
---
title: KS
type: meeting
organ: ks
start: 2026-10-01 13:00
end: 2026-10-01 15:00
items:
  - title: Budget
    diarienummer: KS 2026/1
---
`},
			errors: []string{
				`content/politik/sammantraden/ks-2026-10-01.md:9:19: items[1].diarienummer: unknown key (known: number, title, summary, caseNumber, documents, rapporteur, decision, outcome)`,
			},
		},
		{
			name: "kungörelse less than a week before the council meeting",
			files: map[string]string{"content/politik/anslagstavla/kungorelse-kf-2026-12-14.md": `
---
lastmod: 2026-11-01
title: Kungörelse
type: notice
kind: kungörelse
organ: kf
meeting: kf-2026-12-14
posted: 2026-12-10
---
`},
			warns: []string{
				`content/politik/anslagstavla/kungorelse-kf-2026-12-14.md:8:9: warning: posted: a kungörelse of a kommunfullmäktige meeting must be posted at least a week before the meeting (kommunallagen 5 kap. 55 §); 2026-12-10 is 4 days before 2026-12-14`,
			},
		},
		{
			name: "person not reviewed names the owner",
			warns: []string{
				`content/kontakt/medarbetare/david-ahl.md:12:11: warning: reviewed: last reviewed 2025-01-10, more than 12 months ago: Kansliet (owner) should check the contact details`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := generate(t, copyFixture(t, c.files))
			got := r.errors()
			for _, want := range c.errors {
				if !slices.Contains(got, want) {
					t.Errorf("missing error\n want: %s\n  got: %s", want, strings.Join(got, "\n       "))
				}
			}
			if len(c.errors) == 0 && r.err != nil {
				t.Errorf("unexpected build error: %v", r.err)
			}
			if len(c.errors) > 0 && len(got) != len(c.errors) {
				t.Errorf("got %d errors, want %d:\n%s", len(got), len(c.errors), strings.Join(got, "\n"))
			}
			if r.res == nil {
				return
			}
			warns := r.warnings()
			for _, want := range c.warns {
				if !slices.Contains(warns, want) {
					t.Errorf("missing warning\n want: %s\n  got: %s", want, strings.Join(warns, "\n       "))
				}
			}
		})
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
