package serve

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	t.Setenv("GOMEMLIMIT", "")
	got := limitMemory()
	if got < minMemoryLimit {
		t.Fatalf("limit %d, want at least %d", got, minMemoryLimit)
	}
	if now := debug.SetMemoryLimit(-1); now != got {
		t.Fatalf("runtime limit %d, want %d", now, got)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "2GiB")
	if got := limitMemory(); got != 0 {
		t.Fatalf("with GOMEMLIMIT set: limit %d, want none", got)
	}
	if now := debug.SetMemoryLimit(-1); now != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT set the limit changed to %d", now)
	}
}
