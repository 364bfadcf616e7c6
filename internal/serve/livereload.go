package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strings"

	"github.com/torgsite/torg/internal/content"
	"github.com/torgsite/torg/internal/diag"
)

// Paths the server answers itself, below /_torg/.
const (
	EventsPath  = "/_torg/events"
	ScriptPath  = "/_torg/reload.js"
	MailboxPath = "/_torg/mail"
	StatusPath  = "/_torg/status"
)

// scriptTag is what every served page gets before </body>.
const scriptTag = `<script src="` + ScriptPath + `" defer></script>`

// inject adds the live-reload script to a page: before the last </body>,
// or at the end of documents that have none (layouts without body tags).
// It is build.Options.Inject, so it runs only in serve mode.
func inject(_ *content.Page, page []byte) []byte {
	return insertBeforeBodyEnd(page, []byte(scriptTag))
}

func insertBeforeBodyEnd(page, add []byte) []byte {
	i := lastIndexFold(page, []byte("</body"))
	out := make([]byte, 0, len(page)+len(add))
	if i < 0 {
		out = append(out, page...)
		return append(out, add...)
	}
	out = append(out, page[:i]...)
	out = append(out, add...)
	return append(out, page[i:]...)
}

func lastIndexFold(s, sep []byte) int {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i] == '<' && bytes.EqualFold(s[i:i+len(sep)], sep) {
			return i
		}
	}
	return -1
}

// overlayHTML renders the error overlay: an alert with every diagnostic
// as file:line:col: message. The script draws the same from the "error"
// event for pages already open.
func overlayHTML(ds []*diag.Diagnostic) []byte {
	var b strings.Builder
	b.WriteString(`<div id="torg-overlay" role="alert" style="` + overlayStyle + `">`)
	b.WriteString(`<h2 style="margin:0 0 .5em;font-size:1.25rem">` + overlayTitle + `</h2>`)
	b.WriteString(`<p style="margin:0 0 .75em">` + overlayText + `</p><ul style="margin:0;padding-left:1.25em">`)
	for _, d := range ds {
		b.WriteString(`<li><code>`)
		b.WriteString(html.EscapeString(position(d)))
		b.WriteString(`</code> `)
		b.WriteString(html.EscapeString(d.Msg))
		b.WriteString(`</li>`)
	}
	b.WriteString(`</ul></div>`)
	return []byte(b.String())
}

const (
	overlayTitle = "Webbplatsen kunde inte byggas"
	overlayText  = "Sidorna visas som de var efter det senaste lyckade bygget. Rätta felet nedan och spara filen, så försvinner rutan av sig själv."
	overlayStyle = "position:fixed;z-index:2147483647;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;" +
		"background:#fff;color:#1a1a1a;border-top:6px solid #b00020;padding:1em 1.5em;font:16px/1.5 system-ui,sans-serif;" +
		"box-shadow:0 -4px 16px rgba(0,0,0,.3)"
)

// position formats "file:line:col", as far as it is known.
func position(d *diag.Diagnostic) string {
	if d.File == "" {
		return "(webbplatsen)"
	}
	s := d.File
	if d.Line > 0 {
		s += fmt.Sprintf(":%d", d.Line)
		if d.Col > 0 {
			s += fmt.Sprintf(":%d", d.Col)
		}
	}
	return s
}

// diagJSON is a diagnostic as the script receives it.
type diagJSON struct {
	Pos string `json:"pos"`
	Msg string `json:"msg"`
}

func errorEvent(ds []*diag.Diagnostic) []byte {
	out := struct {
		Title string     `json:"title"`
		Text  string     `json:"text"`
		Diags []diagJSON `json:"diags"`
	}{Title: overlayTitle, Text: overlayText}
	for _, d := range ds {
		out.Diags = append(out.Diags, diagJSON{Pos: position(d), Msg: d.Msg})
	}
	b, _ := json.Marshal(out)
	return b
}

// reloadScript connects to the event stream. It reloads the page when the
// server says this page changed, swaps stylesheets when only CSS changed,
// and shows or clears the error overlay. EventSource reconnects by itself
// when the server restarts.
const reloadScript = `(function () {
  "use strict";
  if (!window.EventSource) return;
  var here = location.pathname.replace(/index\.html$/, "");
  var es = new EventSource("` + EventsPath + `");
  function showOverlay(data) {
    clearOverlay();
    var box = document.createElement("div");
    box.id = "torg-overlay";
    box.setAttribute("role", "alert");
    box.setAttribute("style", ` + "`" + overlayStyle + "`" + `);
    var h = document.createElement("h2");
    h.setAttribute("style", "margin:0 0 .5em;font-size:1.25rem");
    h.textContent = data.title;
    var p = document.createElement("p");
    p.setAttribute("style", "margin:0 0 .75em");
    p.textContent = data.text;
    var ul = document.createElement("ul");
    ul.setAttribute("style", "margin:0;padding-left:1.25em");
    (data.diags || []).forEach(function (d) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = d.pos;
      li.appendChild(code);
      li.appendChild(document.createTextNode(" " + d.msg));
      ul.appendChild(li);
    });
    box.appendChild(h); box.appendChild(p); box.appendChild(ul);
    document.body.appendChild(box);
  }
  function clearOverlay() {
    var old = document.getElementById("torg-overlay");
    if (old) old.parentNode.removeChild(old);
  }
  es.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    if (d.all || (d.pages || []).indexOf(here) >= 0) location.reload();
  });
  es.addEventListener("css", function (e) {
    var d = JSON.parse(e.data);
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (d.swap && d.swap[href]) links[i].setAttribute("href", d.swap[href]);
    }
  });
  es.addEventListener("failed", function (e) {
    if (e.data) showOverlay(JSON.parse(e.data));
  });
  es.addEventListener("ok", function () { clearOverlay(); });
  window.__torgLiveReload = es;
})();
`
