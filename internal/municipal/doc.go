// Package municipal holds the content types of a Swedish municipal portal:
// people (elected officials and staff), units, organs, parties, meetings
// with agendas and decisions, the official notice board, the local
// författningssamling, service guides and news. Register adds them to a
// content.Registry; internal/cli links them into every torg command.
//
// This comment is the editors' reference for each type's front-matter keys.
// Besides these, every page has the common keys (title, description, date,
// lastmod, reviewed, owner, weight, tags, id, ...). Keys are English; values
// such as kinds and statuses are Swedish, and accents and case do not
// matter ("genomfört" = "genomfort"). References name another page by its
// id: the file name without .md, a bundle's folder name, or front matter
// "id". A missing reference, or one to a page of the wrong type, is an
// error with file:line:col — also inside lists such as memberships and
// agenda items.
//
// A folder's _index.md with one of these types is that type's register
// (the folder's list page): "type: person" lists people by organ, by party,
// A–Ö and by unit; "type: meeting" is "Sammanträden"; "type: notice" is
// the notice board (anslagstavla); "type: regulation" the
// författningssamling; "type: organ" and "type: party" list organs and
// parties.
//
// # person
//
//	kind         fortroendevald | tjansteperson (required)
//	role         uppdrag or befattning: "Kommunstyrelsens ordförande"
//	party        party id (elected officials only)
//	unit         unit id (staff)
//	email        must be in torg.toml's emailDomains, else a build error
//	phone        "0505-170 12"
//	officeHours  "Måndag–fredag 9.00–11.00"
//	photo        file beside the page (bundle) or a site path; needs photoAlt
//	photoAlt     text alternative of the photo
//	contactForm  true: "Skicka meddelande" via the relay (needs email)
//	memberships  list of {organ (id), role (one of the organ's posts,
//	             default ledamot), from, to}; no "to" = current
//
// A person whose "reviewed" is missing or older than reviewMonths
// ([types.person] reviewMonths, else torg.toml's reviewMonths, default 12)
// gives a warning that names the page's owner. Each person gets a vCard
// beside the page (<url><id>.vcf).
//
// # unit
//
// A förvaltning or enhet: email, phone, visitingAddress, postalAddress,
// openingHours. Its title is what pages name as "owner"; the relay's
// recipient id is "enhet-" + the slug of the title.
//
// # organ
//
//	kind              kommunfullmaktige | kommunstyrelse | namnd | utskott |
//	                  beredning | bolag | kommunalforbund | annat (required)
//	abbreviation      "KS"
//	parent            organ id (an utskott's styrelse)
//	seats             number of seats (kommunfullmäktige: checked against
//	                  the current ledamöter, a warning when they differ)
//	posts             list; default ordförande, förste vice ordförande,
//	                  andre vice ordförande, vice ordförande, ledamot, ersättare
//	responsibilities  list of text
//	email, phone      contact details
//	contact           person or unit id
//	documents         list of documents (see below)
//
// Members, chair, former members, meetings and, for kommunfullmäktige, the
// seat distribution by party are derived from people and meetings.
//
// # party
//
//	abbreviation  "S"
//	website       external address
//
// Members (elected officials with current memberships) and seats in
// kommunfullmäktige are derived.
//
// # meeting
//
//	organ            organ id (required)
//	start, end       "2026-12-03 13:00" in the site's time zone (required)
//	place, address   "Sessionssalen, kommunhuset", "Storgatan 16, Karlsborg"
//	accessibility    hörslinga, ramp, direktsändning ...
//	status           planerat (default) | genomfört | inställt
//	public           false for a closed meeting (default true)
//	noticeDate       the day the kallelse was sent
//	minutes          the protokoll: a file beside the page, or a document
//	minutesApproved  the day the minutes were justerade
//	documents        kallelse and handlingar (documents)
//	items            agenda items: {number ("§ 112" or 1), title (required),
//	                 summary, caseNumber (diarienummer), documents,
//	                 rapporteur, decision (text), outcome: bifall | avslag |
//	                 delvis bifall | återremiss | bordlagt | noterat}
//
// Items with a case number get a decision page under the decisions
// register ("beslut/" beside the meetings register, or [types.meeting]
// decisionsURL) that links every meeting that handled the case, and an
// Atom feed of decisions. Calendars: /kalender/sammantraden.ics and
// /kalender/<organ id>.ics (RFC 5545, UID "<meeting id>@<host>").
//
// # notice
//
//	kind        kungörelse | protokoll | delegationsbeslut | annat (required)
//	organ       organ id
//	meeting     meeting id (required for kungörelse and protokoll)
//	posted      the day the notice goes up (required)
//	takeDown    the day it comes down; default three weeks after posted
//	document    a file beside the page, or a document
//	appeal      laglighetsprövning | förvaltningsbesvär | ingen; default
//	            laglighetsprövning for protokoll and delegationsbeslut
//	appealText  overrides the text from [types.notice] laglighetsprovning
//	            or forvaltningsbesvar in torg.toml
//
// The board shows the notices that are up on the build date (--now); an
// archive page (<board>/arkiv/) shows those taken down. A kungörelse of a
// kommunfullmäktige meeting posted less than seven days before the meeting
// is a warning (kommunallagen 5 kap. 55 §).
//
// # regulation
//
//	number     "KFS 2024:3" (required, unique)
//	decidedBy  organ id
//	decided    date of the decision
//	inForce    date in force (required)
//	caseNumber diarienummer
//	document   a file beside the page, or a document
//
// # service
//
//	audience        list of text: "Privatpersoner"
//	cost, processingTime   text
//	requirements    list: what you need
//	steps           list of {title (required), text}, shown as an ordered list
//	eService        external address of the e-tjänst, marked as leaving the site
//	eServiceTitle   link text, default "Till e-tjänsten"
//	contact         person or unit id: the "Kontakta oss" box
//	related         list of service ids
//	legalBasis      list of text: "Plan- och bygglagen (2010:900)"
//	categories      Bygga och bo | Förskola och skola | Omsorg och stöd |
//	                Trafik och gator | Uppleva och göra |
//	                Näringsliv och arbete | Kommun och politik
//	sdg             {service: information | procedure | assistance,
//	                policyCode (required), location}: Your Europe meta tags
//
// Generated: <services>/a-o/ (A–Ö) and <services>/kategori/<slug>/.
//
// # news
//
//	image     file beside the page or a site path
//	imageAlt  required with image ("" only for a decorative image)
//
// "date" is required. The section's Atom feed comes from the core.
//
// # Documents
//
// A document is {title, and exactly one of file (beside the page: the page
// must be a bundle, folder/index.md), page (an id) or url (external),
// optional format and size for external files}. Format and size of files
// are shown ("PDF, 120 kB").
//
// # Outputs
//
// /data/ ("Öppna data", CC0 unless [types.opendata] licence and
// licenceURL say otherwise): personer, organ, sammantraden, beslut, anslag,
// tjanster and forfattningar as JSON and CSV (RFC 4180), and popolo.json.
// The relay's recipient table recipients.json is a private output (beside
// the published folder).
package municipal
