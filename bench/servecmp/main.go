// Command servecmp compares `torg serve` with `hugo server` on the same
// content: how long each takes until the site is served, how long an edit
// takes until the server has rebuilt (and, for torg, until it has told the
// browsers to reload), whether the edit is then really served, and how much
// memory each server holds.
//
// It is run by bench/serve-compare.sh, which generates the corpus and lays
// out the two sites; see docs/benchmarks.md.
//
//	servecmp -torg bin/torg -torg-site DIR -hugo hugo -hugo-site DIR [flags]
//
// Both servers run at the same time on free loopback ports, each on its own
// copy of the content. Edits alternate between them (torg, hugo, hugo,
// torg, ...), one at a time at an editor's pace, and hit the same page in
// both sites. The output lines of each server are timestamped as they
// arrive, so that "rebuilt" means the moment the server printed that it
// was done:
//
//   - torg: the line "torg serve: content/… → N sidor uppdaterade …", and
//     the "reload" server-sent event on /_torg/events that lists the page;
//   - hugo: the line "Total in N ms" after "Source changed … content/…".
//
// Before each edit the page is fetched once, as an editor has it open in a
// browser (-open). After the edit it is fetched again and must contain the
// edited text; an edit that is not served within the grace period counts
// as failed.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "servecmp:", err)
		os.Exit(1)
	}
}

type options struct {
	torg, torgSite string
	hugo, hugoSite string
	hugoFlags      string
	tools          []string
	edits          int
	series         []string
	pace           time.Duration
	seed           uint64
	timeout        time.Duration
	startTimeout   time.Duration
	grace          time.Duration
	open           bool
	logDir         string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("servecmp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.torg, "torg", "torg", "torg binary")
	fs.StringVar(&o.torgSite, "torg-site", "", "torg site folder (torg.toml, content/); edited in place")
	fs.StringVar(&o.hugo, "hugo", "hugo", "hugo binary")
	fs.StringVar(&o.hugoSite, "hugo-site", "", "Hugo site folder (hugo.toml, layouts/, content/); edited in place")
	fs.StringVar(&o.hugoFlags, "hugo-flags", "", "extra flags for hugo server, space-separated (e.g. --disableFastRender)")
	tools := fs.String("tools", "torg,hugo", "servers to run, comma-separated")
	fs.IntVar(&o.edits, "n", 20, "edits per series and tool")
	edit := fs.String("edit", "body", "edit series, comma-separated: body (append a sentence), title (change the front matter title)")
	fs.DurationVar(&o.pace, "pace", 300*time.Millisecond, "pause between one edit being served and the next write")
	fs.Uint64Var(&o.seed, "seed", 1, "seed for choosing the edited pages")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "how long to wait for one rebuild")
	fs.DurationVar(&o.startTimeout, "start-timeout", 30*time.Minute, "how long to wait for a server to serve /")
	fs.DurationVar(&o.grace, "grace", 3*time.Second, "how long after the rebuild the edited text may take to be served")
	fs.BoolVar(&o.open, "open", true, "GET each page before editing it, as an editor with the page open in a browser")
	fs.StringVar(&o.logDir, "logs", "", "folder for each server's timestamped output (none when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	o.tools = splitList(*tools)
	o.series = splitList(*edit)
	for _, t := range o.tools {
		switch t {
		case "torg":
			if o.torgSite == "" {
				return errors.New("-torg-site is required")
			}
		case "hugo":
			if o.hugoSite == "" {
				return errors.New("-hugo-site is required")
			}
		default:
			return fmt.Errorf("unknown tool %q (torg, hugo)", t)
		}
	}
	if len(o.tools) == 0 {
		return errors.New("no tools")
	}
	for _, s := range o.series {
		if s != "body" && s != "title" {
			return fmt.Errorf("unknown edit series %q (body, title)", s)
		}
	}
	if o.edits < 1 {
		return errors.New("-n must be at least 1")
	}
	return compare(ctx, o, stdout)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// line is one timestamped line of output or one server-sent event.
type line struct {
	t    time.Time
	text string
}

// stream collects timestamped lines and lets one wait for a line.
type stream struct {
	mu      sync.Mutex
	lines   []line
	changed chan struct{}
	closed  bool
	log     io.Writer
	start   time.Time
}

func newStream(log io.Writer, start time.Time) *stream {
	return &stream{changed: make(chan struct{}), log: log, start: start}
}

func (s *stream) add(text string) {
	t := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, line{t, text})
	if s.log != nil {
		fmt.Fprintf(s.log, "%10.3f %s\n", t.Sub(s.start).Seconds(), text)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *stream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.changed)
	}
}

// len returns the number of lines so far: a position to wait from.
func (s *stream) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// wait returns the first line at or after position from for which match
// is true, and its position. match sees each line once, in order.
func (s *stream) wait(ctx context.Context, from int, match func(string) bool) (line, int, error) {
	for {
		s.mu.Lock()
		for ; from < len(s.lines); from++ {
			if match(s.lines[from].text) {
				l := s.lines[from]
				s.mu.Unlock()
				return l, from, nil
			}
		}
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if closed {
			return line{}, from, errors.New("output ended")
		}
		select {
		case <-ctx.Done():
			return line{}, from, ctx.Err()
		case <-ch:
		}
	}
}

// server is one running server.
type server struct {
	tool    string
	site    string // site folder
	base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	out     *stream // stdout and stderr, merged
	events  *stream // torg: "name data" per server-sent event
	done    chan struct{}
	waitErr error

	started      time.Duration // from exec to the first 200 on /
	reported     time.Duration // build time the tool printed itself
	hwm0, rss0   int           // kB after start
	hwm1, rss1   int           // kB after the edits
	results      map[string][]result
	logFile      *os.File
	eventsCancel context.CancelFunc
}

type result struct {
	page     string
	rebuilt  time.Duration // write → "rebuilt" line
	reload   time.Duration // write → reload event (torg)
	visible  time.Duration // write → GET returned the edited text
	reported time.Duration // rebuild time the tool printed
	late     bool          // the text was not yet served at the rebuilt line
	err      error
}

var client = &http.Client{Timeout: 5 * time.Minute}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (o options) command(ctx context.Context, tool string, port int) (*exec.Cmd, string) {
	switch tool {
	case "torg":
		return exec.CommandContext(ctx, o.torg, "serve", "--source", o.torgSite,
			"--addr", fmt.Sprintf("127.0.0.1:%d", port), "--no-git"), o.torgSite
	default:
		args := []string{"server", "--source", o.hugoSite, "--port", strconv.Itoa(port), "--bind", "127.0.0.1"}
		args = append(args, strings.Fields(o.hugoFlags)...)
		return exec.CommandContext(ctx, o.hugo, args...), o.hugoSite
	}
}

var (
	torgBuilt   = regexp.MustCompile(`^torg serve: \d+ sidor byggda på (\S+)`)
	torgRebuilt = regexp.MustCompile(`^torg serve: (.*) → \d+ sidor uppdaterade, .*\((\S+)\)$`)
	hugoBuilt   = regexp.MustCompile(`^Built in (\d+) ms`)
	hugoTotal   = regexp.MustCompile(`^Total in (\d+) ms`)
)

// start runs a server and waits until it serves /.
func (o options) start(ctx context.Context, tool string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd, site := o.command(ctx, tool, port)
	s := &server{tool: tool, site: site, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd,
		done: make(chan struct{}), results: map[string][]result{}}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var log io.Writer
	if o.logDir != "" {
		if s.logFile, err = os.Create(filepath.Join(o.logDir, tool+".log")); err != nil {
			return nil, err
		}
		log = s.logFile
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	t0 := time.Now()
	s.out = newStream(log, t0)
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, err
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			s.out.add(sc.Text())
		}
		s.out.close()
		pr.Close()
	}()
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	sctx, cancel := context.WithTimeout(ctx, o.startTimeout)
	defer cancel()
	for {
		if err := s.exited(); err != nil {
			return s, err
		}
		req, _ := http.NewRequestWithContext(sctx, "GET", s.base+"/", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if sctx.Err() != nil {
			return s, fmt.Errorf("%s did not serve / within %v", tool, o.startTimeout)
		}
		select {
		case <-sctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.started = time.Since(t0)
	// The tool's own figure, printed before it serves.
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	re := torgBuilt
	if tool == "hugo" {
		re = hugoBuilt
	}
	if l, _, err := s.out.wait(wctx, 0, re.MatchString); err == nil {
		s.reported = parseReported(re.FindStringSubmatch(l.text)[1])
	}
	s.hwm0, s.rss0 = memory(cmd.Process.Pid)
	if tool == "torg" {
		if err := s.listen(ctx, log, t0); err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseReported reads "1.5s" (torg) or "1500" (hugo, milliseconds).
func parseReported(s string) time.Duration {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Millisecond
	}
	d, _ := time.ParseDuration(s)
	return d
}

func (s *server) exited() error {
	select {
	case <-s.done:
		return fmt.Errorf("%s exited: %v", s.tool, s.waitErr)
	default:
		return nil
	}
}

// listen connects to torg's event stream, as an open browser tab does.
func (s *server) listen(ctx context.Context, log io.Writer, t0 time.Time) error {
	var elog io.Writer
	if log != nil {
		elog = prefixWriter{log, "event "}
	}
	s.events = newStream(elog, t0)
	ctx, s.eventsCancel = context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/_torg/events", nil)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return fmt.Errorf("torg events: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("torg events: %s", resp.Status)
	}
	hello := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		defer s.events.close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var name, data string
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "event:"):
				name = strings.TrimSpace(l[len("event:"):])
			case strings.HasPrefix(l, "data:"):
				data = strings.TrimSpace(l[len("data:"):])
			case l == "":
				if name != "" {
					s.events.add(name + " " + data)
					if name == "hello" || name == "failed" {
						select {
						case <-hello:
						default:
							close(hello)
						}
					}
				}
				name, data = "", ""
			}
		}
	}()
	select {
	case <-hello:
		return nil
	case <-time.After(30 * time.Second):
		return errors.New("torg events: no hello event within 30 s")
	case <-ctx.Done():
		return ctx.Err()
	}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	// b is "%10.3f text\n": put the prefix after the time.
	if i := strings.IndexByte(string(b), ' '); i >= 0 && i < 12 {
		j := i
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if _, err := fmt.Fprintf(p.w, "%s%s%s", b[:j], p.prefix, b[j:]); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return p.w.Write(b)
}

// stop interrupts the server (Ctrl-C) and waits for it to end.
func (s *server) stop() {
	if s.eventsCancel != nil {
		s.eventsCancel()
	}
	if s.cmd.Process != nil {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Signal(os.Interrupt)
			select {
			case <-s.done:
			case <-time.After(10 * time.Second):
				s.cmd.Process.Kill()
				<-s.done
			}
		}
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
}

// memory returns VmHWM and VmRSS of a process, in kB.
func memory(pid int) (hwm, rss int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.Atoi(f[0])
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss
}

// pages returns the regular pages of a content folder (relative,
// slash-separated, sorted).
func pages(content string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(content, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") || strings.HasPrefix(d.Name(), "_index.") || d.Name() == "index.md" {
			return nil
		}
		rel, err := filepath.Rel(content, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	slices.Sort(out)
	return out, err
}

// pageURL is the URL both tools give content/a/b.md: /a/b/.
func pageURL(rel string) string { return "/" + strings.TrimSuffix(rel, ".md") + "/" }

// edited returns the file with the edit applied, and the text that must be
// served afterwards.
func edited(src []byte, series, token string) ([]byte, string, error) {
	switch series {
	case "body":
		sentence := fmt.Sprintf("Den här meningen lades till av servecmp som ändring %s.", token)
		out := append([]byte(nil), src...)
		if !strings.HasSuffix(string(out), "\n") {
			out = append(out, '\n')
		}
		out = append(out, "\n"+sentence+"\n"...)
		return out, "servecmp som ändring " + token, nil
	default: // title
		lines := strings.SplitAfter(string(src), "\n")
		if len(lines) == 0 {
			return nil, "", errors.New("empty file")
		}
		fence := strings.TrimSpace(lines[0])
		if fence != "---" && fence != "+++" {
			return nil, "", errors.New("no front matter")
		}
		for i := 1; i < len(lines); i++ {
			l := strings.TrimRight(lines[i], "\r\n")
			if strings.TrimSpace(l) == fence {
				break
			}
			sep := ":"
			if fence == "+++" {
				sep = "="
			}
			k, v, ok := strings.Cut(l, sep)
			if !ok || strings.TrimSpace(k) != "title" {
				continue
			}
			v = strings.TrimSpace(v)
			add := " " + token
			if n := len(v); n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n-1] == v[0] {
				v = v[:n-1] + add + v[n-1:]
			} else {
				v += add
			}
			lines[i] = k + sep + " " + v + "\n"
			return []byte(strings.Join(lines, "")), token, nil
		}
		return nil, "", errors.New("no title in the front matter")
	}
}

func compare(ctx context.Context, o options, stdout io.Writer) error {
	if o.logDir != "" {
		if err := os.MkdirAll(o.logDir, 0o755); err != nil {
			return err
		}
	}
	// The pages to edit: the same in both sites, chosen by the seed.
	first := o.torgSite
	if !slices.Contains(o.tools, "torg") {
		first = o.hugoSite
	}
	all, err := pages(filepath.Join(first, "content"))
	if err != nil {
		return err
	}
	need := o.edits * len(o.series)
	if len(all) < need {
		return fmt.Errorf("%d pages, need %d", len(all), need)
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x5e7e))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	chosen := all[:need]
	// A run's edits differ from those of earlier runs over the same files.
	runID := strconv.FormatInt(time.Now().Unix()%(36*36*36), 36)

	fmt.Fprintf(stdout, "== servecmp: %d regular pages, %d edits per series and tool, series %s, pace %v, seed %d, page opened first: %v\n",
		len(all), o.edits, strings.Join(o.series, ","), o.pace, o.seed, o.open)

	servers := map[string]*server{}
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	// Start one at a time, so that the startups do not compete.
	for _, tool := range o.tools {
		fmt.Fprintf(stdout, "starting %s ...\n", tool)
		s, err := o.start(ctx, tool)
		if s != nil {
			servers[tool] = s
		}
		if err != nil {
			if s != nil && s.out != nil {
				for _, l := range tail(s.out, 20) {
					fmt.Fprintf(stdout, "  | %s\n", l)
				}
			}
			return err
		}
		fmt.Fprintf(stdout, "  %s served / after %v (reports %v), %s: %s\n", tool, s.started.Round(time.Millisecond),
			s.reported, s.base, strings.Join(s.cmd.Args, " "))
	}

	for si, series := range o.series {
		fmt.Fprintf(stdout, "== %s edits\n", series)
		for i := 0; i < o.edits; i++ {
			page := chosen[si*o.edits+i]
			order := o.tools
			if i%2 == 1 {
				order = slices.Clone(o.tools)
				slices.Reverse(order)
			}
			for _, tool := range order {
				if err := ctx.Err(); err != nil {
					return err
				}
				s := servers[tool]
				if err := s.exited(); err != nil {
					return err
				}
				token := fmt.Sprintf("sc%s%02d%s", series[:1], i+1, runID)
				r := o.edit(ctx, s, page, series, token)
				s.results[series] = append(s.results[series], r)
				fmt.Fprintf(stdout, "  %2d %-4s %-60s %s\n", i+1, tool, page, r)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(o.pace):
				}
			}
		}
	}
	for _, tool := range o.tools {
		s := servers[tool]
		s.hwm1, s.rss1 = memory(s.cmd.Process.Pid)
	}
	report(stdout, o, servers)
	return nil
}

func tail(s *stream, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.lines[max(0, len(s.lines)-n):] {
		out = append(out, l.text)
	}
	return out
}

func (r result) String() string {
	if r.err != nil {
		return "FAILED: " + r.err.Error()
	}
	s := fmt.Sprintf("rebuilt %7.0f ms", ms(r.rebuilt))
	if r.reload > 0 {
		s += fmt.Sprintf("  reload %7.0f ms", ms(r.reload))
	}
	s += fmt.Sprintf("  visible %7.0f ms  (reports %v)", ms(r.visible), r.reported)
	if r.late {
		s += "  LATE: not served at the rebuilt line"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// edit writes one edit and waits until the server has rebuilt and serves it.
func (o options) edit(ctx context.Context, s *server, page, series, token string) result {
	r := result{page: page}
	file := filepath.Join(s.site, "content", filepath.FromSlash(page))
	src, err := os.ReadFile(file)
	if err != nil {
		r.err = err
		return r
	}
	out, want, err := edited(src, series, token)
	if err != nil {
		r.err = fmt.Errorf("%s: %w", page, err)
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if o.open {
		// The editor has the page open. Hugo's Fast Render Mode renders
		// only pages that were requested, and renders a page again the
		// first time it is requested.
		if _, err := get(ctx, s.base+pageURL(page)); err != nil {
			r.err = fmt.Errorf("before the edit: %w", err)
			return r
		}
	}
	from := s.out.len()
	evFrom := 0
	if s.events != nil {
		evFrom = s.events.len()
	}
	rel := "content/" + page
	abs, _ := filepath.Abs(file)

	t0 := time.Now()
	if err := os.WriteFile(file, out, 0o644); err != nil {
		r.err = err
		return r
	}
	var failure string
	switch s.tool {
	case "torg":
		type reload struct {
			at  time.Time
			err error
		}
		evc := make(chan reload, 1)
		go func() {
			url := pageURL(page)
			l, _, err := s.events.wait(ctx, evFrom, func(t string) bool {
				return strings.HasPrefix(t, "reload ") && (strings.Contains(t, `"`+url+`"`) || strings.Contains(t, `"all":true`))
			})
			evc <- reload{l.t, err}
		}()
		l, _, err := s.out.wait(ctx, from, func(t string) bool {
			if strings.HasPrefix(t, "torg serve: bygget misslyckades") {
				failure = t
				return true
			}
			m := torgRebuilt.FindStringSubmatch(t)
			return m != nil && strings.Contains(m[1], rel)
		})
		if err != nil {
			r.err = fmt.Errorf("no rebuild line: %w", err)
			return r
		}
		if failure != "" {
			r.err = errors.New(failure)
			return r
		}
		r.rebuilt = l.t.Sub(t0)
		r.reported = parseReported(torgRebuilt.FindStringSubmatch(l.text)[2])
		ev := <-evc
		if ev.err != nil {
			r.err = fmt.Errorf("no reload event: %w", ev.err)
			return r
		}
		r.reload = ev.at.Sub(t0)
	case "hugo":
		_, at, err := s.out.wait(ctx, from, func(t string) bool {
			return strings.Contains(t, abs) || strings.Contains(t, rel)
		})
		if err != nil {
			r.err = fmt.Errorf("no change line: %w", err)
			return r
		}
		l, _, err := s.out.wait(ctx, at+1, func(t string) bool {
			if strings.HasPrefix(t, "Error:") || strings.Contains(t, " ERROR ") {
				failure = t
				return true
			}
			return hugoTotal.MatchString(t)
		})
		if err != nil {
			r.err = fmt.Errorf("no \"Total in\" line: %w", err)
			return r
		}
		if failure != "" {
			r.err = errors.New(failure)
			return r
		}
		r.rebuilt = l.t.Sub(t0)
		r.reported = parseReported(hugoTotal.FindStringSubmatch(l.text)[1])
	}

	// The edited text must now be served.
	deadline := time.Now().Add(o.grace)
	for attempt := 0; ; attempt++ {
		body, err := get(ctx, s.base+pageURL(page))
		if err == nil && strings.Contains(body, want) {
			r.visible = time.Since(t0)
			r.late = attempt > 0
			return r
		}
		if time.Now().After(deadline) {
			if err != nil {
				r.err = fmt.Errorf("edit not visible: %w", err)
			} else {
				r.err = fmt.Errorf("edit not visible at %s within %v of the rebuild", pageURL(page), o.grace)
			}
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), nil
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if p == 50 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func report(w io.Writer, o options, servers map[string]*server) {
	fmt.Fprintf(w, "== results\n")
	cols := o.tools
	both := len(cols) == 2 && servers["torg"] != nil && servers["hugo"] != nil
	if both {
		cols = []string{"torg", "hugo"}
	}
	header := fmt.Sprintf("%-36s", "")
	for _, c := range cols {
		header += fmt.Sprintf(" %12s", c)
	}
	if both {
		header += fmt.Sprintf(" %10s", "torg/hugo")
	}
	fmt.Fprintln(w, header)
	row := func(name string, unit string, val func(*server) (float64, bool)) {
		line := fmt.Sprintf("%-36s", name)
		var vs []float64
		var oks []bool
		for _, c := range cols {
			v, ok := val(servers[c])
			vs, oks = append(vs, v), append(oks, ok)
			if !ok {
				line += fmt.Sprintf(" %12s", "–")
				continue
			}
			line += fmt.Sprintf(" %9.0f %-2s", v, unit)
		}
		if both && oks[0] && oks[1] && vs[1] > 0 {
			line += fmt.Sprintf(" %10.2f", vs[0]/vs[1])
		}
		fmt.Fprintln(w, line)
	}
	row("startup: exec → first 200 on /", "ms", func(s *server) (float64, bool) { return ms(s.started), true })
	row("startup: build time it prints", "ms", func(s *server) (float64, bool) { return ms(s.reported), s.reported > 0 })
	for _, series := range o.series {
		pick := func(s *server, f func(result) time.Duration) []time.Duration {
			var ds []time.Duration
			for _, r := range s.results[series] {
				if r.err == nil && f(r) > 0 {
					ds = append(ds, f(r))
				}
			}
			return ds
		}
		stat := func(f func(result) time.Duration, p float64) func(*server) (float64, bool) {
			return func(s *server) (float64, bool) {
				ds := pick(s, f)
				return ms(percentile(ds, p)), len(ds) > 0
			}
		}
		rebuilt := func(r result) time.Duration { return r.rebuilt }
		reload := func(r result) time.Duration { return r.reload }
		visible := func(r result) time.Duration { return r.visible }
		reported := func(r result) time.Duration { return r.reported }
		fmt.Fprintf(w, "%s edits (%d per tool):\n", series, o.edits)
		row("  edit → rebuilt line, median", "ms", stat(rebuilt, 50))
		row("  edit → rebuilt line, p90", "ms", stat(rebuilt, 90))
		row("  edit → reload event, median", "ms", stat(reload, 50))
		row("  edit → reload event, p90", "ms", stat(reload, 90))
		row("  edit → edit served, median", "ms", stat(visible, 50))
		row("  rebuild time it prints, median", "ms", stat(reported, 50))
		line := fmt.Sprintf("%-36s", "  failed / late")
		for _, c := range cols {
			failed, late := 0, 0
			for _, r := range servers[c].results[series] {
				if r.err != nil {
					failed++
				} else if r.late {
					late++
				}
			}
			line += fmt.Sprintf(" %12s", fmt.Sprintf("%d / %d", failed, late))
		}
		fmt.Fprintln(w, line)
	}
	mb := func(kb int) float64 { return float64(kb) / 1024 }
	row("RSS after startup", "MB", func(s *server) (float64, bool) { return mb(s.rss0), s.rss0 > 0 })
	row("RSS after the edits", "MB", func(s *server) (float64, bool) { return mb(s.rss1), s.rss1 > 0 })
	row("peak RSS (VmHWM) after the edits", "MB", func(s *server) (float64, bool) { return mb(s.hwm1), s.hwm1 > 0 })
	fmt.Fprintln(w, "(rebuilt line: torg \"… sidor uppdaterade …\", hugo \"Total in N ms\"; failed = no rebuild, an error, or")
	fmt.Fprintln(w, " the edit not served within the grace period; late = served only after the rebuilt line)")
}
