package relay

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Command(context.Background(), []string{"-h"}, &out, &errb); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(out.String(), "torg relay retry --config relay.toml") {
		t.Fatalf("usage:\n%s", out.String())
	}
	out.Reset()
	if err := Command(context.Background(), []string{"retry", "-h"}, &out, &errb); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("retry -h: %v", err)
	}
	var ue *UsageError
	if err := Command(context.Background(), []string{"--nope"}, &out, &errb); !errors.As(err, &ue) {
		t.Fatalf("bad flag: %v", err)
	}
	if err := Command(context.Background(), []string{"--config", "x.toml", "extra"}, &out, &errb); !errors.As(err, &ue) {
		t.Fatalf("extra arg: %v", err)
	}
	err := Command(context.Background(), []string{"--config", filepath.Join(t.TempDir(), "missing.toml")}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Fatalf("missing config: %v", err)
	}
}

func TestCommandRetry(t *testing.T) {
	h := newHarness(t)
	h.smtp.FailRcpt("kommun@karlsborg.se", 550)
	h.smtp.FailRcpt("diarium@karlsborg.se", 550)
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	waitFor(t, func() bool { return len(h.dirFiles("dead")) == 1 })
	h.stop()
	cfg := filepath.Join(h.dir, "relay.toml")
	os.WriteFile(cfg, []byte(`
origins = ["https://www.karlsborg.se"]
recipients = "recipients.json"
outbox = "outbox"
from = "noreply@karlsborg.se"
bounce = "bounce@karlsborg.se"
registrar = "registrator@karlsborg.se"
domains = ["karlsborg.se"]
secret_env = "TORG_RELAY_SECRET"
reference_prefix = "KBG"
[smtp]
host = "127.0.0.1"
tls = "none"
`), 0o600)
	var out, errb bytes.Buffer
	if err := Command(context.Background(), []string{"retry", "--config", cfg, ref}, &out, &errb); err != nil {
		t.Fatalf("retry: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), ref+" moved back to the queue") {
		t.Fatalf("output %q", out.String())
	}
	if len(h.dirFiles("dead")) != 0 || len(h.dirFiles("queue")) != 1 {
		t.Fatalf("dead %v queue %v", h.dirFiles("dead"), h.dirFiles("queue"))
	}
	if err := Command(context.Background(), []string{"retry", "--config", cfg, "KBG-2026-999999"}, &out, &errb); err == nil {
		t.Fatal("retry of an unknown reference succeeded")
	}
}
