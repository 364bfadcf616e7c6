package gitdates

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func commitAt(t *testing.T, dir string, when time.Time, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stamp := when.Format(time.RFC3339)
	env := []string{"GIT_AUTHOR_DATE=" + stamp, "GIT_COMMITTER_DATE=" + stamp}
	run(t, dir, env, "git", "add", "-A")
	run(t, dir, env, "git", "-c", "user.name=Test", "-c", "user.email=test@example.se", "commit", "-q", "-m", "x")
}

func TestDatesFromHistoryAndShallowClones(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	run(t, repo, nil, "git", "init", "-q")
	t1 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	t3 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	commitAt(t, repo, t1, map[string]string{"site/content/a.md": "a", "site/content/b.md": "b", "site/content/ö.md": "ö"})
	commitAt(t, repo, t2, map[string]string{"site/content/b.md": "b2"})
	commitAt(t, repo, t3, map[string]string{"site/content/c.md": "c"})

	ctx := context.Background()
	d, err := Load(ctx, filepath.Join(repo, "site"))
	if err != nil || d == nil {
		t.Fatalf("Load: %v, %v", d, err)
	}
	want := map[string]time.Time{"content/a.md": t1, "content/b.md": t2, "content/c.md": t3, "content/ö.md": t1}
	for f, w := range want {
		got, ok, _ := d.Lookup(f)
		if !ok || !got.Equal(w) {
			t.Errorf("%s: %v (%v), want %v", f, got, ok, w)
		}
	}
	// A file changed in the work tree is not dated by git.
	os.WriteFile(filepath.Join(repo, "site/content/a.md"), []byte("ändrad"), 0o644)
	d, _ = Load(ctx, filepath.Join(repo, "site"))
	if _, ok, _ := d.Lookup("content/a.md"); ok {
		t.Error("a modified file got its commit date")
	}

	// In a shallow clone, files last changed before the boundary are
	// unknown, not "changed on the clone's oldest commit".
	clone := t.TempDir()
	run(t, clone, nil, "git", "clone", "-q", "--depth", "2", "file://"+repo, "c")
	d, err = Load(ctx, filepath.Join(clone, "c", "site"))
	if err != nil || d == nil || !d.Shallow {
		t.Fatalf("shallow clone not detected: %+v %v", d, err)
	}
	if _, ok, unknown := d.Lookup("content/a.md"); ok || !unknown {
		t.Errorf("a.md: ok=%v unknown=%v, want unknown", ok, unknown)
	}
	if got, ok, _ := d.Lookup("content/c.md"); !ok || !got.Equal(t3) {
		t.Errorf("c.md: %v %v, want %v", got, ok, t3)
	}
}

func TestNotARepository(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	d, err := Load(context.Background(), dir)
	if err != nil || d != nil {
		t.Fatalf("Load outside a repository = %v, %v; want nil, nil", d, err)
	}
}
