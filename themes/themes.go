// Package themes embeds torg's default theme, so that the torg binary alone
// builds any content folder.
//
// A theme folder holds:
//
//	layouts/   html/template layouts (see package render for lookup and data)
//	assets/    CSS and JS, published with a content hash in the file name
//	static/    files copied as they are (icons, images)
//	i18n/      interface strings, one TOML file per language (sv.toml, en.toml)
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var embedded embed.FS

// Default returns the default theme's files, rooted at the theme folder.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
