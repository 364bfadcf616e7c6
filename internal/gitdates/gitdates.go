// Package gitdates finds each file's last commit time with one git call,
// for the "Senast uppdaterad" date of pages without "lastmod".
//
// A shallow clone knows only the commits after its boundary: every file
// that was not changed since then would look changed at the boundary
// commit. Those files are reported as unknown so that the caller falls back
// instead of showing every page as updated on the day of the clone.
package gitdates

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Dates maps site-relative, slash-separated paths to their last commit.
type Dates struct {
	times   map[string]time.Time
	dirty   map[string]bool
	unknown map[string]bool
	// Shallow is true when the repository is a shallow clone.
	Shallow bool
}

// Load runs git in dir (the site source). It returns nil, nil when dir is
// not in a git work tree or git is not installed.
func Load(ctx context.Context, dir string) (*Dates, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, nil
	}
	if _, err := git(ctx, dir, "rev-parse", "--show-toplevel"); err != nil {
		return nil, nil // not a repository
	}
	d := &Dates{times: map[string]time.Time{}, dirty: map[string]bool{}, unknown: map[string]bool{}}
	if out, err := git(ctx, dir, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(string(out)) == "true" {
		d.Shallow = true
	}
	boundary := map[string]bool{}
	if d.Shallow {
		if p, err := git(ctx, dir, "rev-parse", "--git-path", "shallow"); err == nil {
			sp := strings.TrimSpace(string(p))
			if !filepath.IsAbs(sp) {
				sp = filepath.Join(dir, sp)
			}
			if b, err := os.ReadFile(sp); err == nil {
				for _, h := range strings.Fields(string(b)) {
					boundary[h] = true
				}
			}
		}
	}
	out, err := git(ctx, dir, "log", "--relative", "--name-only", "--no-renames", "-z", "--format=%x01%H %ct", "--", ".")
	if err != nil {
		return nil, fmt.Errorf("git log: %w", err)
	}
	var hash string
	var when time.Time
	for _, rec := range bytes.Split(out, []byte{0}) {
		for _, line := range strings.Split(string(rec), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "\x01") {
				f := strings.Fields(line[1:])
				if len(f) == 2 {
					hash = f[0]
					sec, _ := strconv.ParseInt(f[1], 10, 64)
					when = time.Unix(sec, 0)
				}
				continue
			}
			if _, seen := d.times[line]; seen || d.unknown[line] {
				continue
			}
			if boundary[hash] {
				d.unknown[line] = true
				continue
			}
			d.times[line] = when
		}
	}
	// Porcelain status paths are relative to the repository root.
	prefix := ""
	if out, err := git(ctx, dir, "rev-parse", "--show-prefix"); err == nil {
		prefix = strings.TrimSpace(string(out))
	}
	if st, err := git(ctx, dir, "status", "--porcelain", "-z", "--untracked-files=all", "--", "."); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(st))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sc.Split(splitNUL)
		for sc.Scan() {
			rec := sc.Text()
			if len(rec) > 3 && strings.HasPrefix(rec[3:], prefix) {
				d.dirty[strings.TrimPrefix(rec[3:], prefix)] = true
			}
		}
	}
	return d, nil
}

func splitNUL(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Lookup returns file's last commit time. ok is false for files git does
// not know, files changed in the work tree (their modification time is
// newer) and, in a shallow clone, files last changed before the boundary.
// unknown is true only for the last case.
func (d *Dates) Lookup(file string) (t time.Time, ok, unknown bool) {
	if d == nil || d.dirty[file] {
		return time.Time{}, false, false
	}
	if d.unknown[file] {
		return time.Time{}, false, true
	}
	t, ok = d.times[file]
	return t, ok, false
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "core.quotepath=off"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	return cmd.Output()
}
