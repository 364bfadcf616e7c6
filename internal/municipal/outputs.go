package municipal

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/feeds"
	"github.com/torgsite/torg/internal/municipal/ical"
	"github.com/torgsite/torg/internal/municipal/vcard"
)

// RecipientsFile is the relay's recipient table, a private output.
const RecipientsFile = "recipients.json"

// Recipient is one row of the relay's recipient table.
type Recipient struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Title   string `json:"title"`
	Address string `json:"address"`
	Kind    string `json:"kind"` // general, person, unit, accessibility
	Unit    string `json:"unit"`
}

// Recipients is the relay's recipient table.
type Recipients struct {
	Version    int         `json:"version"`
	Recipients []Recipient `json:"recipients"`
}

func (st *state) outputs(ctx context.Context) ([]content.Output, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	// Every municipal type's Outputs hook lands here: write once per
	// build. torg serve rebuilds the same Site in place after body-only
	// edits (Site.Generation), and each such build writes them again.
	if st.written && st.writtenGen == st.site.Generation {
		return nil, nil
	}
	st.written, st.writtenGen = true, st.site.Generation
	var out []content.Output
	add := func(path string, data []byte, mt string) {
		out = append(out, content.Output{Path: strings.TrimPrefix(path, "/"), Data: data, MediaType: mt})
	}

	// Calendars.
	if len(st.meetings) > 0 {
		add("/kalender/sammantraden.ics", st.calendar(st.title("meetings")+" – "+st.site.Config.Organisation.Name, st.meetings), "")
		for _, o := range st.organs {
			var ms []*Meeting
			for _, m := range st.meetings {
				if m.Organ == o.Page {
					ms = append(ms, m)
				}
			}
			add(o.CalendarURL, st.calendar(o.Page.Title+" – "+st.site.Config.Organisation.Name, ms), "")
		}
	}
	// vCards.
	for _, x := range st.persons {
		add(x.VCardURL, st.vcard(x), "")
	}
	// Decisions feed.
	if len(st.caseList) > 0 {
		b, err := st.decisionsFeed()
		if err != nil {
			return nil, err
		}
		add(st.decisionsBase()+"atom.xml", b, "application/atom+xml")
	}
	// Open data.
	for _, ds := range st.datasets() {
		j, err := jsonDoc(st, ds)
		if err != nil {
			return nil, err
		}
		add(ds.JSON, j, "application/json")
		c, err := csvDoc(ds)
		if err != nil {
			return nil, err
		}
		add(ds.CSV, c, "")
	}
	pj, err := json.MarshalIndent(st.popolo(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("popolo: %w", err)
	}
	add("/data/popolo.json", append(pj, '\n'), "application/json")

	// The relay's recipient table.
	rb, err := json.MarshalIndent(st.recipients(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	out = append(out, content.Output{Path: RecipientsFile, Data: append(rb, '\n'), Private: true})
	return out, ctx.Err()
}

func (st *state) stamp() time.Time {
	// DTSTAMP and REV use the build's --now, so builds are reproducible.
	return st.site.Now.UTC().Truncate(time.Second)
}

func (st *state) calendar(name string, ms []*Meeting) []byte {
	cfg := st.site.Config
	c := ical.Calendar{ProdID: "-//torg//" + cfg.Organisation.Name + "//SV", Name: name, Zone: cfg.Location}
	for _, m := range ms {
		loc := m.Place
		if m.Address != "" {
			if loc != "" {
				loc += ", "
			}
			loc += m.Address
		}
		desc := m.Page.Description
		if m.Accessibility != "" {
			if desc != "" {
				desc += "\n\n"
			}
			desc += "Tillgänglighet: " + m.Accessibility
		}
		if !m.Public {
			if desc != "" {
				desc += "\n\n"
			}
			desc += "Sammanträdet är inte öppet för allmänheten."
		}
		summary := m.Page.Title
		if m.Cancelled() {
			summary = "INSTÄLLT: " + summary
		}
		c.Events = append(c.Events, ical.Event{UID: m.UID, Start: m.Start, End: m.End, Summary: summary, Description: desc, Location: loc,
			URL: m.Page.Permalink, Cancelled: m.Cancelled(), Stamp: st.stamp()})
	}
	return ical.Write(c)
}

func splitName(full string) (given, family string) {
	f := strings.Fields(full)
	if len(f) < 2 {
		return "", full
	}
	return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
}

func (st *state) vcard(x *Person) []byte {
	cfg := st.site.Config
	given, family := splitName(x.Page.Title)
	org := []string{cfg.Organisation.Name}
	if x.Unit != nil {
		org = append(org, x.Unit.Title)
	}
	c := vcard.Card{UID: x.Page.Permalink, FullName: x.Page.Title, Given: given, Family: family, Title: x.Role, Org: org,
		Email: x.Email, Phone: x.Phone, URL: x.Page.Permalink, Note: x.OfficeHours, Lang: cfg.Language}
	if x.Photo != "" {
		c.Photo = cfg.Absolute(x.Photo)
	}
	if x.Elected() && x.Party != nil {
		c.Categories = []string{x.Party.Title}
	}
	if !x.Page.Lastmod.IsZero() {
		c.Rev = x.Page.Lastmod.UTC().Format("20060102T150405Z")
	}
	return vcard.Write(c)
}

func (st *state) decisionsFeed() ([]byte, error) {
	cfg := st.site.Config
	f := feeds.Feed{ID: cfg.Absolute(st.decisionsBase()), Title: st.title("decisions") + " – " + cfg.Title, Link: cfg.Absolute(st.decisionsBase()),
		Self: cfg.Absolute(st.decisionsBase() + "atom.xml"), Lang: cfg.Language, Author: cfg.Organisation.Name}
	type entry struct {
		it *Item
		m  *Meeting
	}
	var es []entry
	for _, m := range st.meetings {
		for _, it := range m.Items {
			if it.Decision != "" {
				es = append(es, entry{it, m})
			}
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].m.Start.After(es[j].m.Start) })
	if len(es) > 50 {
		es = es[:50]
	}
	for _, e := range es {
		title := e.it.Title
		if e.m.Organ != nil {
			title = e.m.Organ.Title + ": " + title
		}
		if e.it.CaseNumber != "" {
			title += " (" + e.it.CaseNumber + ")"
		}
		up := e.m.MinutesApproved
		if up.IsZero() {
			up = e.m.End
		}
		link := e.m.Page.Permalink + "#" + e.it.Anchor
		sum := e.it.Decision
		if e.it.Outcome != "" {
			sum = strings.ToUpper(e.it.Outcome[:1]) + e.it.Outcome[1:] + ". " + sum
		}
		f.Entries = append(f.Entries, feeds.Entry{ID: link, Title: title, Link: link, Published: e.m.Start, Updated: up, Summary: sum})
	}
	return feeds.Atom(f)
}

func (st *state) recipients() Recipients {
	cfg := st.site.Config
	r := Recipients{Version: 1}
	if cfg.Organisation.Email != "" {
		r.Recipients = append(r.Recipients, Recipient{ID: "kommunen", Name: cfg.Organisation.Name, Title: "Allmänna frågor", Address: cfg.Organisation.Email, Kind: "general"})
	}
	acc := typeSetting(cfg, "unit", "accessibilityEmail")
	if acc == "" {
		acc = cfg.Organisation.Email
	}
	if acc != "" {
		name := typeSetting(cfg, "unit", "accessibilityName")
		if name == "" {
			name = cfg.Organisation.Name
		}
		r.Recipients = append(r.Recipients, Recipient{ID: "tillganglighet", Name: name, Title: "Tillgänglighet på webbplatsen", Address: acc, Kind: "accessibility"})
	}
	units := append([]*Unit(nil), st.units...)
	sort.SliceStable(units, func(i, j int) bool { return units[i].RecipientID() < units[j].RecipientID() })
	for _, u := range units {
		if u.Email == "" {
			continue
		}
		r.Recipients = append(r.Recipients, Recipient{ID: u.RecipientID(), Name: u.Page.Title, Title: u.Page.Description, Address: u.Email, Kind: "unit", Unit: u.Page.Title})
	}
	persons := append([]*Person(nil), st.persons...)
	sort.SliceStable(persons, func(i, j int) bool { return persons[i].RecipientID() < persons[j].RecipientID() })
	for _, x := range persons {
		if !x.ContactForm || x.Email == "" {
			continue
		}
		unit := ""
		if x.Unit != nil {
			unit = x.Unit.Title
		}
		r.Recipients = append(r.Recipients, Recipient{ID: x.RecipientID(), Name: x.Page.Title, Title: x.Role, Address: x.Email, Kind: "person", Unit: unit})
	}
	return r
}

// table is an open data set's rows.
type table struct {
	*Dataset
	Header []string
	Rows   [][]string
}

func isoDay(t time.Time, st *state) string {
	if t.IsZero() {
		return ""
	}
	return t.In(st.site.Config.Location).Format("2006-01-02")
}

func isoTime(t time.Time, st *state) string {
	if t.IsZero() {
		return ""
	}
	return t.In(st.site.Config.Location).Format(time.RFC3339)
}

func title(p *content.Page) string {
	if p == nil {
		return ""
	}
	return p.Title
}

func pid(p *content.Page) string {
	if p == nil {
		return ""
	}
	return p.ID()
}

func (st *state) datasets() []*table {
	cfg := st.site.Config
	abs := func(p *content.Page) string { return cfg.Absolute(p.URL) }
	ds := func(name, t, desc string) *Dataset {
		return &Dataset{Name: name, Title: t, Description: desc, JSON: "/data/" + name + ".json", CSV: "/data/" + name + ".csv"}
	}
	var out []*table

	people := &table{Dataset: ds("personer", "Förtroendevalda och medarbetare", "Namn, uppdrag eller befattning, parti, enhet och kontaktuppgifter."),
		Header: []string{"id", "name", "kind", "role", "party", "unit", "email", "phone", "url"}}
	for _, x := range st.persons {
		people.Rows = append(people.Rows, []string{x.Page.ID(), x.Page.Title, x.Kind, x.Role, title(x.Party), title(x.Unit), x.Email, x.Phone, abs(x.Page)})
	}
	out = append(out, people)

	organs := &table{Dataset: ds("organ", "Organ", "Fullmäktige, styrelse, nämnder, utskott och bolag med ordförande och antal platser."),
		Header: []string{"id", "name", "kind", "abbreviation", "parent", "seats", "chair", "url"}}
	for _, o := range st.sortedOrgans() {
		chair := ""
		if o.Chair != nil {
			chair = o.Chair.Person.Title
		}
		organs.Rows = append(organs.Rows, []string{o.Page.ID(), o.Page.Title, o.Kind, o.Abbreviation, pid(o.Parent), strconv.Itoa(o.Seats), chair, abs(o.Page)})
	}
	out = append(out, organs)

	meetings := &table{Dataset: ds("sammantraden", "Sammanträden", "Tid, plats och status för sammanträden, med datum för kallelse och justering."),
		Header: []string{"id", "organ", "start", "end", "place", "status", "public", "notice_date", "minutes_approved", "url"}}
	for _, m := range st.meetings {
		meetings.Rows = append(meetings.Rows, []string{m.Page.ID(), pid(m.Organ), isoTime(m.Start, st), isoTime(m.End, st), m.Place, m.Status, strconv.FormatBool(m.Public), isoDay(m.NoticeDate, st), isoDay(m.MinutesApproved, st), abs(m.Page)})
	}
	out = append(out, meetings)

	decisions := &table{Dataset: ds("beslut", "Beslut", "Ärenden med beslut: diarienummer, sammanträde, beslutstext och utfall."),
		Header: []string{"case_number", "title", "organ", "meeting", "date", "item", "decision", "outcome", "url"}}
	for _, m := range st.meetings {
		for _, it := range m.Items {
			if it.Decision == "" {
				continue
			}
			decisions.Rows = append(decisions.Rows, []string{it.CaseNumber, it.Title, pid(m.Organ), m.Page.ID(), isoDay(m.Start, st), it.Number, it.Decision, it.Outcome, cfg.Absolute(m.Page.URL) + "#" + it.Anchor})
		}
	}
	out = append(out, decisions)

	notices := &table{Dataset: ds("anslag", "Anslag", "Anslag på den officiella anslagstavlan, med datum för uppsättning och nedtagning."),
		Header: []string{"id", "title", "kind", "organ", "meeting", "posted", "take_down", "current", "url"}}
	for _, n := range st.notices {
		if n.Posted.After(st.site.Now) {
			continue
		}
		notices.Rows = append(notices.Rows, []string{n.Page.ID(), n.Page.Title, n.Kind, pid(n.Organ), pid(n.Meeting), isoDay(n.Posted, st), isoDay(n.TakeDown, st), strconv.FormatBool(n.Current), abs(n.Page)})
	}
	out = append(out, notices)

	services := &table{Dataset: ds("tjanster", "Tjänster", "Kommunens tjänster med kategori, kostnad, handläggningstid, e-tjänst och kontakt."),
		Header: []string{"id", "name", "categories", "cost", "processing_time", "e_service", "contact", "url"}}
	sorted := append([]*Service(nil), st.services...)
	sort.SliceStable(sorted, func(i, j int) bool { return content.CompareSwedish(sorted[i].Page.Title, sorted[j].Page.Title) < 0 })
	for _, x := range sorted {
		var cats []string
		for _, c := range x.Categories {
			cats = append(cats, c.Name)
		}
		services.Rows = append(services.Rows, []string{x.Page.ID(), x.Page.Title, strings.Join(cats, "; "), x.Cost, x.ProcessingTime, x.EService, pid(x.Contact), abs(x.Page)})
	}
	out = append(out, services)

	regs := &table{Dataset: ds("forfattningar", "Författningssamling", "Lokala föreskrifter med nummer, beslutande organ och datum för ikraftträdande."),
		Header: []string{"number", "title", "decided_by", "decided", "in_force", "url"}}
	for _, r := range st.regs {
		regs.Rows = append(regs.Rows, []string{r.Number, r.Page.Title, pid(r.DecidedBy), isoDay(r.Decided, st), isoDay(r.InForce, st), abs(r.Page)})
	}
	out = append(out, regs)
	for _, t := range out {
		t.Records = len(t.Rows)
	}
	return out
}

// licence returns the open data licence: [types.opendata] licence, else CC0.
func (st *state) licence() (string, string) {
	name := typeSetting(st.site.Config, "opendata", "licence")
	u := typeSetting(st.site.Config, "opendata", "licenceURL")
	if name == "" {
		name, u = "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.sv"
	}
	return name, u
}

func jsonDoc(st *state, t *table) ([]byte, error) {
	var items []map[string]string
	for _, r := range t.Rows {
		m := map[string]string{}
		for i, h := range t.Header {
			m[h] = r[i]
		}
		items = append(items, m)
	}
	if items == nil {
		items = []map[string]string{}
	}
	lic, licURL := st.licence()
	doc := struct {
		Title      string              `json:"title"`
		Publisher  string              `json:"publisher"`
		Licence    string              `json:"licence"`
		LicenceURL string              `json:"licence_url,omitempty"`
		Source     string              `json:"source"`
		Fields     []string            `json:"fields"`
		Items      []map[string]string `json:"items"`
	}{t.Title, st.site.Config.Organisation.Name, lic, licURL, st.site.Config.Absolute("/data/"), t.Header, items}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.JSON, err)
	}
	return append(b, '\n'), nil
}

// csvDoc writes RFC 4180 CSV: a header row, CRLF line endings.
func csvDoc(t *table) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(t.Header); err != nil {
		return nil, err
	}
	if err := w.WriteAll(t.Rows); err != nil {
		return nil, fmt.Errorf("%s: %w", t.CSV, err)
	}
	return b.Bytes(), nil
}

func (st *state) openData(p *content.Page) *OpenData {
	d := &OpenData{Page: p}
	d.site, d.page = st.site, p
	d.Licence, d.LicenceURL = st.licence()
	for _, t := range st.datasets() {
		d.Datasets = append(d.Datasets, t.Dataset)
	}
	return d
}

// Popolo (https://www.popoloproject.com/) documents.
type popoloDoc struct {
	Persons       []popoloPerson `json:"persons"`
	Organizations []popoloOrg    `json:"organizations"`
	Posts         []popoloPost   `json:"posts"`
	Memberships   []popoloMember `json:"memberships"`
}

type popoloContact struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type popoloLink struct {
	URL  string `json:"url"`
	Note string `json:"note,omitempty"`
}

type popoloPerson struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	GivenName      string          `json:"given_name,omitempty"`
	FamilyName     string          `json:"family_name,omitempty"`
	Email          string          `json:"email,omitempty"`
	Image          string          `json:"image,omitempty"`
	ContactDetails []popoloContact `json:"contact_details,omitempty"`
	Links          []popoloLink    `json:"links,omitempty"`
}

type popoloOrg struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	Classification string       `json:"classification"`
	ParentID       string       `json:"parent_id,omitempty"`
	Abbreviation   string       `json:"abbreviation,omitempty"`
	Links          []popoloLink `json:"links,omitempty"`
}

type popoloPost struct {
	ID             string `json:"id"`
	Label          string `json:"label"`
	Role           string `json:"role"`
	OrganizationID string `json:"organization_id"`
}

type popoloMember struct {
	ID             string `json:"id"`
	PersonID       string `json:"person_id"`
	OrganizationID string `json:"organization_id"`
	PostID         string `json:"post_id,omitempty"`
	Role           string `json:"role,omitempty"`
	OnBehalfOfID   string `json:"on_behalf_of_id,omitempty"`
	StartDate      string `json:"start_date,omitempty"`
	EndDate        string `json:"end_date,omitempty"`
}

func (st *state) popolo() popoloDoc {
	cfg := st.site.Config
	doc := popoloDoc{Persons: []popoloPerson{}, Organizations: []popoloOrg{}, Posts: []popoloPost{}, Memberships: []popoloMember{}}
	for _, o := range st.sortedOrgans() {
		doc.Organizations = append(doc.Organizations, popoloOrg{ID: o.Page.ID(), Name: o.Page.Title, Classification: o.Kind, ParentID: pid(o.Parent), Abbreviation: o.Abbreviation, Links: []popoloLink{{URL: o.Page.Permalink}}})
		for _, post := range o.Posts {
			doc.Posts = append(doc.Posts, popoloPost{ID: o.Page.ID() + "/" + slugPost(post), Label: post + ", " + o.Page.Title, Role: post, OrganizationID: o.Page.ID()})
		}
	}
	for _, pa := range st.sortedParties() {
		o := popoloOrg{ID: pa.Page.ID(), Name: pa.Page.Title, Classification: "party", Abbreviation: pa.Abbreviation, Links: []popoloLink{{URL: pa.Page.Permalink}}}
		if pa.Website != "" {
			o.Links = append(o.Links, popoloLink{URL: pa.Website, Note: "website"})
		}
		doc.Organizations = append(doc.Organizations, o)
	}
	for _, x := range st.persons {
		if !x.Elected() {
			continue
		}
		given, family := splitName(x.Page.Title)
		pp := popoloPerson{ID: x.Page.ID(), Name: x.Page.Title, GivenName: given, FamilyName: family, Email: x.Email, Links: []popoloLink{{URL: x.Page.Permalink}}}
		if x.Photo != "" {
			pp.Image = cfg.Absolute(x.Photo)
		}
		if x.Phone != "" {
			pp.ContactDetails = append(pp.ContactDetails, popoloContact{Type: "voice", Value: x.Phone})
		}
		doc.Persons = append(doc.Persons, pp)
		for i, m := range x.Memberships {
			if m.Organ == nil {
				continue
			}
			pm := popoloMember{ID: x.Page.ID() + "/" + strconv.Itoa(i+1), PersonID: x.Page.ID(), OrganizationID: m.Organ.ID(), PostID: m.Organ.ID() + "/" + slugPost(m.Role), Role: m.Role,
				OnBehalfOfID: pid(x.Party), StartDate: isoDay(m.From, st), EndDate: isoDay(m.To, st)}
			doc.Memberships = append(doc.Memberships, pm)
		}
		if x.Party != nil {
			doc.Memberships = append(doc.Memberships, popoloMember{ID: x.Page.ID() + "/parti", PersonID: x.Page.ID(), OrganizationID: x.Party.ID(), Role: "member"})
		}
	}
	return doc
}

func slugPost(s string) string { return strings.ReplaceAll(strings.ToLower(foldKey(s)), " ", "-") }
