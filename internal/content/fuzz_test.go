package content

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/diag"
)

// FuzzLoadPage feeds arbitrary files through front-matter parsing and the
// page decoder: whatever an editor saves, loading reports errors and never
// panics.
func FuzzLoadPage(f *testing.F) {
	seeds := []string{
		"---\ntitle: Hej\ndate: 2026-11-26\ntags: [a, b]\nmenu: {main: {weight: 3}}\n---\nText\n",
		"+++\ntitle = \"Hej\"\ndate = 2026-11-26\n[menu.main]\nweight = 1\n+++\n",
		"---\n---\n",
		"---\ntitle: [\n---\n",
		"+++\n+++\n+++\n",
		"---\ntitle: &a x\nlinkTitle: *a\naliases: [../x]\nslug: a/b\n---\n",
		"\ufeff---\r\ntitle: x\r\n---\r\n",
		"---\nmenu: [1, 2]\nweight: 1.5\nexpiryDate: 2000-01-01\npublishDate: 2001-01-01\n---\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	file := filepath.Join(dir, "content", "x.md")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		f.Fatal(err)
	}
	cfg := config.Default()
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		l := &loader{opts: LoadOptions{Registry: NewRegistry(), Diags: &diag.List{}, Now: time.Unix(0, 0)}, cfg: cfg}
		p, err := l.loadPage(srcFile{rel: "content/x.md", abs: file, info: info}, &diag.List{})
		if err == nil && p.Title == "" && p.Kind == KindPage {
			t.Fatalf("page without title loaded without error")
		}
	})
}
