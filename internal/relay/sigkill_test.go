package relay

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/smtptest"
)

// The torg binary is built once per test process, in the background from
// TestMain (so that the slow build on a loaded machine overlaps the other
// tests), and removed when the tests end.
var torgBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() && runsKillTest() {
		go torgBin.once.Do(buildTorgOnce)
	}
	code := m.Run()
	torgBin.once.Do(func() {}) // wait for a build still running
	if torgBin.dir != "" {
		os.RemoveAll(torgBin.dir)
	}
	os.Exit(code)
}

// runsKillTest reports whether -test.run selects TestKillDuringBurst.
func runsKillTest() bool {
	f := flag.Lookup("test.run")
	if f == nil || f.Value.String() == "" {
		return true
	}
	top, _, _ := strings.Cut(f.Value.String(), "/")
	ok, err := regexp.MatchString(top, "TestKillDuringBurst")
	return err != nil || ok
}

func buildTorgOnce() {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil {
		torgBin.err = fmt.Errorf("go env GOMOD: %v", err)
		return
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	if torgBin.dir, err = os.MkdirTemp("", "torg-relay-test-"); err != nil {
		torgBin.err = err
		return
	}
	bin := filepath.Join(torgBin.dir, "torg")
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/torg")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		torgBin.err = fmt.Errorf("building torg: %v\n%s", err, out)
		return
	}
	torgBin.path = bin
}

// buildTorg returns the real torg binary built from the module root.
func buildTorg(t *testing.T) string {
	t.Helper()
	torgBin.once.Do(buildTorgOnce)
	if torgBin.err != nil {
		t.Fatal(torgBin.err)
	}
	return torgBin.path
}

type relayProc struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
}

var listenRE = regexp.MustCompile(`msg="relay listening" addr=(\S+)`)

func startRelay(t *testing.T, bin, cfg string) *relayProc {
	t.Helper()
	p := &relayProc{logs: &syncBuffer{}}
	p.cmd = exec.Command(bin, "relay", "--config", cfg)
	p.cmd.Env = append(os.Environ(), "TORG_RELAY_SECRET="+testSecret)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.Write([]byte(sc.Text() + "\n"))
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case p.addr = <-addr:
	case <-time.After(waitLong):
		t.Fatalf("relay did not start; log:\n%s", p.logs.String())
	}
	return p
}

// TestKillDuringBurst runs the real binary, kills it with SIGKILL in the
// middle of a burst of posts, starts it again and checks that every post
// that got a 303 is delivered.
func TestKillDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the torg binary")
	}
	bin := buildTorg(t)
	dir := t.TempDir()
	smtp := smtptest.Start(t, smtptest.Options{})
	smtp.SetDelay(10 * time.Millisecond) // let a queue build up
	copyFile(t, "testdata/recipients.json", filepath.Join(dir, "recipients.json"))
	cfg := filepath.Join(dir, "relay.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
listen = "127.0.0.1:0"
origins = [%q]
recipients = "recipients.json"
outbox = "outbox"
from = "Karlsborgs kommun <noreply@karlsborg.se>"
bounce = "bounce@karlsborg.se"
registrar = "registrator@karlsborg.se"
domains = ["karlsborg.se"]
secret_env = "TORG_RELAY_SECRET"
reference_prefix = "KBG"
[smtp]
host = "127.0.0.1"
port = %d
tls = "none"
[retry]
initial = "20ms"
max = "200ms"
give_up = "96h"
scan = "100ms"
[limits]
per_ip_burst = 100000
per_ip_interval = "1ms"
per_recipient_burst = 100000
per_recipient_interval = "1ms"
`, testOrigin, smtp.Port)), 0o600)

	signer, _ := form.NewSigner([]byte(testSecret))
	p := startRelay(t, bin, cfg)

	var mu sync.Mutex
	var accepted []string
	stopBurst := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 5 * time.Second}
	ids := []string{"kommunen", "anna-andersson", "enhet-samhallsbyggnad", "tillganglighet"}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopBurst:
					return
				default:
				}
				id := ids[(g+i)%len(ids)]
				body := fmt.Sprintf("namn=Test&amne=Burst+%d-%d&meddelande=Meddelande+%d+fr%%C3%%A5n+%d&t=%s", g, i, i, g,
					signer.Issue(id, time.Now().Add(-10*time.Second)))
				req, _ := http.NewRequest("POST", "http://"+p.addr+"/skriv/"+id, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", testOrigin)
				res, err := client.Do(req)
				if err != nil {
					return // the relay was killed
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusSeeOther {
					mu.Lock()
					accepted = append(accepted, strings.TrimPrefix(res.Header.Get("Location"), "/tack/"))
					mu.Unlock()
				}
			}
		}(g)
	}
	// Kill once a good number of posts went through, mid-burst.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(accepted)
		mu.Unlock()
		if n >= 150 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	close(stopBurst)
	wg.Wait()
	mu.Lock()
	refs := append([]string(nil), accepted...)
	mu.Unlock()
	deliveredBefore := 0
	for _, r := range refs {
		if hasRef(r)(smtp.Messages()) {
			deliveredBefore++
		}
	}
	t.Logf("%d posts accepted before SIGKILL, %d of them delivered before the kill", len(refs), deliveredBefore)
	if len(refs) < 20 {
		t.Fatalf("only %d posts accepted", len(refs))
	}

	smtp.SetDelay(0)
	p2 := startRelay(t, bin, cfg)
	smtp.Wait(waitLong, func(ms []smtptest.Received) bool {
		for _, r := range refs {
			if !hasRef(r)(ms) {
				return false
			}
		}
		return true
	})
	// Duplicates (at-least-once) carry the same Message-ID.
	ids2 := map[string]string{}
	for _, m := range smtp.Messages() {
		ref := regexp.MustCompile(`X-Torg-Reference: (\S+)`).FindSubmatch(m.Data)
		mid := regexp.MustCompile(`Message-ID: (\S+)`).FindSubmatch(m.Data)
		if ref == nil || mid == nil {
			t.Fatal("message without reference or Message-ID")
		}
		if prev, ok := ids2[string(ref[1])]; ok && prev != string(mid[1]) {
			t.Fatalf("duplicate of %s with a different Message-ID", ref[1])
		}
		ids2[string(ref[1])] = string(mid[1])
	}
	// Graceful shutdown on SIGTERM, exit status 0.
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	waitQueueEmpty(ctx, t, filepath.Join(dir, "outbox", "queue"))
	// SIGHUP reloads the recipient table.
	p2.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool { return strings.Count(p2.logs.String(), "recipient table loaded") >= 2 })
	p2.cmd.Process.Signal(syscall.SIGTERM)
	if err := p2.cmd.Wait(); err != nil {
		t.Fatalf("relay exit after SIGTERM: %v\n%s", err, p2.logs.String())
	}
	if !strings.Contains(p2.logs.String(), "relay stopped") {
		t.Fatalf("no graceful stop in log:\n%s", p2.logs.String())
	}
}

func waitQueueEmpty(ctx context.Context, t *testing.T, dir string) {
	t.Helper()
	for {
		ents, _ := os.ReadDir(dir)
		if len(ents) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("queue still holds %d files", len(ents))
		case <-time.After(20 * time.Millisecond):
		}
	}
}
