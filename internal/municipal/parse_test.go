package municipal_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python returns a Python 3 that has Debian's python3-icalendar,
// python3-vobject and python3-feedparser. Without them the test fails
// when CI is set (.ci/run installs them) and is skipped otherwise.
func python(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import icalendar, vobject, feedparser").Run() == nil {
			return py
		}
	}
	msg := "python3 with icalendar, vobject and feedparser not found (apt-get install python3-icalendar python3-vobject python3-feedparser)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runPython runs script with the output files written to a folder passed
// as argv[1]; the script prints JSON.
func runPython(t *testing.T, py string, files map[string][]byte, script string, out any) {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(py, "-c", script, dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("python output %q: %v", b, err)
	}
}

func TestICalendarParses(t *testing.T) {
	r := fixture(t)
	py := python(t)
	ics := r.files["kalender/sammantraden.ics"]
	for i, line := range bytes.SplitAfter(ics, []byte("\r\n")) {
		if len(line) > 77 { // 75 octets + CRLF
			t.Errorf("line %d is %d octets long", i+1, len(line)-2)
		}
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
			t.Errorf("line %d does not end in CRLF", i+1)
		}
	}
	var got []map[string]string
	runPython(t, py, map[string][]byte{"a.ics": ics}, `
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1] + "/a.ics", "rb").read())
tz = [c for c in cal.walk("VTIMEZONE")]
assert len(tz) == 1 and str(tz[0]["TZID"]) == "Europe/Stockholm", tz
out = []
for e in cal.walk("VEVENT"):
    out.append({"uid": str(e["UID"]), "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(),
        "tzid": e["DTSTART"].params.get("TZID", ""), "status": str(e["STATUS"]), "summary": str(e["SUMMARY"]),
        "location": str(e.get("LOCATION", "")), "url": str(e.get("URL", ""))})
print(json.dumps(out))
`, &got)
	if len(got) != 3 {
		t.Fatalf("got %d events, want 3: %v", len(got), got)
	}
	byUID := map[string]map[string]string{}
	for _, e := range got {
		byUID[e["uid"]] = e
	}
	kf := byUID["kf-2026-12-14@www.provkommun.se"]
	if kf == nil || kf["start"] != "2026-12-14T18:30:00+01:00" || kf["end"] != "2026-12-14T21:00:00+01:00" || kf["tzid"] != "Europe/Stockholm" || kf["status"] != "CONFIRMED" ||
		kf["location"] != "Sessionssalen, kommunhuset, Storgatan 1, Provby" || kf["url"] != "https://www.provkommun.se/politik/sammantraden/kf-2026-12-14/" {
		t.Errorf("kf event: %v", kf)
	}
	if c := byUID["ks-2026-10-01@www.provkommun.se"]; c == nil || c["status"] != "CANCELLED" {
		t.Errorf("cancelled event: %v", c)
	}
	// UIDs are stable: a second build gives the same calendar.
	if again := fixture(t).files["kalender/sammantraden.ics"]; !bytes.Equal(again, ics) {
		t.Error("two builds gave different calendars")
	}
}

func TestVCardParses(t *testing.T) {
	r := fixture(t)
	py := python(t)
	var got map[string]string
	runPython(t, py, map[string][]byte{"a.vcf": r.files["kontakt/medarbetare/david-ahl/david-ahl.vcf"]}, `
import sys, json, vobject
c = vobject.readOne(open(sys.argv[1] + "/a.vcf", encoding="utf-8").read())
print(json.dumps({"version": c.version.value, "fn": c.fn.value, "family": c.n.value.family, "given": c.n.value.given,
    "email": c.email.value, "tel": c.tel.value, "title": c.title.value, "org": ";".join(c.org.value), "url": c.url.value}))
`, &got)
	want := map[string]string{"version": "4.0", "fn": "David Åhl", "family": "Åhl", "given": "David", "email": "david.ahl@provkommun.se",
		"tel": "tel:+4610010030", "title": "Bygglovshandläggare", "org": "Provkommunen;Kansliet", "url": "https://www.provkommun.se/kontakt/medarbetare/david-ahl/"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestAtomParses(t *testing.T) {
	r := fixture(t)
	py := python(t)
	var got struct {
		Bozo    int
		Title   string
		Entries []struct{ Title, Link, Summary, ID string }
	}
	runPython(t, py, map[string][]byte{"a.xml": r.files["politik/beslut/atom.xml"]}, `
import sys, json, feedparser
f = feedparser.parse(sys.argv[1] + "/a.xml")
print(json.dumps({"Bozo": int(f.bozo), "Title": f.feed.title, "Entries": [{"Title": e.title, "Link": e.link, "Summary": e.summary, "ID": e.id} for e in f.entries]}))
`, &got)
	if got.Bozo != 0 || len(got.Entries) != 1 {
		t.Fatalf("feed: %+v", got)
	}
	e := got.Entries[0]
	if e.Title != "Kommunstyrelsen: Budget 2027 (KS 2026/45)" || e.Link != "https://www.provkommun.se/politik/sammantraden/ks-2026-11-10/#arende-101" ||
		!strings.Contains(e.Summary, "Bifall. Kommunstyrelsen föreslår") {
		t.Errorf("entry: %+v", e)
	}
}

func TestJSONAndCSV(t *testing.T) {
	r := fixture(t)
	for _, name := range []string{"personer", "organ", "sammantraden", "beslut", "anslag", "tjanster", "forfattningar"} {
		var doc struct {
			Licence string
			Fields  []string
			Items   []map[string]string
		}
		if err := json.Unmarshal(r.files["data/"+name+".json"], &doc); err != nil {
			t.Errorf("%s.json: %v", name, err)
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(r.files["data/"+name+".csv"])).ReadAll()
		if err != nil {
			t.Errorf("%s.csv: %v", name, err)
			continue
		}
		if doc.Licence != "CC0 1.0" || len(recs) != len(doc.Items)+1 || strings.Join(recs[0], ",") != strings.Join(doc.Fields, ",") {
			t.Errorf("%s: licence %q, %d CSV rows for %d items, header %v vs %v", name, doc.Licence, len(recs), len(doc.Items), recs[0], doc.Fields)
		}
		if !bytes.Contains(r.files["data/"+name+".csv"], []byte("\r\n")) {
			t.Errorf("%s.csv: lines must end in CRLF (RFC 4180)", name)
		}
	}
	var people struct{ Items []map[string]string }
	json.Unmarshal(r.files["data/personer.json"], &people)
	if len(people.Items) != 4 {
		t.Errorf("personer.json: %d people, want 4", len(people.Items))
	}

	var pop struct {
		Persons       []struct{ ID, Name string }
		Organizations []struct{ ID, Classification string }
		Posts         []struct {
			ID             string
			OrganizationID string `json:"organization_id"`
		}
		Memberships []struct {
			PersonID       string `json:"person_id"`
			OrganizationID string `json:"organization_id"`
			PostID         string `json:"post_id"`
			Role           string
			OnBehalfOf     string `json:"on_behalf_of_id"`
			EndDate        string `json:"end_date"`
		}
	}
	if err := json.Unmarshal(r.files["data/popolo.json"], &pop); err != nil {
		t.Fatalf("popolo.json: %v", err)
	}
	posts := map[string]bool{}
	for _, p := range pop.Posts {
		posts[p.ID] = true
	}
	orgs := map[string]string{}
	for _, o := range pop.Organizations {
		orgs[o.ID] = o.Classification
	}
	if len(pop.Persons) != 3 || orgs["kf"] != "kommunfullmaktige" || orgs["bla"] != "party" {
		t.Errorf("popolo persons %v, organizations %v", pop.Persons, orgs)
	}
	found := false
	for _, m := range pop.Memberships {
		if orgs[m.OrganizationID] == "" {
			t.Errorf("membership %+v: no such organization", m)
		}
		if m.PostID != "" && !posts[m.PostID] {
			t.Errorf("membership %+v: no such post", m)
		}
		if m.PersonID == "anna-ek" && m.OrganizationID == "ks" && m.Role == "ordförande" && m.OnBehalfOf == "grona" {
			found = true
		}
	}
	if !found {
		t.Errorf("Anna Ek's chair of KS is missing: %+v", pop.Memberships)
	}

	var rec struct {
		Version    int
		Recipients []struct{ ID, Name, Title, Address, Kind, Unit string }
	}
	if err := json.Unmarshal(r.private["recipients.json"], &rec); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, x := range rec.Recipients {
		ids[x.ID] = x.Kind
	}
	want := map[string]string{"kommunen": "general", "tillganglighet": "accessibility", "enhet-kansliet": "unit", "anna-ek": "person", "david-ahl": "person"}
	if rec.Version != 1 || len(ids) != len(want) {
		t.Errorf("recipients: %+v", rec)
	}
	for id, kind := range want {
		if ids[id] != kind {
			t.Errorf("recipient %s: kind %q, want %q", id, ids[id], kind)
		}
	}
	if _, public := r.files["recipients.json"]; public {
		t.Error("recipients.json must not be published")
	}
}
