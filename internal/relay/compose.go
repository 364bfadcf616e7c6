package relay

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/mailmsg"
	"github.com/torgsite/torg/internal/relay/outbox"
)

var formNames = map[string]string{
	form.KindContact:       "Kontaktformulär",
	form.KindPageError:     "Felanmälan av sida",
	form.KindAccessibility: "Tillgänglighetsåterkoppling (DOS-lagen)",
}

// compose builds the e-mail for a queued message: From the relay, To the
// recipients, Cc the registrar, Reply-To the citizen. It returns the
// message and the envelope recipients.
func (s *Server) compose(m *outbox.Message) ([]byte, []string, error) {
	var to []*mail.Address
	var rcpt []string
	seen := map[string]bool{}
	for _, a := range m.To {
		to = append(to, &mail.Address{Name: a.Name, Address: a.Address})
		rcpt = append(rcpt, a.Address)
		seen[strings.ToLower(a.Address)] = true
	}
	var cc []*mail.Address
	if !seen[strings.ToLower(s.cfg.Registrar)] {
		cc = append(cc, &mail.Address{Name: "Registrator", Address: s.cfg.Registrar})
		rcpt = append(rcpt, s.cfg.Registrar)
	}
	msg := &mailmsg.Message{
		Date:      m.Created,
		MessageID: m.MessageID,
		From:      s.from,
		To:        to,
		Cc:        cc,
		ReplyTo:   replyTo(m),
		Subject:   "[" + m.Reference + "] " + m.Subject,
		Extra:     s.extraHeaders(m),
		Body:      s.body(m),
	}
	b, err := msg.Bytes()
	return b, rcpt, err
}

// composeFallback builds the message for the fallback mailbox about a dead
// letter.
func (s *Server) composeFallback(m *outbox.Message) ([]byte, []string, error) {
	reason := "okänt fel"
	if m.Dead != nil {
		reason = m.Dead.Reason
	}
	var to []string
	for _, a := range m.To {
		to = append(to, a.Name+" <"+a.Address+">")
	}
	intro := fmt.Sprintf("DETTA MEDDELANDE KUNDE INTE LEVERERAS och skickas därför till er.\n\nAvsedd mottagare: %s (%s)\nOrsak: %s\n\nVidarebefordra meddelandet till rätt mottagare och registrera det vid behov.\n\n----------------------------------------------------------------\n\n",
		strings.Join(to, ", "), m.RecipientID, reason)
	msg := &mailmsg.Message{
		Date:      m.Created,
		MessageID: "fallback." + m.MessageID,
		From:      s.from,
		To:        []*mail.Address{{Address: s.cfg.Fallback}},
		ReplyTo:   replyTo(m),
		Subject:   "[" + m.Reference + "] EJ LEVERERAT: " + m.Subject,
		Extra:     append(s.extraHeaders(m), mailmsg.Header{Name: "X-Torg-Undelivered", Value: "yes"}),
		Body:      intro + s.body(m),
	}
	b, err := msg.Bytes()
	return b, []string{s.cfg.Fallback}, err
}

func (s *Server) extraHeaders(m *outbox.Message) []mailmsg.Header {
	return []mailmsg.Header{
		{Name: "X-Torg-Reference", Value: m.Reference},
		{Name: "X-Torg-Form", Value: m.Form},
		{Name: "X-Torg-Recipient", Value: m.RecipientID},
	}
}

func (s *Server) body(m *outbox.Message) string {
	var b strings.Builder
	name := m.Name
	if name == "" {
		name = "(inget namn angivet)"
	}
	email := m.Email
	if email == "" {
		email = "(ingen e-postadress angiven – avsändaren kan inte få svar via e-post)"
	}
	fmt.Fprintf(&b, "%s via %s\n\n", formNames[m.Form], s.cfg.SiteName)
	fmt.Fprintf(&b, "Referensnummer: %s\n", m.Reference)
	fmt.Fprintf(&b, "Mottaget: %s\n", m.Created.In(s.loc).Format("2006-01-02 15:04"))
	fmt.Fprintf(&b, "Mottagare: %s (%s)\n", m.RecipientName, m.RecipientID)
	fmt.Fprintf(&b, "Avsändarens namn: %s\n", name)
	fmt.Fprintf(&b, "Avsändarens e-post: %s\n", email)
	if m.Page != "" {
		fmt.Fprintf(&b, "Sidan det gäller: %s\n", m.Page)
	}
	fmt.Fprintf(&b, "Ämne: %s\n\n", m.Subject)
	b.WriteString(m.Body)
	if !strings.HasSuffix(m.Body, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("\n-- \n")
	b.WriteString("Meddelandet kom via webbplatsens formulär och är normalt en allmän handling. En kopia har gått till registrator.\n")
	if m.Email != "" {
		b.WriteString("Svara genom att svara på det här e-brevet; svaret går till avsändarens angivna adress, som inte är kontrollerad.\n")
	}
	return b.String()
}
