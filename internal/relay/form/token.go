package form

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Token errors returned by Signer.Check.
var (
	ErrTokenForged  = errors.New("form: timestamp token missing or forged")
	ErrTokenTooFast = errors.New("form: form sent too soon after it was shown")
	ErrTokenExpired = errors.New("form: form too old")
)

// Signer issues and checks the hidden, HMAC-signed timestamp that every
// form carries. The token binds the time the form was shown to the
// recipient id, so it cannot be moved to another form.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer using key, which must hold at least 16 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("form: HMAC key too short (%d bytes, need at least 16)", len(key))
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Issue returns a token for a form for recipient id shown at now. The
// token is the time in Unix milliseconds, a dot and an HMAC-SHA256 of the
// time and id.
func (s *Signer) Issue(id string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	return ts + "." + s.mac(id, ts)
}

func (s *Signer) mac(id, ts string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("torg-relay-v1\x00" + id + "\x00" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Check verifies tok for recipient id at now: it must be genuine, at least
// minAge old and at most maxAge old.
func (s *Signer) Check(tok, id string, now time.Time, minAge, maxAge time.Duration) error {
	ts, sig, ok := strings.Cut(tok, ".")
	if !ok || len(ts) == 0 || len(ts) > 15 {
		return ErrTokenForged
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTokenForged
	}
	if !hmac.Equal([]byte(sig), []byte(s.mac(id, ts))) {
		return ErrTokenForged
	}
	age := now.Sub(time.UnixMilli(sec))
	if age < minAge {
		return ErrTokenTooFast
	}
	if age > maxAge {
		return ErrTokenExpired
	}
	return nil
}
