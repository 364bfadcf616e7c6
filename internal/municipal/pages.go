package municipal

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/torgsite/torg/internal/content"
)

// PersonDirectory is the Data of a person register (a section with
// type: person): "Förtroendevalda" and the staff directory.
type PersonDirectory struct {
	register
	Page *content.Page
	// Elected lists the elected officials of the section; ByOrgan the
	// organs with current members, ByParty the parties with members.
	Elected []*content.Page
	ByOrgan []*Organ
	ByParty []*PartyGroup
	NoParty []*content.Page
	// Staff lists the staff of the section A–Ö, grouped by first letter of
	// the surname, and by unit.
	Staff   []*content.Page
	Letters []*LetterGroup
	Units   []*Unit
}

// PartyGroup is a party with its members.
type PartyGroup struct {
	Party   *Party
	Members []*content.Page
}

// LetterGroup is one letter of an A–Ö index.
type LetterGroup struct {
	Letter string
	ID     string // anchor id
	Pages  []*content.Page
}

// OrganDirectory is the Data of an organ register.
type OrganDirectory struct {
	register
	Page    *content.Page
	Kinds   []*KindGroup
	Council *Organ
}

// KindGroup lists the organs of one kind.
type KindGroup struct {
	Kind   string
	Organs []*Organ
}

// PartyDirectory is the Data of a party register.
type PartyDirectory struct {
	register
	Page    *content.Page
	Parties []*Party
	Council *Organ
}

// MeetingIndex is the Data of the meetings register ("Sammanträden").
type MeetingIndex struct {
	register
	Page         *content.Page
	Upcoming     []*Meeting
	Years        []*YearGroup
	Organs       []*Organ
	CalendarURL  string
	DecisionsURL string
}

// YearGroup lists a year's past meetings, newest first.
type YearGroup struct {
	Year     int
	Meetings []*Meeting
}

// NoticeBoard is the Data of the notice board and its archive.
type NoticeBoard struct {
	register
	Page       *content.Page
	Current    []*Notice
	Archive    []*Notice
	BoardURL   string
	ArchiveURL string
	IsArchive  bool
}

// RegulationIndex is the Data of the författningssamling register.
type RegulationIndex struct {
	register
	Page        *content.Page
	Regulations []*Regulation
}

// ServiceIndex is the Data of the services A–Ö page and of category pages.
type ServiceIndex struct {
	register
	Page       *content.Page
	Letters    []*LetterGroup
	Category   *Category
	Services   []*Service
	Categories []*CategoryGroup
	IndexURL   string
}

// CategoryGroup is a life-event category with its services.
type CategoryGroup struct {
	Category *Category
	Services []*Service
}

// DecisionIndex is the Data of the decisions register.
type DecisionIndex struct {
	register
	Page    *content.Page
	Cases   []*Case
	FeedURL string
}

// OpenData is the Data of the "Öppna data" page.
type OpenData struct {
	register
	Page       *content.Page
	Datasets   []*Dataset
	Licence    string
	LicenceURL string
}

// Dataset is one published data set in JSON and CSV.
type Dataset struct {
	Name        string // file base name: "personer"
	Title       string
	Description string
	JSON, CSV   string // URLs
	Records     int
}

var titles = map[string][2]string{
	"decisions":   {"Beslut", "Decisions"},
	"archive":     {"Anslagstavlans arkiv", "Notice board archive"},
	"services_az": {"Tjänster A–Ö", "Services A–Z"},
	"opendata":    {"Öppna data", "Open data"},
	"board":       {"Anslagstavla", "Official notice board"},
	"meetings":    {"Sammanträden", "Meetings"},
	"regulations": {"Författningssamling", "Municipal regulations"},
}

func (st *state) title(key string) string {
	if st.site.Config.Language == "en" {
		return titles[key][1]
	}
	return titles[key][0]
}

func (st *state) virtual(url, title, typ, layout string, parent *content.Page) *content.Page {
	if parent == nil {
		parent = st.site.Home
	}
	return &content.Page{Kind: content.KindVirtual, URL: url, Title: title, LinkTitle: title, Type: typ, Layout: layout, Parent: parent, Lang: st.site.Config.Language, Lastmod: st.site.Now}
}

// sectionsOf returns the section pages of a type.
func (st *state) sectionsOf(typ string) []*content.Page {
	var out []*content.Page
	for _, p := range st.site.Pages {
		if p.Kind == content.KindSection && p.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

// below reports whether p lies below section sec.
func below(p, sec *content.Page) bool {
	for q := p.Parent; q != nil; q = q.Parent {
		if q == sec {
			return true
		}
	}
	return false
}

func (st *state) pages(ctx context.Context) ([]*content.Page, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.paged {
		return nil, nil
	}
	st.paged = true
	s := st.site
	var out []*content.Page
	// Registers written as sections (_index.md with the type) list
	// everything themselves; the core's paging of their children would
	// only repeat them on /sida/2/, so their child lists are dropped.
	done := func(sec *content.Page) { sec.Pages = nil }

	// People.
	for _, sec := range st.sectionsOf("person") {
		d := &PersonDirectory{Page: sec}
		for _, x := range st.persons {
			if !below(x.Page, sec) {
				continue
			}
			if x.Elected() {
				d.Elected = append(d.Elected, x.Page)
			} else {
				d.Staff = append(d.Staff, x.Page)
			}
		}
		sortBySurname(d.Elected)
		sortBySurname(d.Staff)
		if len(d.Elected) > 0 {
			for _, o := range st.sortedOrgans() {
				if len(o.Groups) > 0 {
					d.ByOrgan = append(d.ByOrgan, o)
				}
			}
			byParty := map[*content.Page][]*content.Page{}
			for _, p := range d.Elected {
				x := p.Data.(*Person)
				if x.Party == nil {
					d.NoParty = append(d.NoParty, p)
					continue
				}
				byParty[x.Party] = append(byParty[x.Party], p)
			}
			for _, pa := range st.sortedParties() {
				if ms := byParty[pa.Page]; len(ms) > 0 {
					d.ByParty = append(d.ByParty, &PartyGroup{Party: pa, Members: ms})
				}
			}
		}
		d.Letters = letters(d.Staff, func(p *content.Page) string { return surnameKey(p) })
		for _, u := range st.units {
			if len(u.Staff) > 0 {
				d.Units = append(d.Units, u)
			}
		}
		sort.SliceStable(d.Units, func(i, j int) bool {
			return content.CompareSwedish(d.Units[i].Page.Title, d.Units[j].Page.Title) < 0
		})
		d.register = register{s, sec, append(append([]*content.Page(nil), d.Elected...), d.Staff...)}
		sec.Data = d
		done(sec)
	}

	for _, sec := range st.sectionsOf("organ") {
		d := &OrganDirectory{Page: sec}
		var cur *KindGroup
		for _, o := range st.sortedOrgans() {
			if cur == nil || cur.Kind != o.Kind {
				cur = &KindGroup{Kind: o.Kind}
				d.Kinds = append(d.Kinds, cur)
			}
			cur.Organs = append(cur.Organs, o)
			if o.IsCouncil() && d.Council == nil {
				d.Council = o
			}
			d.list = append(d.list, o.Page)
		}
		d.site, d.page = s, sec
		sec.Data = d
		done(sec)
	}
	for _, sec := range st.sectionsOf("party") {
		d := &PartyDirectory{Page: sec, Parties: st.sortedParties(), Council: st.council()}
		d.site, d.page = s, sec
		for _, pa := range d.Parties {
			d.list = append(d.list, pa.Page)
		}
		sec.Data = d
		done(sec)
	}

	// Meetings and decisions.
	meetingReg := st.registerOf("meeting")
	if meetingReg == nil && len(st.meetings) > 0 {
		meetingReg = st.virtual("/sammantraden/", st.title("meetings"), "meeting", "list", nil)
		out = append(out, meetingReg)
	}
	if meetingReg != nil {
		d := &MeetingIndex{Page: meetingReg, CalendarURL: "/kalender/sammantraden.ics", DecisionsURL: st.decisionsBase()}
		var past []*Meeting
		for _, m := range st.meetings {
			if m.Upcoming {
				d.Upcoming = append(d.Upcoming, m)
			} else {
				past = append([]*Meeting{m}, past...)
			}
		}
		var yg *YearGroup
		for _, m := range past {
			y := m.Start.In(s.Config.Location).Year()
			if yg == nil || yg.Year != y {
				yg = &YearGroup{Year: y}
				d.Years = append(d.Years, yg)
			}
			yg.Meetings = append(yg.Meetings, m)
		}
		for _, o := range st.sortedOrgans() {
			if len(o.Upcoming)+len(o.Held) > 0 {
				d.Organs = append(d.Organs, o)
			}
		}
		d.site, d.page = s, meetingReg
		for _, m := range d.Upcoming {
			d.list = append(d.list, m.Page)
		}
		meetingReg.Data = d
		if meetingReg.Kind == content.KindSection {
			done(meetingReg)
		}
	}
	if len(st.caseList) > 0 {
		parent := s.Home
		if meetingReg != nil && meetingReg.Parent != nil {
			parent = meetingReg.Parent
		}
		reg := st.virtual(st.decisionsBase(), st.title("decisions"), "meeting", "decisions", parent)
		reg.Description = descDecisions(s.Config.Language)
		di := &DecisionIndex{Page: reg, Cases: st.caseList, FeedURL: st.decisionsBase() + "atom.xml"}
		di.site, di.page = s, reg
		reg.Data = di
		out = append(out, reg)
		for _, c := range st.caseList {
			p := st.virtual(c.URL, c.Title+", "+c.Number, "meeting", "decision", reg)
			p.LinkTitle = c.Number
			c.Page = p
			p.Data = c
			di.list = append(di.list, p)
			out = append(out, p)
		}
	}

	// Notice board and archive.
	board := st.registerOf("notice")
	if board == nil && len(st.notices) > 0 {
		board = st.virtual("/anslagstavla/", st.title("board"), "notice", "list", nil)
		out = append(out, board)
	}
	if board != nil {
		st.boardURL = board.URL
		cur := &NoticeBoard{Page: board, BoardURL: board.URL, ArchiveURL: board.URL + "arkiv/"}
		for _, n := range st.notices {
			if n.Current {
				cur.Current = append(cur.Current, n)
			} else if !n.Posted.After(s.Now) {
				cur.Archive = append(cur.Archive, n)
			}
		}
		cur.site, cur.page = s, board
		for _, n := range cur.Current {
			cur.list = append(cur.list, n.Page)
		}
		board.Data = cur
		if board.Kind == content.KindSection {
			done(board)
		}
		arch := st.virtual(cur.ArchiveURL, st.title("archive"), "notice", "archive", board)
		a := *cur
		a.Page, a.IsArchive = arch, true
		a.page, a.list = arch, nil
		for _, n := range a.Archive {
			a.list = append(a.list, n.Page)
		}
		arch.Data = &a
		out = append(out, arch)
	}

	regReg := st.registerOf("regulation")
	if regReg == nil && len(st.regs) > 0 {
		regReg = st.virtual("/forfattningssamling/", st.title("regulations"), "regulation", "list", nil)
		out = append(out, regReg)
	}
	if regReg != nil {
		ri := &RegulationIndex{Page: regReg, Regulations: st.regs}
		ri.site, ri.page = s, regReg
		for _, r := range st.regs {
			ri.list = append(ri.list, r.Page)
		}
		regReg.Data = ri
		if regReg.Kind == content.KindSection {
			done(regReg)
		}
	}

	// Services: A–Ö and life-event categories.
	if len(st.services) > 0 {
		base := st.servicesBase()
		parent := s.ByURL[base]
		sorted := append([]*Service(nil), st.services...)
		sort.SliceStable(sorted, func(i, j int) bool {
			return content.CompareSwedish(sorted[i].Page.Title, sorted[j].Page.Title) < 0
		})
		var pages []*content.Page
		for _, x := range sorted {
			pages = append(pages, x.Page)
		}
		idx := st.virtual(base+"a-o/", st.title("services_az"), "service", "index", parent)
		sd := &ServiceIndex{Page: idx, Services: sorted, IndexURL: idx.URL}
		sd.Letters = letters(pages, func(p *content.Page) string { return p.Title })
		for _, name := range serviceCategories {
			c := &Category{Name: name}
			var members []*Service
			for _, x := range sorted {
				for _, xc := range x.Categories {
					if xc.Name == name {
						members = append(members, x)
						c = xc
					}
				}
			}
			if len(members) == 0 {
				continue
			}
			sd.Categories = append(sd.Categories, &CategoryGroup{Category: c, Services: members})
		}
		sd.register = register{s, idx, pages}
		idx.Data = sd
		out = append(out, idx)
		for _, g := range sd.Categories {
			p := st.virtual(g.Category.URL, g.Category.Name, "service", "category", parent)
			ci := &ServiceIndex{Page: p, Category: g.Category, Services: g.Services, Categories: sd.Categories, IndexURL: idx.URL}
			ci.site, ci.page = s, p
			for _, x := range g.Services {
				ci.list = append(ci.list, x.Page)
			}
			p.Data = ci
			out = append(out, p)
		}
	}

	// Öppna data.
	od := st.virtual("/data/", st.title("opendata"), "organ", "opendata", nil)
	od.Description = descOpenData(s.Config.Language)
	od.Data = st.openData(od)
	out = append(out, od)
	return out, ctx.Err()
}

func descDecisions(lang string) string {
	if lang == "en" {
		return "Decisions of the council, the executive board and the committees, by case number."
	}
	return "Beslut i kommunfullmäktige, kommunstyrelsen och nämnderna, sorterade efter diarienummer."
}

func descOpenData(lang string) string {
	if lang == "en" {
		return "Data about elected officials, organs, meetings, decisions, notices and services, free to reuse."
	}
	return "Uppgifter om förtroendevalda, organ, sammanträden, beslut, anslag och tjänster som du får använda fritt."
}

// letters groups pages A–Ö by the first letter of key.
func letters(ps []*content.Page, key func(*content.Page) string) []*LetterGroup {
	sorted := append([]*content.Page(nil), ps...)
	sort.SliceStable(sorted, func(i, j int) bool { return content.CompareSwedish(key(sorted[i]), key(sorted[j])) < 0 })
	var out []*LetterGroup
	for _, p := range sorted {
		k := []rune(strings.TrimSpace(key(p)))
		l := "#"
		if len(k) > 0 && unicode.IsLetter(k[0]) {
			l = strings.ToUpper(string(k[0]))
		}
		if len(out) == 0 || out[len(out)-1].Letter != l {
			id := "bokstav-" + strings.NewReplacer("Å", "aa", "Ä", "ae", "Ö", "oe", "#", "ovrigt").Replace(l)
			out = append(out, &LetterGroup{Letter: l, ID: strings.ToLower(id)})
		}
		out[len(out)-1].Pages = append(out[len(out)-1].Pages, p)
	}
	return out
}

func kindRank(k string) int {
	for i, x := range organKinds {
		if x == k {
			return i
		}
	}
	return len(organKinds)
}

func (st *state) sortedOrgans() []*Organ {
	out := append([]*Organ(nil), st.organs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if kindRank(a.Kind) != kindRank(b.Kind) {
			return kindRank(a.Kind) < kindRank(b.Kind)
		}
		if a.Page.Weight != b.Page.Weight {
			return a.Page.Weight < b.Page.Weight
		}
		return content.CompareSwedish(a.Page.Title, b.Page.Title) < 0
	})
	return out
}

func (st *state) sortedParties() []*Party {
	out := append([]*Party(nil), st.parties...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Seats != out[j].Seats {
			return out[i].Seats > out[j].Seats
		}
		return content.CompareSwedish(out[i].Page.Title, out[j].Page.Title) < 0
	})
	return out
}

func (st *state) council() *Organ {
	for _, o := range st.sortedOrgans() {
		if o.IsCouncil() {
			return o
		}
	}
	return nil
}
