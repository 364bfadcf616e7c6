// Package publish makes a build's output appear all at once: the build
// writes into a fresh folder beside the destination, and only a successful
// build is swapped in. A failed or interrupted build leaves the previous
// output exactly as it was, and nothing stale survives a successful one.
package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Staging is a temporary output folder beside a destination.
type Staging struct {
	Dir  string // where the build writes
	dest string
}

// Begin creates a staging folder next to dest (same file system, so that
// the final rename is atomic). Stale staging folders of earlier,
// interrupted builds are removed.
func Begin(dest string) (*Staging, error) {
	dest = filepath.Clean(dest)
	parent, base := filepath.Split(dest)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output parent folder: %w", err)
	}
	if entries, err := os.ReadDir(parent); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "."+base+".tmp-") || strings.HasPrefix(e.Name(), "."+base+".old-") {
				os.RemoveAll(filepath.Join(parent, e.Name()))
			}
		}
	}
	dir, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create staging folder: %w", err)
	}
	return &Staging{Dir: dir, dest: dest}, nil
}

// Abort removes the staging folder; the destination is untouched.
func (s *Staging) Abort() {
	os.RemoveAll(s.Dir)
}

// Commit swaps the staging folder in as the destination. On Linux the swap
// is one atomic renameat2(RENAME_EXCHANGE); elsewhere, or when the
// destination does not exist yet, two renames.
func (s *Staging) Commit() error {
	info, err := os.Lstat(s.dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Rename(s.Dir, s.dest); err != nil {
			s.Abort()
			return fmt.Errorf("publish %s: %w", s.dest, err)
		}
		return nil
	case err != nil:
		s.Abort()
		return fmt.Errorf("publish %s: %w", s.dest, err)
	case !info.IsDir():
		s.Abort()
		return fmt.Errorf("publish %s: exists and is not a folder", s.dest)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, s.Dir, unix.AT_FDCWD, s.dest, unix.RENAME_EXCHANGE); err == nil {
		// s.Dir now holds the previous output.
		return os.RemoveAll(s.Dir)
	}
	old := s.Dir + ".old"
	old = filepath.Join(filepath.Dir(old), strings.Replace(filepath.Base(old), ".tmp-", ".old-", 1))
	if err := os.Rename(s.dest, old); err != nil {
		s.Abort()
		return fmt.Errorf("publish %s: move previous output aside: %w", s.dest, err)
	}
	if err := os.Rename(s.Dir, s.dest); err != nil {
		os.Rename(old, s.dest) // put the previous output back
		s.Abort()
		return fmt.Errorf("publish %s: %w", s.dest, err)
	}
	return os.RemoveAll(old)
}
