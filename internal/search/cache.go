package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
	"weak"

	"github.com/torgsite/torg/internal/content"
)

// Cache makes rebuilding the index cheap when few pages changed, for a
// process that builds the same site again and again (`torg serve`). It
// keeps, per language:
//
//   - every page's analysis (text, words and their weighted counts, length,
//     snippet), reused while the page's URL, title, section, type,
//     description, front-matter text, boost and HTML are equal;
//   - every word's stem, surface form and compound split; splits are
//     recomputed only for words that could contain a word or stem that
//     came or went;
//   - every term's encoded entry, reused while its postings (document
//     numbers and rounded weights), forms and synonyms are the same, and
//     every shard and document file whose parts are all reused.
//
// The global part (document frequencies, BM25 weights, shard layout,
// content hash) is recomputed on every build from the cached parts, so a
// build with the cache gives exactly the files of Build (cache_test.go
// checks that after edits, additions, removals and renames). Pages,
// words and terms that the latest build did not use are dropped, and so
// are the languages that the previous site's build did not index.
//
// A Cache is safe for concurrent use; builds through it run one at a time.
type Cache struct {
	mu    sync.Mutex
	langs map[string]*langCache
	site  weak.Pointer[content.Site] // the site of the latest build
	used  map[string]bool            // languages indexed for that site
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{langs: map[string]*langCache{}, used: map[string]bool{}} }

// BuildLang is BuildLang with the cache: the same index, computed from
// what changed since the previous build.
func (c *Cache) BuildLang(s *content.Site, lang string) (*Index, error) {
	opt, err := langOptions(s, lang)
	if err != nil {
		return nil, err
	}
	return c.build(s, docSources(s, lang), opt)
}

// Build is Build with the cache, for documents whose Body is set.
func (c *Cache) Build(docs []Doc, opt Options) (*Index, error) {
	srcs := make([]docSource, len(docs))
	for i, d := range docs {
		srcs[i] = docSource{Doc: d, html: d.Body, text: true}
	}
	return c.build(nil, srcs, opt)
}

func (c *Cache) build(s *content.Site, srcs []docSource, opt Options) (*Index, error) {
	opt.defaults()
	if !swedishAnalysis(opt.Lang) {
		opt.Synonyms = nil
	}
	key := fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%d", opt.Lang, opt.ChunkSize, opt.ShardBytes, opt.MaxPostings, opt.SnippetChars)

	c.mu.Lock()
	defer c.mu.Unlock()
	if s != nil {
		if wp := weak.Make(s); wp != c.site {
			// A new build: forget the languages the previous one did
			// not index.
			for k := range c.langs {
				if !c.used[k] {
					delete(c.langs, k)
				}
			}
			c.site, c.used = wp, map[string]bool{}
		}
	}
	c.used[key] = true
	lc := c.langs[key]
	if lc == nil || !sameSynonyms(lc.opt.Synonyms, opt.Synonyms) {
		lc = newLangCache(opt)
		c.langs[key] = lc
	}
	ix, err := lc.build(srcs)
	if err != nil {
		// The cache may be half updated: start again next time.
		delete(c.langs, key)
		return nil, err
	}
	return ix, nil
}

func sameSynonyms(a, b *Synonyms) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.forms, b.forms) && maps.EqualFunc(a.groups, b.groups, slices.Equal[[]string])
}

// langCache is the cache of one language's index (one set of Options).
type langCache struct {
	opt   Options
	stems *stemmer
	gen   int // builds so far
	mark  int // scratch marks of vector

	docs  map[string]*docEntry // by URL
	words map[string]*wordInfo // non-stop words of the cached documents
	terms map[string]*termInfo // by stem

	// Compound splitting (Swedish): the words that can be parts and
	// their stems, as splitCompounds computes them from the vocabulary.
	known     map[string]bool
	stemCount map[string]int
	stemSet   map[string]bool

	shards map[string]*shardEntry // file name → previous shard
	chunks []chunkEntry           // previous document files
	meta   []byte
}

// docEntry is a document's analysis.
type docEntry struct {
	src     docSource
	dl      float64
	words   []wordCount
	snippet string

	vec    []termTF // term frequencies, compound parts and synonyms included
	vecGen int      // build that computed vec

	rec    []byte // the document's record in its d/ file
	recSec int    // section index rec was made with
}

type wordCount struct {
	w  *wordInfo
	wc float64 // field-weighted count
}

type termTF struct {
	t  *termInfo
	tf float64
}

// wordInfo is a non-stop word of the vocabulary.
type wordInfo struct {
	word     string
	fold     string
	term     *termInfo
	known    bool        // a possible compound part (see splitCompounds)
	parts    []*termInfo // stems of its compound parts
	partsGen int         // build that last changed parts
	refs     int         // documents that use it
	counted  bool        // in the vocabulary (its form counts in term.forms)
}

// termInfo is a stem and what its entry in a shard is made of.
type termInfo struct {
	stem     string
	stemJSON []byte
	forms    map[string]int // suffix → vocabulary words (and synonym forms)
	formsOK  bool           // formsJSON is up to date
	formsNew bool           // formsJSON changed in this build
	forms2   []byte         // formsJSON
	syn      []string       // synonym stems
	synJSON  []byte

	post []posting32 // this build's postings, in document order

	ints []int32 // previous build's [doc, weight] pairs
	seg  []byte  // the encoded entry of ints

	acc    float64 // scratch for term vectors
	accGen int
}

type posting32 struct {
	doc int32
	tf  float64
}

type shardEntry struct {
	segs [][]byte
	data []byte
}

type chunkEntry struct {
	recs [][]byte
	data []byte
}

func newLangCache(opt Options) *langCache {
	lc := &langCache{
		opt: opt, stems: newLangStemmer(opt.Lang),
		docs: map[string]*docEntry{}, words: map[string]*wordInfo{}, terms: map[string]*termInfo{},
		known: map[string]bool{}, stemCount: map[string]int{}, stemSet: map[string]bool{},
		shards: map[string]*shardEntry{},
	}
	if opt.Synonyms != nil {
		for _, w := range opt.Synonyms.forms {
			st := lc.stems.stem(w)
			lc.term(st).addForm(strings.TrimPrefix(Fold(w), st), 1)
		}
	}
	return lc
}

func (lc *langCache) term(st string) *termInfo {
	t := lc.terms[st]
	if t == nil {
		k, _ := json.Marshal(st)
		t = &termInfo{stem: st, stemJSON: k, forms: map[string]int{}}
		if t.syn = lc.opt.Synonyms.Of(st); len(t.syn) > 0 {
			t.synJSON, _ = json.Marshal(t.syn)
		}
		lc.terms[st] = t
	}
	return t
}

func (t *termInfo) addForm(suffix string, n int) {
	t.forms[suffix] += n
	if t.forms[suffix] <= 0 {
		delete(t.forms, suffix)
	}
	t.formsOK = false
}

func (lc *langCache) word(w string) *wordInfo {
	wi := lc.words[w]
	if wi == nil {
		st := lc.stems.stem(w)
		wi = &wordInfo{word: w, fold: Fold(w), term: lc.term(st)}
		wi.known = utf8.RuneCountInString(w) >= minPart-1
		lc.words[w] = wi
	}
	return wi
}

// same reports whether a document's inputs are those of the entry.
func (e *docEntry) same(d *docSource) bool {
	return e.src == *d
}

// analysis is the part of a document's analysis that needs no shared
// state, so that it can run in parallel.
type analysis struct {
	dl      float64
	wc      map[string]float64
	order   []string
	snippet string
}

func (lc *langCache) analyze(d *docSource) analysis {
	body := d.html
	if !d.text {
		body = HTMLText(d.html)
	}
	a := analysis{wc: map[string]float64{}}
	weights := [4]float64{weightTitle, weightDesc, weightMeta, weightBody}
	for f, s := range [4]string{d.Title, d.Description, d.Meta, body} {
		for _, w := range Tokenize(s) {
			a.dl += weights[f]
			if IsStopWordLang(lc.opt.Lang, w) {
				continue
			}
			if _, ok := a.wc[w]; !ok {
				a.order = append(a.order, w)
			}
			a.wc[w] += weights[f]
		}
	}
	dd := d.Doc
	dd.Body = body
	a.snippet = snippetText(dd, lc.opt.SnippetChars)
	return a
}

func (lc *langCache) build(srcs []docSource) (*Index, error) {
	opt := lc.opt
	lc.gen++
	srcs = slices.Clone(srcs)
	sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].URL < srcs[j].URL })
	for i := 1; i < len(srcs); i++ {
		if srcs[i].URL == srcs[i-1].URL {
			// Two documents with one URL: not something a site has;
			// index them without the cache.
			docs := make([]Doc, len(srcs))
			for j, s := range srcs {
				docs[j] = s.Doc
				if docs[j].Body = s.html; !s.text {
					docs[j].Body = HTMLText(s.html)
				}
			}
			return Build(docs, opt)
		}
	}

	// Documents: reuse the analysis of unchanged ones, analyse the rest
	// in parallel.
	order := make([]*docEntry, len(srcs))
	var miss []int
	for i := range srcs {
		if e := lc.docs[srcs[i].URL]; e != nil && e.same(&srcs[i]) {
			order[i] = e
		} else {
			miss = append(miss, i)
		}
	}
	res := make([]analysis, len(miss))
	parallel(len(miss), func(k int) { res[k] = lc.analyze(&srcs[miss[k]]) })

	// Words: count the new documents' words before forgetting the old
	// ones', so that a word in both stays in the vocabulary.
	var touched []*wordInfo
	for k, i := range miss {
		a := res[k]
		e := &docEntry{src: srcs[i], dl: a.dl, snippet: a.snippet, words: make([]wordCount, len(a.order))}
		for j, w := range a.order {
			wi := lc.word(w)
			wi.refs++
			touched = append(touched, wi)
			e.words[j] = wordCount{wi, a.wc[w]}
		}
		order[i] = e
	}
	live := make(map[string]bool, len(srcs))
	for _, e := range order {
		live[e.src.URL] = true
	}
	for _, i := range miss {
		if old := lc.docs[srcs[i].URL]; old != nil {
			touched = lc.unref(old, touched)
		}
		lc.docs[srcs[i].URL] = order[i]
	}
	for url, e := range lc.docs {
		if !live[url] {
			touched = lc.unref(e, touched)
			delete(lc.docs, url)
		}
	}
	splitsChanged := lc.updateVocabulary(touched)

	// Term vectors of new documents and of documents with a word whose
	// split changed.
	for _, e := range order {
		if e.vec == nil || splitsChanged && e.staleParts() {
			lc.vector(e)
		}
	}

	// Postings, in document (URL) order.
	for _, t := range lc.terms {
		t.post = t.post[:0]
	}
	n := len(order)
	dl := make([]float64, n)
	boost := make([]float64, n)
	var total float64
	for i, e := range order {
		dl[i], boost[i] = e.dl, e.src.Boost
		total += e.dl
		for _, v := range e.vec {
			v.t.post = append(v.t.post, posting32{int32(i), v.tf})
		}
	}
	avgdl := 1.0
	if n > 0 && total > 0 {
		avgdl = total / float64(n)
	}

	// Drop the terms nothing uses any more; encode the others.
	var indexed []*termInfo
	nterms := 0
	for st, t := range lc.terms {
		if len(t.forms) == 0 && len(t.post) == 0 {
			delete(lc.terms, st)
			continue
		}
		nterms++
		if !t.formsOK {
			fs := make([]string, 0, len(t.forms))
			for f := range t.forms {
				fs = append(fs, f)
			}
			sort.Strings(fs)
			b, _ := json.Marshal(strings.Join(fs, "|"))
			t.formsNew = !bytes.Equal(b, t.forms2)
			t.forms2, t.formsOK = b, true
		} else {
			t.formsNew = false
		}
		if len(t.post) > 0 {
			indexed = append(indexed, t)
		} else {
			t.ints, t.seg = nil, nil
		}
	}
	norm := make([]float64, n)
	for d := range norm {
		norm[d] = bm25K1 * (1 - bm25B + bm25B*dl[d]/avgdl)
	}
	parallelChunks(len(indexed), func(lo, hi int) {
		var sc scratch
		for _, t := range indexed[lo:hi] {
			sc.encode(t, float64(n), norm, boost, opt.MaxPostings)
		}
	})
	if lc.stems.size() > 4*len(lc.words)+4096 {
		// Splitting stems every tail it tries; start afresh now and then.
		lc.stems = newLangStemmer(opt.Lang)
	}

	ix := &Index{Files: map[string][]byte{}, Docs: n, Terms: nterms}
	keys := lc.writeShards(ix, indexed)

	// Document files.
	var sections []string
	secIdx := map[string]int{}
	for _, e := range order {
		if _, ok := secIdx[e.src.Section]; !ok {
			secIdx[e.src.Section] = len(sections)
			sections = append(sections, e.src.Section)
		}
	}
	var chunks []chunkEntry
	for c := 0; c*opt.ChunkSize < n; c++ {
		docs := order[c*opt.ChunkSize : min(n, (c+1)*opt.ChunkSize)]
		recs := make([][]byte, len(docs))
		for j, e := range docs {
			si := secIdx[e.src.Section]
			if e.rec == nil || e.recSec != si {
				b, err := marshal([]any{e.src.URL, e.src.Title, si, e.snippet})
				if err != nil {
					return nil, fmt.Errorf("search index: document %s: %w", e.src.URL, err)
				}
				e.rec, e.recSec = b, si
			}
			recs[j] = e.rec
		}
		ch := chunkEntry{recs: recs}
		if c < len(lc.chunks) && sameParts(lc.chunks[c].recs, recs) {
			ch.data = lc.chunks[c].data
		} else {
			ch.data = join('[', recs, ']')
		}
		chunks = append(chunks, ch)
		ix.Files["d/"+strconv.Itoa(c)+".json"] = ch.data
	}
	lc.chunks = chunks

	meta := map[string]any{
		"v": 1, "docs": n, "chunk": opt.ChunkSize, "keys": keys,
		"stop": StopWordsLang(opt.Lang), "sections": sections,
	}
	b, err := marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("search index: meta.json: %w", err)
	}
	if !bytes.Equal(b, lc.meta) {
		lc.meta = b
	}
	ix.Files["meta.json"] = lc.meta
	ix.Shards = len(keys)
	ix.Hash = hashFiles(ix.Files)
	return ix, nil
}

// unref forgets a document's words; touched collects the words whose
// counts changed.
func (lc *langCache) unref(e *docEntry, touched []*wordInfo) []*wordInfo {
	for _, wc := range e.words {
		wc.w.refs--
		touched = append(touched, wc.w)
	}
	return touched
}

// updateVocabulary brings the vocabulary in line with the word counts:
// words that came or went add or remove their forms, and, for Swedish,
// the compound splits that could depend on them are recomputed. It
// reports whether any split changed.
func (lc *langCache) updateVocabulary(touched []*wordInfo) bool {
	var added []*wordInfo
	var keys, stemKeys []string
	seen := map[*wordInfo]bool{}
	for _, w := range touched {
		if seen[w] {
			continue
		}
		seen[w] = true
		in := w.refs > 0
		if in == w.counted {
			continue
		}
		w.counted = in
		n := 1
		if !in {
			n = -1
			delete(lc.words, w.word)
		} else {
			added = append(added, w)
		}
		w.term.addForm(strings.TrimPrefix(w.fold, w.term.stem), n)
		if !swedishAnalysis(lc.opt.Lang) || !w.known {
			continue
		}
		lc.known[w.word] = in
		if !in {
			delete(lc.known, w.word)
		}
		keys = append(keys, w.word)
		st := w.term.stem
		before := lc.stemCount[st] > 0
		lc.stemCount[st] += n
		if lc.stemCount[st] <= 0 {
			delete(lc.stemCount, st)
			delete(lc.stemSet, st)
		} else {
			lc.stemSet[st] = true
		}
		if before != (lc.stemCount[st] > 0) {
			stemKeys = append(stemKeys, st)
		}
	}
	if !swedishAnalysis(lc.opt.Lang) {
		return false
	}
	// The words whose split may have changed: the new ones, and those
	// that contain a word that came or went (as either part, or as the
	// first part before a linking s, or with its final a turned into a
	// linking e), or, folded, a stem that came or went (the stem of a
	// second part is a prefix of its folded form).
	redo := added
	if len(keys)+len(stemKeys) > 64 {
		redo = slices.Collect(maps.Values(lc.words))
	} else if len(keys)+len(stemKeys) > 0 {
		for i, k := range keys {
			keys[i] = strings.TrimSuffix(k, "a")
		}
		for _, w := range lc.words {
			// partsGen 0: a new word, already in redo.
			if w.partsGen != 0 && len(w.word) >= minCompound && (containsAny(w.word, keys) || containsAny(w.fold, stemKeys)) {
				redo = append(redo, w)
			}
		}
	}
	changed := false
	for _, w := range redo {
		ps := split(w.word, lc.known, lc.stemSet, lc.stems)
		parts := make([]*termInfo, len(ps))
		for i, p := range ps {
			parts[i] = lc.term(p)
		}
		if !slices.Equal(parts, w.parts) || w.partsGen == 0 {
			if w.partsGen != 0 {
				changed = true
			}
			w.parts, w.partsGen = parts, lc.gen
		}
	}
	return changed
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// staleParts reports whether a word of e got a new split after e's
// term vector was computed.
func (e *docEntry) staleParts() bool {
	for _, wc := range e.words {
		if wc.w.partsGen > e.vecGen {
			return true
		}
	}
	return false
}

// vector computes a document's term frequencies as Build does: each
// word's weighted count goes to its stem and, halved, to the stems of its
// compound parts; then each stem's synonyms get 0.7 of it unless they
// have more.
func (lc *langCache) vector(e *docEntry) {
	var ts []*termInfo
	lc.mark++
	g := lc.mark
	add := func(t *termInfo, v float64) {
		if t.accGen != g {
			t.accGen, t.acc = g, 0
			ts = append(ts, t)
		}
		t.acc += v
	}
	for _, wc := range e.words {
		add(wc.w.term, wc.wc)
		for _, p := range wc.w.parts {
			if p != wc.w.term {
				add(p, wc.wc*shareParts)
			}
		}
	}
	type synAdd struct {
		t  *termInfo
		tf float64
	}
	var adds []synAdd
	if lc.opt.Synonyms != nil {
		for _, t := range ts {
			for _, s := range t.syn {
				adds = append(adds, synAdd{lc.term(s), t.acc * shareSyn})
			}
		}
	}
	for _, a := range adds {
		if a.t.accGen != g {
			a.t.accGen, a.t.acc = g, 0
			ts = append(ts, a.t)
		}
		if a.tf > a.t.acc {
			a.t.acc = a.tf
		}
	}
	e.vec = make([]termTF, len(ts))
	for i, t := range ts {
		e.vec[i] = termTF{t, t.acc}
	}
	e.vecGen = lc.gen
}

// scratch holds a worker's buffers for encode.
type scratch struct {
	w    []float64
	sel  []ranked
	ints []int32
}

type ranked struct {
	w   float64
	doc int32
}

// better is the order in which Build keeps the best postings of a
// common term: higher weight first, then lower document number.
func better(a, b ranked) bool { return a.w > b.w || a.w == b.w && a.doc < b.doc }

// encode computes a term's postings as Build does (BM25F weights with the
// document's boost, the best MaxPostings kept, in document order) and
// encodes its shard entry unless the entry of the previous build says
// the same.
func (sc *scratch) encode(t *termInfo, n float64, norm, boost []float64, maxPostings int) {
	df := float64(len(t.post))
	idf := math.Log(1 + (n-df+0.5)/(df+0.5))
	sc.w = sc.w[:0]
	for _, p := range t.post {
		tf := p.tf
		w := idf * tf * (bm25K1 + 1) / (tf + norm[p.doc])
		if b := boost[p.doc]; b > 0 {
			w *= b
		}
		sc.w = append(sc.w, w)
	}
	keep := func(int) bool { return true }
	if len(t.post) > maxPostings {
		sc.sel = sc.sel[:0]
		for i, p := range t.post {
			sc.sel = append(sc.sel, ranked{sc.w[i], p.doc})
		}
		th := nthBest(sc.sel, maxPostings-1)
		keep = func(i int) bool { return !better(th, ranked{sc.w[i], t.post[i].doc}) }
	}
	sc.ints = sc.ints[:0]
	for i, p := range t.post {
		if !keep(i) {
			continue
		}
		w := int(math.Round(sc.w[i] * 100))
		if w < 1 {
			w = 1
		}
		sc.ints = append(sc.ints, p.doc, int32(w))
	}
	if t.seg != nil && !t.formsNew && slices.Equal(sc.ints, t.ints) {
		return
	}
	t.ints = slices.Clone(sc.ints)
	b := make([]byte, 0, len(t.stemJSON)+len(t.forms2)+len(t.synJSON)+8+len(t.ints)*4)
	b = append(b, t.stemJSON...)
	b = append(b, ":["...)
	b = append(b, t.forms2...)
	b = append(b, ",["...)
	prev := int32(0)
	for j := 0; j < len(t.ints); j += 2 {
		if j > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(t.ints[j]-prev), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(t.ints[j+1]), 10)
		prev = t.ints[j]
	}
	b = append(b, ']')
	if len(t.synJSON) > 0 {
		b = append(b, ',')
		b = append(b, t.synJSON...)
	}
	b = append(b, ']')
	t.seg = b
}

// nthBest returns the element that would be at index k if s were sorted
// with better (quickselect; s is reordered).
func nthBest(s []ranked, k int) ranked {
	lo, hi := 0, len(s)-1
	for lo < hi {
		// Median of three as the pivot.
		mid := lo + (hi-lo)/2
		if better(s[mid], s[lo]) {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if better(s[hi], s[lo]) {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if better(s[hi], s[mid]) {
			s[hi], s[mid] = s[mid], s[hi]
		}
		pivot := s[mid]
		i, j := lo, hi
		for i <= j {
			for better(s[i], pivot) {
				i++
			}
			for better(pivot, s[j]) {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return s[k]
		}
	}
	return s[k]
}

// writeShards lays out the shards as writeShards does, from the encoded
// entries: a group of stems sharing their first two letters, split by one
// letter more while larger than ShardBytes. A shard whose entries are all
// those of the previous build keeps its bytes.
func (lc *langCache) writeShards(ix *Index, indexed []*termInfo) []string {
	all := slices.Clone(indexed)
	slices.SortFunc(all, func(a, b *termInfo) int { return strings.Compare(a.stem, b.stem) })
	shards := make(map[string]*shardEntry, len(lc.shards))
	var keys []string
	emit := func(key string, ts []*termInfo) {
		name := "t/" + ShardFile(key) + ".json"
		segs := make([][]byte, len(ts))
		for i, t := range ts {
			segs[i] = t.seg
		}
		sh := &shardEntry{segs: segs}
		if old := lc.shards[name]; old != nil && sameParts(old.segs, segs) {
			sh.data = old.data
		} else {
			sh.data = join('{', segs, '}')
		}
		shards[name] = sh
		ix.Files[name] = sh.data
		keys = append(keys, key)
	}
	var place func(key string, ts []*termInfo)
	place = func(key string, ts []*termInfo) {
		size := 2
		for i, t := range ts {
			if i > 0 {
				size++
			}
			size += len(t.seg)
		}
		depth := utf8.RuneCountInString(key)
		if size <= lc.opt.ShardBytes || depth >= 6 {
			emit(key, ts)
			return
		}
		groups := map[string][]*termInfo{}
		var own []*termInfo
		for _, t := range ts {
			if utf8.RuneCountInString(t.stem) <= depth {
				own = append(own, t)
				continue
			}
			k := prefix(t.stem, depth+1)
			groups[k] = append(groups[k], t)
		}
		emit(key, own)
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			place(k, groups[k])
		}
	}
	groups := map[string][]*termInfo{}
	var order []string
	for _, t := range all {
		k := prefix(t.stem, 2)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], t)
	}
	for _, k := range order {
		place(k, groups[k])
	}
	lc.shards = shards
	sort.Strings(keys)
	return keys
}

// sameParts reports whether two lists hold the very same byte slices.
func sameParts(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) || unsafe.SliceData(a[i]) != unsafe.SliceData(b[i]) {
			return false
		}
	}
	return true
}

// join joins parts with commas between open and close.
func join(open byte, parts [][]byte, close byte) []byte {
	n := 2 + len(parts)
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, open)
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	return append(b, close)
}

// hashFiles is the content hash of an index (see Build).
func hashFiles(files map[string][]byte) string {
	h := sha256.New()
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// parallel calls f(0) … f(n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	parallelChunks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
		}
	})
}

// parallelChunks splits 0…n into small ranges and calls f on them from
// GOMAXPROCS goroutines.
func parallelChunks(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	const step = 16
	var next sync.Mutex
	pos := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				lo := pos
				pos += step
				next.Unlock()
				if lo >= n {
					return
				}
				f(lo, min(lo+step, n))
			}
		})
	}
	wg.Wait()
}
