package cli

import (
	"github.com/torgsite/torg/internal/municipal"
	"github.com/torgsite/torg/internal/search"
)

// The municipal content types (person, organ, party, unit, meeting,
// notice, regulation, service, news) and the site search (the /sok/ page
// and its index) are linked into every torg command.
func init() {
	typeRegistrars = append(typeRegistrars, municipal.Register, search.Register)
}
