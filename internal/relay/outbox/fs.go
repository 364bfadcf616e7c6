package outbox

import (
	"io"
	"io/fs"
	"os"
)

// FS is the file-system seam the outbox writes through. OS is the real
// implementation; tests wrap it to inject write, fsync and rename failures
// or a full disk.
type FS interface {
	MkdirAll(path string, perm fs.FileMode) error
	// CreateTemp creates a new file in dir as os.CreateTemp does (mode 0600).
	CreateTemp(dir, pattern string) (File, error)
	// OpenAppend opens name for appending, creating it (mode 0600) if needed.
	OpenAppend(name string) (File, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	// SyncDir fsyncs a directory so that renames and removals in it are
	// durable.
	SyncDir(name string) error
}

// File is a writable file.
type File interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// OS is the real file system.
type OS struct{}

// MkdirAll implements FS.
func (OS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }

// CreateTemp implements FS.
func (OS) CreateTemp(dir, pattern string) (File, error) { return os.CreateTemp(dir, pattern) }

// OpenAppend implements FS.
func (OS) OpenAppend(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// Rename implements FS.
func (OS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove implements FS.
func (OS) Remove(name string) error { return os.Remove(name) }

// ReadFile implements FS.
func (OS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// ReadDir implements FS.
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// SyncDir implements FS.
func (OS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
