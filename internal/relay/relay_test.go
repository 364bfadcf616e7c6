package relay

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/smtptest"
)

func parseMail(t *testing.T, data []byte) (*mail.Message, string) {
	t.Helper()
	for i := 0; i < len(data); i++ {
		if data[i] > 0x7e || data[i] < 0x20 && data[i] != '\r' && data[i] != '\n' && data[i] != '\t' {
			t.Fatalf("non-7-bit byte %#x at %d", data[i], i)
		}
		if data[i] == '\n' && (i == 0 || data[i-1] != '\r') || data[i] == '\r' && (i+1 >= len(data) || data[i+1] != '\n') {
			t.Fatalf("bare CR or LF at %d", i)
		}
	}
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line longer than 998: %q", line[:80])
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m, string(body)
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeliveryHeadersAndEncoding(t *testing.T) {
	h := newHarness(t)
	v := h.values("anna-andersson")
	msgText := "Hej Anna!\r\n.\r\nEn rad med bara en punkt ovan.\rEnsam CR.\nEnsam LF.\r\n..\r\n.\r\nSlut. Åäö € 😀"
	v.Set("meddelande", msgText)
	v.Set("amne", strings.Repeat("Återvinningscentralens öppettider ", 5))
	v.Set("to", "evil@evil.example") // ignored: the relay never takes an address from the request
	ref := refFrom(t, h.post("anna-andersson", v))
	if !strings.HasPrefix(ref, fmt.Sprintf("KBG-%d-", time.Now().Year())) {
		t.Fatalf("reference %s", ref)
	}
	th := h.get("/tack/" + ref)
	if th.code != 200 || !strings.Contains(th.body, ref) {
		t.Fatalf("thank-you page %d", th.code)
	}
	msgs := h.smtp.Wait(waitLong, hasRef(ref))
	got := findRef(msgs, ref)[0]
	if got.From != "bounce@karlsborg.se" {
		t.Errorf("envelope sender %q", got.From)
	}
	slices.Sort(got.To)
	if !slices.Equal(got.To, []string{"anna.andersson@karlsborg.se", "registrator@karlsborg.se"}) {
		t.Errorf("envelope recipients %v", got.To)
	}
	m, body := parseMail(t, got.Data)
	hd := m.Header
	from, _ := hd.AddressList("From")
	to, _ := hd.AddressList("To")
	cc, _ := hd.AddressList("Cc")
	rt, _ := hd.AddressList("Reply-To")
	if len(from) != 1 || from[0].Address != "noreply@karlsborg.se" || from[0].Name != "Karlsborgs kommun" {
		t.Errorf("From %v", from)
	}
	if len(to) != 1 || to[0].Address != "anna.andersson@karlsborg.se" || to[0].Name != "Anna Andersson" {
		t.Errorf("To %v", to)
	}
	if len(cc) != 1 || cc[0].Address != "registrator@karlsborg.se" {
		t.Errorf("Cc %v", cc)
	}
	if len(rt) != 1 || rt[0].Address != "asa.oberg@example.com" || rt[0].Name != "Åsa Öberg" {
		t.Errorf("Reply-To %v", rt)
	}
	wantSubj := "[" + ref + "] " + strings.TrimSpace(strings.Repeat("Återvinningscentralens öppettider ", 5))
	if s := decodeHeader(t, hd.Get("Subject")); s != wantSubj {
		t.Errorf("Subject %q, want %q", s, wantSubj)
	}
	if ct := hd.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if hd.Get("Content-Transfer-Encoding") != "quoted-printable" || hd.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME headers %v", hd)
	}
	mid := hd.Get("Message-Id")
	if !strings.HasPrefix(mid, "<"+ref+".") || !strings.HasSuffix(mid, "@karlsborg.se>") {
		t.Errorf("Message-ID %q", mid)
	}
	if _, err := hd.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	wantBody := strings.ReplaceAll(strings.ReplaceAll(msgText, "\r\n", "\n"), "\r", "\n")
	if !strings.Contains(strings.ReplaceAll(body, "\r\n", "\n"), wantBody) {
		t.Errorf("body does not hold the message:\n%s", body)
	}
	if !strings.Contains(body, "Referensnummer: "+ref) {
		t.Errorf("body lacks reference")
	}
	for _, m := range msgs {
		if slices.Contains(m.To, "asa.oberg@example.com") || slices.Contains(m.To, "evil@evil.example") {
			t.Fatal("mail sent to an address from the request")
		}
	}
	// Delivered messages are deleted; the log has the outcome.
	var entries []outbox.LogEntry
	waitFor(t, func() bool { entries, _ = h.srv.Outbox().ReadLog(); return len(entries) > 0 })
	if len(h.queue()) != 0 || entries[len(entries)-1].Outcome != "delivered" || entries[len(entries)-1].RecipientID != "anna-andersson" {
		t.Fatalf("delivery log %+v", entries)
	}
	checkLogsClean(t, h)
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkLogsClean asserts that the relay's log holds no addresses and no
// message text.
func checkLogsClean(t *testing.T, h *harness) {
	t.Helper()
	l := h.logs.String()
	for _, bad := range []string{"@", "Åsa", "Öberg", "snöröjning", "Storgatan", "Hej"} {
		if strings.Contains(l, bad) {
			t.Errorf("log contains %q:\n%s", bad, l)
		}
	}
}

func TestHeaderInjectionEveryField(t *testing.T) {
	h := newHarness(t)
	payloads := []string{"x\r\nBcc: evil@evil.example", "x\nBcc: evil@evil.example", "x\rBcc: evil@evil.example", "x\x00y", "x\u2028Bcc: evil@evil.example", "=?utf-8?q?x=0D=0ABcc:_evil@evil.example?="}
	for _, field := range []string{"namn", "epost", "amne", "sida"} {
		for i, p := range payloads {
			v := h.values("kommunen")
			v.Set(field, p)
			r := h.post("kommunen", v)
			if strings.HasPrefix(p, "=?") && field != "epost" {
				// An encoded-word is ordinary text: accepted, and it must
				// arrive as text, not as a header.
				ref := refFrom(t, r)
				got := findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
				m, _ := parseMail(t, got.Data)
				if len(m.Header["Bcc"]) > 0 || slices.Contains(got.To, "evil@evil.example") {
					t.Fatalf("%s: encoded-word produced a header", field)
				}
				continue
			}
			if r.code != http.StatusUnprocessableEntity {
				t.Fatalf("%s payload %d: status %d", field, i, r.code)
			}
			if !strings.Contains(r.body, `aria-invalid="true"`) || !strings.Contains(r.body, "När plogas Storgatan?") {
				t.Fatalf("%s payload %d: form not re-shown with the text kept", field, i)
			}
		}
	}
	// CR/LF in the message body is fine: it is body text.
	v := h.values("kommunen")
	v.Set("meddelande", "rad\r\nBcc: evil@evil.example\r\n\r\nmer")
	ref := refFrom(t, h.post("kommunen", v))
	got := findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	m, body := parseMail(t, got.Data)
	if len(m.Header["Bcc"]) > 0 || slices.Contains(got.To, "evil@evil.example") || !strings.Contains(body, "Bcc: evil@evil.example") {
		t.Fatal("body text leaked into headers or was lost")
	}
	// The form kind is a closed list.
	v = h.values("kommunen")
	v.Set("formular", "kontakt\r\nBcc: x@evil.example")
	ref = refFrom(t, h.post("kommunen", v))
	got = findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	if !bytes.Contains(got.Data, []byte("X-Torg-Form: kontakt\r\n")) {
		t.Fatal("form kind not normalised")
	}
	for _, m := range h.smtp.Messages() {
		if slices.Contains(m.To, "evil@evil.example") || slices.Contains(m.To, "x@evil.example") {
			t.Fatal("injected recipient received mail")
		}
	}
}

func TestRecipientSpoofing(t *testing.T) {
	h := newHarness(t)
	for _, id := range []string{"kommun@karlsborg.se", "..%2Fkommunen", "KOMMUNEN", "kommunen%0D%0ABcc:x", "utanfor", "lookalike", "injected", "Bad%20Id", "samhallsbyggnad", "evil@evil.example", "%00"} {
		v := h.values(id)
		r := h.postRaw(id, v.Encode(), nil)
		if r.code != http.StatusNotFound {
			t.Fatalf("id %q: status %d", id, r.code)
		}
		if !strings.Contains(r.body, "När plogas Storgatan?") {
			t.Fatalf("id %q: text not kept on the error page", id)
		}
		if g := h.get("/skriv/" + id); g.code != http.StatusNotFound {
			t.Fatalf("GET id %q: %d", id, g.code)
		}
	}
	// Extra address-looking fields are ignored.
	v := h.values("kommunen")
	for _, k := range []string{"to", "address", "recipient", "mottagare", "cc", "bcc"} {
		v.Set(k, "evil@evil.example")
	}
	ref := refFrom(t, h.post("kommunen", v))
	got := findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	slices.Sort(got.To)
	if !slices.Equal(got.To, []string{"kommun@karlsborg.se", "registrator@karlsborg.se"}) {
		t.Fatalf("recipients %v", got.To)
	}
	if len(h.queue()) > 1 {
		t.Fatal("rejected posts were queued")
	}
}

func TestHoneypotAndTimestamps(t *testing.T) {
	h := newHarness(t)
	other, _ := New(h.cfg, Deps{Getenv: func(string) string { return "some-other-secret-key-xxxxxxxxxxxx" }, Logger: discardLogger()})
	cases := map[string]func(v url.Values){
		"honeypot": func(v url.Values) { v.Set("webbplats", "http://spam.example") },
		"too fast": func(v url.Values) { v.Set("t", h.token("kommunen", 0)) }, // 3 s of slack for a loaded machine
		"expired":  func(v url.Values) { v.Set("t", h.token("kommunen", 25*time.Hour)) },
		"forged":   func(v url.Values) { v.Set("t", other.Signer().Issue("kommunen", time.Now().Add(-time.Minute))) },
		"other id": func(v url.Values) { v.Set("t", h.token("anna-andersson", time.Minute)) },
		"missing":  func(v url.Values) { v.Del("t") },
		"garbage":  func(v url.Values) { v.Set("t", "1.2") },
	}
	for name, mod := range cases {
		v := h.values("kommunen")
		mod(v)
		r := h.post("kommunen", v)
		if r.code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d", name, r.code)
		}
		if !strings.Contains(r.body, "När plogas Storgatan?") || !strings.Contains(r.body, `name="t" value="`) {
			t.Fatalf("%s: form not re-shown with text and a new token", name)
		}
		if strings.Contains(r.body, "spam.example") {
			t.Fatalf("%s: honeypot value echoed", name)
		}
	}
	if n := len(h.queue()); n != 0 {
		t.Fatalf("%d messages queued", n)
	}
	// A token from the GET form is valid after min_fill.
	g := h.get("/skriv/kommunen")
	i := strings.Index(g.body, `name="t" value="`)
	tok := g.body[i+len(`name="t" value="`):]
	tok = tok[:strings.IndexByte(tok, '"')]
	v := h.values("kommunen")
	v.Set("t", tok)
	if r := h.post("kommunen", v); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("post right after GET: %d", r.code)
	}
	time.Sleep(3 * time.Second)
	refFrom(t, h.post("kommunen", v))
}

func TestLimits(t *testing.T) {
	h := newHarness(t)
	v := h.values("kommunen")
	v.Set("meddelande", strings.Repeat("a", MaxBodyBytes))
	if r := h.post("kommunen", v); r.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d", r.code)
	}
	// Oversize without Content-Length (chunked).
	req, _ := http.NewRequest("POST", h.base+"/skriv/kommunen", io.MultiReader(strings.NewReader(v.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", testOrigin)
	res, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversize: %d", res.StatusCode)
	}
	v.Set("meddelande", strings.Repeat("b", 20001))
	r := h.post("kommunen", v)
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "högst 20 000 tecken") {
		t.Fatalf("20 001 characters: %d", r.code)
	}
	v.Set("meddelande", strings.Repeat("b", 20000))
	refFrom(t, h.post("kommunen", v))
	// Malformed UTF-8.
	raw := h.values("kommunen")
	raw.Del("meddelande")
	r = h.postRaw("kommunen", raw.Encode()+"&meddelande=Hej+%FF%FE+d%C3", nil)
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "teckenkodning") || !strings.Contains(r.body, "Hej \uFFFD") {
		t.Fatalf("malformed UTF-8: %d\n%s", r.code, r.body)
	}
	// Wrong content type.
	if r := h.postRaw("kommunen", "x", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}); r.code != http.StatusUnsupportedMediaType {
		t.Fatalf("multipart: %d", r.code)
	}
}

func TestOriginCheck(t *testing.T) {
	h := newHarness(t)
	for name, hdr := range map[string]map[string]string{
		"none":        {"Origin": ""},
		"other":       {"Origin": "https://evil.example"},
		"null":        {"Origin": "null"},
		"http":        {"Origin": "http://www.karlsborg.se"},
		"bad referer": {"Origin": "", "Referer": "https://evil.example/www.karlsborg.se"},
	} {
		if r := h.postRaw("kommunen", h.values("kommunen").Encode(), hdr); r.code != http.StatusForbidden {
			t.Fatalf("%s: %d", name, r.code)
		}
	}
	refFrom(t, h.postRaw("kommunen", h.values("kommunen").Encode(), map[string]string{"Origin": "", "Referer": testOrigin + "/skriv/kommunen"}))
}

func TestRateLimits(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *harness) {
		c.Limits.PerIPBurst = 3
		c.Limits.PerIPInterval = Duration(time.Hour)
		c.Limits.PerRecipientBurst = 5
		c.Limits.PerRecipientInterval = Duration(time.Hour)
	})
	flood := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	for i := 0; i < 3; i++ {
		refFrom(t, h.postRaw("kommunen", h.values("kommunen").Encode(), flood))
	}
	// The flooding client is refused, with its text kept ...
	for i := 0; i < 20; i++ {
		r := h.postRaw("kommunen", h.values("kommunen").Encode(), flood)
		if r.code != http.StatusTooManyRequests || r.hdr.Get("Retry-After") == "" || !strings.Contains(r.body, "När plogas Storgatan?") {
			t.Fatalf("flood post %d: %d Retry-After=%q", i, r.code, r.hdr.Get("Retry-After"))
		}
	}
	// ... and has not used up the recipient: another client gets through.
	refFrom(t, h.postRaw("kommunen", h.values("kommunen").Encode(), map[string]string{"X-Forwarded-For": "198.51.100.1"}))
	// IPv6 clients share a bucket per /64.
	for i := 0; i < 3; i++ {
		refFrom(t, h.postRaw("anna-andersson", h.values("anna-andersson").Encode(), map[string]string{"X-Forwarded-For": fmt.Sprintf("2001:db8:1:2::%x", i+1)}))
	}
	if r := h.postRaw("anna-andersson", h.values("anna-andersson").Encode(), map[string]string{"X-Forwarded-For": "2001:db8:1:2::ff"}); r.code != http.StatusTooManyRequests {
		t.Fatalf("same /64: %d", r.code)
	}
	// A spoofed X-Forwarded-For prefix does not help: the rightmost hop counts.
	if r := h.postRaw("kommunen", h.values("kommunen").Encode(), map[string]string{"X-Forwarded-For": "192.0.2.99, 203.0.113.7"}); r.code != http.StatusTooManyRequests {
		t.Fatalf("spoofed XFF: %d", r.code)
	}
	// Per-recipient bucket: 5 per hour for kommunen, 4 used.
	refFrom(t, h.postRaw("kommunen", h.values("kommunen").Encode(), map[string]string{"X-Forwarded-For": "198.51.100.2"}))
	if r := h.postRaw("kommunen", h.values("kommunen").Encode(), map[string]string{"X-Forwarded-For": "198.51.100.3"}); r.code != http.StatusTooManyRequests {
		t.Fatalf("recipient bucket: %d", r.code)
	}
}

func TestSMTPDownThenUp(t *testing.T) {
	h := newHarness(t)
	h.smtp.Stop()
	var refs []string
	for i := 0; i < 8; i++ {
		refs = append(refs, refFrom(t, h.post("kommunen", h.values("kommunen"))))
	}
	// Wait until every message has failed against the closed port at
	// least twice (retried counts failed attempts), instead of sleeping.
	waitFor(t, func() bool { return h.srv.m.retried.Load() >= int64(2*len(refs)) })
	if n := len(h.queue()); n != len(refs) {
		t.Fatalf("%d queued, want %d", n, len(refs))
	}
	if got := len(h.smtp.Messages()); got != 0 {
		t.Fatalf("%d messages reached the stopped SMTP server", got)
	}
	h.smtp.Restart()
	h.smtp.Wait(waitLong, func(ms []smtptest.Received) bool {
		for _, r := range refs {
			if !hasRef(r)(ms) {
				return false
			}
		}
		return true
	})
	waitFor(t, func() bool { return len(h.queue()) == 0 })
	waitFor(t, func() bool { return strings.Contains(h.get("/metrics").body, "torg_relay_delivered_total 8\n") })
	m := h.get("/metrics").body
	if strings.Contains(m, "torg_relay_retried_total 0\n") {
		t.Fatalf("metrics:\n%s", m)
	}
}

func Test4xxThen250(t *testing.T) {
	h := newHarness(t)
	h.smtp.FailNext(421, 451, 452)
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	h.smtp.Wait(waitLong, hasRef(ref))
	if a := h.smtp.Attempts(); a != 4 {
		t.Fatalf("%d attempts, want 4", a)
	}
	var es []outbox.LogEntry
	waitFor(t, func() bool { es, _ = h.srv.Outbox().ReadLog(); return len(es) >= 4 })
	var outcomes []string
	for _, e := range es {
		outcomes = append(outcomes, e.Outcome)
	}
	if !slices.Equal(outcomes, []string{"retry", "retry", "retry", "delivered"}) {
		t.Fatalf("log outcomes %v", outcomes)
	}
}

func Test5xxToFallback(t *testing.T) {
	h := newHarness(t)
	h.smtp.FailRcpt("anna.andersson@karlsborg.se", 550)
	v := h.values("anna-andersson")
	ref := refFrom(t, h.post("anna-andersson", v))
	msgs := h.smtp.Wait(waitLong, hasRef(ref))
	got := findRef(msgs, ref)[0]
	if !slices.Equal(got.To, []string{"diarium@karlsborg.se"}) {
		t.Fatalf("fallback envelope %v", got.To)
	}
	m, body := parseMail(t, got.Data)
	if s := decodeHeader(t, m.Header.Get("Subject")); !strings.Contains(s, "EJ LEVERERAT") || !strings.Contains(s, ref) {
		t.Fatalf("fallback subject %q", s)
	}
	if !strings.Contains(body, "550") || !strings.Contains(body, "När plogas Storgatan?") || !strings.Contains(body, "anna.andersson@karlsborg.se") {
		t.Fatalf("fallback body lacks reason, text or intended recipient:\n%s", body)
	}
	waitFor(t, func() bool { return len(h.dirFiles("dead")) == 0 && len(h.dirFiles("queue")) == 0 })
	var es []outbox.LogEntry
	waitFor(t, func() bool { es, _ = h.srv.Outbox().ReadLog(); return len(es) >= 2 })
	var outcomes []string
	for _, e := range es {
		outcomes = append(outcomes, e.Outcome)
	}
	if !slices.Equal(outcomes, []string{"dead", "fallback_delivered"}) {
		t.Fatalf("log outcomes %v", outcomes)
	}

	// When the fallback mailbox fails too, the dead letter stays until
	// it is delivered; `torg relay retry` puts it back in the queue.
	h.smtp.FailRcpt("diarium@karlsborg.se", 550)
	ref2 := refFrom(t, h.post("anna-andersson", h.values("anna-andersson")))
	waitFor(t, func() bool { return len(h.dirFiles("dead")) == 1 })
	// Wait for two failed fallback attempts rather than sleeping.
	waitFor(t, func() bool {
		es, _ := h.srv.Outbox().ReadLog()
		n := 0
		for _, e := range es {
			if e.Reference == ref2 && e.Outcome == "fallback_failed" {
				n++
			}
		}
		return n >= 2
	})
	if len(h.dirFiles("dead")) != 1 || hasRef(ref2)(h.smtp.Messages()) {
		t.Fatal("dead letter lost or delivered while all mailboxes fail")
	}
	h.smtp.FailRcpt("anna.andersson@karlsborg.se", 0)
	var out bytes.Buffer
	if err := Retry(h.cfg, nil, &out, discardLogger()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 dead letter") {
		t.Fatalf("retry output %q", out.String())
	}
	msgs = h.smtp.Wait(waitLong, hasRef(ref2))
	if got := findRef(msgs, ref2)[0]; !slices.Contains(got.To, "anna.andersson@karlsborg.se") {
		t.Fatalf("requeued message went to %v", got.To)
	}
	waitFor(t, func() bool { return len(h.dirFiles("dead")) == 0 && len(h.dirFiles("queue")) == 0 })
}

func TestGiveUpAfterRetries(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *harness) { c.Retry.GiveUp = Duration(150 * time.Millisecond) })
	h.smtp.FailRcpt("kommun@karlsborg.se", 451)
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	got := findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	if !slices.Equal(got.To, []string{"diarium@karlsborg.se"}) || !bytes.Contains(got.Data, []byte("gav upp")) {
		t.Fatalf("give-up fallback: %v\n%s", got.To, got.Data)
	}
}

func TestOutboxFailuresGive503(t *testing.T) {
	isMsg := func(err error) func(string) error {
		return func(n string) error {
			if strings.HasPrefix(n, "KBG-") {
				return err
			}
			return nil
		}
	}
	h := newHarness(t)
	for name, set := range map[string]func(f *outbox.FaultFS){
		"write":  func(f *outbox.FaultFS) { f.FailWrite = isMsg(outbox.ErrInjected) },
		"enospc": func(f *outbox.FaultFS) { f.FailWrite = isMsg(outbox.ErrDiskFull) },
		"fsync":  func(f *outbox.FaultFS) { f.FailSync = isMsg(outbox.ErrInjected) },
		"rename": func(f *outbox.FaultFS) { f.FailRename = isMsg(outbox.ErrInjected) },
		"syncdir": func(f *outbox.FaultFS) {
			f.FailSyncDir = func(n string) error { return map[bool]error{true: outbox.ErrInjected}[n == "queue"] }
		},
		"counter": func(f *outbox.FaultFS) {
			f.FailWrite = func(n string) error { return map[bool]error{true: outbox.ErrDiskFull}[n == "counter.json"] }
		},
	} {
		// Nothing of the previous round may be left: the SMTP server has
		// the message before the worker deletes it from the queue.
		waitFor(t, func() bool { return len(h.dirFiles("queue")) == 0 && len(h.dirFiles("tmp")) == 0 })
		h.fs.Set(set)
		before := len(h.smtp.Messages())
		for i := 0; i < 70; i++ { // enough to need a new counter block
			r := h.post("kommunen", h.values("kommunen"))
			if name == "counter" && r.code == http.StatusSeeOther {
				continue // numbers left in the reserved block
			}
			if r.code != http.StatusServiceUnavailable {
				t.Fatalf("%s: status %d", name, r.code)
			}
			if !strings.Contains(r.body, "När plogas Storgatan?") || !strings.Contains(r.body, "Fråga om snöröjning") || r.hdr.Get("Retry-After") == "" {
				t.Fatalf("%s: 503 page does not keep the text", name)
			}
			break
		}
		for _, d := range []string{"queue", "tmp"} {
			if f := h.dirFiles(d); len(f) != 0 && name != "counter" {
				t.Fatalf("%s: %s holds %v after a failed write", name, d, f)
			}
		}
		h.fs.Clear()
		waitFor(t, func() bool { return len(h.queue()) == 0 })
		if name != "counter" && len(h.smtp.Messages()) != before {
			t.Fatalf("%s: a refused message was delivered", name)
		}
		ok := refFrom(t, h.post("kommunen", h.values("kommunen")))
		h.smtp.Wait(waitLong, hasRef(ok))
	}
	if q := h.dirFiles("quarantine"); len(q) != 0 {
		t.Fatalf("quarantine %v", q)
	}
}

func TestQuarantineAtStart(t *testing.T) {
	dir := t.TempDir()
	smtp := smtptest.Start(t, smtptest.Options{})
	smtp.FailRcpt("kommun@karlsborg.se", 451)
	// First run: accept one message that cannot be delivered yet, then stop.
	h := newHarness(t, func(c *Config, h *harness) {
		*c = testConfig(dir, smtp.Port)
		copyFile(t, "testdata/recipients.json", c.Recipients)
	})
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	h.stop()
	if hasRef(ref)(smtp.Messages()) {
		t.Fatal("delivered despite 451")
	}
	ob := filepath.Join(dir, "outbox")
	good, err := os.ReadFile(filepath.Join(ob, "queue", ref+".json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ob, "queue", "KBG-2026-099998.json"), good[:len(good)/3], 0o600)
	os.WriteFile(filepath.Join(ob, "queue", "KBG-2026-099999.json"), []byte("{}"), 0o600)
	os.WriteFile(filepath.Join(ob, "tmp", "KBG-2026-099997.json.1.tmp"), good, 0o600)
	smtp.FailRcpt("kommun@karlsborg.se", 0)
	h2 := newHarness(t, func(c *Config, h *harness) { *c = testConfig(dir, smtp.Port) })
	smtp.Wait(waitLong, hasRef(ref))
	if q := h2.dirFiles("quarantine"); len(q) != 3 {
		t.Fatalf("quarantine %v", q)
	}
	if !strings.Contains(h2.logs.String(), "quarantined") {
		t.Fatal("no log line for quarantined files")
	}
	waitFor(t, func() bool { return len(h2.queue()) == 0 })
	// Numbers are not reused after a restart, even quarantined ones.
	if r := refFrom(t, h2.post("kommunen", h2.values("kommunen"))); r <= "KBG-2026-099999" && strings.Contains(r, "-2026-") {
		t.Fatalf("reference %s reused", r)
	}
}

func TestFormsPagesAndRouting(t *testing.T) {
	h := newHarness(t)
	g := h.get("/skriv/kommunen")
	if g.code != 200 {
		t.Fatalf("GET form: %d", g.code)
	}
	for _, want := range []string{
		`<html lang="sv">`, `<label for="f-namn">Namn</label>`, `<label for="f-epost">E-post</label>`,
		`<label for="f-amne">Ämne</label>`, `<label for="f-meddelande">Meddelande</label>`,
		`id="f-namn" name="namn"`, `id="f-meddelande" name="meddelande"`, "allmän handling",
		`<div hidden>`, `name="webbplats" tabindex="-1"`, `href="https://www.karlsborg.se/om-webbplatsen/personuppgifter/"`,
		`action="/skriv/kommunen"`, "Hoppa till innehållet", "<main",
	} {
		if !strings.Contains(g.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	hdr := g.hdr
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
	} {
		if hdr.Get(k) != want {
			t.Errorf("%s = %q", k, hdr.Get(k))
		}
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, builtinInline.styles[0]) {
		t.Errorf("CSP %q", csp)
	}
	for _, p := range []string{"/skriv/kommunen", "/tack/KBG-2026-000001", "/healthz", "/metrics", "/nope", "/skriv/nope"} {
		r := h.get(p)
		if r.hdr.Get("Set-Cookie") != "" || r.hdr.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: cookie or missing security headers", p)
		}
	}
	if r := h.get("/tack/<script>"); r.code != 404 || strings.Contains(r.body, "<script>") {
		t.Errorf("bad reference reflected")
	}

	a := h.get("/skriv/tillganglighet")
	if !strings.Contains(a.body, "Rapportera brister i tillgänglighet / begär innehåll i annat format") {
		t.Error("accessibility form wording")
	}
	p := h.get("/skriv/bertil-berg?sida=/personer/bertil-berg/")
	if !strings.Contains(p.body, "Hittade du ett fel på sidan?") || !strings.Contains(p.body, `value="/personer/bertil-berg/"`) || !strings.Contains(p.body, `name="formular" value="fel"`) {
		t.Errorf("page-error form:\n%s", p.body)
	}
	// Person page error reports go to the person's unit and the web team.
	v := h.values("bertil-berg")
	v.Set("formular", "fel")
	v.Set("sida", "/personer/bertil-berg/")
	v.Del("amne")
	ref := refFrom(t, h.post("bertil-berg", v))
	got := findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	slices.Sort(got.To)
	if !slices.Equal(got.To, []string{"registrator@karlsborg.se", "samhallsbyggnad@karlsborg.se", "webb@karlsborg.se"}) {
		t.Fatalf("page-error recipients %v", got.To)
	}
	_, body := parseMail(t, got.Data)
	if !strings.Contains(body, "Sidan det gäller: /personer/bertil-berg/") || !strings.Contains(body, "Ämne: Fel på sidan") {
		t.Fatalf("page-error body:\n%s", body)
	}
	// Accessibility form goes to the accessibility contact.
	v = h.values("tillganglighet")
	v.Set("formular", "tillganglighet")
	ref = refFrom(t, h.post("tillganglighet", v))
	got = findRef(h.smtp.Wait(waitLong, hasRef(ref)), ref)[0]
	if !slices.Contains(got.To, "webb@karlsborg.se") || !bytes.Contains(got.Data, []byte("X-Torg-Form: tillganglighet")) {
		t.Fatalf("accessibility routing %v", got.To)
	}
	// Validation error page: accessible summary, everything kept.
	v = h.values("kommunen")
	v.Set("epost", "inte en adress")
	v.Set("amne", "")
	r := h.post("kommunen", v)
	for _, want := range []string{"<title>Fel: ", `href="#f-epost"`, `href="#f-amne"`, `aria-invalid="true"`, `value="inte en adress"`, "När plogas Storgatan?", `aria-describedby="f-epost-hint f-epost-fel"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if r.code != http.StatusUnprocessableEntity {
		t.Errorf("validation status %d", r.code)
	}
	// HTML in the text is shown as text.
	v = h.values("kommunen")
	v.Set("namn", `<script>alert(1)</script>`)
	v.Set("epost", "x")
	r = h.post("kommunen", v)
	if strings.Contains(r.body, "<script>alert") {
		t.Error("markup from the citizen not escaped")
	}
}

func TestSiteLayoutAndReload(t *testing.T) {
	h := newHarness(t, func(c *Config, h *harness) {
		c.Layout = filepath.Join(h.dir, "layout.html")
		os.WriteFile(c.Layout, []byte(`<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{{template "title" .}}</title><link rel="stylesheet" href="/css/site.css"></head><body><header>SITE-HEADER</header><main id="main">{{template "main" .}}</main></body></html>`), 0o600)
	})
	g := h.get("/skriv/kommunen")
	if !strings.Contains(g.body, "SITE-HEADER") || !strings.Contains(g.body, `<label for="f-namn">Namn</label>`) {
		t.Fatalf("site layout not used:\n%s", g.body)
	}
	// A broken layout falls back to the built-in one.
	os.WriteFile(h.cfg.Layout, []byte(`{{template "nope" .}}`), 0o600)
	h.srv.Reload()
	if g := h.get("/skriv/kommunen"); g.code != 200 || !strings.Contains(g.body, "Hoppa till innehållet") {
		t.Fatalf("fallback layout: %d", g.code)
	}
	// The recipient table reloads when the file changes.
	if g := h.get("/skriv/ny-person"); g.code != 404 {
		t.Fatal("unknown id served")
	}
	data, _ := os.ReadFile(h.cfg.Recipients)
	data = bytes.Replace(data, []byte(`"recipients":[`), []byte(`"recipients":[{"id":"ny-person","name":"Ny Person","address":"ny@karlsborg.se","kind":"person"},`), 1)
	os.WriteFile(h.cfg.Recipients, data, 0o600)
	waitFor(t, func() bool { return h.get("/skriv/ny-person").code == 200 })
	// A broken table keeps the previous one.
	os.WriteFile(h.cfg.Recipients, []byte("{broken"), 0o600)
	if err := h.srv.Reload(); err == nil {
		t.Fatal("broken table accepted")
	}
	if h.get("/skriv/ny-person").code != 200 {
		t.Fatal("previous table dropped")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t)
	if r := h.get("/healthz"); r.code != 200 || r.body != "ok\n" {
		t.Fatalf("healthz %d %q", r.code, r.body)
	}
	h.smtp.Stop()
	refFrom(t, h.post("kommunen", h.values("kommunen")))
	bad := h.values("kommunen")
	bad.Set("meddelande", "")
	h.post("kommunen", bad)
	waitFor(t, func() bool { return h.srv.m.retried.Load() > 0 })
	m := h.get("/metrics")
	if ct := m.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("metrics content type %q", ct)
	}
	sc := bufio.NewScanner(strings.NewReader(m.body))
	vals := map[string]string{}
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") {
			continue
		}
		k, v, _ := strings.Cut(l, " ")
		vals[k] = v
	}
	for k, want := range map[string]string{
		"torg_relay_accepted_total": "1", "torg_relay_outbox_depth": "1", "torg_relay_dead_letters": "0",
		`torg_relay_rejected_total{reason="invalid"}`: "1", "torg_relay_recipients": "5",
	} {
		if vals[k] != want {
			t.Errorf("%s = %q, want %s", k, vals[k], want)
		}
	}
	if vals["torg_relay_oldest_message_age_seconds"] == "0" || vals["torg_relay_retried_total"] == "0" {
		t.Errorf("age/retried not reported: %v", vals)
	}
}

func TestTLSRelayWithCAFile(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: "starttls", User: "relay", Password: "pw"})
	h := newHarness(t, func(c *Config, h *harness) {
		ca := filepath.Join(h.dir, "ca.pem")
		os.WriteFile(ca, srv.CAPEM, 0o600)
		pw := filepath.Join(h.dir, "smtp-password")
		os.WriteFile(pw, []byte("pw\n"), 0o600)
		c.SMTP = SMTPConfig{Host: "127.0.0.1", Port: srv.Port, TLS: "starttls", User: "relay", PasswordFile: pw, CAFile: ca}
	})
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	srv.Wait(waitLong, hasRef(ref))
}

func TestGracefulShutdown(t *testing.T) {
	h := newHarness(t)
	h.smtp.SetDelay(300 * time.Millisecond)
	ref := refFrom(t, h.post("kommunen", h.values("kommunen")))
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	h.stop()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %v", d)
	}
	// Whatever was not confirmed by the SMTP server is still queued.
	if !hasRef(ref)(h.smtp.Messages()) {
		if _, err := os.Stat(filepath.Join(h.cfg.Outbox, "queue", ref+".json")); err != nil {
			t.Fatal("message neither delivered nor queued after shutdown")
		}
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "relay.toml")
	os.WriteFile(p, []byte(`
listen = "127.0.0.1:8025"
origins = ["https://www.karlsborg.se"]
recipients = "../public.relay/recipients.json"
outbox = "outbox"
from = "Karlsborgs kommun <noreply@karlsborg.se>"
bounce = "bounce@karlsborg.se"
registrar = "registrator@karlsborg.se"
domains = ["karlsborg.se"]
secret_env = "TORG_RELAY_SECRET"
[smtp]
host = "smtp.karlsborg.se"
port = 587
tls = "starttls"
user = "relay"
password_env = "TORG_SMTP_PASSWORD"
[retry]
initial = "5s"
max = "30m"
give_up = "96h"
`), 0o600)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retry.GiveUp.D() != 96*time.Hour || c.Fallback != "registrator@karlsborg.se" || c.Outbox != filepath.Join(dir, "outbox") || c.Limits.MinFill.D() != 3*time.Second || c.Limits.BodyBytes != 64<<10 {
		t.Fatalf("config %+v", c)
	}
	os.WriteFile(p, []byte("listen = \"x\"\nlisen = \"typo\"\n"), 0o600)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "lisen") {
		t.Fatalf("unknown key: %v", err)
	}
}

func discardLogger() *slogLogger { return newDiscard() }

// TestDeadLetterSentOnce: a rescan that finds a fresh dead letter while
// the worker is still handling the move must not make it send the
// letter to the fallback mailbox twice.
func TestDeadLetterSentOnce(t *testing.T) {
	h := newHarness(t, func(c *Config, _ *harness) { c.Retry.Scan = Duration(time.Millisecond) })
	h.smtp.FailRcpt("anna.andersson@karlsborg.se", 550)
	var refs []string
	for i := 0; i < 20; i++ {
		refs = append(refs, refFrom(t, h.post("anna-andersson", h.values("anna-andersson"))))
	}
	n := map[string]int{}
	// The log entry is written last, after the dead letter is deleted.
	waitFor(t, func() bool {
		es, _ := h.srv.Outbox().ReadLog()
		clear(n)
		for _, e := range es {
			if e.Outcome == "fallback_delivered" {
				n[e.Reference]++
			}
		}
		for _, r := range refs {
			if n[r] == 0 {
				return false
			}
		}
		return len(h.dirFiles("dead")) == 0 && len(h.dirFiles("queue")) == 0
	})
	for _, r := range refs {
		if got := len(findRef(h.smtp.Messages(), r)); got != 1 || n[r] != 1 {
			t.Errorf("%s: %d messages at the SMTP server, %d fallback_delivered log entries; want 1", r, got, n[r])
		}
	}
}
