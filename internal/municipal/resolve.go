package municipal

import (
	"context"
	"fmt"
	"mime"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
	"github.com/torgsite/torg/internal/urlpath"
)

// state is the municipal model of one site build.
type state struct {
	site *content.Site

	mu                       sync.Mutex
	resolved, paged, written bool
	writtenGen               int // the Site.Generation written

	persons  []*Person
	organs   []*Organ
	parties  []*Party
	units    []*Unit
	meetings []*Meeting
	notices  []*Notice
	regs     []*Regulation
	services []*Service
	news     []*News

	cases      map[string]*Case
	caseList   []*Case
	unitByName map[string]*Unit

	decisionsURL string
	boardURL     string
}

// Case is everything decided under one case number (diarienummer), for
// the decision page.
type Case struct {
	Number string
	Slug   string
	URL    string
	Title  string
	Items  []*Item // in meeting order
	Page   *content.Page
}

// Latest returns the case's latest item.
func (c *Case) Latest() *Item { return c.Items[len(c.Items)-1] }

var states sync.Map // weak.Pointer[content.Site] → *state

func stateOf(s *content.Site) *state {
	k := weak.Make(s)
	if v, ok := states.Load(k); ok {
		return v.(*state)
	}
	v, loaded := states.LoadOrStore(k, &state{site: s})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[content.Site]) { states.Delete(k) }, k)
	}
	return v.(*state)
}

// typeSetting returns [types.<name>] key from torg.toml as text.
func typeSetting(cfg *config.Config, typ, key string) string {
	if m := cfg.Types[typ]; m != nil {
		if s, ok := m[key].(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func typeInt(cfg *config.Config, typ, key string) int {
	if m := cfg.Types[typ]; m != nil {
		if n, ok := m[key].(int64); ok {
			return int(n)
		}
	}
	return 0
}

// day returns t's calendar day in loc, as midnight.
func day(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

func (st *state) resolve(ctx context.Context) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.resolved {
		return nil
	}
	st.resolved = true
	s := st.site
	cfg := s.Config
	now := s.Now
	errs := &diag.List{}
	st.cases = map[string]*Case{}
	st.unitByName = map[string]*Unit{}

	for _, p := range s.Pages {
		if p.Kind != content.KindPage {
			continue
		}
		switch x := p.Data.(type) {
		case *Person:
			x.site, x.Current, x.Past = s, nil, nil
			st.persons = append(st.persons, x)
		case *Organ:
			x.site = s
			x.Groups, x.Chair, x.Former, x.Upcoming, x.Held, x.Children, x.Seating, x.SeatsFilled = nil, nil, nil, nil, nil, nil, nil, 0
			st.organs = append(st.organs, x)
		case *Party:
			x.site, x.Members, x.Seats = s, nil, 0
			st.parties = append(st.parties, x)
		case *Unit:
			x.site, x.Staff, x.Services = s, nil, nil
			st.units = append(st.units, x)
			st.unitByName[foldKey(p.Title)] = x
		case *Meeting:
			x.site = s
			st.meetings = append(st.meetings, x)
		case *Notice:
			x.site = s
			st.notices = append(st.notices, x)
		case *Regulation:
			x.site = s
			st.regs = append(st.regs, x)
		case *Service:
			x.site = s
			st.services = append(st.services, x)
		case *News:
			x.site = s
			st.news = append(st.news, x)
		}
	}

	email := func(r ref) {
		if err := checkEmail(r.ID, cfg.EmailDomains); err != nil {
			errs.Add(r.errorf("%v", err))
		}
	}
	if err := checkEmail(cfg.Organisation.Email, cfg.EmailDomains); err != nil {
		errs.Add(diag.Errorf(config.FileName, 0, 0, "organisation.email: %v", err))
	}
	if a := typeSetting(cfg, "unit", "accessibilityEmail"); a != "" {
		if err := checkEmail(a, cfg.EmailDomains); err != nil {
			errs.Add(diag.Errorf(config.FileName, 0, 0, "types.unit.accessibilityEmail: %v", err))
		}
	}

	for _, u := range st.units {
		email(u.emailAt)
	}
	for _, o := range st.organs {
		email(o.emailAt)
		o.Parent = st.lookup(o.parentRef, errs, "organ")
		o.Contact = st.lookup(o.contactRef, errs, "person", "unit")
		for _, d := range o.Documents {
			st.resolveDoc(d, o.Page, errs)
		}
		o.CalendarURL = "/kalender/" + o.Page.ID() + ".ics"
	}
	for _, o := range st.organs {
		if o.Parent != nil {
			po := o.Parent.Data.(*Organ)
			po.Children = append(po.Children, o.Page)
		}
	}

	reviewMonths := typeInt(cfg, "person", "reviewMonths")
	if reviewMonths <= 0 {
		reviewMonths = cfg.ReviewMonths
	}
	for _, x := range st.persons {
		p := x.Page
		email(x.emailAt)
		x.Party = st.lookup(x.partyRef, errs, "party")
		x.Unit = st.lookup(x.unitRef, errs, "unit")
		x.Photo = st.resolveImage(x.photoRef, p, errs)
		x.VCardURL = p.URL + p.ID() + ".vcf"
		if x.Kind == KindStaff && x.Unit != nil {
			u := x.Unit.Data.(*Unit)
			u.Staff = append(u.Staff, p)
		}
		for _, m := range x.Memberships {
			m.Organ = st.lookup(m.organRef, errs, "organ")
			if m.Organ == nil {
				continue
			}
			o := m.Organ.Data.(*Organ)
			if !contains(o.Posts, m.Role) {
				pos, label := m.rolePos()
				errs.Add(diag.Errorf(p.File, pos.Line, pos.Col, "%s: %q is not a post in %s (posts: %s)", label, m.Role, m.Organ.Title, strings.Join(o.Posts, ", ")))
			}
			switch {
			case !m.To.IsZero() && day(m.To, cfg.Location).Before(day(now, cfg.Location)):
				x.Past = append(x.Past, m)
				o.Former = append(o.Former, m)
			case m.From.IsZero() || !m.From.After(now):
				x.Current = append(x.Current, m)
			}
		}
		sort.SliceStable(x.Past, func(i, j int) bool { return x.Past[i].To.After(x.Past[j].To) })
		// Freshness: contact details go stale; the owner is told.
		limit := now.AddDate(0, -reviewMonths, 0)
		owner := p.Owner
		if owner == "" {
			owner = "nobody (add owner)"
		}
		switch {
		case p.Reviewed.IsZero():
			s.Diags.Add(diag.Warnf(p.File, 1, 1, "reviewed: missing: contact details must be checked at least every %d months; owner: %s", reviewMonths, owner))
		case p.Reviewed.Before(limit):
			s.Diags.Add(diag.Warnf(p.File, x.reviewedPos.Line, x.reviewedPos.Col, "reviewed: last reviewed %s, more than %d months ago: %s (owner) should check the contact details", p.Reviewed.In(cfg.Location).Format("2006-01-02"), reviewMonths, owner))
		}
	}

	// Organs: members by post, chair, seats.
	for _, o := range st.organs {
		byRole := map[string][]*Membership{}
		for _, x := range st.persons {
			for _, m := range x.Current {
				if m.Organ == o.Page {
					byRole[m.Role] = append(byRole[m.Role], m)
				}
			}
		}
		for _, role := range o.Posts {
			ms := byRole[role]
			if len(ms) == 0 {
				continue
			}
			sortMemberships(ms)
			o.Groups = append(o.Groups, &RoleGroup{Role: role, Members: ms})
			if role == "ordförande" && o.Chair == nil {
				o.Chair = ms[0]
			}
		}
		sort.SliceStable(o.Former, func(i, j int) bool { return o.Former[i].To.After(o.Former[j].To) })
		if o.IsCouncil() {
			seats := map[*content.Page]int{}
			for role, ms := range byRole {
				if role == "ersättare" {
					continue
				}
				for _, m := range ms {
					seats[m.PersonData().Party]++
					o.SeatsFilled++
				}
			}
			for party, n := range seats {
				o.Seating = append(o.Seating, &PartySeats{Party: party, Seats: n})
				if party != nil {
					party.Data.(*Party).Seats += n
				}
			}
			sort.Slice(o.Seating, func(i, j int) bool {
				a, b := o.Seating[i], o.Seating[j]
				if a.Seats != b.Seats {
					return a.Seats > b.Seats
				}
				if a.Party == nil || b.Party == nil {
					return b.Party == nil
				}
				return content.CompareSwedish(a.Party.Title, b.Party.Title) < 0
			})
			if o.Seats > 0 && o.SeatsFilled != o.Seats {
				s.Diags.Add(diag.Warnf(o.Page.File, 0, 0, "seats: %s has %d seats but %d current ledamöter (check the memberships' from and to dates)", o.Page.Title, o.Seats, o.SeatsFilled))
			}
		}
	}
	for _, pa := range st.parties {
		for _, x := range st.persons {
			if x.Party == pa.Page && len(x.Current) > 0 {
				pa.Members = append(pa.Members, x.Page)
			}
		}
		sortBySurname(pa.Members)
	}
	for _, u := range st.units {
		sortBySurname(u.Staff)
	}

	// Meetings.
	host := ""
	if cfg.Base != nil {
		host = cfg.Base.Hostname()
	}
	sort.SliceStable(st.meetings, func(i, j int) bool { return st.meetings[i].Start.Before(st.meetings[j].Start) })
	for _, m := range st.meetings {
		m.Organ = st.lookup(m.organRef, errs, "organ")
		m.UID = m.Page.ID() + "@" + host
		m.Upcoming = m.End.After(now)
		for _, d := range m.Documents {
			st.resolveDoc(d, m.Page, errs)
		}
		if m.Minutes != nil {
			st.resolveDoc(m.Minutes, m.Page, errs)
			if m.Minutes.Title == "" {
				m.Minutes.Title = "Protokoll"
			}
		}
		for _, it := range m.Items {
			for _, d := range it.Documents {
				st.resolveDoc(d, m.Page, errs)
			}
		}
		if m.Organ != nil {
			o := m.Organ.Data.(*Organ)
			if m.Upcoming {
				o.Upcoming = append(o.Upcoming, m.Page)
			} else {
				o.Held = append([]*content.Page{m.Page}, o.Held...)
			}
		}
	}
	// Cases: decided items by case number, for decision pages.
	decisions := st.decisionsBase()
	for _, m := range st.meetings {
		for _, it := range m.Items {
			if it.CaseNumber == "" {
				continue
			}
			slug := urlpath.Slugify(it.CaseNumber)
			c := st.cases[slug]
			if c == nil {
				c = &Case{Number: it.CaseNumber, Slug: slug, URL: decisions + slug + "/"}
				st.cases[slug] = c
				st.caseList = append(st.caseList, c)
			}
			c.Items = append(c.Items, it)
			c.Title = it.Title
			it.CaseURL = c.URL
		}
	}
	sort.SliceStable(st.caseList, func(i, j int) bool {
		return st.caseList[i].Latest().MeetingData().Start.After(st.caseList[j].Latest().MeetingData().Start)
	})

	// Notices.
	today := day(now, cfg.Location)
	for _, n := range st.notices {
		n.Organ = st.lookup(n.organRef, errs, "organ")
		n.Meeting = st.lookup(n.meetingRef, errs, "meeting")
		if n.Document != nil {
			st.resolveDoc(n.Document, n.Page, errs)
		}
		if n.AppealText == "" {
			n.AppealText = appealText(cfg, n.Appeal)
		}
		n.Current = !day(n.Posted, cfg.Location).After(today) && today.Before(day(n.TakeDown, cfg.Location))
		if n.Kind == "kungörelse" && n.Meeting != nil {
			mt := n.Meeting.Data.(*Meeting)
			if mt.Organ != nil && mt.OrganData().IsCouncil() {
				days := int(day(mt.Start, cfg.Location).Sub(day(n.Posted, cfg.Location)).Hours() / 24)
				if days < 7 {
					s.Diags.Add(diag.Warnf(n.Page.File, n.postedPos.Line, n.postedPos.Col, "posted: a kungörelse of a kommunfullmäktige meeting must be posted at least a week before the meeting (kommunallagen 5 kap. 55 §); %s is %d days before %s", n.Posted.In(cfg.Location).Format("2006-01-02"), days, mt.Start.In(cfg.Location).Format("2006-01-02")))
				}
			}
		}
	}
	sort.SliceStable(st.notices, func(i, j int) bool { return st.notices[i].Posted.After(st.notices[j].Posted) })

	// Regulations.
	seenNumber := map[string]*Regulation{}
	for _, r := range st.regs {
		r.DecidedBy = st.lookup(r.decidedByRef, errs, "organ")
		if r.Document != nil {
			st.resolveDoc(r.Document, r.Page, errs)
		}
		if prev, dup := seenNumber[r.Number]; dup && r.Number != "" {
			errs.Add(diag.Errorf(r.Page.File, 0, 0, "number: %s is also the number of %s", r.Number, prev.Page.File))
		}
		seenNumber[r.Number] = r
	}
	sort.SliceStable(st.regs, func(i, j int) bool {
		a, b := st.regs[i], st.regs[j]
		if a.Year != b.Year {
			return a.Year > b.Year
		}
		return a.Seq > b.Seq
	})

	// Services.
	base := st.servicesBase()
	for _, x := range st.services {
		x.Contact = st.lookup(x.contactRef, errs, "person", "unit")
		if u := x.ContactUnit(); u != nil {
			u.Services = append(u.Services, x.Page)
		}
		x.Related = nil
		for _, r := range x.relatedRefs {
			if p := st.lookup(r, errs, "service"); p != nil {
				x.Related = append(x.Related, p)
			}
		}
		for _, c := range x.Categories {
			c.URL = base + "kategori/" + c.Slug + "/"
		}
	}
	for _, n := range st.news {
		n.Image = st.resolveImage(n.imageRef, n.Page, errs)
	}

	// Page owners are units: the theme's "Hittade du ett fel på sidan?"
	// link writes to enhet-<owner>, so an owner without a unit would send
	// messages nowhere.
	if cfg.Relay.URL != "" && len(st.units) > 0 {
		for _, p := range s.Pages {
			if p.Owner != "" && p.File != "" && st.unitByName[foldKey(p.Owner)] == nil {
				s.Diags.Add(diag.Warnf(p.File, 0, 0, "owner: %q is not the title of a unit page, so messages from the page's \"Hittade du ett fel på sidan?\" link cannot be delivered", p.Owner))
			}
		}
	}
	return errs.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func surnameKey(p *content.Page) string {
	f := strings.Fields(p.Title)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1] + " " + p.Title
}

func sortBySurname(ps []*content.Page) {
	sort.SliceStable(ps, func(i, j int) bool { return content.CompareSwedish(surnameKey(ps[i]), surnameKey(ps[j])) < 0 })
}

func sortMemberships(ms []*Membership) {
	sort.SliceStable(ms, func(i, j int) bool {
		return content.CompareSwedish(surnameKey(ms[i].Person), surnameKey(ms[j].Person)) < 0
	})
}

var typeNames = map[string]string{
	"person": "a person", "organ": "an organ", "party": "a party", "unit": "a unit", "meeting": "a meeting",
	"notice": "a notice", "regulation": "a regulation", "service": "a service", "news": "a news item", "page": "a page",
}

func typeName(t string) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "a " + t
}

// lookup resolves a reference to a page of one of the wanted types (any
// type when none is given), reporting a missing or wrong-type page.
func (st *state) lookup(r ref, errs *diag.List, want ...string) *content.Page {
	if r.ID == "" {
		return nil
	}
	p, err := st.site.Lookup(r.ID)
	if err != nil {
		msg := err.Error()
		if _, ok := st.site.ByID[r.ID]; !ok && !strings.Contains(msg, "ambiguous") {
			var ids []string
			for _, q := range st.site.Pages {
				if q.Kind == content.KindPage && (len(want) == 0 || contains(want, q.Type)) {
					ids = append(ids, q.ID())
				}
			}
			if sg := config.Suggest(r.ID, ids); sg != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sg)
			}
		}
		errs.Add(r.errorf("%s", msg))
		return nil
	}
	if len(want) > 0 && (!contains(want, p.Type) || p.Kind != content.KindPage || p.Data == nil) {
		var ws []string
		for _, w := range want {
			ws = append(ws, typeName(w))
		}
		what := typeName(p.Type)
		if p.Kind == content.KindSection {
			what = "a section"
		}
		errs.Add(r.errorf("%q is %s (%s), not %s", r.ID, what, p.File, strings.Join(ws, " or ")))
		return nil
	}
	return p
}

// resolveDoc fills in a document's URL, format and size.
func (st *state) resolveDoc(d *Document, owner *content.Page, errs *diag.List) {
	switch {
	case d.file != "":
		for _, r := range owner.Resources {
			if r.Name == d.file {
				d.URL, d.Size, d.MediaType = r.URL, r.Size, r.MediaType
				if d.Format == "" {
					d.Format = formatOf(r.MediaType, r.Name)
				}
				return
			}
		}
		var names []string
		for _, r := range owner.Resources {
			names = append(names, r.Name)
		}
		msg := fmt.Sprintf("no file %q beside this page", d.file)
		if sg := config.Suggest(d.file, names); sg != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", sg)
		} else if !strings.HasSuffix(owner.File, "/index.md") {
			msg += " (files go beside the page in a page bundle: make the page a folder with index.md and put the file in it)"
		}
		errs.Add(d.fileRef.errorf("%s", msg))
	case d.pageRef.ID != "":
		p := st.lookup(d.pageRef, errs)
		if p == nil {
			return
		}
		d.Page, d.URL = p, p.URL
		if d.Title == "" {
			d.Title = p.Title
		}
	case d.External:
		if d.Format == "" {
			u := d.URL
			if i := strings.IndexAny(u, "?#"); i >= 0 {
				u = u[:i]
			}
			if ext := path.Ext(u); ext != "" {
				d.MediaType = mime.TypeByExtension(ext)
				d.Format = formatOf(d.MediaType, u)
			}
		}
	}
}

// resolveImage resolves a photo or image: a file beside the page, or a
// site path ("/bilder/x.jpg").
func (st *state) resolveImage(r ref, owner *content.Page, errs *diag.List) string {
	if r.ID == "" {
		return ""
	}
	if strings.HasPrefix(r.ID, "/") {
		return r.ID
	}
	for _, res := range owner.Resources {
		if res.Name == r.ID {
			return res.URL
		}
	}
	errs.Add(r.errorf("no file %q beside this page (put it in the page's bundle folder, or give a site path such as /bilder/%s)", r.ID, r.ID))
	return ""
}

// formatOf names a document format for people ("PDF").
func formatOf(mediaType, name string) string {
	switch {
	case mediaType == "application/pdf":
		return "PDF"
	case strings.Contains(mediaType, "wordprocessingml"), mediaType == "application/msword":
		return "Word"
	case strings.Contains(mediaType, "spreadsheetml"), mediaType == "application/vnd.ms-excel":
		return "Excel"
	case strings.Contains(mediaType, "presentationml"):
		return "PowerPoint"
	case strings.Contains(mediaType, "opendocument.text"):
		return "ODT"
	case strings.Contains(mediaType, "opendocument.spreadsheet"):
		return "ODS"
	case strings.HasPrefix(mediaType, "text/csv"):
		return "CSV"
	case strings.HasPrefix(mediaType, "image/"):
		return strings.ToUpper(strings.TrimPrefix(path.Ext(name), "."))
	}
	if ext := path.Ext(name); ext != "" && len(ext) <= 5 {
		return strings.ToUpper(ext[1:])
	}
	return ""
}

func unitRecipientID(name string) string { return "enhet-" + urlpath.Slugify(name) }

// Default appeal texts, used unless [types.notice] in torg.toml sets
// laglighetsprovning or forvaltningsbesvar.
const (
	defaultLaglighet = "Alla som är medlemmar i kommunen kan överklaga beslutet genom laglighetsprövning enligt 13 kap. kommunallagen. Överklagandet ska ha kommit in till förvaltningsrätten inom tre veckor från den dag då det tillkännagavs på kommunens anslagstavla att protokollet har justerats. Skriv vilket beslut du överklagar och varför du anser att beslutet är olagligt. Skicka överklagandet till Förvaltningsrätten i Jönköping, Box 2201, 550 02 Jönköping."
	defaultBesvar    = "Du som berörs av beslutet kan överklaga det genom förvaltningsbesvär. Skicka ditt överklagande till kommunen inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar, hur du vill att beslutet ska ändras och varför. Kommunen prövar om överklagandet har kommit in i rätt tid och skickar det sedan vidare till den myndighet som prövar det."
)

func appealText(cfg *config.Config, kind string) string {
	switch kind {
	case "laglighetsprövning":
		if t := typeSetting(cfg, "notice", "laglighetsprovning"); t != "" {
			return t
		}
		return defaultLaglighet
	case "förvaltningsbesvär":
		if t := typeSetting(cfg, "notice", "forvaltningsbesvar"); t != "" {
			return t
		}
		return defaultBesvar
	}
	return ""
}

// registerOf returns the section page that is the register of a type
// (an _index.md with that type), or nil.
func (st *state) registerOf(typ string) *content.Page {
	for _, p := range st.site.Pages {
		if p.Kind == content.KindSection && p.Type == typ {
			return p
		}
	}
	return nil
}

// decisionsBase is the URL under which decision pages live: [types.meeting]
// decisionsURL, else "beslut/" beside the meetings register.
func (st *state) decisionsBase() string {
	if st.decisionsURL != "" {
		return st.decisionsURL
	}
	u := typeSetting(st.site.Config, "meeting", "decisionsURL")
	if u == "" {
		u = "/beslut/"
		if reg := st.registerOf("meeting"); reg != nil && reg.Parent != nil && !reg.Parent.IsHome() {
			u = reg.Parent.URL + "beslut/"
		}
	}
	st.decisionsURL = urlpath.Clean("/" + strings.Trim(u, "/") + "/")
	return st.decisionsURL
}

// servicesBase is the URL of the services' top section ("/tjanster/").
func (st *state) servicesBase() string {
	if u := typeSetting(st.site.Config, "service", "url"); u != "" {
		return urlpath.Clean("/" + strings.Trim(u, "/") + "/")
	}
	for _, x := range st.services {
		if x.Page.Section != "" {
			return "/" + urlpath.Slugify(x.Page.Section) + "/"
		}
	}
	return "/tjanster/"
}
