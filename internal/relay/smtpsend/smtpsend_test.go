package smtpsend

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/torgsite/torg/internal/relay/smtptest"
)

func sender(t *testing.T, srv *smtptest.Server, mode string, pool *x509.CertPool) *Sender {
	t.Helper()
	user := ""
	if mode != "none" {
		user = "relay"
	}
	s, err := New(Config{Host: "127.0.0.1", Port: srv.Port, TLS: mode, RootCAs: pool, User: user, Password: "hemligt", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func pool(t *testing.T, pem []byte) *x509.CertPool {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		t.Fatal("bad CA PEM")
	}
	return p
}

const msg = "Subject: x\r\n\r\nline\r\n.\r\n..two dots\rbare CR\nbare LF\r\n.\r\nend\r\n"

func TestTLSModesAndVerification(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{TLS: mode, User: "relay", Password: "hemligt"})
			s := sender(t, srv, mode, pool(t, srv.CAPEM))
			if err := s.Send(context.Background(), "bounce@example.se", []string{"a@example.se"}, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 || got[0].From != "bounce@example.se" || got[0].To[0] != "a@example.se" {
				t.Fatalf("received %+v", got)
			}
			// A certificate from an unknown CA is refused, temporarily.
			other := smtptest.Start(t, smtptest.Options{TLS: mode})
			bad := sender(t, srv, mode, pool(t, other.CAPEM))
			err := bad.Send(context.Background(), "bounce@example.se", []string{"a@example.se"}, []byte(msg))
			if err == nil || IsPermanent(err) {
				t.Fatalf("unverified certificate: %v", err)
			}
			if len(srv.Messages()) != 1 {
				t.Fatal("message sent over unverified TLS")
			}
		})
	}
}

func TestStartTLSRequired(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{TLS: "none"})
	s, _ := New(Config{Host: "127.0.0.1", Port: srv.Port, TLS: "starttls", Timeout: 5 * time.Second})
	if err := s.Send(context.Background(), "b@example.se", []string{"a@example.se"}, []byte(msg)); err == nil {
		t.Fatal("sent without STARTTLS")
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("message delivered in plain text")
	}
	if _, err := New(Config{Host: "mail.example.se", Port: 25, TLS: "none", User: "u"}); err == nil {
		t.Fatal("password over plain text to a remote host allowed")
	}
}

func TestLineEndingsAndDots(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := sender(t, srv, "none", nil)
	if err := s.Send(context.Background(), "b@example.se", []string{"a@example.se"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	data := string(srv.Messages()[0].Data)
	want := "Subject: x\r\n\r\nline\r\n.\r\n..two dots\r\nbare CR\r\nbare LF\r\n.\r\nend\r\n"
	if data != want {
		t.Fatalf("received %q\nwant     %q", data, want)
	}
	for i := 0; i < len(data); i++ {
		if data[i] == '\n' && (i == 0 || data[i-1] != '\r') || data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			t.Fatalf("bare CR or LF at %d in %q", i, data)
		}
	}
}

func TestClassification(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	s := sender(t, srv, "none", nil)
	ctx := context.Background()
	srv.FailNext(451)
	err := s.Send(ctx, "b@example.se", []string{"a@example.se"}, []byte(msg))
	if err == nil || IsPermanent(err) || Code(err) != 451 {
		t.Fatalf("451: %v", err)
	}
	srv.FailNext(554)
	err = s.Send(ctx, "b@example.se", []string{"a@example.se"}, []byte(msg))
	if !IsPermanent(err) || Code(err) != 554 {
		t.Fatalf("554: %v", err)
	}
	srv.FailRcpt("nobody@example.se", 550)
	if err := s.Send(ctx, "b@example.se", []string{"nobody@example.se"}, []byte(msg)); !IsPermanent(err) {
		t.Fatalf("rcpt 550: %v", err)
	}
	srv.Stop()
	err = s.Send(ctx, "b@example.se", []string{"a@example.se"}, []byte(msg))
	if err == nil || IsPermanent(err) {
		t.Fatalf("server down: %v", err)
	}
	srv.Restart()
	if err := s.Send(ctx, "b@example.se", []string{"a@example.se"}, []byte(msg)); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if err := s.Send(ctx, "b@example.se", []string{"a@example.se>\r\nRCPT TO:<x@evil.com"}, []byte(msg)); !IsPermanent(err) {
		t.Fatalf("injected recipient: %v", err)
	}
	if strings.Contains(string(srv.Messages()[len(srv.Messages())-1].To[0]), "evil") {
		t.Fatal("injection reached the server")
	}
}

func TestContextCancel(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.SetDelay(3 * time.Second)
	s := sender(t, srv, "none", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Send(ctx, "b@example.se", []string{"a@example.se"}, []byte(msg))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("cancel not honoured: %v after %v", err, time.Since(start))
	}
}
