package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Doc is one page to index.
type Doc struct {
	URL         string
	Title       string
	Section     string // title of the top-level section, "" for none
	Type        string // content type: service, person, ...
	Description string // description or summary
	Meta        string // structured text from front matter (role, cost)
	Body        string // visible text of the page body
	// Boost multiplies the page's weights (0 means 1); Docs sets it from
	// TypeBoost and ListBoost.
	Boost float64
}

// Field weights (BM25F-style: term frequencies are weighted per field
// before saturation) and the share of a term's weight that compound parts
// and synonyms get.
const (
	weightTitle = 5.0
	weightDesc  = 2.0
	weightMeta  = 1.5
	weightBody  = 1.0
	shareParts  = 0.5
	shareSyn    = 0.7
	bm25K1      = 1.2
	bm25B       = 0.75
)

// TypeBoost multiplies the weights of the pages of a content type:
// services and contacts are what citizens look for most.
var TypeBoost = map[string]float64{"service": 1.5, "person": 1.3, "unit": 1.3, "organ": 1.3}

// ListBoost multiplies the weights of list pages (sections, registers,
// categories): they mention everything below them, but the page itself
// answers the question.
const ListBoost = 0.85

// Options tune the index layout.
type Options struct {
	// Lang picks the analysis (see StemLang): "" or "sv" Swedish, "en"
	// English, anything else folding without stemming. Compounds and
	// synonyms are only used for Swedish.
	Lang     string
	Synonyms *Synonyms
	// ChunkSize is the number of documents per metadata file (default 40).
	ChunkSize int
	// ShardBytes splits a term shard by a longer prefix once it is larger
	// (default 40,000).
	ShardBytes int
	// MaxPostings keeps only the best postings of very common terms
	// (default 1,500).
	MaxPostings int
	// SnippetChars is how much of a page's text the metadata holds for
	// snippets (default 260).
	SnippetChars int
}

func (o *Options) defaults() {
	if o.ChunkSize <= 0 {
		o.ChunkSize = 40
	}
	if o.ShardBytes <= 0 {
		o.ShardBytes = 40_000
	}
	if o.MaxPostings <= 0 {
		o.MaxPostings = 1500
	}
	if o.SnippetChars <= 0 {
		o.SnippetChars = 260
	}
}

// Index is a built search index: files relative to its base folder.
//
//	meta.json   {"v":1,"docs":N,"chunk":C,"keys":[shard keys],"stop":[...],"sections":[...]}
//	t/<key>.json  term shard: {"stem":["suffix|suffix",[Δdoc,w,Δdoc,w,...],["synonym stem",...]]}
//	d/<n>.json    documents n*C…: [[url,title,section index,text],...]
//
// A term's surface forms are its stem plus each "|"-separated suffix, so
// the browser maps a query word to a stem by lookup. Postings hold the
// precomputed BM25F weight (×100) of the term in the document, with the
// document's type boost; documents are numbered in URL order.
type Index struct {
	Files  map[string][]byte
	Hash   string // content hash, names the folder the files are served from
	Docs   int
	Terms  int
	Shards int
}

// Size returns the total bytes of the index files.
func (ix *Index) Size() int {
	n := 0
	for _, b := range ix.Files {
		n += len(b)
	}
	return n
}

type posting struct {
	doc int
	w   float64
}

type termData struct {
	forms    map[string]bool // suffixes after the stem
	tf       map[int]float64 // doc → weighted term frequency
	postings []posting
	synonyms []string // stems to highlight as well
}

// Build indexes docs.
func Build(docs []Doc, opt Options) (*Index, error) {
	opt.defaults()
	docs = append([]Doc(nil), docs...)
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].URL < docs[j].URL })

	stems := newLangStemmer(opt.Lang)
	if !swedishAnalysis(opt.Lang) {
		opt.Synonyms = nil
	}
	type fieldToks struct {
		toks [4][]string
	}
	toks := make([]fieldToks, len(docs))
	vocab := map[string]int{}
	for i, d := range docs {
		for f, s := range [4]string{d.Title, d.Description, d.Meta, d.Body} {
			ws := Tokenize(s)
			toks[i].toks[f] = ws
			for _, w := range ws {
				vocab[w]++
			}
		}
	}
	var comp map[string][]string
	if swedishAnalysis(opt.Lang) {
		comp = splitCompounds(vocab, stems)
	}

	terms := map[string]*termData{}
	term := func(st string) *termData {
		t := terms[st]
		if t == nil {
			t = &termData{forms: map[string]bool{}, tf: map[int]float64{}}
			terms[st] = t
		}
		return t
	}
	for w := range vocab {
		if stems.stop(w) {
			continue
		}
		st := stems.stem(w)
		term(st).forms[strings.TrimPrefix(Fold(w), st)] = true
	}
	if opt.Synonyms != nil {
		for _, w := range opt.Synonyms.forms {
			st := stems.stem(w)
			term(st).forms[strings.TrimPrefix(Fold(w), st)] = true
		}
	}

	weights := [4]float64{weightTitle, weightDesc, weightMeta, weightBody}
	dl := make([]float64, len(docs))
	var total float64
	for i := range docs {
		for f, ws := range toks[i].toks {
			for _, w := range ws {
				dl[i] += weights[f]
				if stems.stop(w) {
					continue
				}
				st := stems.stem(w)
				term(st).tf[i] += weights[f]
				for _, p := range comp[w] {
					if p != st {
						term(p).tf[i] += weights[f] * shareParts
					}
				}
			}
		}
		total += dl[i]
	}
	// Synonyms: a page about "avfall" is also found by "sopor", a little
	// lower than pages that say "sopor".
	if opt.Synonyms != nil {
		type add struct {
			st  string
			doc int
			tf  float64
		}
		var adds []add
		for st, t := range terms {
			for _, syn := range opt.Synonyms.Of(st) {
				for d, tf := range t.tf {
					adds = append(adds, add{syn, d, tf * shareSyn})
				}
			}
		}
		for _, a := range adds {
			t := term(a.st)
			if a.tf > t.tf[a.doc] {
				t.tf[a.doc] = a.tf
			}
		}
		for st, t := range terms {
			t.synonyms = opt.Synonyms.Of(st)
		}
	}
	avgdl := 1.0
	if len(docs) > 0 && total > 0 {
		avgdl = total / float64(len(docs))
	}
	n := float64(len(docs))
	for _, t := range terms {
		df := float64(len(t.tf))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for d, tf := range t.tf {
			norm := bm25K1 * (1 - bm25B + bm25B*dl[d]/avgdl)
			w := idf * tf * (bm25K1 + 1) / (tf + norm)
			if b := docs[d].Boost; b > 0 {
				w *= b
			}
			t.postings = append(t.postings, posting{d, w})
		}
		if len(t.postings) > opt.MaxPostings {
			sort.Slice(t.postings, func(i, j int) bool {
				a, b := t.postings[i], t.postings[j]
				return a.w > b.w || a.w == b.w && a.doc < b.doc
			})
			t.postings = t.postings[:opt.MaxPostings]
		}
		sort.Slice(t.postings, func(i, j int) bool { return t.postings[i].doc < t.postings[j].doc })
		t.tf = nil
	}

	ix := &Index{Files: map[string][]byte{}, Docs: len(docs)}
	keys, err := writeShards(ix, terms, opt)
	if err != nil {
		return nil, err
	}

	// Document metadata.
	var sections []string
	secIdx := map[string]int{}
	for _, d := range docs {
		if _, ok := secIdx[d.Section]; !ok {
			secIdx[d.Section] = len(sections)
			sections = append(sections, d.Section)
		}
	}
	for c := 0; c*opt.ChunkSize < len(docs); c++ {
		var recs [][]any
		for i := c * opt.ChunkSize; i < len(docs) && i < (c+1)*opt.ChunkSize; i++ {
			d := docs[i]
			recs = append(recs, []any{d.URL, d.Title, secIdx[d.Section], snippetText(d, opt.SnippetChars)})
		}
		b, err := marshal(recs)
		if err != nil {
			return nil, err
		}
		ix.Files["d/"+strconv.Itoa(c)+".json"] = b
	}
	meta := map[string]any{
		"v": 1, "docs": len(docs), "chunk": opt.ChunkSize, "keys": keys,
		"stop": StopWordsLang(opt.Lang), "sections": sections,
	}
	b, err := marshal(meta)
	if err != nil {
		return nil, err
	}
	ix.Files["meta.json"] = b
	ix.Terms = len(terms)
	ix.Shards = len(keys)

	ix.Hash = hashFiles(ix.Files, func(b []byte) [sha256.Size]byte { return sha256.Sum256(b) })
	return ix, nil
}

// hashFiles is the content hash of an index: the SHA-256 of every file's
// name, length and SHA-256, in name order; sum returns a file's SHA-256
// (Cache remembers those of the files it reuses).
func hashFiles(files map[string][]byte, sum func([]byte) [sha256.Size]byte) string {
	h := sha256.New()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		d := sum(files[name])
		h.Write(d[:])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// marshal is json.Marshal without HTML escaping (the files are JSON, not
// HTML, and "<" is rare but "&" is common in titles).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// snippetText is the text the browser picks a snippet from: the
// description, then the start of the body.
func snippetText(d Doc, max int) string {
	s := d.Description
	if utf8.RuneCountInString(s) < max && d.Body != "" {
		if s != "" {
			s += " "
		}
		s += d.Body
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return cut + " …"
}

var plainKey = regexp.MustCompile(`^[a-z0-9]+$`)

// ShardFile returns the file name of a shard key: the key itself when it
// is plain a–z and digits, else "x" and the hex of its UTF-8 bytes (the
// same rule as keyFile in search.js).
func ShardFile(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return "x" + hex.EncodeToString([]byte(key))
}

func prefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// writeShards groups terms by the first two letters of their stem and
// splits a group that is larger than opt.ShardBytes by one letter more,
// keeping shorter stems in the parent shard.
func writeShards(ix *Index, terms map[string]*termData, opt Options) ([]string, error) {
	all := make([]string, 0, len(terms))
	for st := range terms {
		if len(terms[st].postings) == 0 {
			continue
		}
		all = append(all, st)
	}
	sort.Strings(all)
	var keys []string
	var place func(key string, stems []string) error
	place = func(key string, stems []string) error {
		b := encodeShard(terms, stems)
		depth := utf8.RuneCountInString(key)
		if len(b) <= opt.ShardBytes || depth >= 6 {
			ix.Files["t/"+ShardFile(key)+".json"] = b
			keys = append(keys, key)
			return nil
		}
		groups := map[string][]string{}
		var own []string
		for _, st := range stems {
			if utf8.RuneCountInString(st) <= depth {
				own = append(own, st)
				continue
			}
			k := prefix(st, depth+1)
			groups[k] = append(groups[k], st)
		}
		// The parent key always exists (possibly empty), so the browser
		// can fall back to it for short words.
		ix.Files["t/"+ShardFile(key)+".json"] = encodeShard(terms, own)
		keys = append(keys, key)
		sub := make([]string, 0, len(groups))
		for k := range groups {
			sub = append(sub, k)
		}
		sort.Strings(sub)
		for _, k := range sub {
			if err := place(k, groups[k]); err != nil {
				return err
			}
		}
		return nil
	}
	groups := map[string][]string{}
	var order []string
	for _, st := range all {
		k := prefix(st, 2)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], st)
	}
	for _, k := range order {
		if err := place(k, groups[k]); err != nil {
			return nil, err
		}
	}
	sort.Strings(keys)
	return keys, nil
}

func encodeShard(terms map[string]*termData, stems []string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, st := range stems {
		t := terms[st]
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(st)
		b.Write(k)
		b.WriteString(":[")
		forms := make([]string, 0, len(t.forms))
		for f := range t.forms {
			forms = append(forms, f)
		}
		sort.Strings(forms)
		fs, _ := json.Marshal(strings.Join(forms, "|"))
		b.Write(fs)
		b.WriteString(",[")
		prev := 0
		for j, p := range t.postings {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p.doc - prev))
			b.WriteByte(',')
			w := int(math.Round(p.w * 100))
			if w < 1 {
				w = 1
			}
			b.WriteString(strconv.Itoa(w))
			prev = p.doc
		}
		b.WriteByte(']')
		if syn := t.synonyms; len(syn) > 0 {
			sb, _ := json.Marshal(syn)
			b.WriteByte(',')
			b.Write(sb)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}
