package serve

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildTorg builds the real binary once per test run.
var (
	torgOnce sync.Once
	torgBin  string
	torgErr  error
)

func torgBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the torg binary")
	}
	torgOnce.Do(func() {
		dir, err := os.MkdirTemp("", "torg-serve-bin")
		if err != nil {
			torgErr = err
			return
		}
		torgBin = filepath.Join(dir, "torg")
		out, err := exec.Command("go", "build", "-o", torgBin, "github.com/torgsite/torg/cmd/torg").CombinedOutput()
		if err != nil {
			torgErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if torgErr != nil {
		t.Fatal(torgErr)
	}
	return torgBin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBinary runs `torg serve` and waits until it prints its address.
func startBinary(t *testing.T, dir string, args ...string) (base string, cmd *exec.Cmd, out *syncBuffer) {
	t.Helper()
	return startBinaryEnv(t, dir, nil, args...)
}

// startBinaryEnv is startBinary with extra environment variables.
func startBinaryEnv(t *testing.T, dir string, env []string, args ...string) (base string, cmd *exec.Cmd, out *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	cmd = exec.Command(torgBinary(t), append([]string{"serve", "--source", dir, "--addr", addr, "--no-git"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out = &syncBuffer{}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.Write([]byte(sc.Text() + "\n"))
			if strings.Contains(sc.Text(), "Webbplatsen visas på") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("torg serve did not start:\n%s", out.String())
	}
	return "http://" + addr, cmd, out
}

func TestBinaryServe(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, testSite)
	base, cmd, out := startBinary(t, dir)
	if code, body := get(t, base+"/tjanster/a/"); code != 200 || !strings.Contains(body, ScriptPath) {
		t.Fatalf("GET: %d", code)
	}
	ev := connect(t, base)
	ev.next(t, 5*time.Second, "hello")
	writeSite(t, dir, map[string]string{"content/tjanster/a.md": "---\ntitle: Sida A\n---\nFrån binären.\n"})
	ev.nextReload(t, 10*time.Second, "/tjanster/a/")
	if _, body := get(t, base+"/tjanster/a/"); !strings.Contains(body, "Från binären") {
		t.Errorf("edit not served")
	}

	// A second server on the same port fails with a suggestion.
	addr := strings.TrimPrefix(base, "http://")
	second := exec.Command(torgBinary(t), "serve", "--source", dir, "--addr", addr, "--no-git")
	msg, err := second.CombinedOutput()
	if err == nil || second.ProcessState.ExitCode() != 1 || !strings.Contains(string(msg), "används redan") || !strings.Contains(string(msg), "--addr") {
		t.Errorf("second server on %s: %v\n%s", addr, err, msg)
	}

	// Ctrl-C stops it cleanly.
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGINT: %v\n%s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("torg serve did not stop within 10 s of SIGINT")
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Errorf("torg serve wrote public/")
	}
}

// TestBinaryServeForms runs the real binary on a site with contact forms:
// a message posted to the form appears in the mailbox, and the private
// folder is removed when Ctrl-C stops the server.
func TestBinaryServeForms(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, formSite)
	tmp := t.TempDir() // the binary's TMPDIR: only its private folder goes there
	base, cmd, out := startBinaryEnv(t, dir, []string{"TMPDIR=" + tmp})
	folders, _ := filepath.Glob(filepath.Join(tmp, "torg-serve-relay-*"))
	if len(folders) != 1 {
		t.Fatalf("private folders in TMPDIR: %v", folders)
	}
	if _, err := os.Stat(filepath.Join(folders[0], recipientsFile)); err != nil {
		t.Errorf("no recipient table in the private folder: %v", err)
	}

	_, page := get(t, base+"/kontakt/kansliet/")
	formURL := formLink(t, page, "enhet-kansliet")
	_, formPage := get(t, formURL)
	action, fields := browserForm(t, formPage)
	fields.Set("amne", "Från binären")
	fields.Set("meddelande", "Ett meddelande genom torg serve.")
	ref, _ := submit(t, base, formURL, postForm(t, base, formURL, action, fields), fields)
	if _, box := get(t, base+MailboxPath); !strings.Contains(box, ref) || !strings.Contains(box, "Ett meddelande genom torg serve.") {
		t.Errorf("message %s not in the mailbox", ref)
	}
	if code, _ := get(t, base+"/recipients.json"); code != 404 {
		t.Errorf("GET /recipients.json: %d", code)
	}

	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGINT: %v\n%s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("torg serve did not stop within 10 s of SIGINT")
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR after stop: %v", left)
	}
	if !strings.Contains(out.String(), "tog emot "+ref) {
		t.Errorf("the terminal was not told of %s:\n%s", ref, out.String())
	}
	for _, p := range []string{"public", "public.relay"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("torg serve wrote %s/", p)
		}
	}
}

// chromiumPath returns the browser, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	return chromium
}

// openChromium opens url in headless Chromium until the test ends; its
// output is logged when the test fails.
func openChromium(t *testing.T, chromium, url string) {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+profile, "--remote-debugging-port=0",
		url)
	browserLog := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = browserLog, browserLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("chromium:\n%s", browserLog.String())
		}
	})
}

// chromiumFormScript follows the page's "Hittade du ett fel på sidan?"
// link, takes the form from the relay's page, fills it in and submits it:
// a real browser post, with the browser's own Origin, encoding and
// redirect handling.
const chromiumFormScript = `<script>
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector('a[href*="/skriv/"]');
  fetch(link.href).then(function (r) { return r.text(); }).then(function (text) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var form = document.importNode(doc.querySelector('form[method="post"]'), true);
    form.querySelector('[name="namn"]').value = "Webbläsaren";
    form.querySelector('[name="meddelande"]').value = "Skickat från Chromium: <b>fet</b> & åäö.";
    document.body.appendChild(form);
    form.submit();
  });
});
</script>
`

// TestChromiumForm submits a contact form from Chromium and finds the
// message in the development mailbox.
func TestChromiumForm(t *testing.T) {
	chromium := chromiumPath(t)
	dir := t.TempDir()
	files := map[string]string{}
	for k, v := range formSite {
		files[k] = v
	}
	files["torg.toml"] = "unsafeHTML = true\n" + files["torg.toml"]
	files["content/provform.md"] = "---\ntitle: Provformulär\n---\n" + chromiumFormScript
	writeSite(t, dir, files)
	var mu sync.Mutex
	var thanks, posted string
	r := start(t, Config{Source: dir, Registry: municipalRegistry(), NoWatch: true, OnRequest: func(method, path string) {
		mu.Lock()
		defer mu.Unlock()
		if method == "POST" && strings.HasPrefix(path, "/skriv/") {
			posted = path
		}
		if method == "GET" && strings.HasPrefix(path, "/tack/") {
			thanks = path
		}
	}})
	openChromium(t, chromium, r.base+"/provform/")
	eventually(t, 60*time.Second, func() string {
		mu.Lock()
		defer mu.Unlock()
		if thanks == "" {
			return fmt.Sprintf("the browser did not reach the thank-you page (posted to %q)", posted)
		}
		return ""
	})
	if posted != "/skriv/kommunen" {
		t.Errorf("the browser posted to %q, want /skriv/kommunen", posted)
	}
	ref := strings.TrimPrefix(thanks, "/tack/")
	_, box := get(t, r.base+MailboxPath)
	for _, want := range []string{ref, "Skickat från Chromium: &lt;b&gt;fet&lt;/b&gt; &amp; åäö.", "/provform/", "Webbläsaren"} {
		if !strings.Contains(box, want) {
			t.Errorf("mailbox lacks %q:\n%s", want, box)
		}
	}
}

// TestChromiumReloads opens a page in headless Chromium and checks that the
// browser loads it again after the Markdown file is edited, and not after
// an edit of another page that it does not show. The
// server counts the page requests; no browser-driving library is needed.
func TestChromiumReloads(t *testing.T) {
	chromium := chromiumPath(t)
	var mu sync.Mutex
	hits := map[string]int{}
	r := start(t, Config{OnRequest: func(method, path string) {
		mu.Lock()
		hits[path]++
		mu.Unlock()
	}})
	count := func(p string) int {
		mu.Lock()
		defer mu.Unlock()
		return hits[p]
	}
	openChromium(t, chromium, r.base+"/tjanster/a/")
	eventually(t, 60*time.Second, func() string {
		if count("/tjanster/a/") < 1 || count(EventsPath) < 1 || r.s.Clients() < 1 {
			return fmt.Sprintf("the browser did not open the page and connect (page %d, events %d)", count("/tjanster/a/"), count(EventsPath))
		}
		return ""
	})
	time.Sleep(500 * time.Millisecond)
	aBefore, bBefore := count("/tjanster/a/"), count("/tjanster/b/")
	// Another page changes: the open one must not reload.
	r.write(t, "content/tjanster/b.md", "---\ntitle: Sida B\ndate: 2026-01-11\n---\nB ändrad.\n")
	time.Sleep(1500 * time.Millisecond)
	if a := count("/tjanster/a/"); a != aBefore {
		t.Errorf("the open page was reloaded for a change to another page (%d → %d requests)", aBefore, a)
		aBefore = a
	}
	r.write(t, "content/tjanster/a.md", "---\ntitle: Sida A\ndate: 2026-01-10\n---\nÄndrad i webbläsaren.\n")
	eventually(t, 30*time.Second, func() string {
		if count("/tjanster/a/") <= aBefore {
			return "the open page was not reloaded after the edit"
		}
		return ""
	})
	_ = bBefore
}
