// Package smtptest runs an in-process SMTP server (github.com/emersion/go-smtp)
// on a real loopback TCP port for the relay's tests: it records every
// envelope and message, can be told to answer with 4xx or 5xx, to be slow,
// or be stopped and restarted on the same port, and can speak STARTTLS or
// implicit TLS with a certificate from a throw-away CA.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Options configure Start.
type Options struct {
	TLS      string // "", "none", "starttls" or "tls"
	User     string // if set, AUTH PLAIN with Password is required
	Password string
}

// Server is a running test SMTP server.
type Server struct {
	t    testing.TB
	opts Options
	Addr string
	Port int
	// CAPEM is the PEM of the CA that signed the server certificate.
	CAPEM []byte

	tlsConfig *tls.Config

	mu       sync.Mutex
	srv      *smtp.Server
	ln       *trackingListener
	msgs     []Received
	failures []int // reply codes for the next transactions, consumed at DATA
	failRcpt map[string]int
	delay    time.Duration
	attempts int
	changed  chan struct{}
}

// Start starts a server on 127.0.0.1 on a free port; it is stopped when
// the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: opts, failRcpt: map[string]int{}, changed: make(chan struct{})}
	if opts.TLS == "starttls" || opts.TLS == "tls" {
		s.tlsConfig, s.CAPEM = makeCert(t)
	}
	ln, err := s.listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) listen(addr string) (net.Listener, error) {
	return net.Listen("tcp", addr)
}

func (s *Server) serve(inner net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "smtptest.local"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.opts.TLS == "starttls" {
		srv.TLSConfig = s.tlsConfig
	}
	ln := &trackingListener{Listener: inner, conns: map[net.Conn]struct{}{}}
	s.mu.Lock()
	s.srv = srv
	s.ln = ln
	s.mu.Unlock()
	var l net.Listener = ln
	if s.opts.TLS == "tls" {
		l = tls.NewListener(ln, s.tlsConfig) // tracking below TLS: go-smtp still sees *tls.Conn
	}
	go srv.Serve(l)
}

// Stop closes the listener and every connection. It is synchronous: once
// it returns, the port refuses connections, even if the goroutine running
// smtp.Server.Serve has not started yet (go-smtp registers the listener
// inside Serve, so its Close alone would miss a listener handed to a
// Serve that has not run yet, and the "stopped" server would keep
// accepting).
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		ln.closeAll()
	}
	if srv != nil {
		srv.Close()
	}
}

// trackingListener records accepted connections so that Stop can close
// them itself, without depending on when go-smtp's goroutines register
// them.
type trackingListener struct {
	net.Listener
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[c] = struct{}{}
	return &trackedConn{Conn: c, l: l}, nil
}

func (l *trackingListener) closeAll() {
	l.mu.Lock()
	l.closed = true
	conns := l.conns
	l.conns = map[net.Conn]struct{}{}
	l.mu.Unlock()
	l.Listener.Close()
	for c := range conns {
		c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c.Conn)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// Restart listens again on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = s.listen(s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtptest: restart: %v", err)
	}
	s.serve(ln)
}

// FailNext makes the next transactions fail at DATA with the given reply
// codes, one code per transaction.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, codes...)
}

// FailRcpt makes RCPT TO addr fail with code (0 removes the rule).
func (s *Server) FailRcpt(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.failRcpt, addr)
	} else {
		s.failRcpt[addr] = code
	}
}

// SetDelay makes each DATA take d before it is answered.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Messages returns a copy of the messages received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Attempts returns how many DATA commands were answered (with any code).
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Wait waits until cond holds for the messages received, or fails the test
// after timeout.
func (s *Server) Wait(timeout time.Duration, cond func([]Received) bool) []Received {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		msgs := append([]Received(nil), s.msgs...)
		ch := s.changed
		s.mu.Unlock()
		if cond(msgs) {
			return msgs
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			s.t.Fatalf("smtptest: condition not met after %v (%d messages)", timeout, len(msgs))
			return nil
		}
	}
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, authed: s.opts.User == ""}, nil
}

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return errors.New("bad credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	code := ss.s.failRcpt[to]
	ss.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "No such user"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if len(s.failures) > 0 {
		code := s.failures[0]
		s.failures = s.failures[1:]
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "Injected failure"}
	}
	s.msgs = append(s.msgs, Received{From: ss.from, To: append([]string(nil), ss.to...), Data: bytes.Clone(data)})
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func makeCert(t testing.TB) (*tls.Config, []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "torg smtptest CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}
