// Package ical writes iCalendar (RFC 5545) calendars of events: CRLF line
// endings, lines folded at 75 octets without splitting UTF-8 sequences,
// escaped text values, and a VTIMEZONE for the events' zone so that
// DTSTART and DTEND carry a TZID. Output is deterministic: DTSTAMP is given
// by the caller, never read from the clock.
package ical

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	UID         string // stable across builds ("ks-2026-12-03@www.karlsborg.se")
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	Cancelled   bool // STATUS:CANCELLED, else CONFIRMED
	Stamp       time.Time
	Sequence    int
}

// Calendar is a VCALENDAR.
type Calendar struct {
	ProdID string // "-//torg//Karlsborgs kommun//SV"
	Name   string // X-WR-CALNAME
	Zone   *time.Location
	Events []Event
}

// Write renders c.
func Write(c Calendar) []byte {
	var b bytes.Buffer
	zone := c.Zone
	if zone == nil {
		zone = time.UTC
	}
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", c.ProdID)
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", Escape(c.Name))
	}
	tzid := zone.String()
	if tzid != "UTC" {
		line("X-WR-TIMEZONE", tzid)
		writeTimezone(&b, zone, c.Events)
	}
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", e.UID)
		line("DTSTAMP", e.Stamp.UTC().Format("20060102T150405Z"))
		line(dt("DTSTART", e.Start, zone))
		line(dt("DTEND", e.End, zone))
		line("SUMMARY", Escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Escape(e.Description))
		}
		if e.Location != "" {
			line("LOCATION", Escape(e.Location))
		}
		if e.URL != "" {
			line("URL", e.URL)
		}
		if e.Cancelled {
			line("STATUS", "CANCELLED")
		} else {
			line("STATUS", "CONFIRMED")
		}
		if e.Sequence > 0 {
			line("SEQUENCE", fmt.Sprint(e.Sequence))
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Bytes()
}

func dt(name string, t time.Time, zone *time.Location) (string, string) {
	if zone == time.UTC {
		return name, t.UTC().Format("20060102T150405Z")
	}
	return name + ";TZID=" + zone.String(), t.In(zone).Format("20060102T150405")
}

// Escape escapes a TEXT value (RFC 5545 3.3.11).
func Escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold writes one content line, folded so that no line exceeds 75 octets
// (continuations start with a space), ending in CRLF.
func fold(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// writeTimezone writes a VTIMEZONE with the STANDARD and DAYLIGHT rules of
// zone for the years the events span, found from the zone's transitions
// (Europe/Stockholm: CET/CEST, last Sunday of March and October).
func writeTimezone(b *bytes.Buffer, zone *time.Location, events []Event) {
	line := func(name, value string) { fold(b, name+":"+value) }
	line("BEGIN", "VTIMEZONE")
	line("TZID", zone.String())
	year := time.Now().Year()
	if len(events) > 0 {
		year = events[0].Start.In(zone).Year()
	}
	trans := transitions(zone, year)
	if len(trans) == 0 {
		// A zone without daylight saving time: one STANDARD block.
		_, off := time.Date(year, 1, 1, 0, 0, 0, 0, zone).Zone()
		name, _ := time.Date(year, 1, 1, 0, 0, 0, 0, zone).Zone()
		line("BEGIN", "STANDARD")
		line("DTSTART", "19700101T000000")
		line("TZOFFSETFROM", offset(off))
		line("TZOFFSETTO", offset(off))
		line("TZNAME", name)
		line("END", "STANDARD")
		line("END", "VTIMEZONE")
		return
	}
	for _, t := range trans {
		kind := "STANDARD"
		if t.dst {
			kind = "DAYLIGHT"
		}
		line("BEGIN", kind)
		// DTSTART is local time before the change, as RFC 5545 requires.
		line("DTSTART", t.at.Add(time.Duration(t.from)*time.Second).UTC().Format("20060102T150405"))
		line("TZOFFSETFROM", offset(t.from))
		line("TZOFFSETTO", offset(t.to))
		line("TZNAME", t.name)
		if t.rule != "" {
			line("RRULE", t.rule)
		}
		line("END", kind)
	}
	line("END", "VTIMEZONE")
}

type transition struct {
	at       time.Time // UTC instant of the change
	from, to int       // offsets in seconds
	name     string
	dst      bool
	rule     string
}

// transitions finds the zone's changes in year by bisection over the year.
func transitions(zone *time.Location, year int) []transition {
	var out []transition
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prevOff := start.In(zone).Zone()
	for t := start; t.Before(end); t = t.Add(24 * time.Hour) {
		next := t.Add(24 * time.Hour)
		_, off := next.In(zone).Zone()
		if off == prevOff {
			continue
		}
		lo, hi := t, next
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2)
			if _, o := mid.In(zone).Zone(); o == prevOff {
				lo = mid
			} else {
				hi = mid
			}
		}
		name, _ := hi.In(zone).Zone()
		tr := transition{at: hi.Truncate(time.Second), from: prevOff, to: off, name: name, dst: off > prevOff}
		local := hi.In(zone).Add(-time.Duration(off-prevOff) * time.Second)
		// Last <weekday> of the month, as in the EU rules.
		if local.AddDate(0, 0, 7).Month() != local.Month() {
			tr.rule = fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=-1%s", int(local.Month()), strings.ToUpper(local.Weekday().String()[:2]))
		}
		out = append(out, tr)
		prevOff = off
	}
	return out
}

func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign = "-"
		sec = -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, (sec%3600)/60)
}
