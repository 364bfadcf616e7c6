package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ExternalOptions tune the external link checker (torg check --external).
type ExternalOptions struct {
	// Client makes the requests; nil means a plain http.Client.
	Client *http.Client
	// Timeout limits each request (default 10 s).
	Timeout time.Duration
	// Concurrency is how many hosts are checked at once (default 8).
	Concurrency int
	// HostInterval is the least time between two requests to the same
	// host (default 500 ms): requests to one host are never concurrent.
	HostInterval time.Duration
	// Retries is how often a request answered with 429 or 503 is tried
	// again (default 2), after Retry-After, at most MaxRetryAfter.
	Retries       int
	MaxRetryAfter time.Duration
	// CachePath is the cache file; "" means SOURCE/.torg-cache/links.json,
	// "-" no cache.
	CachePath string
	// CacheOK and CacheFailed are how long a working and a failing link's
	// result is reused (defaults 7 days and 1 day).
	CacheOK, CacheFailed time.Duration
	// Now returns the wall-clock time for the cache; nil means time.Now.
	Now func() time.Time
}

// CacheDir is the folder in the site source that holds check caches.
const CacheDir = ".torg-cache"

func (o *ExternalOptions) defaults(source string) {
	if o.Client == nil {
		o.Client = defaultClient
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.HostInterval == 0 {
		o.HostInterval = 500 * time.Millisecond
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = time.Minute
	}
	if o.CachePath == "" {
		o.CachePath = filepath.Join(source, CacheDir, "links.json")
	}
	if o.CacheOK <= 0 {
		o.CacheOK = 7 * 24 * time.Hour
	}
	if o.CacheFailed <= 0 {
		o.CacheFailed = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// linkResult is the outcome of checking one URL, as cached.
type linkResult struct {
	Status  int       `json:"status,omitempty"`
	Error   string    `json:"error,omitempty"`
	Checked time.Time `json:"checked"`
	// Limited is set when the host kept answering 429: the link was not
	// checked and is not cached.
	Limited bool `json:"-"`
}

// broken reports whether the result shows a link that does not work.
// 401 and 403 mean the page exists but wants a login or refuses robots.
func (r linkResult) broken() bool {
	if r.Limited {
		return false
	}
	if r.Error != "" {
		return true
	}
	return r.Status >= 400 && r.Status != 401 && r.Status != 403 && r.Status != 429
}

type linkUse struct {
	file      string
	line, col int
}

// checkExternal checks every link to another site once, concurrently, one
// request at a time per host.
func (c *checker) checkExternal(ctx context.Context) {
	o := c.opts.ExternalOptions
	o.defaults(c.opts.Source)
	uses := map[string][]linkUse{}
	for _, pg := range c.pages {
		for _, l := range pg.links {
			low := strings.ToLower(l.dest)
			if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") {
				continue
			}
			if _, _, internal := c.resolveLink(pg, l.dest); internal {
				continue
			}
			u := strings.SplitN(l.dest, "#", 2)[0]
			uses[u] = append(uses[u], linkUse{pg.p.File, l.line, l.col})
		}
	}
	if len(uses) == 0 {
		return
	}
	cache := loadCache(o.CachePath)
	now := o.Now()
	results := map[string]linkResult{}
	byHost := map[string][]string{}
	for u := range uses {
		if r, ok := cache[u]; ok {
			ttl := o.CacheOK
			if r.broken() {
				ttl = o.CacheFailed
			}
			if now.Sub(r.Checked) < ttl && !r.Checked.After(now) {
				results[u] = r
				continue
			}
		}
		host := u
		if pu, err := url.Parse(u); err == nil {
			host = strings.ToLower(pu.Host)
		}
		byHost[host] = append(byHost[host], u)
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
		sort.Strings(byHost[h])
	}
	sort.Strings(hosts)

	var mu sync.Mutex
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		sem <- struct{}{}
		go func(urls []string) {
			defer wg.Done()
			defer func() { <-sem }()
			for i, u := range urls {
				if i > 0 && !sleep(ctx, o.HostInterval) {
					return
				}
				r := checkURL(ctx, &o, u)
				mu.Lock()
				results[u] = r
				mu.Unlock()
			}
		}(byHost[h])
	}
	wg.Wait()

	for u, r := range results {
		if !r.Limited && !r.Checked.IsZero() {
			cache[u] = r
		}
	}
	saveCache(o.CachePath, cache)

	urls := make([]string, 0, len(results))
	for u := range results {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		r := results[u]
		if !r.broken() {
			continue
		}
		for _, use := range uses[u] {
			c.report(LankExternTrasig, use.file, use.line, use.col, "%s: %s", u, r.describe(o.Timeout))
		}
	}
}

// describe says in Swedish what is wrong with a link.
func (r linkResult) describe(timeout time.Duration) string {
	switch {
	case r.Error == "timeout":
		return fmt.Sprintf("webbplatsen svarade inte inom %d sekunder", int(timeout.Seconds()))
	case r.Error != "":
		return "webbplatsen gick inte att nå (" + r.Error + ")"
	case r.Status == 404 || r.Status == 410:
		return fmt.Sprintf("sidan finns inte (svar %d)", r.Status)
	case r.Status >= 500:
		return fmt.Sprintf("webbplatsen har ett fel (svar %d)", r.Status)
	}
	return fmt.Sprintf("länken fungerar inte (svar %d)", r.Status)
}

// checkURL requests u: HEAD, then GET when the server does not answer HEAD
// properly, honouring 429/503 Retry-After up to o.MaxRetryAfter.
func checkURL(ctx context.Context, o *ExternalOptions, u string) linkResult {
	method := http.MethodHead
	for attempt := 0; ; attempt++ {
		status, retryAfter, err := request(ctx, o, method, u)
		if err != nil {
			if ctx.Err() != nil {
				return linkResult{Limited: true}
			}
			msg := "timeout"
			var ne interface{ Timeout() bool }
			if !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, context.DeadlineExceeded) {
				msg = shortError(err)
			}
			return linkResult{Error: msg, Checked: o.Now()}
		}
		switch {
		case method == http.MethodHead && (status == 405 || status == 501 || status == 403 || status == 400 || status == 404):
			// Many servers answer HEAD wrongly: ask properly before
			// calling a link broken.
			method = http.MethodGet
			attempt--
			continue
		case status == 429 || status == 503 && retryAfter > 0:
			if attempt >= o.Retries {
				if status == 429 {
					return linkResult{Limited: true}
				}
				return linkResult{Status: status, Checked: o.Now()}
			}
			wait := retryAfter
			if wait <= 0 {
				wait = time.Second << attempt
			}
			if wait > o.MaxRetryAfter {
				return linkResult{Limited: status == 429, Status: status, Checked: o.Now()}
			}
			if !sleep(ctx, wait) {
				return linkResult{Limited: true}
			}
			continue
		}
		return linkResult{Status: status, Checked: o.Now()}
	}
}

func request(ctx context.Context, o *ExternalOptions, method, u string) (status int, retryAfter time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("User-Agent", "torg-check/1 (länkkontroll; +https://github.com/torgsite/torg)")
	req.Header.Set("Accept", "text/html,*/*;q=0.8")
	resp, err := o.Client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), o.Now()), nil
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.Contains(s, "dial tcp") {
		s = s[i+2:]
	}
	return s
}

func loadCache(p string) map[string]linkResult {
	m := map[string]linkResult{}
	if p == "-" {
		return m
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return m
	}
	var f struct {
		Links map[string]linkResult `json:"links"`
	}
	if json.Unmarshal(b, &f) == nil && f.Links != nil {
		m = f.Links
	}
	return m
}

// saveCache writes the cache atomically; a cache that cannot be written is
// not a content problem, so errors are ignored.
func saveCache(p string, m map[string]linkResult) {
	if p == "-" {
		return
	}
	b, err := json.MarshalIndent(struct {
		Comment string                `json:"comment"`
		Links   map[string]linkResult `json:"links"`
	}{"Cache för torg check --external. Kan tas bort när som helst.", m}, "", "  ")
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return
	}
	_ = os.Rename(tmp, p)
}
