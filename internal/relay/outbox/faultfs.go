package outbox

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// FaultFS wraps an FS and fails chosen operations, for tests of the
// durability guarantees. Each Fail* field, when non-nil, is consulted with
// the base name of the file the operation concerns (for CreateTemp the
// pattern, for SyncDir the folder) and returns the error to inject, or nil.
type FaultFS struct {
	FS

	mu          sync.Mutex
	FailCreate  func(name string) error
	FailWrite   func(name string) error // the write is partial: half the bytes land first
	FailSync    func(name string) error
	FailRename  func(name string) error
	FailSyncDir func(name string) error
}

// ErrInjected is the error FaultFS injects unless told otherwise.
var ErrInjected = fmt.Errorf("injected failure: %w", syscall.EIO)

// ErrDiskFull is ENOSPC.
var ErrDiskFull error = syscall.ENOSPC

func (f *FaultFS) check(sel func(f *FaultFS) func(string) error, name string) error {
	f.mu.Lock()
	fn := sel(f)
	f.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(name)
}

// Set changes the injection functions under the lock.
func (f *FaultFS) Set(apply func(f *FaultFS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	apply(f)
}

// Clear removes every injected failure.
func (f *FaultFS) Clear() {
	f.Set(func(f *FaultFS) {
		f.FailCreate, f.FailWrite, f.FailSync, f.FailRename, f.FailSyncDir = nil, nil, nil, nil, nil
	})
}

// CreateTemp implements FS.
func (f *FaultFS) CreateTemp(dir, pattern string) (File, error) {
	if err := f.check(func(f *FaultFS) func(string) error { return f.FailCreate }, pattern); err != nil {
		return nil, err
	}
	file, err := f.FS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, base: strings.SplitN(pattern, ".*", 2)[0]}, nil
}

// Rename implements FS.
func (f *FaultFS) Rename(oldpath, newpath string) error {
	if err := f.check(func(f *FaultFS) func(string) error { return f.FailRename }, filepath.Base(newpath)); err != nil {
		return err
	}
	return f.FS.Rename(oldpath, newpath)
}

// SyncDir implements FS.
func (f *FaultFS) SyncDir(name string) error {
	if err := f.check(func(f *FaultFS) func(string) error { return f.FailSyncDir }, filepath.Base(name)); err != nil {
		return err
	}
	return f.FS.SyncDir(name)
}

type faultFile struct {
	File
	fs   *FaultFS
	base string
}

func (ff *faultFile) Write(p []byte) (int, error) {
	if err := ff.fs.check(func(f *FaultFS) func(string) error { return f.FailWrite }, ff.base); err != nil {
		n, _ := ff.File.Write(p[:len(p)/2])
		return n, err
	}
	return ff.File.Write(p)
}

func (ff *faultFile) Sync() error {
	if err := ff.fs.check(func(f *FaultFS) func(string) error { return f.FailSync }, ff.base); err != nil {
		return err
	}
	return ff.File.Sync()
}
