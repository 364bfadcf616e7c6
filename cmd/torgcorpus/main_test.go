package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-n", "5", "-seed", "3", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote 5 pages") {
		t.Errorf("stdout = %q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(out, "torg.toml")); err != nil {
		t.Error(err)
	}
	// A second run into the same folder refuses to mix corpora.
	if err := run(context.Background(), []string{"-n", "5", "-out", out}, &stdout, &stderr); err == nil {
		t.Error("second run into the same folder: no error")
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"-n", "5"}, {"-out", t.TempDir(), "extra"}, {"-bogus"}} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("run(%q): no error", args)
		}
		if !strings.Contains(stderr.String(), "Usage: torgcorpus") {
			t.Errorf("run(%q): no usage on stderr: %q", args, stderr.String())
		}
	}
}
