package build

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/torgsite/torg/internal/config"
	"github.com/torgsite/torg/internal/render"
	"github.com/torgsite/torg/themes"
)

// theme is the layered set of folders a build reads layouts, strings,
// assets and static files from: the site's own first, then the theme's.
type theme struct {
	layouts []render.Layer
	i18n    []render.Layer
	assets  []render.Layer
	static  []render.Layer
}

func loadTheme(opts Options, cfg *config.Config) (*theme, error) {
	var tfs fs.FS
	prefix := "themes/default/"
	switch {
	case opts.Theme != nil:
		tfs = opts.Theme
		prefix = "theme/"
	case cfg.Theme != "":
		if strings.ContainsAny(cfg.Theme, `/\`) || cfg.Theme == ".." {
			return nil, fmt.Errorf("theme %q: give the name of a folder in themes/", cfg.Theme)
		}
		dir := filepath.Join(opts.Source, "themes", cfg.Theme)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("theme %q: no folder %s", cfg.Theme, dir)
		}
		tfs = os.DirFS(dir)
		prefix = "themes/" + cfg.Theme + "/"
	default:
		tfs = themes.Default()
		prefix = "(built-in theme) "
	}
	site := os.DirFS(opts.Source)
	sub := func(f fs.FS, dir string) fs.FS {
		s, err := fs.Sub(f, dir)
		if err != nil {
			return nil
		}
		if _, err := fs.Stat(s, "."); err != nil {
			return nil
		}
		return s
	}
	t := &theme{}
	for _, kind := range []string{"layouts", "i18n", "assets", "static"} {
		layers := []render.Layer{
			{FS: sub(site, kind), Prefix: kind + "/"},
			{FS: sub(tfs, kind), Prefix: prefix + kind + "/"},
		}
		switch kind {
		case "layouts":
			t.layouts = layers
		case "i18n":
			t.i18n = layers
		case "assets":
			t.assets = layers
		case "static":
			// The theme's static files first, so that the site's
			// override them (copyStatic skips files already claimed).
			t.static = layers
		}
	}
	return t, nil
}

type assetFile struct {
	path string // output path with hash
	src  string
	data []byte
}

// hashAssets minifies the theme's and site's assets and names each with a
// content hash, so they can be cached for a year.
func hashAssets(layers []render.Layer, min *minifier) (map[string]string, []assetFile, error) {
	files := map[string]render.Layer{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if l.FS == nil {
			continue
		}
		err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
				files[p] = l
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	urls := map[string]string{}
	var out []assetFile
	for _, n := range names {
		l := files[n]
		b, err := fs.ReadFile(l.FS, n)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s%s: %w", l.Prefix, n, err)
		}
		b, err = min.bytes(mediaType(n), b)
		if err != nil {
			return nil, nil, fmt.Errorf("%s%s: %w", l.Prefix, n, err)
		}
		ext := path.Ext(n)
		hashed := strings.TrimSuffix(n, ext) + "." + hash(b) + ext
		urls[n] = "/" + hashed
		out = append(out, assetFile{path: hashed, src: l.Prefix + n, data: b})
	}
	return urls, out, nil
}

func copyStatic(l render.Layer, tr *tracker) error {
	if l.FS == nil {
		return nil
	}
	return fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		tr.mu.Lock()
		prev, taken := tr.owner[p]
		tr.mu.Unlock()
		if taken {
			if strings.HasPrefix(prev, "static/") && !strings.HasPrefix(l.Prefix, "static/") {
				return nil // the site's static file overrides the theme's
			}
			if !strings.HasPrefix(l.Prefix, "static/") {
				return nil
			}
		}
		b, err := fs.ReadFile(l.FS, p)
		if err != nil {
			return fmt.Errorf("read %s%s: %w", l.Prefix, p, err)
		}
		return tr.write(p, l.Prefix+p, b)
	})
}
