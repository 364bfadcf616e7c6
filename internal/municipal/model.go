package municipal

import (
	"time"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// Person kinds.
const (
	KindElected = "fortroendevald"
	KindStaff   = "tjansteperson"
)

// Person is the decoded front matter of a "person" page: an elected
// official (förtroendevald) or a member of staff (tjänsteperson).
type Person struct {
	Page        *content.Page
	Kind        string // KindElected or KindStaff
	Role        string // "Kommunstyrelsens ordförande", "Bygglovshandläggare"
	Party       *content.Page
	Unit        *content.Page
	Email       string
	Phone       string
	OfficeHours string
	Photo       string // URL
	PhotoAlt    string
	ContactForm bool
	Memberships []*Membership
	// Derived at resolve: memberships current on the build date and past
	// ones, newest first.
	Current []*Membership
	Past    []*Membership
	// VCardURL is the person's vCard download.
	VCardURL string

	partyRef, unitRef ref
	photoRef, emailAt ref
	reviewedPos       content.Pos
	site              *content.Site
	warns             []*diag.Diagnostic
}

// Elected reports whether the person is a förtroendevald.
func (p *Person) Elected() bool { return p.Kind == KindElected }

// RecipientID is the person's id in the relay's recipient table.
func (p *Person) RecipientID() string { return p.Page.ID() }

// Membership is a person's seat in an organ.
type Membership struct {
	Person   *content.Page
	Organ    *content.Page
	Role     string // one of the organ's posts: "ordförande", "ledamot", ...
	From, To time.Time

	organRef ref
	rolePos  func() (content.Pos, string)
}

// PersonData returns the membership's person.
func (m *Membership) PersonData() *Person { return m.Person.Data.(*Person) }

// Organ kinds.
var organKinds = []string{"kommunfullmaktige", "kommunstyrelse", "namnd", "utskott", "beredning", "bolag", "kommunalforbund", "annat"}

// Default posts in an organ, in display order.
var defaultPosts = []string{"ordförande", "förste vice ordförande", "andre vice ordförande", "vice ordförande", "ledamot", "ersättare"}

// Organ is a "organ" page: kommunfullmäktige, kommunstyrelsen, a nämnd,
// an utskott, a kommunalt bolag or a kommunalförbund.
type Organ struct {
	Page             *content.Page
	Kind             string
	Abbreviation     string
	Parent           *content.Page
	Seats            int
	Posts            []string
	Responsibilities []string
	Email            string
	Phone            string
	Contact          *content.Page
	Documents        []*Document

	// Derived at resolve.
	Groups      []*RoleGroup    // current members by post, in post order
	Chair       *Membership     // the current ordförande
	Former      []*Membership   // past memberships, newest end first
	Upcoming    []*content.Page // meetings from the build date on
	Held        []*content.Page // earlier meetings, newest first
	Children    []*content.Page // organs whose parent this is
	Seating     []*PartySeats   // for kommunfullmäktige: current ledamöter by party
	SeatsFilled int
	CalendarURL string

	parentRef, contactRef, emailAt ref
	site                           *content.Site
}

// RoleGroup lists the members holding one post.
type RoleGroup struct {
	Role    string
	Members []*Membership
}

// PartySeats is one party's share of an organ's seats.
type PartySeats struct {
	Party *content.Page // nil for members without party
	Seats int
}

// IsCouncil reports whether the organ is kommunfullmäktige.
func (o *Organ) IsCouncil() bool { return o.Kind == "kommunfullmaktige" }

// Party is a "party" page.
type Party struct {
	Page         *content.Page
	Abbreviation string
	Website      string
	// Derived: elected members (current memberships anywhere) and seats
	// in kommunfullmäktige.
	Members []*content.Page
	Seats   int

	site *content.Site
}

// Unit is a "unit" page: a förvaltning or enhet that answers messages and
// owns pages.
type Unit struct {
	Page            *content.Page
	Email           string
	Phone           string
	VisitingAddress string
	PostalAddress   string
	OpeningHours    string
	// Derived: staff of the unit, A–Ö, and services it is contact for.
	Staff    []*content.Page
	Services []*content.Page

	emailAt ref
	site    *content.Site
}

// RecipientID is the unit's id in the relay's recipient table:
// "enhet-" + the slug of its name, as the theme's "Hittade du ett fel på
// sidan?" link builds it from a page's owner.
func (u *Unit) RecipientID() string { return unitRecipientID(u.Page.Title) }

// Document is a link to a document: a file beside the page (bundle), a page
// of the site, or an external address.
type Document struct {
	Title     string
	URL       string
	Format    string // "PDF", "Word", ... ("" for pages)
	MediaType string
	Size      int64
	External  bool
	Page      *content.Page

	file    string
	pageRef ref
	fileRef ref
	urlRaw  string
}

// Meeting statuses.
var meetingStatuses = []string{"planerat", "genomfört", "inställt"}

// Meeting is a "meeting" page: one sammanträde of an organ.
type Meeting struct {
	Page            *content.Page
	Organ           *content.Page
	Start, End      time.Time
	Place           string
	Address         string
	Accessibility   string
	Status          string // planerat, genomfört, inställt
	Public          bool
	NoticeDate      time.Time // kallelse
	Minutes         *Document
	MinutesApproved time.Time // justerat
	Documents       []*Document
	Items           []*Item
	// Derived.
	UID      string
	Upcoming bool

	organRef ref
	startPos content.Pos
	site     *content.Site
}

// Cancelled reports whether the meeting is inställt.
func (m *Meeting) Cancelled() bool { return m.Status == "inställt" }

// OrganData returns the meeting's organ.
func (m *Meeting) OrganData() *Organ { return m.Organ.Data.(*Organ) }

// Decided reports whether any item has a decision.
func (m *Meeting) Decided() bool {
	for _, it := range m.Items {
		if it.Decision != "" {
			return true
		}
	}
	return false
}

// Item outcomes.
var outcomes = []string{"bifall", "avslag", "delvis bifall", "återremiss", "bordlagt", "noterat"}

// Item is one agenda item (ärende) of a meeting.
type Item struct {
	Meeting    *content.Page
	Number     string
	Title      string
	Summary    string
	CaseNumber string // diarienummer
	Documents  []*Document
	Rapporteur string
	Decision   string
	Outcome    string
	// CaseURL is the decision page of the case number.
	CaseURL string
	// Anchor is the id of the item on the meeting page.
	Anchor string
}

// MeetingData returns the item's meeting.
func (it *Item) MeetingData() *Meeting { return it.Meeting.Data.(*Meeting) }

// Notice kinds.
var noticeKinds = []string{"kungörelse", "protokoll", "delegationsbeslut", "annat"}

// Appeal kinds.
var appealKinds = []string{"laglighetsprövning", "förvaltningsbesvär", "ingen"}

// Notice is a "notice" page: an anslag on the official notice board.
type Notice struct {
	Page     *content.Page
	Kind     string
	Organ    *content.Page
	Meeting  *content.Page
	Posted   time.Time
	TakeDown time.Time // the day it comes down
	Document *Document
	Appeal   string // appeal kind
	// AppealText is the how-to-appeal text: front matter "appealText",
	// else [types.notice] in torg.toml for the appeal kind.
	AppealText string
	// Current is true when the notice is up on the build date.
	Current bool

	organRef, meetingRef ref
	postedPos            content.Pos
	site                 *content.Site
}

// Regulation is a "regulation" page: a föreskrift in the kommunala
// författningssamlingen.
type Regulation struct {
	Page       *content.Page
	Number     string // "KFS 2024:3"
	DecidedBy  *content.Page
	Decided    time.Time
	InForce    time.Time
	CaseNumber string
	Document   *Document
	Year, Seq  int

	decidedByRef ref
	site         *content.Site
}

// Life-event categories of services.
var serviceCategories = []string{"Bygga och bo", "Förskola och skola", "Omsorg och stöd", "Trafik och gator", "Uppleva och göra", "Näringsliv och arbete", "Kommun och politik"}

// Service is a "service" page: a service guide (e-tjänst or ärende).
type Service struct {
	Page           *content.Page
	Audience       []string
	Cost           string
	ProcessingTime string
	Requirements   []string
	Steps          []*Step
	EService       string
	EServiceTitle  string
	Contact        *content.Page
	Related        []*content.Page
	LegalBasis     []string
	Categories     []*Category
	SDG            *SDG

	contactRef  ref
	relatedRefs []ref
	site        *content.Site
}

// ContactPerson returns the contact when it is a person.
func (s *Service) ContactPerson() *Person {
	if s.Contact == nil {
		return nil
	}
	p, _ := s.Contact.Data.(*Person)
	return p
}

// ContactUnit returns the contact when it is a unit.
func (s *Service) ContactUnit() *Unit {
	if s.Contact == nil {
		return nil
	}
	u, _ := s.Contact.Data.(*Unit)
	return u
}

// Step is one step of a service guide.
type Step struct {
	Title string
	Text  string
}

// Category is a life-event category page.
type Category struct {
	Name string
	Slug string
	URL  string
}

// SDG holds the Single Digital Gateway (Your Europe) tags of a service.
type SDG struct {
	Service    string // information, procedure, assistance
	PolicyCode string // annex code, e.g. "D1"
	Location   string // optional LAU/NUTS code
}

// News is a "news" page.
type News struct {
	Page     *content.Page
	Image    string
	ImageAlt string

	imageRef ref
	site     *content.Site
}
