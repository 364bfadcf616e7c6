package relay

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/torgsite/torg/internal/relay/mailmsg"
)

// Recipient kinds in the recipient table.
const (
	KindGeneral       = "general"
	KindPerson        = "person"
	KindUnit          = "unit"
	KindAccessibility = "accessibility"
)

// Recipient is one entry of the recipient table written by torg build.
type Recipient struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Title   string `json:"title,omitempty"`
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Unit    string `json:"unit,omitempty"` // for persons: id of their unit, with or without "enhet-"
}

// Table is a loaded recipient table.
type Table struct {
	byID map[string]*Recipient
	ids  []string
}

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)

// ParseTable decodes the recipient table. Unknown fields are ignored.
// Entries with a bad id, an address outside domains or an unsafe name are
// left out with a warning that names only the id. A table that is not JSON
// or has no usable entry is an error.
func ParseTable(data []byte, domains []string, log *slog.Logger) (*Table, error) {
	return parseTable(data, func(d string) bool { return slices.Contains(domains, d) }, log)
}

// parseTable is ParseTable with a predicate for allowed domains (the
// development mailbox allows every domain: it sends nothing).
func parseTable(data []byte, domainOK func(string) bool, log *slog.Logger) (*Table, error) {
	var raw struct {
		Version    int         `json:"version"`
		Recipients []Recipient `json:"recipients"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("recipient table: %w", err)
	}
	if raw.Version < 1 {
		return nil, fmt.Errorf("recipient table: missing or bad version %d", raw.Version)
	}
	if raw.Version > 1 {
		log.Warn("recipient table has a newer version; reading the fields this relay knows", "version", raw.Version)
	}
	t := &Table{byID: make(map[string]*Recipient)}
	for i := range raw.Recipients {
		r := raw.Recipients[i]
		switch {
		case !idRE.MatchString(r.ID):
			log.Warn("recipient table: entry skipped: bad id", "index", i)
			continue
		case t.byID[r.ID] != nil:
			log.Warn("recipient table: entry skipped: duplicate id", "recipient", r.ID)
			continue
		case !mailmsg.ValidAddress(r.Address):
			log.Warn("recipient table: entry skipped: bad address", "recipient", r.ID)
			continue
		case !domainOK(mailmsg.Domain(r.Address)):
			log.Warn("recipient table: entry skipped: address outside the allowed domains", "recipient", r.ID)
			continue
		case !mailmsg.SafeLine(r.Name) || !mailmsg.SafeLine(r.Title) || r.Name == "":
			log.Warn("recipient table: entry skipped: bad name or title", "recipient", r.ID)
			continue
		}
		switch r.Kind {
		case KindGeneral, KindPerson, KindUnit, KindAccessibility:
		default:
			log.Warn("recipient table: unknown kind, treated as general", "recipient", r.ID, "kind", r.Kind)
			r.Kind = KindGeneral
		}
		t.byID[r.ID] = &r
		t.ids = append(t.ids, r.ID)
	}
	if len(t.byID) == 0 {
		return nil, fmt.Errorf("recipient table: no usable recipients")
	}
	return t, nil
}

// Get returns the recipient with exactly this id.
func (t *Table) Get(id string) *Recipient {
	if t == nil {
		return nil
	}
	return t.byID[id]
}

// Len returns the number of recipients.
func (t *Table) Len() int {
	if t == nil {
		return 0
	}
	return len(t.byID)
}

// unit finds a person's unit, whose id may be given with or without the
// "enhet-" prefix.
func (t *Table) unit(id string) *Recipient {
	if id == "" {
		return nil
	}
	for _, cand := range []string{id, "enhet-" + id, strings.TrimPrefix(id, "enhet-")} {
		if r := t.Get(cand); r != nil && r.Kind == KindUnit {
			return r
		}
	}
	return nil
}

// firstOfKind returns the first recipient of kind k in table order.
func (t *Table) firstOfKind(k string) *Recipient {
	for _, id := range t.ids {
		if r := t.byID[id]; r.Kind == k {
			return r
		}
	}
	return nil
}
