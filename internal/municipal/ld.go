package municipal

import (
	"time"

	"github.com/torgsite/torg/internal/content"
)

// Structured data (schema.org JSON-LD). Every Data value of the municipal
// types has an LD method; the theme writes it with
// {{jsonLD .Page.Data.LD}} inside <script type="application/ld+json">.
// Each graph holds the page's main entity and its BreadcrumbList.

type obj = map[string]any

func graph(s *content.Site, p *content.Page, main ...obj) obj {
	var g []any
	for _, m := range main {
		if m != nil {
			g = append(g, m)
		}
	}
	g = append(g, breadcrumbs(s, p))
	return obj{"@context": "https://schema.org", "@graph": g}
}

func breadcrumbs(s *content.Site, p *content.Page) obj {
	var items []any
	chain := append(p.Ancestors(), p)
	for i, q := range chain {
		name := q.Name()
		if q.IsHome() {
			name = "Startsida"
			if s.Config.Language == "en" {
				name = "Home"
			}
		}
		items = append(items, obj{"@type": "ListItem", "position": i + 1, "name": name, "item": s.Config.Absolute(q.URL)})
	}
	return obj{"@type": "BreadcrumbList", "itemListElement": items}
}

func orgLD(s *content.Site) obj {
	o := s.Config.Organisation
	m := obj{"@type": "GovernmentOrganization", "name": o.Name, "url": s.Config.Absolute("/")}
	if o.Email != "" {
		m["email"] = o.Email
	}
	if o.Phone != "" {
		m["telephone"] = o.Phone
	}
	return m
}

func ldTime(t time.Time, s *content.Site) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.Config.Location).Format(time.RFC3339)
}

func ldDate(t time.Time, s *content.Site) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.Config.Location).Format("2006-01-02")
}

func setIf(m obj, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func organRef(s *content.Site, p *content.Page) obj {
	return obj{"@type": "GovernmentOrganization", "name": p.Title, "url": s.Config.Absolute(p.URL)}
}

// LD returns the person's structured data.
func (x *Person) LD() obj {
	s := x.site
	m := obj{"@type": "Person", "name": x.Page.Title, "url": s.Config.Absolute(x.Page.URL)}
	setIf(m, "jobTitle", x.Role)
	setIf(m, "email", x.Email)
	setIf(m, "telephone", x.Phone)
	if x.Photo != "" {
		m["image"] = s.Config.Absolute(x.Photo)
	}
	works := orgLD(s)
	if x.Unit != nil {
		works = organRef(s, x.Unit)
		works["parentOrganization"] = orgLD(s)
	}
	m["worksFor"] = works
	var member []any
	for _, ms := range x.Current {
		if ms.Organ != nil {
			member = append(member, obj{"@type": "OrganizationRole", "roleName": ms.Role, "memberOf": organRef(s, ms.Organ)})
		}
	}
	if x.Party != nil {
		member = append(member, obj{"@type": "Organization", "name": x.Party.Title, "url": s.Config.Absolute(x.Party.URL)})
	}
	if len(member) > 0 {
		m["memberOf"] = member
	}
	return graph(s, x.Page, m)
}

// LD returns the organ's structured data.
func (o *Organ) LD() obj {
	s := o.site
	m := organRef(s, o.Page)
	setIf(m, "description", o.Page.Description)
	setIf(m, "email", o.Email)
	setIf(m, "telephone", o.Phone)
	setIf(m, "alternateName", o.Abbreviation)
	if o.Parent != nil {
		m["parentOrganization"] = organRef(s, o.Parent)
	} else {
		m["parentOrganization"] = orgLD(s)
	}
	return graph(s, o.Page, m)
}

// LD returns the party's structured data.
func (pa *Party) LD() obj {
	s := pa.site
	m := obj{"@type": "Organization", "name": pa.Page.Title, "url": s.Config.Absolute(pa.Page.URL)}
	setIf(m, "alternateName", pa.Abbreviation)
	setIf(m, "sameAs", pa.Website)
	return graph(s, pa.Page, m)
}

// LD returns the unit's structured data.
func (u *Unit) LD() obj {
	s := u.site
	m := organRef(s, u.Page)
	setIf(m, "description", u.Page.Description)
	setIf(m, "email", u.Email)
	setIf(m, "telephone", u.Phone)
	if u.VisitingAddress != "" {
		m["address"] = obj{"@type": "PostalAddress", "streetAddress": u.VisitingAddress, "addressCountry": "SE"}
	}
	m["parentOrganization"] = orgLD(s)
	return graph(s, u.Page, m)
}

// LD returns the meeting's structured data (an Event).
func (m *Meeting) LD() obj {
	s := m.site
	e := obj{"@type": "Event", "name": m.Page.Title, "url": s.Config.Absolute(m.Page.URL),
		"startDate": ldTime(m.Start, s), "endDate": ldTime(m.End, s),
		"eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
		"isAccessibleForFree": true}
	if m.Cancelled() {
		e["eventStatus"] = "https://schema.org/EventCancelled"
	} else {
		e["eventStatus"] = "https://schema.org/EventScheduled"
	}
	setIf(e, "description", m.Page.Description)
	if m.Place != "" || m.Address != "" {
		place := obj{"@type": "Place", "name": m.Place}
		if m.Address != "" {
			place["address"] = obj{"@type": "PostalAddress", "streetAddress": m.Address, "addressCountry": "SE"}
		}
		e["location"] = place
	}
	if m.Organ != nil {
		e["organizer"] = organRef(s, m.Organ)
	}
	return graph(s, m.Page, e)
}

// LD returns the notice's structured data.
func (n *Notice) LD() obj {
	s := n.site
	d := obj{"@type": "DigitalDocument", "name": n.Page.Title, "url": s.Config.Absolute(n.Page.URL), "datePublished": ldDate(n.Posted, s), "expires": ldDate(n.TakeDown, s), "publisher": orgLD(s)}
	return graph(s, n.Page, d)
}

// LD returns the regulation's structured data.
func (r *Regulation) LD() obj {
	s := r.site
	d := obj{"@type": "Legislation", "name": r.Page.Title, "legislationIdentifier": r.Number, "url": s.Config.Absolute(r.Page.URL), "legislationDate": ldDate(r.Decided, s), "legislationLegalForce": "InForce"}
	setIf(d, "datePublished", ldDate(r.Decided, s))
	if !r.InForce.IsZero() {
		d["legislationDateVersion"] = ldDate(r.InForce, s)
	}
	if r.DecidedBy != nil {
		d["legislationPassedBy"] = organRef(s, r.DecidedBy)
	}
	return graph(s, r.Page, d)
}

// LD returns the service's structured data (a GovernmentService).
func (x *Service) LD() obj {
	s := x.site
	m := obj{"@type": "GovernmentService", "name": x.Page.Title, "url": s.Config.Absolute(x.Page.URL), "provider": orgLD(s),
		"areaServed": obj{"@type": "AdministrativeArea", "name": s.Config.Organisation.Name}}
	setIf(m, "description", x.Page.Description)
	if len(x.Categories) > 0 {
		m["category"] = x.Categories[0].Name
	}
	if len(x.Audience) > 0 {
		m["audience"] = obj{"@type": "Audience", "audienceType": x.Audience[0]}
	}
	if x.EService != "" {
		m["availableChannel"] = obj{"@type": "ServiceChannel", "serviceUrl": x.EService}
	}
	return graph(s, x.Page, m)
}

// LD returns the news item's structured data.
func (n *News) LD() obj {
	s := n.site
	a := obj{"@type": "NewsArticle", "headline": n.Page.Title, "url": s.Config.Absolute(n.Page.URL), "datePublished": ldTime(n.Page.Date, s), "publisher": orgLD(s), "author": orgLD(s)}
	setIf(a, "description", n.Page.Description)
	if !n.Page.Lastmod.IsZero() {
		a["dateModified"] = ldTime(n.Page.Lastmod, s)
	}
	if n.Image != "" {
		a["image"] = s.Config.Absolute(n.Image)
	}
	return graph(s, n.Page, a)
}

// LD returns the case's structured data.
func (c *Case) LD() obj {
	s := c.Latest().MeetingData().site
	return graph(s, c.Page, obj{"@type": "WebPage", "name": c.Page.Title, "url": s.Config.Absolute(c.Page.URL)})
}

// register is embedded in the Data of generated lists for their LD.
type register struct {
	site *content.Site
	page *content.Page
	list []*content.Page
}

// LD returns the list's structured data: its breadcrumbs. (An ItemList of
// every member would cost more page weight than it is worth.)
func (r register) LD() obj { return graph(r.site, r.page) }
