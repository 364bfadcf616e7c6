package relay

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/relay/form"
	"github.com/torgsite/torg/internal/relay/outbox"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /skriv/{id}", s.handleForm)
	mux.HandleFunc("POST /skriv/{id}", s.handlePost)
	mux.HandleFunc("GET /tack/{ref}", s.handleThanks)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, http.StatusNotFound, pageData{Title: "Sidan finns inte", Error: &errorView{
			Heading: "Sidan finns inte",
			Text:    []string{"Adressen leder inte till något formulär."},
			LinkURL: s.cfg.SiteURL, LinkText: "Till startsidan",
		}})
	})
	return s.secure(mux)
}

// secure sets the security headers on every response and refuses to set
// cookies by construction (the relay never calls SetCookie).
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.pages.Load().csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// formSpec describes how a form looks and where it goes.
type formSpec struct {
	kind            string
	heading         string
	intro           []string
	subjectRequired bool
	defaultSubject  string
	showPage        bool
	pageLabel       string
	to              []*Recipient
}

// spec decides the form for recipient rec: the accessibility form for the
// accessibility contact, the "fel på sidan" form when asked for (with a
// page), otherwise the ordinary contact form.
func (s *Server) spec(t *Table, rec *Recipient, kind string) formSpec {
	if rec.Kind == KindAccessibility {
		return formSpec{
			kind:    form.KindAccessibility,
			heading: "Rapportera brister i tillgänglighet / begär innehåll i annat format",
			intro: []string{
				"Här kan du berätta om något på webbplatsen som är svårt att använda för dig, eller be att få innehåll i ett annat format, till exempel en pdf som vanlig text eller en film med textning.",
				"Beskriv vilket innehåll det gäller och vad som inte fungerar. Meddelandet går till " + rec.Name + ". Vi svarar om du lämnar en e-postadress.",
				"Om du inte är nöjd med hur vi hanterar dina synpunkter kan du anmäla det till Myndigheten för digital förvaltning (Digg), som är tillsynsmyndighet för lagen om tillgänglighet till digital offentlig service.",
			},
			defaultSubject: "Tillgänglighet",
			showPage:       true,
			pageLabel:      "Sidan eller innehållet det gäller",
			to:             []*Recipient{rec},
		}
	}
	if kind == form.KindPageError {
		var to []*Recipient
		if rec.Kind == KindPerson {
			if u := t.unit(rec.Unit); u != nil {
				to = append(to, u)
			}
			if w := s.webTeam(t); w != nil {
				to = append(to, w)
			}
		}
		if len(to) == 0 {
			to = []*Recipient{rec}
		}
		return formSpec{
			kind:    form.KindPageError,
			heading: "Hittade du ett fel på sidan?",
			intro: []string{
				"Berätta vad som är fel eller saknas, till exempel inaktuella kontaktuppgifter, så att den som ansvarar för sidan kan rätta det.",
				"Meddelandet går till " + names(to) + ".",
			},
			defaultSubject: "Fel på sidan",
			showPage:       true,
			pageLabel:      "Sidan det gäller",
			to:             to,
		}
	}
	heading := "Skriv till " + rec.Name
	intro := []string{"Meddelandet skickas med e-post till " + rec.Name + "."}
	if rec.Title != "" {
		intro[0] = "Meddelandet skickas med e-post till " + rec.Name + ", " + rec.Title + "."
	}
	return formSpec{kind: form.KindContact, heading: heading, intro: intro, subjectRequired: true, to: []*Recipient{rec}}
}

func names(rs []*Recipient) string {
	ns := make([]string, len(rs))
	for i, r := range rs {
		ns[i] = r.Name
	}
	if len(ns) <= 1 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " och " + ns[len(ns)-1]
}

func (s *Server) webTeam(t *Table) *Recipient {
	for _, id := range []string{s.cfg.WebTeam, s.cfg.Accessibility} {
		if r := t.Get(id); id != "" && r != nil {
			return r
		}
	}
	return t.firstOfKind(KindAccessibility)
}

func (s *Server) formPage(rec *Recipient, sp formSpec, f form.Fields, errs []form.FieldError) pageData {
	fv := &formView{
		Action:          "/skriv/" + rec.ID,
		Kind:            sp.kind,
		Heading:         sp.heading,
		Intro:           sp.intro,
		Token:           s.signer.Issue(rec.ID, s.now()),
		PrivacyURL:      s.cfg.PrivacyURL,
		Fields:          f,
		Errors:          form.Errors(errs),
		SubjectRequired: sp.subjectRequired,
		ShowPage:        sp.showPage || f.Page != "",
		PageLabel:       sp.pageLabel,
	}
	if fv.PageLabel == "" {
		fv.PageLabel = fieldLabels[form.FieldPage]
	}
	if fv.Errors[form.FieldPage] != "" {
		fv.ShowPage = true
	}
	for _, e := range errs {
		label := fieldLabels[e.Field]
		if e.Field == form.FieldPage && sp.pageLabel != "" {
			label = sp.pageLabel
		}
		if label == "" {
			continue
		}
		fv.ErrorList = append(fv.ErrorList, errorItem{Field: e.Field, Label: label, Message: e.Message})
	}
	return pageData{Title: sp.heading, Form: fv}
}

func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) {
	t := s.table.Load()
	rec := t.Get(r.PathValue("id"))
	if rec == nil {
		s.notFound(w, "")
		return
	}
	var f form.Fields
	kind := form.KindContact
	if page := r.URL.Query().Get("sida"); page != "" {
		kind = form.KindPageError
		if len(page) <= form.MaxPage && !hasCtl(page) {
			f.Page = page
		}
	}
	sp := s.spec(t, rec, kind)
	f.Subject = sp.defaultSubject
	s.render(w, http.StatusOK, s.formPage(rec, sp, f, nil))
}

func hasCtl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func (s *Server) notFound(w http.ResponseWriter, kept string) {
	ev := &errorView{
		Heading: "Mottagaren finns inte",
		Text:    []string{"Formuläret du försökte använda finns inte längre, eller så är adressen felaktig. Ditt meddelande har inte skickats."},
		Kept:    kept,
	}
	if g := s.table.Load().firstOfKind(KindGeneral); g != nil {
		ev.LinkURL, ev.LinkText = "/skriv/"+g.ID, "Skriv till "+g.Name+" i stället"
	} else {
		ev.LinkURL, ev.LinkText = s.cfg.SiteURL, "Till startsidan"
	}
	s.render(w, http.StatusNotFound, pageData{Title: ev.Heading, Error: ev})
}

func (s *Server) handlePost(w http.ResponseWriter, r *http.Request) {
	if !s.originOK(r) {
		s.m.reject("origin")
		s.log.Warn("post refused", "outcome", "bad_origin", "recipient", r.PathValue("id"))
		s.render(w, http.StatusForbidden, pageData{Title: "Formuläret kunde inte tas emot", Error: &errorView{
			Heading: "Formuläret kunde inte tas emot",
			Text:    []string{"Formuläret skickades inte från webbplatsen. Gå till webbplatsen och använd formuläret där."},
			LinkURL: s.cfg.SiteURL, LinkText: "Till startsidan",
		}})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		s.m.reject("content_type")
		http.Error(w, "Formuläret måste skickas som application/x-www-form-urlencoded.", http.StatusUnsupportedMediaType)
		return
	}
	limit := s.cfg.Limits.BodyBytes
	if r.ContentLength > limit {
		s.tooLarge(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.tooLarge(w)
			return
		}
		s.m.reject("malformed")
		http.Error(w, "Formuläret kunde inte läsas.", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	t := s.table.Load()
	rec := t.Get(id)
	kindReq := r.PostForm.Get(form.FieldKind)
	subjectRequired := true
	var sp formSpec
	if rec != nil {
		sp = s.spec(t, rec, kindReq)
		subjectRequired = sp.subjectRequired
	}
	f, errs := form.Parse(r.PostForm, subjectRequired)

	// Per-client bucket first: a flood from one address is stopped here
	// and never drains the recipient's bucket.
	if ok, wait := s.ipLimit.Allow(s.clientKey(r)); !ok {
		s.m.reject("rate_ip")
		s.log.Warn("post refused", "outcome", "rate_limited_client", "recipient", id)
		w.Header().Set("Retry-After", retryAfter(wait))
		s.busy(w, rec, sp, f, wait)
		return
	}
	if rec == nil {
		s.m.reject("unknown_recipient")
		s.log.Warn("post refused", "outcome", "unknown_recipient")
		s.notFound(w, f.Message)
		return
	}
	if f.Honeypot != "" {
		s.m.reject("honeypot")
		s.log.Warn("post refused", "outcome", "honeypot", "recipient", id)
		f.Honeypot = ""
		s.again(w, http.StatusUnprocessableEntity, rec, sp, f, errs, "Formuläret kunde inte skickas", "Ett dolt kontrollfält var ifyllt, vilket ibland händer när webbläsaren fyller i formulär automatiskt. Kontrollera texten och skicka igen.")
		return
	}
	if err := s.signer.Check(f.Token, rec.ID, s.now(), s.cfg.Limits.MinFill.D(), s.cfg.Limits.MaxAge.D()); err != nil {
		reason, msg := "token_forged", "Formuläret kunde inte kontrolleras. Skicka det igen."
		switch {
		case errors.Is(err, form.ErrTokenTooFast):
			reason, msg = "token_too_fast", "Formuläret skickades väldigt snabbt efter att det visades. Vänta några sekunder och skicka igen."
		case errors.Is(err, form.ErrTokenExpired):
			reason, msg = "token_expired", "Formuläret har varit öppet för länge (mer än ett dygn). Kontrollera texten och skicka igen."
		}
		s.m.reject(reason)
		s.log.Warn("post refused", "outcome", reason, "recipient", id)
		s.again(w, http.StatusUnprocessableEntity, rec, sp, f, errs, "Formuläret har inte skickats", msg)
		return
	}
	if len(errs) > 0 {
		s.m.reject("invalid")
		s.log.Info("post refused", "outcome", "invalid", "recipient", id, "fields", len(errs))
		s.again(w, http.StatusUnprocessableEntity, rec, sp, f, errs, "", "")
		return
	}
	if ok, wait := s.rcptLimit.Allow(rec.ID); !ok {
		s.m.reject("rate_recipient")
		s.log.Warn("post refused", "outcome", "rate_limited_recipient", "recipient", id)
		w.Header().Set("Retry-After", retryAfter(wait))
		s.busy(w, rec, sp, f, wait)
		return
	}

	ref, err := s.accept(rec, sp, f)
	if err != nil {
		s.m.reject("outbox")
		s.log.Error("post not stored", "outcome", "outbox_error", "recipient", id, "err", err)
		w.Header().Set("Retry-After", "60")
		s.again(w, http.StatusServiceUnavailable, rec, sp, f, nil, "Meddelandet kunde inte tas emot just nu",
			"Ett tekniskt fel hindrade oss från att spara meddelandet, så det har inte skickats. Din text finns kvar nedan. Försök igen om en stund.")
		return
	}
	s.m.accepted.Add(1)
	s.log.Info("post accepted", "reference", ref, "recipient", id, "outcome", "accepted")
	select {
	case s.wake <- struct{}{}:
	default:
	}
	http.Redirect(w, r, s.thanksLocation(ref), http.StatusSeeOther)
}

// accept stores the message durably and returns its reference.
func (s *Server) accept(rec *Recipient, sp formSpec, f form.Fields) (string, error) {
	if s.dev != nil {
		return s.dev.accept(s, rec, sp, f)
	}
	ref, err := s.box.NextReference()
	if err != nil {
		return "", err
	}
	now := s.now()
	subject := f.Subject
	if subject == "" {
		subject = sp.defaultSubject
	}
	m := &outbox.Message{
		Reference: ref, MessageID: s.newMessageID(ref), Created: now, Queued: now,
		Form: sp.kind, RecipientID: rec.ID, RecipientName: rec.Name,
		Name: f.Name, Email: f.Email, Subject: subject, Body: f.Message, Page: f.Page,
	}
	seen := map[string]bool{}
	for _, r := range sp.to {
		a := strings.ToLower(r.Address)
		if seen[a] {
			continue
		}
		seen[a] = true
		m.To = append(m.To, outbox.Address{Name: r.Name, Address: r.Address})
	}
	if err := s.box.Put(m); err != nil {
		return "", err
	}
	return ref, nil
}

func (s *Server) again(w http.ResponseWriter, status int, rec *Recipient, sp formSpec, f form.Fields, errs []form.FieldError, heading, msg string) {
	d := s.formPage(rec, sp, f, errs)
	d.Form.StatusHeading, d.Form.Status = heading, msg
	if msg != "" && len(errs) == 0 {
		d.Title = "Fel: " + d.Title
	}
	s.render(w, status, d)
}

func (s *Server) busy(w http.ResponseWriter, rec *Recipient, sp formSpec, f form.Fields, wait time.Duration) {
	msg := fmt.Sprintf("Det har kommit många meddelanden på kort tid, så ditt meddelande har inte skickats. Din text finns kvar. Vänta %s och skicka igen.", humanWait(wait.Minutes()))
	if rec == nil {
		s.render(w, http.StatusTooManyRequests, pageData{Title: "För många meddelanden", Error: &errorView{
			Heading: "För många meddelanden", Text: []string{msg}, Kept: f.Message,
		}})
		return
	}
	s.again(w, http.StatusTooManyRequests, rec, sp, f, nil, "För många meddelanden", msg)
}

func humanWait(min float64) string {
	switch {
	case min <= 1:
		return "en minut"
	case min < 60:
		return fmt.Sprintf("%d minuter", int(min+0.999))
	default:
		return "en stund"
	}
}

func (s *Server) tooLarge(w http.ResponseWriter) {
	s.m.reject("too_large")
	s.log.Warn("post refused", "outcome", "too_large")
	s.render(w, http.StatusRequestEntityTooLarge, pageData{Title: "Meddelandet är för stort", Error: &errorView{
		Heading: "Meddelandet är för stort",
		Text: []string{
			"Formuläret kan ta emot högst 64 kB, ungefär 20 000 tecken text. Ditt meddelande har inte skickats.",
			"Gå tillbaka med webbläsarens bakåtknapp, där finns din text kvar. Korta texten eller dela upp den på flera meddelanden.",
		},
	}})
}

func (s *Server) handleThanks(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if !outbox.ValidReference(ref) {
		s.render(w, http.StatusNotFound, pageData{Title: "Sidan finns inte", Error: &errorView{
			Heading: "Sidan finns inte", Text: []string{"Referensnumret i adressen är inte giltigt."},
			LinkURL: s.cfg.SiteURL, LinkText: "Till startsidan",
		}})
		return
	}
	tv := &thanksView{Reference: ref}
	if s.dev != nil {
		tv.MailboxURL = s.dev.path + "#" + ref
	}
	s.render(w, http.StatusOK, pageData{Title: "Tack för ditt meddelande", Thanks: tv})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.table.Load().Len() == 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "no recipients")
		return
	}
	if _, err := s.box.List(outbox.Queue); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "outbox unreadable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// replyTo returns the citizen's address for Reply-To, or nil.
func replyTo(m *outbox.Message) *mail.Address {
	if m.Email == "" {
		return nil
	}
	return &mail.Address{Name: m.Name, Address: m.Email}
}
