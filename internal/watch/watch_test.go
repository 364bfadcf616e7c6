package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

type collector struct {
	mu      sync.Mutex
	batches [][]string
}

func (c *collector) add(paths []string) {
	c.mu.Lock()
	c.batches = append(c.batches, paths)
	c.mu.Unlock()
}

func (c *collector) seen(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.batches {
		for _, q := range b {
			if q == p {
				return true
			}
		}
	}
	return false
}

func (c *collector) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, b := range c.batches {
		out = append(out, b...)
	}
	return out
}

func run(t *testing.T, opts Options) (*Watcher, *collector) {
	t.Helper()
	w := New(opts)
	c := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, c.add) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	time.Sleep(100 * time.Millisecond) // watches added
	return w, c
}

func waitFor(t *testing.T, c *collector, p string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !c.seen(p) {
		if time.Now().After(deadline) {
			t.Fatalf("%s not reported; got %v", p, c.all())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestIgnored(t *testing.T) {
	for name, want := range map[string]bool{
		"a.md": false, "a.md~": true, ".a.md.swp": true, "4913": true, "#a.md#": true, ".#a.md": true,
		"a.md.tmp": true, "a.md___jb_tmp___": true, "_index.md": false,
		"sedx6ToqW": true, "sed.md": false, "sedx6ToqW.md": false,
	} {
		if got := Ignored("/x/" + name); got != want {
			t.Errorf("Ignored(%q) = %v", name, got)
		}
	}
}

func TestEvents(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "content"), 0o755)
	os.MkdirAll(filepath.Join(root, "public"), 0o755)
	_, c := run(t, Options{Root: root, Quiet: 10 * time.Millisecond})
	a := filepath.Join(root, "content", "a.md")
	os.WriteFile(a, []byte("x"), 0o644)
	waitFor(t, c, a)
	// New folders, nested, created at once: files in them are reported.
	deep := filepath.Join(root, "content", "ny", "djup", "b.md")
	os.MkdirAll(filepath.Dir(deep), 0o755)
	os.WriteFile(deep, []byte("x"), 0o644)
	waitFor(t, c, deep)
	later := filepath.Join(root, "content", "ny", "djup", "c.md")
	os.WriteFile(later, []byte("x"), 0o644)
	waitFor(t, c, later)
	// Rename over; temporary files never reported.
	tmp := filepath.Join(root, "content", "a.md.tmp")
	os.WriteFile(tmp, []byte("y"), 0o644)
	os.WriteFile(filepath.Join(root, "content", "a.md~"), []byte("y"), 0o644)
	n := len(c.all())
	os.Rename(tmp, a)
	deadline := time.Now().Add(10 * time.Second)
	for len(c.all()) == n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	os.WriteFile(filepath.Join(root, "public", "index.html"), []byte("x"), 0o644)
	time.Sleep(100 * time.Millisecond)
	for _, p := range c.all() {
		if Ignored(p) || strings.Contains(p, "public") {
			t.Errorf("reported %s", p)
		}
	}
	if !c.seen(a) {
		t.Error("rename over not reported")
	}
}

func TestBurstDebounced(t *testing.T) {
	root := t.TempDir()
	_, c := run(t, Options{Root: root, Quiet: 30 * time.Millisecond, MaxDelay: 2 * time.Second})
	for i := 0; i < 500; i++ {
		os.WriteFile(filepath.Join(root, fmt.Sprintf("f%03d.md", i)), []byte("x"), 0o644)
	}
	waitFor(t, c, filepath.Join(root, "f499.md"))
	time.Sleep(100 * time.Millisecond)
	c.mu.Lock()
	n := len(c.batches)
	c.mu.Unlock()
	if n > 20 {
		t.Errorf("500 writes gave %d batches", n)
	}
}

func TestFallbackToPolling(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "content", "a"), 0o755)
	orig := addWatch
	t.Cleanup(func() { addWatch = orig })
	calls := 0
	addWatch = func(w *fsnotify.Watcher, dir string) error {
		calls++
		if calls > 1 {
			return fmt.Errorf("add %s: %w", dir, syscall.ENOSPC)
		}
		return w.Add(dir)
	}
	var warned string
	var mu sync.Mutex
	w, c := run(t, Options{Root: root, Quiet: 10 * time.Millisecond, Warn: func(m string) { mu.Lock(); warned = m; mu.Unlock() }})
	if !w.Polling() {
		t.Fatal("did not fall back to polling")
	}
	mu.Lock()
	if !strings.Contains(warned, "max_user_watches") {
		t.Errorf("warning %q", warned)
	}
	mu.Unlock()
	p := filepath.Join(root, "content", "a", "x.md")
	os.WriteFile(p, []byte("x"), 0o644)
	waitFor(t, c, p)
}

func TestPoll(t *testing.T) {
	root := t.TempDir()
	w, c := run(t, Options{Root: root, Poll: 30 * time.Millisecond, Quiet: 5 * time.Millisecond})
	if !w.Polling() {
		t.Fatal("not polling")
	}
	p := filepath.Join(root, "a.md")
	os.WriteFile(p, []byte("x"), 0o644)
	waitFor(t, c, p)
	os.Remove(p)
	c.mu.Lock()
	c.batches = nil
	c.mu.Unlock()
	waitFor(t, c, p)
}
