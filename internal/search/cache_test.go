package search

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"
)

// cacheWords is a vocabulary with compounds, their parts, synonyms,
// inflections and stop words, for random documents; rareWords occur in
// few documents, so that edits make them come and go, and with them the
// compound splits that depend on them ("förskole|klass" needs
// "förskola", "musik|skolan" a word with the stem of "skolan").
var (
	cacheWords = strings.Fields(`bygglov bygglovet bygglovs bygglovsansökan förskoleklass musik musikskolan
avfall sopor skräp sophämtning snöröjning plogning parkering parkeringen parkeringstillstånd kommun
kommunen nämnd nämnden miljönämnden miljö och det att i en som på med för till är av om vatten avlopp
vattenavgift avgift taxa taxan öppettider biblioteket bibliotek lån låna återvinning
återvinningscentral central café hus husets äldreboende boende 2026 12`)
	rareWords = strings.Fields(`förskola förskolan skolorna skolor klass tillstånd avgifter ansökan`)
)

// randomText returns n words of cacheWords, with a rare or new word now
// and then (so that the vocabulary and the compound splits change between
// builds).
func randomText(r *rand.Rand, n int, fresh *int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = cacheWords[r.Intn(len(cacheWords))]
		if r.Intn(300) == 0 {
			ws[i] = rareWords[r.Intn(len(rareWords))]
		}
		if r.Intn(40) == 0 {
			*fresh++
			// New words, some of them parts or compounds of old ones.
			switch r.Intn(3) {
			case 0:
				ws[i] = fmt.Sprintf("ord%c%cning", 'a'+rune(*fresh%26), 'a'+rune(*fresh/26%26))
			case 1:
				ws[i] = ws[i] + "s" + cacheWords[r.Intn(len(cacheWords))]
			default:
				ws[i] = "bygg" + strings.Repeat("e", 1+*fresh%3)
			}
		}
	}
	return strings.Join(ws, " ")
}

func randomDoc(r *rand.Rand, url string, fresh *int) Doc {
	types := []string{"", "service", "person", "page"}
	d := Doc{
		URL: url, Title: randomText(r, 1+r.Intn(4), fresh), Type: types[r.Intn(len(types))],
		Description: randomText(r, r.Intn(12), fresh), Body: randomText(r, r.Intn(300), fresh),
		Section: []string{"", "Bygga och bo", "Skola", "Kommun och politik"}[r.Intn(4)],
	}
	if r.Intn(3) == 0 {
		d.Meta = randomText(r, 1+r.Intn(8), fresh)
	}
	d.Boost = TypeBoost[d.Type]
	if r.Intn(5) == 0 {
		d.Boost = ListBoost
	}
	return d
}

// sameIndex fails the test unless two indexes are identical, file by
// file and byte by byte.
func sameIndex(t *testing.T, step string, got, want *Index) {
	t.Helper()
	if got.Hash != want.Hash || got.Docs != want.Docs || got.Terms != want.Terms || got.Shards != want.Shards {
		t.Errorf("%s: hash/docs/terms/shards %s/%d/%d/%d, want %s/%d/%d/%d", step,
			got.Hash, got.Docs, got.Terms, got.Shards, want.Hash, want.Docs, want.Terms, want.Shards)
	}
	names := slices.Sorted(maps.Keys(want.Files))
	if g := slices.Sorted(maps.Keys(got.Files)); !slices.Equal(g, names) {
		t.Fatalf("%s: files\n got %q\nwant %q", step, g, names)
	}
	for _, name := range names {
		if !bytes.Equal(got.Files[name], want.Files[name]) {
			t.Fatalf("%s: %s differs:\n got %s\nwant %s", step, name, got.Files[name], want.Files[name])
		}
	}
}

// TestCacheMatchesBuild builds random sites through one Cache while
// editing, adding, removing and renaming documents, and compares every
// build with a fresh Build of the same documents.
func TestCacheMatchesBuild(t *testing.T) {
	syn, err := ParseSynonyms("synonymer.txt", []byte("avfall, sopor, skräp\nsnöröjning, plogning\nbygglov, byggtillstånd\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"swedish", Options{}},
		{"swedish-synonyms", Options{Synonyms: syn}},
		{"small-shards", Options{Lang: "sv", Synonyms: syn, ShardBytes: 600, MaxPostings: 5, ChunkSize: 7, SnippetChars: 40}},
		{"english", Options{Lang: "en", MaxPostings: 10}},
		{"finnish", Options{Lang: "fi", ShardBytes: 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(int64(len(tc.name))))
			fresh := 0
			docs := map[string]Doc{}
			for i := range 60 {
				url := fmt.Sprintf("/sida-%03d/", i)
				docs[url] = randomDoc(r, url, &fresh)
			}
			c := NewCache()
			list := func() []Doc {
				out := slices.Collect(maps.Values(docs))
				r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
				return out
			}
			check := func(step string) {
				t.Helper()
				ds := list()
				got, err := c.Build(ds, tc.opt)
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				want, err := Build(ds, tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				sameIndex(t, step, got, want)
			}
			check("first build")
			check("no change")
			partials := 0
			urls := func() []string {
				us := slices.Collect(maps.Keys(docs))
				sort.Strings(us)
				return us
			}
			for step := range 40 {
				us := urls()
				var did []string
				for range 1 + r.Intn(3) {
					u := us[r.Intn(len(us))]
					d, ok := docs[u]
					if !ok {
						continue
					}
					switch k := r.Intn(10); k {
					case 8: // replace a word (the length stays)
						ws := strings.Fields(d.Body)
						if len(ws) > 0 {
							ws[r.Intn(len(ws))] = cacheWords[r.Intn(len(cacheWords))]
						}
						d.Body = strings.Join(ws, " ")
						did = append(did, "swap in "+u)
					case 9: // one more word
						d.Body += " " + cacheWords[r.Intn(len(cacheWords))]
						did = append(did, "word "+u)
					case 0: // edit the text
						d.Body += " " + randomText(r, 1+r.Intn(5), &fresh)
						did = append(did, "edit "+u)
					case 1: // rewrite the text
						d.Body = randomText(r, r.Intn(200), &fresh)
						did = append(did, "rewrite "+u)
					case 2: // change the title
						d.Title = randomText(r, 1+r.Intn(3), &fresh)
						did = append(did, "title "+u)
					case 3: // add a page
						nu := fmt.Sprintf("/ny-%03d/", step)
						docs[nu] = randomDoc(r, nu, &fresh)
						did = append(did, "add "+nu)
					case 4: // remove a page
						delete(docs, u)
						did = append(did, "remove "+u)
						continue
					case 5: // section, description, type
						d.Section = randomText(r, 1, &fresh)
						d.Description = randomText(r, r.Intn(6), &fresh)
						d.Type, d.Boost = "service", TypeBoost["service"]
						did = append(did, "fields "+u)
					case 6: // rename (move) a page
						delete(docs, u)
						u = "/flyttad" + u
						d.URL = u
						did = append(did, "move "+u)
					case 7: // remove a word everywhere it occurs in the page
						w := cacheWords[r.Intn(len(cacheWords))]
						d.Body = strings.ReplaceAll(d.Body, w, "")
						did = append(did, "drop "+w+" in "+u)
					}
					docs[u] = d
				}
				check(fmt.Sprintf("step %d (%s)", step, strings.Join(did, ", ")))
				for _, lc := range c.langs {
					partials += lc.partials
				}
			}
			if partials == 0 {
				t.Errorf("no term was updated by partial")
			}
			t.Logf("%d terms updated by partial", partials)
			// Empty site, then back.
			saved := docs
			docs = map[string]Doc{}
			check("empty")
			docs = saved
			check("back")
		})
	}
}

// TestCacheSynonymChange checks that a new synonym file is not served
// from the previous one's cache.
func TestCacheSynonymChange(t *testing.T) {
	docs := []Doc{
		{URL: "/a/", Title: "Avfall", Body: "Sophämtning och avfall."},
		{URL: "/b/", Title: "Snöröjning", Body: "Vi plogar vägarna."},
	}
	c := NewCache()
	for _, file := range []string{"avfall, sopor\n", "avfall, skräp\nsnöröjning, plogning\n", ""} {
		var opt Options
		if file != "" {
			syn, err := ParseSynonyms("s.txt", []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			opt.Synonyms = syn
		}
		got, err := c.Build(docs, opt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Build(docs, opt)
		if err != nil {
			t.Fatal(err)
		}
		sameIndex(t, fmt.Sprintf("synonyms %q", file), got, want)
	}
}

// TestNthBest compares the quickselect with a sort.
func TestNthBest(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 1; n < 200; n += 7 {
		s := make([]ranked, n)
		for i := range s {
			// Few distinct weights, so that ties are decided by doc.
			s[i] = ranked{float64(r.Intn(5)), int32(i)}
		}
		sorted := slices.Clone(s)
		sort.Slice(sorted, func(i, j int) bool { return better(sorted[i], sorted[j]) })
		for k := 0; k < n; k += 3 {
			r.Shuffle(n, func(i, j int) { s[i], s[j] = s[j], s[i] })
			if got := nthBest(s, k); got != sorted[k] {
				t.Fatalf("nthBest(n=%d, k=%d) = %v, want %v", n, k, got, sorted[k])
			}
		}
	}
}

// TestCacheSplits follows compound splits through builds where the word
// a split depends on comes and goes.
func TestCacheSplits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []map[string]string // URL → body, one site per build
	}{
		{"linking e", []map[string]string{
			{"/a/": "förskoleklass klass", "/b/": "förskola", "/c/": "förskolor"},
			{"/a/": "förskoleklass klass", "/c/": "förskolor"},
			{"/a/": "förskoleklass klass", "/b/": "förskola", "/c/": "förskolor"},
			{"/a/": "förskoleklass klass", "/b/": "förskola"},
			{"/a/": "förskoleklass klass"},
		}},
		{"stem of the second part", []map[string]string{
			{"/a/": "parkeringskorten parkering", "/b/": "kortare"},
			{"/a/": "parkeringskorten parkering", "/b/": "annat"},
			{"/a/": "parkeringskorten parkering", "/b/": "kortor"},
		}},
		{"linking s", []map[string]string{
			{"/a/": "bygglovsansökan ansökan", "/b/": "bygglov"},
			{"/a/": "bygglovsansökan ansökan", "/b/": "bygglovet"},
			{"/a/": "bygglovsansökan ansökan"},
			{"/a/": "bygglovsansökan ansökan", "/c/": "bygglov"},
		}},
		{"new first part", []map[string]string{
			{"/a/": "parkeringstillstånd tillstånd"},
			{"/a/": "parkeringstillstånd tillstånd", "/b/": "parkering"},
			{"/a/": "parkeringstillstånd tillstånd", "/b/": "parkeringen"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache()
			for i, step := range tc.steps {
				var docs []Doc
				for url, body := range step {
					docs = append(docs, Doc{URL: url, Title: "Sida", Body: body})
				}
				got, err := c.Build(docs, Options{})
				if err != nil {
					t.Fatal(err)
				}
				want, err := Build(docs, Options{})
				if err != nil {
					t.Fatal(err)
				}
				sameIndex(t, fmt.Sprintf("build %d", i+1), got, want)
			}
		})
	}
}
