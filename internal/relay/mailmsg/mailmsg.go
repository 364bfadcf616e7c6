// Package mailmsg builds the e-mail messages that the contact-form relay
// sends: RFC 5322 headers encoded with RFC 2047 (so nothing a citizen typed
// can become a header of its own), a text/plain UTF-8 body in
// quoted-printable, CRLF line endings throughout and only 7-bit bytes on the
// wire. It also holds the strict address syntax the relay accepts.
package mailmsg

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ValidAddress reports whether s is a plain ASCII addr-spec the relay is
// willing to put in a header or an SMTP command: dot-atom local part without
// quotes, comments, '%' or '!' (no source-routing tricks), exactly one '@',
// and a domain of letter-digit-hyphen labels with at least one dot.
func ValidAddress(s string) bool {
	if len(s) < 3 || len(s) > 254 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") || local == "" || len(local) > 64 {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte(".#$&'*+/=?^_`{|}~-", c) >= 0:
		default:
			return false
		}
	}
	return ValidDomain(domain)
}

// ValidDomain reports whether d is an ASCII host name of at least two
// letter-digit-hyphen labels.
func ValidDomain(d string) bool {
	if len(d) < 3 || len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Domain returns the lower-cased domain of a valid address.
func Domain(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(d)
}

// ParseMailbox parses a configured mailbox such as
// "Karlsborgs kommun <noreply@karlsborg.se>" or a bare address, and checks
// the address with ValidAddress.
func ParseMailbox(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("mailbox %q: %w", s, err)
	}
	if !ValidAddress(a.Address) {
		return nil, fmt.Errorf("mailbox %q: address not accepted (plain ASCII addr-spec required)", s)
	}
	if !SafeLine(a.Name) {
		return nil, fmt.Errorf("mailbox %q: control characters in name", s)
	}
	return a, nil
}

// SafeLine reports whether s is valid UTF-8 without control characters or
// line/paragraph separators, that is, safe to place on one header line once
// encoded.
func SafeLine(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// Header is one header field; Value is already encoded.
type Header struct{ Name, Value string }

// Message is what the relay sends.
type Message struct {
	Date      time.Time
	MessageID string // without angle brackets
	From      *mail.Address
	To        []*mail.Address
	Cc        []*mail.Address
	ReplyTo   *mail.Address // nil when the citizen gave no address
	Subject   string        // unencoded UTF-8, single line
	Extra     []Header      // extra headers with ASCII token values, e.g. X-Torg-Reference
	Body      string        // unencoded UTF-8 text with \n line ends
}

// Bytes renders m as a complete RFC 5322 message with CRLF line endings and
// only 7-bit bytes. It fails if any single-line value holds control
// characters or malformed UTF-8.
func (m *Message) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if m.From == nil || len(m.To) == 0 {
		return nil, fmt.Errorf("mailmsg: From and To are required")
	}
	if !SafeLine(m.Subject) {
		return nil, fmt.Errorf("mailmsg: unsafe subject")
	}
	if !validMsgID(m.MessageID) {
		return nil, fmt.Errorf("mailmsg: bad Message-ID %q", m.MessageID)
	}
	writeHeader(&b, "Date", m.Date.Format(time.RFC1123Z))
	if err := writeAddrs(&b, "From", []*mail.Address{m.From}); err != nil {
		return nil, err
	}
	if err := writeAddrs(&b, "To", m.To); err != nil {
		return nil, err
	}
	if len(m.Cc) > 0 {
		if err := writeAddrs(&b, "Cc", m.Cc); err != nil {
			return nil, err
		}
	}
	if m.ReplyTo != nil {
		if err := writeAddrs(&b, "Reply-To", []*mail.Address{m.ReplyTo}); err != nil {
			return nil, err
		}
	}
	writeHeader(&b, "Subject", EncodeText(m.Subject))
	writeHeader(&b, "Message-ID", "<"+m.MessageID+">")
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")
	for _, h := range m.Extra {
		if !token(h.Name) || !printableASCII(h.Value) {
			return nil, fmt.Errorf("mailmsg: bad extra header %q", h.Name)
		}
		writeHeader(&b, h.Name, h.Value)
	}
	b.WriteString("\r\n")
	if !utf8.ValidString(m.Body) {
		return nil, fmt.Errorf("mailmsg: body is not valid UTF-8")
	}
	qp := quotedprintable.NewWriter(&b)
	// The quoted-printable writer turns every \n (and lone \r) into a hard
	// CRLF line break and encodes everything else that is not printable
	// ASCII, so no bare CR or LF can reach the wire.
	if _, err := qp.Write([]byte(NormalizeNewlines(m.Body))); err != nil {
		return nil, fmt.Errorf("mailmsg: encoding body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mailmsg: encoding body: %w", err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// NormalizeNewlines turns CRLF and lone CR into LF.
func NormalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// ToCRLF rewrites every line ending in p (CRLF, lone LF or lone CR) as CRLF.
// The SMTP sender applies it to the whole message so that no bare CR or LF
// ever reaches the server (SMTP smuggling).
func ToCRLF(p []byte) []byte {
	out := make([]byte, 0, len(p)+len(p)/32)
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(p) && p[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// EncodeText encodes a single-line UTF-8 value for an unstructured header
// (RFC 2047 Q encoding when needed), folded so that no line exceeds the
// RFC 5322 limit.
func EncodeText(s string) string {
	enc := mime.QEncoding.Encode("utf-8", s)
	return fold(enc)
}

// fold breaks a header value between RFC 2047 encoded-words, which the
// mime package separates with single spaces.
func fold(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	return strings.ReplaceAll(v, "?= =?", "?=\r\n =?")
}

func writeAddrs(b *bytes.Buffer, name string, as []*mail.Address) error {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		if a == nil || !ValidAddress(a.Address) || !SafeLine(a.Name) {
			return fmt.Errorf("mailmsg: unsafe address in %s", name)
		}
		// net/mail quotes or RFC 2047-encodes the display name.
		parts = append(parts, fold(a.String()))
	}
	writeHeader(b, name, strings.Join(parts, ",\r\n "))
	return nil
}

func writeHeader(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(": ")
	b.WriteString(value)
	b.WriteString("\r\n")
}

func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func validMsgID(id string) bool {
	l, r, ok := strings.Cut(id, "@")
	return ok && l != "" && r != "" && printableASCII(id) && !strings.ContainsAny(id, "<> \"\\")
}
