// Package watch reports changed files below a folder, in batches: with
// fsnotify (inotify on Linux) by default, watching every folder including
// those created later, or by polling for file systems that send no change
// events (network shares, some container mounts). When the system's limit
// of inotify watches is reached, it falls back to polling with a warning
// instead of failing.
//
// Editors save in many ways: writing in place, writing a temporary file
// and renaming it over the original (vim, Emacs, JetBrains, VS Code with
// some settings), writing a backup first ("x.md~", vim's "4913" probe).
// Temporary and backup files are ignored; the rename that completes a save
// is seen as a change of the real file. Bursts of events (a save, a git
// checkout of hundreds of files) are debounced into one batch.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configure a Watcher.
type Options struct {
	// Root is the folder to watch, recursively.
	Root string
	// Skip reports folders (relative to Root, slash-separated) not to
	// watch, such as "public" or ".git"; nil means SkipDefault.
	Skip func(rel string) bool
	// Poll, when positive, polls at this interval instead of using change
	// events.
	Poll time.Duration
	// Quiet is how long the events of a burst must pause before a batch
	// is reported (default 20 ms); MaxDelay caps the wait (default 300 ms).
	Quiet, MaxDelay time.Duration
	// Warn receives messages for the terminal (the fallback to polling).
	Warn func(msg string)
}

// SkipDefault skips hidden folders, public/ and node_modules/.
func SkipDefault(rel string) bool {
	base := filepath.Base(rel)
	return rel == "public" || base == "node_modules" || (strings.HasPrefix(base, ".") && rel != ".")
}

// Ignored reports editor temporary and backup files, whose changes are
// never reported: "x.md~", ".x.md.swp", "#x.md#", ".#x.md", vim's "4913",
// "x.md.tmp", JetBrains' "x.md___jb_tmp___", and the "sedAbC123" file
// that `sed -i` writes before renaming it over the original.
func Ignored(name string) bool {
	base := filepath.Base(name)
	switch {
	case base == "4913", sedTemp(base),
		strings.HasSuffix(base, "~"),
		strings.HasPrefix(base, ".#"),
		strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"),
		strings.HasSuffix(base, ".swp"), strings.HasSuffix(base, ".swx"), strings.HasSuffix(base, ".swpx"),
		strings.HasSuffix(base, ".tmp"),
		strings.HasSuffix(base, "___jb_tmp___"), strings.HasSuffix(base, "___jb_old___"),
		strings.HasPrefix(base, ".goutputstream-"),
		base == ".DS_Store":
		return true
	}
	return false
}

// sedTemp reports GNU sed's in-place temporary file: "sed" and six
// letters or digits.
func sedTemp(base string) bool {
	if len(base) != 9 || !strings.HasPrefix(base, "sed") {
		return false
	}
	for _, r := range base[3:] {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// addWatch adds a folder to the fsnotify watcher; tests replace it to
// simulate the watch limit.
var addWatch = func(w *fsnotify.Watcher, dir string) error { return w.Add(dir) }

// Watcher watches a folder tree.
type Watcher struct {
	opts Options

	mu      sync.Mutex
	pending map[string]bool
	first   time.Time
	last    time.Time
	kick    chan struct{}
	polling bool
}

// New returns a watcher; Run starts it.
func New(opts Options) *Watcher {
	if opts.Skip == nil {
		opts.Skip = SkipDefault
	}
	if opts.Quiet <= 0 {
		opts.Quiet = 20 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 300 * time.Millisecond
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	return &Watcher{opts: opts, pending: map[string]bool{}, kick: make(chan struct{}, 1)}
}

// Polling reports whether the watcher polls (asked for, or fallen back).
func (w *Watcher) Polling() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.polling
}

// Run watches until ctx is cancelled, calling batch with the absolute
// paths changed, created or removed (sorted, never empty). batch runs on
// one goroutine; events that arrive meanwhile make the next batch.
func (w *Watcher) Run(ctx context.Context, batch func(paths []string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	if w.opts.Poll > 0 {
		w.setPolling()
		wg.Add(1)
		go func() { defer wg.Done(); w.poll(ctx, w.opts.Poll, nil) }()
	} else {
		fw, err := fsnotify.NewWatcher()
		if err != nil {
			if !isLimit(err) {
				return err
			}
			w.fallback(ctx, &wg, err)
		} else {
			ready := make(chan error, 1)
			wg.Add(1)
			go func() { defer wg.Done(); w.notify(ctx, fw, &wg, ready) }()
			if err := <-ready; err != nil {
				return err
			}
		}
	}
	w.deliver(ctx, batch)
	return nil
}

func (w *Watcher) setPolling() {
	w.mu.Lock()
	w.polling = true
	w.mu.Unlock()
}

func isLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE)
}

func (w *Watcher) fallback(ctx context.Context, wg *sync.WaitGroup, cause error) {
	interval := time.Second
	w.opts.Warn("torg serve: systemets gräns för filbevakningar är nådd (" + cause.Error() + "); " +
		"ändringar upptäcks nu genom avläsning varje sekund. Höj gränsen med " +
		"\"sysctl fs.inotify.max_user_watches=524288\" eller välj --poll.")
	w.setPolling()
	snap := scan(w.opts.Root, w.opts.Skip)
	wg.Add(1)
	go func() { defer wg.Done(); w.poll(ctx, interval, snap) }()
}

// notify runs the fsnotify loop; it reports on ready whether the initial
// watches were added (a limit error switches to polling instead).
func (w *Watcher) notify(ctx context.Context, fw *fsnotify.Watcher, wg *sync.WaitGroup, ready chan<- error) {
	defer fw.Close()
	if err := w.addTree(fw, w.opts.Root, false); err != nil {
		if isLimit(err) {
			fw.Close()
			w.fallback(ctx, wg, err)
			ready <- nil
			return
		}
		ready <- err
		return
	}
	ready <- nil
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-fw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: report the whole tree.
				w.add(w.opts.Root)
			}
		case ev, ok := <-fw.Events:
			if !ok {
				return
			}
			if w.skipped(ev.Name) || Ignored(ev.Name) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
					// A new folder: watch it, and report what is
					// already in it (files written before the watch).
					if err := w.addTree(fw, ev.Name, true); err != nil && isLimit(err) {
						fw.Close()
						w.fallback(ctx, wg, err)
						w.add(ev.Name)
						return
					}
				}
			}
			w.add(ev.Name)
		}
	}
}

func (w *Watcher) skipped(abs string) bool {
	rel, err := filepath.Rel(w.opts.Root, abs)
	if err != nil || rel == "." {
		return false
	}
	rel = filepath.ToSlash(rel)
	for d := rel; d != "." && d != "/"; d = filepath.ToSlash(filepath.Dir(d)) {
		if w.opts.Skip(d) {
			return true
		}
	}
	return false
}

// addTree watches dir and every folder below it; report adds the files
// found to the pending batch.
func (w *Watcher) addTree(fw *fsnotify.Watcher, dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // vanished meanwhile
		}
		if !d.IsDir() {
			if report && !Ignored(p) {
				w.add(p)
			}
			return nil
		}
		if p != w.opts.Root && w.skipped(p) {
			return filepath.SkipDir
		}
		if err := addWatch(fw, p); err != nil {
			if isLimit(err) {
				return err
			}
			if p == dir {
				return err
			}
		}
		return nil
	})
}

func (w *Watcher) add(p string) {
	w.mu.Lock()
	now := time.Now()
	if len(w.pending) == 0 {
		w.first = now
	}
	w.last = now
	w.pending[p] = true
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// deliver hands batches to fn once events pause for Quiet (or MaxDelay
// passed since the first).
func (w *Watcher) deliver(ctx context.Context, fn func([]string)) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		for {
			w.mu.Lock()
			if len(w.pending) == 0 {
				w.mu.Unlock()
				break
			}
			now := time.Now()
			wait := w.opts.Quiet - now.Sub(w.last)
			if max := w.opts.MaxDelay - now.Sub(w.first); max < wait {
				wait = max
			}
			if wait > 0 {
				w.mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				continue
			}
			paths := make([]string, 0, len(w.pending))
			for p := range w.pending {
				paths = append(paths, p)
			}
			w.pending = map[string]bool{}
			w.mu.Unlock()
			sort.Strings(paths)
			fn(paths)
		}
	}
}

type fileState struct {
	size  int64
	mtime time.Time
	mode  fs.FileMode
}

func scan(root string, skip func(string) bool) map[string]fileState {
	out := map[string]fileState{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != root {
				if rel, err := filepath.Rel(root, p); err == nil && skip(filepath.ToSlash(rel)) {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if Ignored(p) {
			return nil
		}
		if info, err := d.Info(); err == nil {
			out[p] = fileState{size: info.Size(), mtime: info.ModTime(), mode: info.Mode()}
		}
		return nil
	})
	return out
}

// poll compares the tree with its previous state every interval.
func (w *Watcher) poll(ctx context.Context, interval time.Duration, prev map[string]fileState) {
	if prev == nil {
		prev = scan(w.opts.Root, w.opts.Skip)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := scan(w.opts.Root, w.opts.Skip)
		for p, st := range cur {
			if old, ok := prev[p]; !ok || old != st {
				w.add(p)
			}
		}
		for p := range prev {
			if _, ok := cur[p]; !ok {
				w.add(p)
			}
		}
		prev = cur
	}
}
