package content

import (
	"bytes"
	"os"
	"reflect"
	"time"

	"gopkg.in/yaml.v3"
)

// NestedPos returns the position of a value inside key's value, for errors
// in records such as a meeting's agenda items: path holds map keys
// (string) and 0-based list indexes (int), so NestedPos("items", 2,
// "documents", 0, "file") is the file of the first document of the third
// item.
//
// The parsed front matter keeps positions of top-level keys only, so the
// YAML is read again from fm.File, relative to the working folder (the site
// source when torg runs in it, as `torg build` usually does). The lookup is
// used only on error paths. When the file cannot be read there, is TOML, or
// no longer holds the value that was decoded, the position of key's value is
// returned: never a wrong position.
func (fm *FrontMatter) NestedPos(key string, path ...any) Pos {
	fallback := fm.Pos(key)
	if len(path) == 0 || fm.Format != "yaml" {
		return fallback
	}
	src, err := os.ReadFile(fm.File)
	if err != nil {
		return fallback
	}
	raw, firstLine, ok := yamlBlock(src)
	if !ok {
		return fallback
	}
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fallback
	}
	root := doc.Content[0]
	var n *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			n = root.Content[i+1]
			break
		}
	}
	if n == nil {
		return fallback
	}
	// The file must still hold what was decoded.
	if v, err := yamlValue(n); err != nil || !reflect.DeepEqual(v, fm.values[key]) {
		return fallback
	}
	for _, step := range path {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch s := step.(type) {
		case int:
			if n.Kind != yaml.SequenceNode || s < 0 || s >= len(n.Content) {
				return Pos{firstLine + n.Line - 1, n.Column}
			}
			n = n.Content[s]
		case string:
			if n.Kind != yaml.MappingNode {
				return Pos{firstLine + n.Line - 1, n.Column}
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return Pos{firstLine + n.Line - 1, n.Column}
			}
			n = next
		default:
			return fallback
		}
	}
	return Pos{firstLine + n.Line - 1, n.Column}
}

// yamlBlock returns the YAML between the "---" fences of src and the file
// line on which it starts.
func yamlBlock(src []byte) ([]byte, int, bool) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) == 0 || string(bytes.TrimRight(lines[0], " \t\r\n")) != "---" {
		return nil, 0, false
	}
	var raw []byte
	for _, l := range lines[1:] {
		if string(bytes.TrimRight(l, " \t\r\n")) == "---" {
			return raw, 2, true
		}
		raw = append(raw, l...)
	}
	return nil, 0, false
}

// Location returns the time zone in which times without an offset are read
// (the site's), for dates inside records.
func (fm *FrontMatter) Location() *time.Location { return fm.loc }
