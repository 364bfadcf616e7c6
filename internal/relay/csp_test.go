package relay

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// siteLayout is shaped like the layout torg build writes from the default
// theme: an inline brand-colour style and a JSON-LD data block.
const siteLayout = `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{{template "title" .}}</title>` +
	`<link rel="stylesheet" href="/css/main.css"><style>:root{--brand:#005a87}</style>` +
	`<script type="application/ld+json">{"@context":"https://schema.org","@type":"GovernmentOrganization","name":"Karlsborgs kommun"}</script>` +
	`<STYLE media="print">body{color:#000}</STYLE>` +
	`<script>document.documentElement.className="js"</script>` +
	`</head><body><main id="main">{{template "main" .}}</main></body></html>`

func TestFindInline(t *testing.T) {
	in := findInline([]byte(siteLayout))
	wantStyles := uniqueSorted([]string{sha(":root{--brand:#005a87}"), sha("body{color:#000}")})
	if strings.Join(in.styles, " ") != strings.Join(wantStyles, " ") {
		t.Errorf("styles %v, want %v", in.styles, wantStyles)
	}
	// The JSON-LD block is data, not script: no hash for it.
	if len(in.scripts) != 1 || in.scripts[0] != sha(`document.documentElement.className="js"`) {
		t.Errorf("scripts %v", in.scripts)
	}
	if len(in.styleAttrs) != 0 {
		t.Errorf("style attributes %v", in.styleAttrs)
	}
	// Style attributes are hashed by their value (entities decoded).
	attrs := findInline([]byte(`<p style="color:red">x</p><p STYLE='a:&quot;b&quot;'>y</p><p style=color:red>z</p>`)).styleAttrs
	if want := uniqueSorted([]string{sha("color:red"), sha(`a:"b"`)}); strings.Join(attrs, " ") != strings.Join(want, " ") {
		t.Errorf("style attributes %v, want %v", attrs, want)
	}
	// Text that only looks like a style element is not one.
	if in := findInline([]byte(`<!-- <style>a{}</style> --><textarea><style>b{}</style></textarea>`)); len(in.styles) != 0 {
		t.Errorf("styles in a comment or textarea: %v", in.styles)
	}
}

func TestCSPAllowsLayoutInlineStyles(t *testing.T) {
	h := newHarness(t, func(c *Config, h *harness) {
		c.Layout = filepath.Join(h.dir, "layout.html")
		os.WriteFile(c.Layout, []byte(siteLayout), 0o600)
	})
	for _, path := range []string{"/skriv/kommunen", "/tack/KBG-2026-000001", "/skriv/finns-inte", "/healthz"} {
		r := h.get(path)
		csp := r.hdr.Get("Content-Security-Policy")
		style, script := directive(csp, "style-src"), directive(csp, "script-src")
		for _, want := range []string{"'self'", sha(":root{--brand:#005a87}"), sha("body{color:#000}"), builtinInline.styles[0]} {
			if !strings.Contains(style, want) {
				t.Errorf("%s: style-src %q lacks %s", path, style, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-hashes") { // no style attributes in this layout
			t.Errorf("%s: CSP %q", path, csp)
		}
		if !strings.Contains(script, sha(`document.documentElement.className="js"`)) || strings.Contains(script, sha(`{"@context":"https://schema.org","@type":"GovernmentOrganization","name":"Karlsborgs kommun"}`)) {
			t.Errorf("%s: script-src %q", path, script)
		}
	}
	// The hash matches the style element as served.
	g := h.get("/skriv/kommunen")
	if !strings.Contains(g.body, "<style>:root{--brand:#005a87}</style>") {
		t.Fatalf("layout not used:\n%s", g.body)
	}

	// A changed layout brings its own hashes; the old ones go.
	os.WriteFile(h.cfg.Layout, []byte(strings.ReplaceAll(siteLayout, "#005a87", "#8a1538")), 0o600)
	h.srv.Reload()
	csp := h.get("/skriv/kommunen").hdr.Get("Content-Security-Policy")
	if !strings.Contains(csp, sha(":root{--brand:#8a1538}")) || strings.Contains(csp, sha(":root{--brand:#005a87}")) {
		t.Fatalf("CSP after reload %q", csp)
	}

	// Style attributes (as in a theme's search form) are allowed by the
	// hash of their exact value, with 'unsafe-hashes', never 'unsafe-inline'.
	os.WriteFile(h.cfg.Layout, []byte(strings.ReplaceAll(siteLayout, `<main id="main">`, `<form style="display:flex;gap:.5rem" action="/sok/"><input name="q" aria-label="Sök"></form><main id="main">`)), 0o600)
	h.srv.Reload()
	style := directive(h.get("/skriv/kommunen").hdr.Get("Content-Security-Policy"), "style-src")
	if !strings.Contains(style, "'unsafe-hashes' ") || !strings.Contains(style, sha("display:flex;gap:.5rem")) || strings.Contains(style, "unsafe-inline") {
		t.Fatalf("style-src with a style attribute: %q", style)
	}
}

func directive(csp, name string) string {
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		if strings.HasPrefix(d, name+" ") {
			return d
		}
	}
	return ""
}
