package cli

import "github.com/torgsite/torg/internal/municipal"

// The municipal content types (person, organ, party, unit, meeting,
// notice, regulation, service, news) are linked into every torg command.
func init() { typeRegistrars = append(typeRegistrars, municipal.Register) }
