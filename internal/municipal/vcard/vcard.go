// Package vcard writes vCards version 4.0 (RFC 6350): CRLF line endings,
// lines folded at 75 octets, escaped values.
package vcard

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Card is one person's contact card.
type Card struct {
	UID        string // "urn:uuid:…" or a URL
	FullName   string // FN
	Family     string // N: family name
	Given      string // N: given names
	Title      string // TITLE
	Org        []string
	Email      string
	Phone      string // TEL;TYPE=work,voice
	URL        string
	Photo      string // absolute URL
	Note       string
	Rev        string // REV, "20261126T120000Z"
	Lang       string // LANG of the card's texts ("sv")
	Categories []string
}

// Write renders c.
func Write(c Card) []byte {
	var b bytes.Buffer
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCARD")
	line("VERSION:4.0")
	if c.UID != "" {
		line("UID:" + c.UID)
	}
	line("FN:" + Escape(c.FullName))
	line("N:" + Escape(c.Family) + ";" + Escape(c.Given) + ";;;")
	if c.Title != "" {
		line("TITLE:" + Escape(c.Title))
	}
	if len(c.Org) > 0 {
		var parts []string
		for _, o := range c.Org {
			parts = append(parts, Escape(o))
		}
		line("ORG:" + strings.Join(parts, ";"))
	}
	if c.Email != "" {
		line("EMAIL;TYPE=work:" + c.Email)
	}
	if c.Phone != "" {
		line("TEL;VALUE=uri;TYPE=\"work,voice\":tel:" + telURI(c.Phone))
	}
	if c.URL != "" {
		line("URL:" + c.URL)
	}
	if c.Photo != "" {
		line("PHOTO:" + c.Photo)
	}
	if len(c.Categories) > 0 {
		var parts []string
		for _, o := range c.Categories {
			parts = append(parts, Escape(o))
		}
		line("CATEGORIES:" + strings.Join(parts, ","))
	}
	if c.Note != "" {
		line("NOTE:" + Escape(c.Note))
	}
	if c.Lang != "" {
		line("LANG:" + c.Lang)
	}
	if c.Rev != "" {
		line("REV:" + c.Rev)
	}
	line("END:VCARD")
	return b.Bytes()
}

// telURI turns "0505-170 00" into "+46-505-17000" style global numbers
// when the number is Swedish and national, else keeps digits.
func telURI(s string) string {
	var digits strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	if strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00") {
		return "+46" + d[1:]
	}
	return d
}

// Escape escapes a text value (RFC 6350 3.4).
func Escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`)
	return r.Replace(s)
}

func fold(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
