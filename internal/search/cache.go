package search

import (
	"bytes"
	"crypto/sha256"
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
	"sync/atomic"
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
//   - every term's postings, patched in place for the changed pages while
//     no page comes or goes, its weights and its encoded entry;
//   - every shard and document file whose parts are all reused, and the
//     SHA-256 of every file.
//
// The global part (BM25 weights, the best postings of common terms, shard
// layout, content hash) is brought up to date on every build: a term the
// changed pages do not use keeps its entry when a bound proves that the
// new average page length changes none of its rounded weights nor which
// postings it keeps (see scratch.partial), and is recomputed otherwise.
// So a build with the cache gives exactly the files of Build
// (cache_test.go checks that after random edits, additions, removals and
// renames). Pages, words and terms that the latest build did not use are
// dropped, and so are the languages that the previous site's build did
// not index.
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
	n     int // documents in the latest build
	mark  int // scratch marks of vector

	docs  map[string]*docEntry // by URL
	words map[string]*wordInfo // non-stop words of the cached documents
	terms map[string]*termInfo // by stem

	// Compound splitting (Swedish): the words that can be parts and
	// their stems, as splitCompounds computes them from the vocabulary.
	known     map[string]bool
	stemCount map[string]int
	stemSet   map[string]bool

	// Terms of the latest build that partial and full updated.
	partials, fulls int

	shards map[string]*shardEntry // file name → previous shard
	chunks []chunkEntry           // previous document files
	meta   []byte
	// The SHA-256 of the latest build's files, and of this build's.
	sums, nextSums map[*byte]fileSum
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
	seen   int    // latest build that had the document
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
	stem      string
	stemJSON  []byte
	forms     map[string]int // suffix → vocabulary words (and synonym forms)
	formsOK   bool           // formsJSON is up to date
	formsNew  bool           // formsJSON changed in this build
	formsJSON []byte         // the suffixes, "|"-joined, as JSON
	syn       []string       // synonym stems
	synJSON   []byte

	post    []posting32 // postings, in document order
	touched []int32     // documents whose posting changed in this build

	// What the latest build computed (see scratch.update).
	valid          bool      // w, idf and the bounds below hold
	w              []float64 // weight of each posting
	idf            float64
	avLo, avHi     float64 // range of average lengths the weights were computed with
	margin         float64 // smallest relative distance of a kept weight ×100 to a rounding boundary
	thLow, nextMax float64 // lowest kept weight, highest weight left out
	ints           []int32 // kept [doc, weight×100] pairs
	seg            []byte  // the encoded entry of ints

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
	// The document numbers stay the same unless a document came or
	// went; then every term is computed afresh.
	renumber := len(srcs) != lc.n
	lc.n = len(srcs)
	for _, e := range order {
		e.seen = lc.gen
	}
	replaced := map[int]*docEntry{} // document number → previous entry
	for _, i := range miss {
		if old := lc.docs[srcs[i].URL]; old != nil {
			touched = lc.unref(old, touched)
			replaced[i] = old
		} else {
			renumber = true
		}
		lc.docs[srcs[i].URL] = order[i]
	}
	for url, e := range lc.docs {
		if e.seen != lc.gen {
			touched = lc.unref(e, touched)
			delete(lc.docs, url)
			renumber = true
		}
	}
	splitsChanged := lc.updateVocabulary(touched)

	// Term vectors of new documents and of documents with a word whose
	// split changed.
	type change struct {
		doc int
		old []termTF
	}
	var changes []change
	for i, e := range order {
		switch {
		case e.vec == nil:
			lc.vector(e)
			if old := replaced[i]; old != nil {
				changes = append(changes, change{i, old.vec})
			}
		case splitsChanged && e.staleParts():
			old := e.vec
			lc.vector(e)
			changes = append(changes, change{i, old})
		}
	}

	n := len(order)
	dl := make([]float64, n)
	boost := make([]float64, n)
	var total float64
	for i, e := range order {
		dl[i], boost[i] = e.dl, e.src.Boost
		total += e.dl
	}
	avgdl := 1.0
	if n > 0 && total > 0 {
		avgdl = total / float64(n)
	}
	// Postings, in document (URL) order: all of them afresh, or only the
	// changed documents'.
	if renumber {
		for _, t := range lc.terms {
			t.post, t.valid, t.touched = t.post[:0], false, t.touched[:0]
		}
		for i, e := range order {
			for _, v := range e.vec {
				v.t.post = append(v.t.post, posting32{int32(i), v.tf})
			}
		}
	} else {
		for _, c := range changes {
			lc.applyChange(int32(c.doc), c.old, order[c.doc].vec)
		}
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
			t.formsNew = !bytes.Equal(b, t.formsJSON)
			t.formsJSON, t.formsOK = b, true
		} else {
			t.formsNew = false
		}
		if len(t.post) > 0 {
			indexed = append(indexed, t)
		} else {
			t.ints, t.seg, t.valid, t.touched = nil, nil, false, t.touched[:0]
		}
	}
	bs := &bm25State{n: float64(n), avgdl: avgdl, norm: make([]float64, n), boost: boost, max: opt.MaxPostings}
	for d := range bs.norm {
		bs.norm[d] = bm25K1 * (1 - bm25B + bm25B*dl[d]/avgdl)
	}
	parallelChunks(len(indexed), func(lo, hi int) {
		var sc scratch
		for _, t := range indexed[lo:hi] {
			sc.update(t, bs)
		}
	})
	lc.partials, lc.fulls = int(bs.partials.Load()), int(bs.fulls.Load())
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
	lc.nextSums = make(map[*byte]fileSum, len(ix.Files))
	ix.Hash = hashFiles(ix.Files, lc.sum)
	lc.sums, lc.nextSums = lc.nextSums, nil
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
	kept []bool
	sel  []ranked
	ints []int32
	upd  []pendingWeight
}

type ranked struct {
	w   float64
	doc int32
}

// better is the order in which Build keeps the best postings of a
// common term: higher weight first, then lower document number.
func better(a, b ranked) bool { return a.w > b.w || a.w == b.w && a.doc < b.doc }

// bm25State is what the weights of a build depend on besides the
// postings.
type bm25State struct {
	n, avgdl float64
	norm     []float64 // per document: the length normalisation of BM25
	boost    []float64
	max      int // Options.MaxPostings

	partials, fulls atomic.Int64 // terms updated by partial and by full
}

// weight is a posting's weight, computed exactly as Build does.
func (bs *bm25State) weight(idf float64, p posting32) float64 {
	tf := p.tf
	w := idf * tf * (bm25K1 + 1) / (tf + bs.norm[p.doc])
	if b := bs.boost[p.doc]; b > 0 {
		w *= b
	}
	return w
}

// applyChange updates the postings of a document whose term vector went
// from old to vec: a term in both gets the new frequency and remembers
// the document in touched; a term that gains or loses the document gets
// its postings computed afresh.
func (lc *langCache) applyChange(doc int32, old, vec []termTF) {
	lc.mark++
	g := lc.mark
	for _, v := range vec {
		v.t.accGen, v.t.acc = g, v.tf
	}
	for _, v := range old {
		t := v.t
		k, found := t.find(doc)
		switch {
		case !found:
			// Cannot happen; compute the term afresh.
			t.valid = false
		case t.accGen == g:
			t.post[k].tf = t.acc
			t.touched = append(t.touched, doc)
			t.accGen = -g // done
		default:
			t.post = slices.Delete(t.post, k, k+1)
			t.valid = false
		}
	}
	for _, v := range vec {
		if t := v.t; t.accGen == g {
			k, _ := t.find(doc)
			t.post = slices.Insert(t.post, k, posting32{doc, v.tf})
			t.valid = false
		}
	}
}

// find returns where doc's posting is or would be.
func (t *termInfo) find(doc int32) (int, bool) {
	return slices.BinarySearchFunc(t.post, doc, func(p posting32, d int32) int { return int(p.doc) - int(d) })
}

// update brings a term's encoded entry up to date: by the cheap route of
// partial when it can prove the result equal to a full computation, else
// by full.
func (sc *scratch) update(t *termInfo, bs *bm25State) {
	if t.valid && !t.formsNew && sc.partial(t, bs) {
		bs.partials.Add(1)
	} else {
		sc.full(t, bs, t.valid)
		bs.fulls.Add(1)
	}
	t.touched = t.touched[:0]
}

// Slack for floating-point rounding in the bounds of partial: the
// weights are a handful of operations from their inputs, each off by at
// most 2⁻⁵³ relatively.
const (
	relSlack = 1e-9
	absSlack = 1e-12
)

// partial updates a term whose documents are the same as in the build
// that computed it (the same document numbers, the same document
// frequency, so the same idf), with new frequencies or lengths for the
// documents in touched only, and reports whether the result is what full
// would give.
//
// The weight of any other posting changed only through the average
// document length: with x = dl/avgdl, the BM25 normalisation
// k1·(1−b+b·x) moves by a factor within avgdl'/avgdl of itself, so the
// weight idf·tf·(k1+1)/(tf+norm) moves by less than |avgdl'−avgdl|/avgdl
// relatively. If that bound (over every average the term's weights were
// computed with) is smaller than the smallest relative distance of a
// kept weight ×100 to a rounding boundary, every kept weight rounds as
// before; if the lowest kept weight stays above the highest left out,
// the same postings are kept.
func (sc *scratch) partial(t *termInfo, bs *bm25State) bool {
	lo, hi := t.avLo, t.avHi
	if len(t.touched) > 0 {
		lo, hi = min(lo, bs.avgdl), max(hi, bs.avgdl)
	}
	rho := max(math.Abs(bs.avgdl-lo)/lo, math.Abs(bs.avgdl-hi)/hi)*(1+relSlack) + absSlack
	margin, thLow, nextMax := t.margin, t.thLow, t.nextMax
	sc.upd = sc.upd[:0]
	for _, d := range t.touched {
		k, found := t.find(d)
		if !found {
			return false
		}
		w := bs.weight(t.idf, t.post[k])
		pos, kept := slices.BinarySearchFunc(pairs(t.ints), d, func(p [2]int32, d int32) int { return int(p[0]) - int(d) })
		if kept {
			thLow = min(thLow, w)
			margin = min(margin, roundMargin(w))
			pos = 2*pos + 1
		} else {
			nextMax = max(nextMax, w)
			pos = -1
		}
		sc.upd = append(sc.upd, pendingWeight{k, pos, w})
	}
	if rho >= margin || !(thLow*(1-rho) > nextMax*(1+rho)) {
		return false
	}
	ints, changed := t.ints, false
	for _, u := range sc.upd {
		t.w[u.k] = u.w
		if u.pos < 0 {
			continue
		}
		if wi := roundWeight(u.w); ints[u.pos] != wi {
			if !changed {
				ints, changed = slices.Clone(ints), true
			}
			ints[u.pos] = wi
		}
	}
	t.avLo, t.avHi, t.margin, t.thLow, t.nextMax = lo, hi, margin, thLow, nextMax
	if changed {
		t.ints = ints
		t.encodeSeg()
	}
	return true
}

// pendingWeight is a new weight that partial applies once it knows the
// result holds.
type pendingWeight struct {
	k, pos int
	w      float64
}

// pairs views a flat [doc, weight, doc, weight, …] slice as pairs.
func pairs(ints []int32) [][2]int32 {
	if len(ints) == 0 {
		return nil
	}
	return unsafe.Slice((*[2]int32)(unsafe.Pointer(&ints[0])), len(ints)/2)
}

// roundWeight is the weight as the index stores it.
func roundWeight(w float64) int32 {
	x := int(math.Round(w * 100))
	if x < 1 {
		x = 1
	}
	return int32(x)
}

// roundMargin is the distance of w×100 to the nearest rounding boundary
// (a half), relative to w×100.
func roundMargin(w float64) float64 {
	x := w * 100
	return math.Abs(x-math.Floor(x)-0.5) / x
}

// full computes a term's postings as Build does (BM25F weights with the
// document's boost, the best MaxPostings kept, in document order), and
// the bounds partial needs later; it encodes the term's entry unless the
// previous one says the same.
//
// valid says that t's postings are those of the previous computation;
// then the postings kept last time are tried first, which saves the
// selection when they are still the best.
func (sc *scratch) full(t *termInfo, bs *bm25State, valid bool) {
	df := float64(len(t.post))
	t.idf = math.Log(1 + (bs.n-df+0.5)/(df+0.5))
	t.w = slices.Grow(t.w[:0], len(t.post))[:len(t.post)]
	for i, p := range t.post {
		t.w[i] = bs.weight(t.idf, p)
	}
	t.thLow, t.nextMax = math.Inf(1), math.Inf(-1)
	keep := func(int) bool { return true }
	if len(t.post) > bs.max {
		if !valid || !sc.sameKept(t, bs.max) {
			sc.sel = sc.sel[:0]
			for i, p := range t.post {
				sc.sel = append(sc.sel, ranked{t.w[i], p.doc})
			}
			th := nthBest(sc.sel, bs.max-1)
			sc.kept = slices.Grow(sc.kept[:0], len(t.post))[:len(t.post)]
			for i, p := range t.post {
				sc.kept[i] = !better(th, ranked{t.w[i], p.doc})
			}
		}
		keep = func(i int) bool { return sc.kept[i] }
		for i, w := range t.w {
			if sc.kept[i] {
				t.thLow = min(t.thLow, w)
			} else {
				t.nextMax = max(t.nextMax, w)
			}
		}
	}
	sc.ints = sc.ints[:0]
	t.margin = math.Inf(1)
	for i, p := range t.post {
		if !keep(i) {
			continue
		}
		t.margin = min(t.margin, roundMargin(t.w[i]))
		sc.ints = append(sc.ints, p.doc, roundWeight(t.w[i]))
	}
	t.avLo, t.avHi, t.valid = bs.avgdl, bs.avgdl, true
	if t.seg != nil && !t.formsNew && slices.Equal(sc.ints, t.ints) {
		return
	}
	t.ints = slices.Clone(sc.ints)
	t.encodeSeg()
}

// sameKept reports whether the postings kept by the previous
// computation (those in t.ints) are still the best ones with the weights
// in t.w: whether the worst of them is better than the best of the
// others. It leaves the kept flags in sc.kept.
func (sc *scratch) sameKept(t *termInfo, k int) bool {
	sc.kept = slices.Grow(sc.kept[:0], len(t.post))[:len(t.post)]
	ps := pairs(t.ints)
	j := 0
	var worst, best ranked
	haveWorst, haveBest := false, false
	for i, p := range t.post {
		r := ranked{t.w[i], p.doc}
		if j < len(ps) && ps[j][0] == p.doc {
			j++
			sc.kept[i] = true
			if !haveWorst || better(worst, r) {
				worst, haveWorst = r, true
			}
			continue
		}
		sc.kept[i] = false
		if !haveBest || better(r, best) {
			best, haveBest = r, true
		}
	}
	return j == len(ps) && len(ps) == k && haveWorst && (!haveBest || better(worst, best))
}

// encodeSeg encodes the term's entry of a shard, as encodeShard does.
func (t *termInfo) encodeSeg() {
	b := make([]byte, 0, len(t.stemJSON)+len(t.formsJSON)+len(t.synJSON)+8+len(t.ints)*4)
	b = append(b, t.stemJSON...)
	b = append(b, ":["...)
	b = append(b, t.formsJSON...)
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

// sum returns the SHA-256 of a file of the index, from the previous
// build's when the file is the same byte slice, and remembers it for the
// next build.
func (lc *langCache) sum(b []byte) [sha256.Size]byte {
	if len(b) == 0 {
		return sha256.Sum256(b)
	}
	p := unsafe.SliceData(b)
	d, ok := lc.sums[p]
	if !ok || d.n != len(b) {
		d = fileSum{len(b), sha256.Sum256(b)}
	}
	lc.nextSums[p] = d
	return d.sum
}

// fileSum is the SHA-256 of a file of n bytes. The key of lc.sums, a
// pointer to the file's first byte, keeps the file alive, so that no
// other file can have that address while the entry exists.
type fileSum struct {
	n   int
	sum [sha256.Size]byte
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
