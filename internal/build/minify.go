package build

import (
	"fmt"
	"mime"
	"path"
	"regexp"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/minify/v2/xml"
)

// minifier wraps one shared tdewolff/minify instance; it is safe for
// concurrent use.
type minifier struct {
	m  *minify.M
	on bool
}

func newMinifier(on bool) *minifier {
	m := minify.New()
	// Document and end tags are kept: validators and some assistive
	// technology parsers are stricter than the HTML5 parsing algorithm.
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true, KeepDefaultAttrVals: true})
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("application/javascript", js.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`[/+]json$`), json.Minify)
	m.AddFuncRegexp(regexp.MustCompile(`[/+]xml$`), xml.Minify)
	return &minifier{m: m, on: on}
}

// bytes minifies b when minification is on and the media type is known.
func (mn *minifier) bytes(mediaType string, b []byte) ([]byte, error) {
	if !mn.on || mediaType == "" {
		return b, nil
	}
	out, err := mn.m.Bytes(mediaType, b)
	if err != nil {
		if err == minify.ErrNotExist {
			return b, nil
		}
		return nil, fmt.Errorf("minify %s: %w", mediaType, err)
	}
	return out, nil
}

func mediaType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css"
	case ".js", ".mjs":
		return "application/javascript"
	case ".svg":
		return "image/svg+xml"
	case ".html":
		return "text/html"
	case ".json":
		return "application/json"
	case ".xml":
		return "application/xml"
	}
	t := mime.TypeByExtension(path.Ext(name))
	return t
}
