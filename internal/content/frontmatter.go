package content

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/adrg/frontmatter"
	"gopkg.in/yaml.v3"

	"github.com/torgsite/torg/internal/diag"
)

// FrontMatter is a page's parsed front matter with the position of every
// top-level key and value, so that a wrong value is reported at its line and
// column. Types read their keys with the Take methods; whatever no one took
// is reported as unknown.
type FrontMatter struct {
	File   string
	Format string // "yaml", "toml" or "" when the file has none
	values map[string]any
	pos    map[string]Pos // value positions, by key
	keyPos map[string]Pos // key positions, by key
	taken  map[string]bool
	errs   []error
	loc    *time.Location
}

// Pos is a 1-based line and column in the source file.
type Pos struct{ Line, Col int }

// SplitFrontMatter separates src into front matter and body. It returns the
// parsed front matter and the body with the line on which the body starts.
// A file without front matter has an empty FrontMatter and body == src.
func SplitFrontMatter(file string, src []byte, loc *time.Location) (*FrontMatter, []byte, int, error) {
	fm := &FrontMatter{File: file, values: map[string]any{}, pos: map[string]Pos{}, keyPos: map[string]Pos{}, taken: map[string]bool{}, loc: loc}
	if loc == nil {
		fm.loc = time.UTC
	}
	trimmed := bytes.TrimLeft(src, "\ufeff")
	var raw []byte
	var format string
	yamlFmt := frontmatter.NewFormat("---", "---", func(data []byte, v any) error {
		raw, format = append([]byte(nil), data...), "yaml"
		return nil
	})
	tomlFmt := frontmatter.NewFormat("+++", "+++", func(data []byte, v any) error {
		raw, format = append([]byte(nil), data...), "toml"
		return nil
	})
	var sink map[string]any
	body, err := frontmatter.Parse(bytes.NewReader(trimmed), &sink, yamlFmt, tomlFmt)
	if err != nil {
		return nil, nil, 0, diag.Errorf(file, 1, 1, "front matter: %v", err)
	}
	if format == "" {
		return fm, src, 1, nil
	}
	fm.Format = format
	// The body is the tail of the file: its first line is the file's line
	// count before it, plus one.
	bodyStart := len(trimmed) - len(body)
	bodyLine := 1 + bytes.Count(trimmed[:bodyStart], []byte("\n"))
	// The front matter's first line is the line after the opening fence.
	firstLine := 2
	switch format {
	case "yaml":
		if err := fm.parseYAML(raw, firstLine); err != nil {
			return nil, nil, 0, err
		}
	case "toml":
		if err := fm.parseTOML(raw, firstLine); err != nil {
			return nil, nil, 0, err
		}
	}
	return fm, body, bodyLine, nil
}

var yamlErrLine = regexp.MustCompile(`line (\d+):\s*(.*)`)

func (fm *FrontMatter) parseYAML(raw []byte, firstLine int) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		msg := err.Error()
		line := firstLine
		if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = firstLine + n - 1
			msg = m[2]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		return diag.Errorf(fm.File, line, 0, "front matter: invalid YAML: %s", msg)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return diag.Errorf(fm.File, firstLine+root.Line-1, root.Column, "front matter: expected key: value pairs")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		if _, dup := fm.values[key]; dup {
			return diag.Errorf(fm.File, firstLine+k.Line-1, k.Column, "front matter: key %q appears twice", key)
		}
		val, err := yamlValue(v)
		if err != nil {
			return diag.Errorf(fm.File, firstLine+v.Line-1, v.Column, "%s: %v", key, err)
		}
		fm.values[key] = val
		fm.keyPos[key] = Pos{firstLine + k.Line - 1, k.Column}
		fm.pos[key] = Pos{firstLine + v.Line - 1, v.Column}
	}
	return nil
}

// yamlValue converts a node to plain Go values. Timestamps stay strings so
// that every date goes through one parser with one set of error messages.
func yamlValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, err
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return f, nil
		default:
			return n.Value, nil
		}
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported YAML node")
}

var tomlKeyLine = regexp.MustCompile(`^\s*("?)([A-Za-z0-9_\-åäöÅÄÖ]+)("?)\s*=`)
var tomlTableLine = regexp.MustCompile(`^\s*\[\[?\s*"?([A-Za-z0-9_\-åäöÅÄÖ]+)`)

func (fm *FrontMatter) parseTOML(raw []byte, firstLine int) error {
	var m map[string]any
	if _, err := toml.Decode(string(raw), &m); err != nil {
		var pe toml.ParseError
		if ok := asTOMLParseError(err, &pe); ok {
			return diag.Errorf(fm.File, firstLine+pe.Position.Line-1, pe.Position.Col, "front matter: invalid TOML: %s", pe.Message)
		}
		return diag.Errorf(fm.File, firstLine, 0, "front matter: invalid TOML: %v", err)
	}
	// BurntSushi/toml does not report key positions; top-level keys and
	// tables are found by scanning lines, which is exact for them.
	inTable := false
	for i, line := range strings.Split(string(raw), "\n") {
		if mm := tomlTableLine.FindStringSubmatch(line); mm != nil {
			inTable = true
			key := mm[1]
			if _, seen := fm.keyPos[key]; !seen {
				col := strings.Index(line, key) + 1
				fm.keyPos[key] = Pos{firstLine + i, col}
				fm.pos[key] = Pos{firstLine + i, col}
			}
			continue
		}
		if inTable {
			continue
		}
		if mm := tomlKeyLine.FindStringSubmatchIndex(line); mm != nil {
			key := line[mm[4]:mm[5]]
			eq := strings.Index(line[mm[5]:], "=") + mm[5]
			valCol := eq + 1
			for valCol < len(line) && (line[valCol] == ' ' || line[valCol] == '\t') {
				valCol++
			}
			fm.keyPos[key] = Pos{firstLine + i, mm[4] + 1}
			fm.pos[key] = Pos{firstLine + i, len([]rune(line[:valCol])) + 1}
		}
	}
	for k, v := range m {
		// TOML has native datetimes; format them back so that one date
		// parser handles both formats.
		switch t := v.(type) {
		case time.Time:
			switch t.Location().String() {
			case "local-date":
				v = t.Format("2006-01-02")
			case "local-datetime":
				v = t.Format("2006-01-02T15:04:05")
			default:
				v = t.Format(time.RFC3339)
			}
		}
		fm.values[k] = v
	}
	return nil
}

func asTOMLParseError(err error, pe *toml.ParseError) bool {
	switch e := err.(type) {
	case toml.ParseError:
		*pe = e
		return true
	case *toml.ParseError:
		*pe = *e
		return true
	}
	return false
}

// Has reports whether key is present.
func (fm *FrontMatter) Has(key string) bool {
	_, ok := fm.values[key]
	return ok
}

// Keys returns the present keys, sorted.
func (fm *FrontMatter) Keys() []string {
	out := make([]string, 0, len(fm.values))
	for k := range fm.values {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Pos returns the position of key's value (of the key when the value's is
// unknown), or the zero Pos.
func (fm *FrontMatter) Pos(key string) Pos {
	if p, ok := fm.pos[key]; ok {
		return p
	}
	return fm.keyPos[key]
}

// KeyPos returns the position of key itself.
func (fm *FrontMatter) KeyPos(key string) Pos { return fm.keyPos[key] }

// Errorf returns a diagnostic at key's value.
func (fm *FrontMatter) Errorf(key, format string, args ...any) *diag.Diagnostic {
	p := fm.Pos(key)
	return diag.Errorf(fm.File, p.Line, p.Col, "%s: %s", key, fmt.Sprintf(format, args...))
}

// Fail records an error at key's value; Err returns all recorded errors.
func (fm *FrontMatter) Fail(key, format string, args ...any) {
	fm.errs = append(fm.errs, fm.Errorf(key, format, args...))
}

// Err returns the errors recorded by Fail and the Take methods, joined, or nil.
func (fm *FrontMatter) Err() error {
	if len(fm.errs) == 0 {
		return nil
	}
	return joinErrs(fm.errs)
}

func joinErrs(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return &multi{errs}
}

type multi struct{ errs []error }

func (m *multi) Error() string {
	var s []string
	for _, e := range m.errs {
		s = append(s, e.Error())
	}
	return strings.Join(s, "\n")
}
func (m *multi) Unwrap() []error { return m.errs }

// Raw marks key as taken and returns its plain value (string, bool, int64,
// float64, []any, map[string]any or nil).
func (fm *FrontMatter) Raw(key string) (any, bool) {
	v, ok := fm.values[key]
	if ok {
		fm.taken[key] = true
	}
	return v, ok
}

// TakeString returns key's value as a string. A number or boolean where a
// string is expected is an error (YAML's "no" for Norway problem).
func (fm *FrontMatter) TakeString(key string) string {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		fm.Fail(key, "expected text, got %s", describe(v))
		return ""
	}
	return strings.TrimSpace(s)
}

// TakeBool returns key's value as a boolean.
func (fm *FrontMatter) TakeBool(key string) bool {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		fm.Fail(key, "expected true or false, got %s", describe(v))
	}
	return b
}

// TakeInt returns key's value as an integer.
func (fm *FrontMatter) TakeInt(key string) int {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return 0
	}
	switch n := v.(type) {
	case int64:
		return int(n)
	case float64:
		if n == float64(int(n)) {
			return int(n)
		}
	}
	fm.Fail(key, "expected a whole number, got %s", describe(v))
	return 0
}

// TakeStrings returns key's value as a list of strings; a single string is
// taken as a list of one.
func (fm *FrontMatter) TakeStrings(key string) []string {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return nil
	}
	switch t := v.(type) {
	case string:
		return []string{strings.TrimSpace(t)}
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				fm.Fail(key, "item %d: expected text, got %s", i+1, describe(e))
				continue
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	fm.Fail(key, "expected a list of text, got %s", describe(v))
	return nil
}

// TakeTime returns key's value as a time. Accepted: 2026-11-26,
// 2026-11-26 14:30, 2026-11-26T14:30, and RFC 3339 with offset. Times
// without an offset are in the site's time zone (Europe/Stockholm).
func (fm *FrontMatter) TakeTime(key string) time.Time {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return time.Time{}
	}
	s, ok := v.(string)
	if !ok {
		fm.Fail(key, "expected a date such as 2026-11-26, got %s", describe(v))
		return time.Time{}
	}
	t, err := ParseTime(s, fm.loc)
	if err != nil {
		fm.Fail(key, "cannot parse %q as a date (use 2026-11-26 or 2026-11-26 14:30)", s)
	}
	return t
}

// ParseTime parses the date and time forms front matter accepts.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -0700 MST"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a date", s)
}

// TakeMap returns key's value as a map.
func (fm *FrontMatter) TakeMap(key string) map[string]any {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		fm.Fail(key, "expected a group of key: value pairs, got %s", describe(v))
	}
	return m
}

// TakeList returns key's value as a list of arbitrary items (for lists of
// records such as agenda items).
func (fm *FrontMatter) TakeList(key string) []any {
	v, ok := fm.Raw(key)
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		fm.Fail(key, "expected a list, got %s", describe(v))
	}
	return l
}

// Untaken returns the keys no one has taken, sorted.
func (fm *FrontMatter) Untaken() []string {
	var out []string
	for k := range fm.values {
		if !fm.taken[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("text %q", t)
	case bool:
		return fmt.Sprintf("%t", t)
	case int64:
		return fmt.Sprintf("the number %d", t)
	case float64:
		return fmt.Sprintf("the number %g", t)
	case []any:
		return "a list"
	case map[string]any:
		return "a group of keys"
	}
	return fmt.Sprintf("%T", v)
}
