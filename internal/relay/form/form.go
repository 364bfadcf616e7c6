// Package form parses and validates the contact forms that the relay
// accepts, and signs the hidden timestamp that keeps bots out. Every error
// message is in Swedish and meant to be shown to the citizen next to the
// field it concerns.
package form

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/torgsite/torg/internal/relay/mailmsg"
)

// Field names used in the HTML forms.
const (
	FieldName     = "namn"
	FieldEmail    = "epost"
	FieldSubject  = "amne"
	FieldMessage  = "meddelande"
	FieldPage     = "sida"
	FieldKind     = "formular"
	FieldToken    = "t"
	FieldHoneypot = "webbplats"
)

// Form kinds.
const (
	KindContact       = "kontakt"        // ordinary contact form
	KindPageError     = "fel"            // "Hittade du ett fel på sidan?"
	KindAccessibility = "tillganglighet" // DOS-lagen feedback
)

// Limits on field lengths, in characters.
const (
	MaxName     = 200
	MaxEmail    = 254
	MaxSubject  = 200
	MaxPage     = 1000
	MaxMessage  = 20000
	maxHoneypot = 200
)

// Fields are the values a citizen entered, cleaned up for display and
// delivery: single-line fields trimmed, the message with \n line endings.
// After a failed Parse they still hold everything that was sent (malformed
// UTF-8 replaced by U+FFFD) so the form can be shown again.
type Fields struct {
	Name, Email, Subject, Message, Page string
	Kind                                string
	Token                               string
	Honeypot                            string
}

// FieldError is one problem with one field.
type FieldError struct {
	Field   string // one of the Field* names
	Message string // Swedish, for the citizen
}

// Parse reads and validates a submitted form. subjectRequired is false for
// forms that fill in a default subject.
func Parse(v url.Values, subjectRequired bool) (Fields, []FieldError) {
	var errs []FieldError
	get := func(name string) (string, bool) {
		vs := v[name]
		if len(vs) > 1 {
			errs = append(errs, FieldError{name, "Fältet skickades flera gånger. Skicka formuläret igen."})
		}
		if len(vs) == 0 {
			return "", true
		}
		s := vs[0]
		if !utf8.ValidString(s) {
			return strings.ToValidUTF8(s, "\uFFFD"), false
		}
		return s, true
	}
	badUTF8 := "Texten innehåller tecken som inte gick att läsa (felaktig teckenkodning). Kontrollera texten och ersätt tecknen som visas som \uFFFD."

	var f Fields
	line := func(name, label string, max int, required bool) string {
		s, ok := get(name)
		s = strings.TrimSpace(s)
		switch {
		case !ok:
			errs = append(errs, FieldError{name, badUTF8})
		case hasLineControl(s):
			errs = append(errs, FieldError{name, label + " får bara vara en rad och får inte innehålla radbrytningar eller andra styrtecken."})
		case utf8.RuneCountInString(s) > max:
			errs = append(errs, FieldError{name, label + " får vara högst " + itoa(max) + " tecken."})
		case required && s == "":
			errs = append(errs, FieldError{name, "Skriv " + strings.ToLower(label) + "."})
		}
		return s
	}
	f.Name = line(FieldName, "Namn", MaxName, false)
	f.Email = line(FieldEmail, "E-post", MaxEmail, false)
	if f.Email != "" && !hasError(errs, FieldEmail) && !mailmsg.ValidAddress(f.Email) {
		errs = append(errs, FieldError{FieldEmail, "Skriv en e-postadress i formen namn@exempel.se, eller lämna fältet tomt."})
	}
	f.Subject = line(FieldSubject, "Ämne", MaxSubject, subjectRequired)
	f.Page = line(FieldPage, "Sidans adress", MaxPage, false)

	msg, ok := get(FieldMessage)
	msg = mailmsg.NormalizeNewlines(msg)
	f.Message = msg
	switch {
	case !ok:
		errs = append(errs, FieldError{FieldMessage, badUTF8})
	case hasBodyControl(msg):
		errs = append(errs, FieldError{FieldMessage, "Meddelandet innehåller osynliga styrtecken som inte kan skickas. Ta bort dem eller skriv om texten."})
	case utf8.RuneCountInString(msg) > MaxMessage:
		errs = append(errs, FieldError{FieldMessage, "Meddelandet får vara högst 20 000 tecken. Nu är det " + itoa(utf8.RuneCountInString(msg)) + " tecken."})
	case strings.TrimSpace(msg) == "":
		errs = append(errs, FieldError{FieldMessage, "Skriv ett meddelande."})
	}

	f.Kind, _ = get(FieldKind)
	switch f.Kind {
	case "":
		f.Kind = KindContact
	case KindContact, KindPageError, KindAccessibility:
	default:
		f.Kind = KindContact
	}
	f.Token, _ = get(FieldToken)
	f.Honeypot, _ = get(FieldHoneypot)
	if len(f.Honeypot) > maxHoneypot {
		f.Honeypot = f.Honeypot[:maxHoneypot]
	}
	return f, errs
}

// Errors maps field names to their first error message.
func Errors(errs []FieldError) map[string]string {
	m := make(map[string]string, len(errs))
	for _, e := range errs {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Message
		}
	}
	return m
}

func hasError(errs []FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// hasLineControl reports control characters (including CR, LF, TAB, DEL
// and the C1 range) and Unicode line or paragraph separators.
func hasLineControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// hasBodyControl reports control characters other than LF and TAB.
func hasBodyControl(s string) bool {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// itoa formats n with a space as thousands separator, Swedish style.
func itoa(n int) string {
	d := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
