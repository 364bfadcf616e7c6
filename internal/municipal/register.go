package municipal

import (
	"context"
	"fmt"
	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/urlpath"
	"regexp"
	"strconv"
	"strings"
)

// Register adds the municipal content types to r.
func Register(r *content.Registry) {
	for _, t := range Types() {
		r.MustRegister(t)
	}
}

// Types returns the municipal content types. Resolve, Pages and Outputs
// work on the whole site at once (an organ's members come from people, a
// party's seats from the council), so each hook runs the site-wide work the
// first time any of the types calls it in a build.
func Types() []*content.Type {
	mk := func(name string, keys []string, dec func(fm *content.FrontMatter, p *content.Page) error) *content.Type {
		return &content.Type{
			Name: name,
			Keys: keys,
			Decode: func(fm *content.FrontMatter, p *content.Page) error {
				if p.Kind != content.KindPage {
					// A section of the type ("_index.md" with type: meeting)
					// is the type's register; it has no keys of its own.
					return nil
				}
				return dec(fm, p)
			},
			Resolve: func(ctx context.Context, s *content.Site, _ []*content.Page) error { return stateOf(s).resolve(ctx) },
			Pages:   func(ctx context.Context, s *content.Site) ([]*content.Page, error) { return stateOf(s).pages(ctx) },
			Outputs: func(ctx context.Context, s *content.Site) ([]content.Output, error) { return stateOf(s).outputs(ctx) },
		}
	}
	return []*content.Type{
		mk("person", personKeys, decodePerson),
		mk("organ", organKeys, decodeOrgan),
		mk("party", partyKeys, decodeParty),
		mk("unit", unitKeys, decodeUnit),
		mk("meeting", meetingKeys, decodeMeeting),
		mk("notice", noticeKeys, decodeNotice),
		mk("regulation", regulationKeys, decodeRegulation),
		mk("service", serviceKeys, decodeService),
		mk("news", newsKeys, decodeNews),
	}
}

var (
	personKeys     = []string{"role", "kind", "party", "unit", "email", "phone", "officeHours", "photo", "photoAlt", "contactForm", "memberships"}
	organKeys      = []string{"kind", "abbreviation", "parent", "seats", "posts", "responsibilities", "email", "phone", "contact", "documents"}
	partyKeys      = []string{"abbreviation", "website"}
	unitKeys       = []string{"email", "phone", "visitingAddress", "postalAddress", "openingHours"}
	meetingKeys    = []string{"organ", "start", "end", "place", "address", "accessibility", "status", "public", "noticeDate", "minutes", "minutesApproved", "documents", "items"}
	noticeKeys     = []string{"kind", "organ", "meeting", "posted", "takeDown", "document", "appeal", "appealText"}
	regulationKeys = []string{"number", "decidedBy", "decided", "inForce", "caseNumber", "document"}
	serviceKeys    = []string{"audience", "cost", "processingTime", "requirements", "steps", "eService", "eServiceTitle", "contact", "related", "legalBasis", "categories", "sdg"}
	newsKeys       = []string{"image", "imageAlt"}
)

func decodePerson(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Person{Page: p}
	x.Role = fm.TakeString("role")
	x.Kind = d.oneOf("kind", fm.TakeString("kind"), []string{KindElected, KindStaff})
	if !fm.Has("kind") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "kind", "missing: write kind: fortroendevald or kind: tjansteperson")
	}
	x.partyRef = d.topRef("party")
	x.unitRef = d.topRef("unit")
	x.emailAt = d.topRef("email")
	x.Email = x.emailAt.ID
	x.Phone = fm.TakeString("phone")
	x.OfficeHours = fm.TakeString("officeHours")
	x.photoRef = d.topRef("photo")
	x.PhotoAlt = fm.TakeString("photoAlt")
	x.ContactForm = fm.TakeBool("contactForm")
	if x.photoRef.ID != "" && x.PhotoAlt == "" {
		fm.Fail("photo", "a photo needs a text alternative: add photoAlt (for example \"Porträtt av %s\")", p.Title)
	}
	if x.Kind == KindStaff && x.partyRef.ID != "" {
		fm.Fail("party", "only elected officials (kind: fortroendevald) have a party")
	}
	if x.ContactForm && x.Email == "" {
		fm.Fail("contactForm", "a contact form needs an e-mail address to deliver to: add email")
	}
	for _, r := range d.records("memberships") {
		m := &Membership{Person: p}
		m.organRef = r.ref("organ")
		if m.organRef.ID == "" {
			r.d.errAt(r.selfPos(), r.selfLabel(), "missing organ")
		}
		m.Role = strings.ToLower(r.str("role"))
		if m.Role == "" {
			m.Role = "ledamot"
		}
		rr := r
		m.rolePos = func() (content.Pos, string) { return rr.pos("role"), rr.label("role") }
		m.From = r.time("from", fm.Location())
		m.To = r.time("to", fm.Location())
		if !m.From.IsZero() && !m.To.IsZero() && m.To.Before(m.From) {
			r.fail("to", "is before from")
		}
		r.done("organ", "role", "from", "to")
		x.Memberships = append(x.Memberships, m)
	}
	if len(x.Memberships) > 0 && x.Kind == KindStaff {
		fm.Fail("memberships", "only elected officials (kind: fortroendevald) have memberships")
	}
	x.reviewedPos = fm.Pos("reviewed")
	p.Data = x
	return d.err()
}

func decodeOrgan(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Organ{Page: p}
	x.Kind = d.oneOf("kind", fm.TakeString("kind"), organKinds)
	if !fm.Has("kind") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "kind", "missing: write one of %s", strings.Join(organKinds, ", "))
	}
	x.Abbreviation = fm.TakeString("abbreviation")
	x.parentRef = d.topRef("parent")
	x.Seats = fm.TakeInt("seats")
	if x.Seats < 0 {
		fm.Fail("seats", "must not be negative")
	}
	x.Posts = fm.TakeStrings("posts")
	for i := range x.Posts {
		x.Posts[i] = strings.ToLower(x.Posts[i])
	}
	if len(x.Posts) == 0 {
		x.Posts = defaultPosts
	}
	x.Responsibilities = fm.TakeStrings("responsibilities")
	x.emailAt = d.topRef("email")
	x.Email = x.emailAt.ID
	x.Phone = fm.TakeString("phone")
	x.contactRef = d.topRef("contact")
	x.Documents = decodeDocuments(d, "documents")
	p.Data = x
	return d.err()
}

func decodeParty(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Party{Page: p}
	x.Abbreviation = fm.TakeString("abbreviation")
	x.Website = fm.TakeString("website")
	if x.Website != "" {
		if err := checkExternalURL(x.Website); err != nil {
			fm.Fail("website", "%v", err)
		}
	}
	p.Data = x
	return d.err()
}

func decodeUnit(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Unit{Page: p}
	x.emailAt = d.topRef("email")
	x.Email = x.emailAt.ID
	x.Phone = fm.TakeString("phone")
	x.VisitingAddress = fm.TakeString("visitingAddress")
	x.PostalAddress = fm.TakeString("postalAddress")
	x.OpeningHours = fm.TakeString("openingHours")
	p.Data = x
	return d.err()
}

// decodeDocuments reads a top-level list of document records.
func decodeDocuments(d *decoder, key string) []*Document {
	var out []*Document
	for _, r := range d.records(key) {
		out = append(out, decodeDocument(r))
	}
	return out
}

func decodeDocument(r *record) *Document {
	doc := &Document{Title: r.str("title")}
	n := 0
	if r.has("file") {
		doc.fileRef = r.ref("file")
		doc.file = doc.fileRef.ID
		n++
	}
	if r.has("page") {
		doc.pageRef = r.ref("page")
		n++
	}
	if r.has("url") {
		doc.urlRaw = r.str("url")
		if err := checkExternalURL(doc.urlRaw); err != nil {
			r.fail("url", "%v", err)
		}
		doc.URL, doc.External = doc.urlRaw, true
		n++
	}
	if n != 1 {
		r.d.errAt(r.selfPos(), r.selfLabel(), "a document needs exactly one of file (beside the page), page (an id) or url")
	}
	doc.Format = r.str("format")
	doc.Size = r.integer("size")
	if doc.Title == "" && !r.has("page") {
		r.d.errAt(r.selfPos(), r.selfLabel(), "missing title")
	}
	r.done("title", "file", "page", "url", "format", "size")
	return doc
}

// decodeOneDocument reads a document given as a record, or as plain text
// (a file beside the page).
func decodeOneDocument(d *decoder, key string) *Document {
	v, ok := d.fm.Raw(key)
	if !ok || v == nil {
		return nil
	}
	switch t := v.(type) {
	case string:
		doc := &Document{file: strings.TrimSpace(t)}
		doc.fileRef = ref{ID: doc.file, label: key, fm: d.fm, key: key}
		return doc
	case map[string]any:
		r := &record{d: d, key: key, m: t, used: map[string]bool{}}
		return decodeDocument(r)
	}
	d.fm.Fail(key, "expected a file name or a group with title and file, page or url, got %s", describe(v))
	return nil
}

func decodeMeeting(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Meeting{Page: p, Public: true}
	x.organRef = d.topRef("organ")
	if x.organRef.ID == "" {
		d.errAt(content.Pos{Line: 1, Col: 1}, "organ", "missing: which organ meets (an id such as kommunstyrelsen)")
	}
	x.Start = fm.TakeTime("start")
	x.startPos = fm.Pos("start")
	x.End = fm.TakeTime("end")
	if !fm.Has("start") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "start", "missing: when the meeting starts (2026-12-03 13:00)")
	}
	if !fm.Has("end") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "end", "missing: when the meeting ends (2026-12-03 16:00)")
	}
	if !x.Start.IsZero() && !x.End.IsZero() && !x.End.After(x.Start) {
		fm.Fail("end", "is not after start")
	}
	x.Place = fm.TakeString("place")
	x.Address = fm.TakeString("address")
	x.Accessibility = fm.TakeString("accessibility")
	x.Status = d.oneOf("status", fm.TakeString("status"), meetingStatuses)
	if x.Status == "" {
		x.Status = "planerat"
	}
	if fm.Has("public") {
		x.Public = fm.TakeBool("public")
	}
	x.NoticeDate = fm.TakeTime("noticeDate")
	x.Minutes = decodeOneDocument(d, "minutes")
	x.MinutesApproved = fm.TakeTime("minutesApproved")
	x.Documents = decodeDocuments(d, "documents")
	seen := map[string]bool{}
	for _, r := range d.records("items") {
		it := &Item{Meeting: p}
		it.Number = r.str("number")
		it.Title = r.str("title")
		if it.Title == "" {
			r.d.errAt(r.selfPos(), r.selfLabel(), "missing title")
		}
		it.Summary = r.str("summary")
		it.CaseNumber = r.str("caseNumber")
		it.Rapporteur = r.str("rapporteur")
		it.Decision = r.str("decision")
		if o := r.str("outcome"); o != "" {
			if c, ok := canonical(o, outcomes); ok {
				it.Outcome = c
			} else {
				r.fail("outcome", "%s", notOneOf(o, outcomes))
			}
		}
		if it.Outcome != "" && it.Decision == "" {
			r.fail("outcome", "an outcome needs the decision text: add decision")
		}
		for _, dr := range r.sub("documents") {
			it.Documents = append(it.Documents, decodeDocument(dr))
		}
		r.done("number", "title", "summary", "caseNumber", "documents", "rapporteur", "decision", "outcome")
		if it.Number == "" {
			it.Number = strconv.Itoa(len(x.Items) + 1)
		}
		it.Anchor = "arende-" + urlpath.Slugify(it.Number)
		if seen[it.Anchor] {
			r.fail("number", "number %s is used by another item of this meeting", it.Number)
		}
		seen[it.Anchor] = true
		x.Items = append(x.Items, it)
	}
	p.Data = x
	return d.err()
}

func decodeNotice(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Notice{Page: p}
	x.Kind = d.oneOf("kind", fm.TakeString("kind"), noticeKinds)
	if !fm.Has("kind") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "kind", "missing: write one of %s", strings.Join(noticeKinds, ", "))
	}
	x.organRef = d.topRef("organ")
	x.meetingRef = d.topRef("meeting")
	x.Posted = fm.TakeTime("posted")
	x.postedPos = fm.Pos("posted")
	if !fm.Has("posted") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "posted", "missing: the day the notice goes up (2026-11-20)")
	}
	x.TakeDown = fm.TakeTime("takeDown")
	if x.TakeDown.IsZero() && !x.Posted.IsZero() {
		// The appeal window is three weeks from the day the notice is posted.
		x.TakeDown = x.Posted.AddDate(0, 0, 21)
	}
	if !x.Posted.IsZero() && !x.TakeDown.After(x.Posted) {
		fm.Fail("takeDown", "is not after posted")
	}
	x.Document = decodeOneDocument(d, "document")
	x.Appeal = d.oneOf("appeal", fm.TakeString("appeal"), appealKinds)
	if x.Appeal == "" {
		switch x.Kind {
		case "protokoll", "delegationsbeslut":
			x.Appeal = "laglighetsprövning"
		default:
			x.Appeal = "ingen"
		}
	}
	x.AppealText = fm.TakeString("appealText")
	if (x.Kind == "kungörelse" || x.Kind == "protokoll") && x.meetingRef.ID == "" {
		d.errAt(content.Pos{Line: 1, Col: 1}, "meeting", "missing: a %s belongs to a meeting (an id such as kf-2026-12-14)", x.Kind)
	}
	p.Data = x
	return d.err()
}

var kfsNumber = regexp.MustCompile(`^([A-ZÅÄÖ]{2,6}) (\d{4}):(\d{1,4})$`)

func decodeRegulation(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Regulation{Page: p}
	x.Number = fm.TakeString("number")
	if m := kfsNumber.FindStringSubmatch(x.Number); m != nil {
		x.Year, _ = strconv.Atoi(m[2])
		x.Seq, _ = strconv.Atoi(m[3])
	} else if fm.Has("number") {
		fm.Fail("number", "%q is not a number in the författningssamling such as \"KFS 2024:3\"", x.Number)
	} else {
		d.errAt(content.Pos{Line: 1, Col: 1}, "number", "missing: the number in the författningssamling (\"KFS 2024:3\")")
	}
	x.decidedByRef = d.topRef("decidedBy")
	x.Decided = fm.TakeTime("decided")
	x.InForce = fm.TakeTime("inForce")
	if !fm.Has("inForce") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "inForce", "missing: the day the föreskrift comes into force")
	}
	if !x.Decided.IsZero() && !x.InForce.IsZero() && x.InForce.Before(x.Decided) {
		fm.Fail("inForce", "is before decided")
	}
	x.CaseNumber = fm.TakeString("caseNumber")
	x.Document = decodeOneDocument(d, "document")
	p.Data = x
	return d.err()
}

func decodeService(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &Service{Page: p}
	x.Audience = fm.TakeStrings("audience")
	x.Cost = fm.TakeString("cost")
	x.ProcessingTime = fm.TakeString("processingTime")
	x.Requirements = fm.TakeStrings("requirements")
	for _, r := range d.records("steps") {
		st := &Step{Title: r.str("title"), Text: r.str("text")}
		if st.Title == "" {
			r.d.errAt(r.selfPos(), r.selfLabel(), "missing title")
		}
		r.done("title", "text")
		x.Steps = append(x.Steps, st)
	}
	x.EService = fm.TakeString("eService")
	if x.EService != "" {
		if err := checkExternalURL(x.EService); err != nil {
			fm.Fail("eService", "%v", err)
		}
	}
	x.EServiceTitle = fm.TakeString("eServiceTitle")
	x.contactRef = d.topRef("contact")
	x.relatedRefs = d.topRefs("related")
	x.LegalBasis = fm.TakeStrings("legalBasis")
	for i, c := range fm.TakeStrings("categories") {
		name, ok := canonical(c, serviceCategories)
		if !ok {
			d.errAt(fm.NestedPos("categories", i), fmt.Sprintf("categories[%d]", i+1), "%s", notOneOf(c, serviceCategories))
			continue
		}
		x.Categories = append(x.Categories, &Category{Name: name, Slug: urlpath.Slugify(name)})
	}
	if m := fm.TakeMap("sdg"); m != nil {
		r := &record{d: d, key: "sdg", m: m, used: map[string]bool{}}
		s := &SDG{Service: r.str("service"), PolicyCode: r.str("policyCode"), Location: r.str("location")}
		if s.Service == "" {
			s.Service = "information"
		}
		if c, ok := canonical(s.Service, []string{"information", "procedure", "assistance"}); ok {
			s.Service = c
		} else {
			r.fail("service", "%s", notOneOf(s.Service, []string{"information", "procedure", "assistance"}))
		}
		if s.PolicyCode == "" {
			r.d.errAt(d.fm.Pos("sdg"), "sdg.policyCode", "missing: the code from the SDG regulation's annex (for example \"D1\")")
		}
		r.done("service", "policyCode", "location")
		x.SDG = s
	}
	p.Data = x
	return d.err()
}

func decodeNews(fm *content.FrontMatter, p *content.Page) error {
	d := newDecoder(fm)
	x := &News{Page: p}
	x.imageRef = d.topRef("image")
	x.ImageAlt = fm.TakeString("imageAlt")
	if x.imageRef.ID != "" && !fm.Has("imageAlt") {
		fm.Fail("image", "an image needs a text alternative: add imageAlt (write imageAlt: \"\" only for a purely decorative image)")
	}
	if !fm.Has("date") {
		d.errAt(content.Pos{Line: 1, Col: 1}, "date", "missing: a news item needs its publication date")
	}
	p.Data = x
	return d.err()
}
