package mailmsg

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestAddressRules(t *testing.T) {
	for _, ok := range []string{"a@example.se", "anna.andersson@karlsborg.se", "a+b@sub.example.se", "o'neil@example.se"} {
		if !ValidAddress(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "a@@example.se", "a@b@example.se", "\"a b\"@example.se", "a%b@example.se", "a!b@example.se",
		"a@example.se\r\n", "a @example.se", "a@exa mple.se", "åsa@example.se", "a@exämple.se", ".a@example.se", "a..b@example.se",
		"a@-example.se", "<a@example.se>", "a@example.se>", "a@[127.0.0.1]", "a(comment)@example.se"} {
		if ValidAddress(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMessageEncoding(t *testing.T) {
	m := &Message{
		Date:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		MessageID: "KBG-2026-000001.abc@karlsborg.se",
		From:      &mail.Address{Name: "Karlsborgs kommun", Address: "noreply@karlsborg.se"},
		To:        []*mail.Address{{Name: "Åsa \"Q\" Öberg, <x@evil.example>", Address: "asa@karlsborg.se"}},
		ReplyTo:   &mail.Address{Name: "=?utf-8?q?Bcc:_x@evil.example?=", Address: "c@example.com"},
		Subject:   strings.Repeat("Långt ämne med åäö ", 30),
		Body:      ".\nrad\r\n.\rslut",
	}
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bytes.Split(b, []byte("\r\n")) {
		if len(l) > 998 || bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("bad line %q", l)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "asa@karlsborg.se" || to[0].Name != "Åsa \"Q\" Öberg, <x@evil.example>" {
		t.Fatalf("To %v %v", to, err)
	}
	rt, _ := msg.Header.AddressList("Reply-To")
	if len(rt) != 1 || rt[0].Address != "c@example.com" {
		t.Fatalf("Reply-To %v", rt)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subj != m.Subject {
		t.Fatalf("subject %q", subj)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Fatal("Bcc header appeared")
	}
	for _, bad := range []string{"a\r\nBcc: x@y.se", "a\nb", "a\x00"} {
		m.Subject = bad
		if _, err := m.Bytes(); err == nil {
			t.Errorf("subject %q accepted", bad)
		}
	}
}

func TestToCRLF(t *testing.T) {
	in := "a\rb\nc\r\nd\n\re"
	if got := string(ToCRLF([]byte(in))); got != "a\r\nb\r\nc\r\nd\r\n\r\ne" {
		t.Fatalf("%q", got)
	}
}
