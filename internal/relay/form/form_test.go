package form

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	v := url.Values{
		FieldName:    {"  Åsa Öberg "},
		FieldEmail:   {"asa@example.se"},
		FieldSubject: {"Fråga om bygglov"},
		FieldMessage: {"Hej!\r\nRad två\r.\rslut"},
	}
	f, errs := Parse(v, true)
	if len(errs) != 0 {
		t.Fatalf("unexpected errors %v", errs)
	}
	if f.Name != "Åsa Öberg" || f.Message != "Hej!\nRad två\n.\nslut" || f.Kind != KindContact {
		t.Fatalf("got %+v", f)
	}
}

func TestParseRejects(t *testing.T) {
	base := func() url.Values {
		return url.Values{
			FieldName:    {"Anna"},
			FieldEmail:   {"anna@example.se"},
			FieldSubject: {"Hej"},
			FieldMessage: {"Text"},
		}
	}
	cases := []struct {
		name, field, value string
	}{
		{"CRLF in name", FieldName, "Anna\r\nBcc: evil@example.com"},
		{"LF in subject", FieldSubject, "Hej\nBcc: evil@example.com"},
		{"CR in email", FieldEmail, "anna@example.se\rBcc: x@y.se"},
		{"NUL in subject", FieldSubject, "a\x00b"},
		{"tab in subject", FieldSubject, "a\tb"},
		{"DEL in name", FieldName, "a\x7fb"},
		{"C1 in name", FieldName, "a\u0085b"},
		{"line separator", FieldSubject, "a\u2028b"},
		{"CRLF in page", FieldPage, "/a/\r\nX: y"},
		{"list of addresses", FieldEmail, "a@example.se, b@example.se"},
		{"display name", FieldEmail, "Evil <a@example.se>"},
		{"two ats", FieldEmail, "a@b@example.se"},
		{"percent hack", FieldEmail, "a%evil.com@example.se"},
		{"no domain dot", FieldEmail, "a@localhost"},
		{"bad utf8 message", FieldMessage, "hej \xff\xfe"},
		{"bad utf8 name", FieldName, "\xc3"},
		{"ESC in message", FieldMessage, "a\x1b[31mb"},
		{"empty message", FieldMessage, "  \n "},
		{"empty subject", FieldSubject, ""},
		{"long subject", FieldSubject, strings.Repeat("å", MaxSubject+1)},
		{"long message", FieldMessage, strings.Repeat("x", MaxMessage+1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := base()
			v.Set(c.field, c.value)
			f, errs := Parse(v, true)
			if Errors(errs)[c.field] == "" {
				t.Fatalf("no error on %s for %q (errors %v)", c.field, c.value, errs)
			}
			// Everything typed is kept for redisplay.
			if c.field == FieldMessage && !strings.Contains(f.Message, "\uFFFD") && f.Message != strings.ReplaceAll(c.value, "\r", "\n") && c.value != "" {
				t.Fatalf("message not kept: %q", f.Message)
			}
		})
	}
	// Duplicated fields are refused.
	v := base()
	v.Add(FieldSubject, "again")
	if _, errs := Parse(v, true); Errors(errs)[FieldSubject] == "" {
		t.Fatal("duplicate subject accepted")
	}
	// Exactly the maximum is fine.
	v = base()
	v.Set(FieldMessage, strings.Repeat("ä", MaxMessage))
	if _, errs := Parse(v, true); len(errs) != 0 {
		t.Fatalf("20 000 characters refused: %v", errs)
	}
}

func TestToken(t *testing.T) {
	s, err := NewSigner([]byte("0123456789abcdef0123"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 500e6)
	tok := s.Issue("kommunen", t0)
	min, max := 3*time.Second, 24*time.Hour
	if err := s.Check(tok, "kommunen", t0.Add(2999*time.Millisecond), min, max); err != ErrTokenTooFast {
		t.Fatalf("2.999 s: %v", err)
	}
	if err := s.Check(tok, "kommunen", t0.Add(3*time.Second), min, max); err != nil {
		t.Fatalf("3 s: %v", err)
	}
	if err := s.Check(tok, "kommunen", t0.Add(24*time.Hour+time.Millisecond), min, max); err != ErrTokenExpired {
		t.Fatalf("24 h: %v", err)
	}
	if err := s.Check(tok, "anna", t0.Add(time.Minute), min, max); err != ErrTokenForged {
		t.Fatalf("other recipient: %v", err)
	}
	other, _ := NewSigner([]byte("another key of enough length"))
	if err := other.Check(tok, "kommunen", t0.Add(time.Minute), min, max); err != ErrTokenForged {
		t.Fatalf("other key: %v", err)
	}
	// Moving the timestamp back breaks the MAC.
	ts, sig, _ := strings.Cut(tok, ".")
	forged := ts[:len(ts)-4] + "0000" + "." + sig
	if err := s.Check(forged, "kommunen", t0.Add(time.Minute), min, max); err != ErrTokenForged {
		t.Fatalf("forged: %v", err)
	}
	for _, bad := range []string{"", ".", "abc.def", "123", tok + "x"} {
		if err := s.Check(bad, "kommunen", t0.Add(time.Minute), min, max); err != ErrTokenForged {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}
