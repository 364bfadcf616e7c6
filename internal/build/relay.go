package build

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/render"
)

// RelayLayoutFile is the name of the relay's page layout in the private
// output folder.
const RelayLayoutFile = "layout.html"

const (
	relayTitleMarker = "TORGRELAYTITLEMARKER"
	relayMainMarker  = "TORGRELAYMAINMARKER"
)

// relayLayout renders the theme's _default/relay.html with placeholders,
// then turns it into an html/template text in which the relay defines
// "title" and "main". Its forms thus look like the site while their
// signed timestamps stay fresh.
func relayLayout(eng *render.Engine, site *content.Site, min *minifier) ([]byte, error) {
	const layout = "_default/relay.html"
	if !eng.Has(layout) {
		return nil, nil
	}
	p := &content.Page{Kind: content.KindVirtual, Type: "page", Title: relayTitleMarker, LinkTitle: relayTitleMarker,
		URL: "/", Parent: nil, Lang: site.Config.Language, Content: template.HTML(relayMainMarker), NoIndex: true}
	var buf bytes.Buffer
	if err := eng.Render(&buf, layout, &render.Data{Site: site, Page: p, Lang: p.Lang, Now: site.Now}); err != nil {
		return nil, fmt.Errorf("relay layout: %w", err)
	}
	b, err := min.bytes("text/html", buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("relay layout: %w", err)
	}
	// Anything that looks like a template action in the site's own text
	// must stay text.
	b = bytes.ReplaceAll(b, []byte("{{"), []byte(`{{"{{"}}`))
	b = bytes.ReplaceAll(b, []byte(relayTitleMarker), []byte(`{{template "title" .}}`))
	b = bytes.ReplaceAll(b, []byte(relayMainMarker), []byte(`{{template "main" .}}`))
	return b, nil
}
