package search

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Förskola":    "forskola",
		"ÅVC":         "avc",
		"Äldreboende": "aldreboende",
		"café":        "cafe",
		"Sámi":        "sami",
		"Straße":      "strasse",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	got := Tokenize("Bygg- och miljönämnden (SBN) tar emot 12 ansökningar om år 2026. I 0505-170 00 svarar vi; 1234567890 är för långt.")
	want := []string{"bygg", "och", "miljönämnden", "sbn", "tar", "emot", "12", "ansökningar", "om", "år", "2026", "0505", "170", "00", "svarar", "vi", "är", "för", "långt"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokenize:\n got %q\nwant %q", got, want)
	}
	// Decomposed input (a + combining ring) is composed first.
	if got := Tokenize("a\u030Atervinning"); len(got) != 1 || got[0] != "återvinning" {
		t.Errorf("Tokenize(NFD) = %q", got)
	}
}

func TestStem(t *testing.T) {
	same := [][]string{
		{"bygglov", "bygglovet", "bygglovs"},
		{"förskola", "förskolan", "förskolor", "forskola"},
		{"ansökan", "ansöker"},
		{"sopor", "soporna"},
		{"parkering", "parkeringen", "parkeringar"},
		{"kontoret", "kontor"},
	}
	for _, group := range same {
		want := Stem(strings.ToLower(group[0]))
		for _, w := range group[1:] {
			if got := Stem(w); got != want {
				t.Errorf("Stem(%q) = %q, want %q (as %q)", w, got, want, group[0])
			}
		}
	}
	// The browser finds a stem by prefix: every stem must be a prefix of
	// the folded word.
	for _, w := range Tokenize(sampleText) {
		if st := Stem(w); !strings.HasPrefix(Fold(w), st) || st == "" {
			t.Errorf("Stem(%q) = %q is not a prefix of %q", w, st, Fold(w))
		}
	}
}

const sampleText = `Så ansöker du om bygglov. Bygglovet kostar enligt taxan. Förskolan i Mölltorp
har öppet. Soporna hämtas varannan vecka; återvinningscentralen har öppet på lördagar.
Snöröjningen börjar när det har fallit fem centimeter snö. Äldreboendet ligger vid sjön.
Bygglovshandläggarna svarar på frågor om bygglovsansökan och strandskyddsdispens.`

func TestSplitCompounds(t *testing.T) {
	vocab := Tokenize(sampleText + " ansökan förskola klass skolor")
	for w, want := range map[string][]string{
		"bygglovsansökan": {"bygglov", Stem("ansökan")},
		"förskoleklass":   {"forskol", "klass"},
	} {
		got := Split(w, append(vocab, w))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Split(%q) = %q, want %q", w, got, want)
		}
	}
	for _, w := range []string{"kommunen", "bygglov", "2026"} {
		if got := Split(w, append(vocab, w, "kommun", "byggl")); got != nil {
			t.Errorf("Split(%q) = %q, want nothing", w, got)
		}
	}
}

func TestSynonyms(t *testing.T) {
	s, err := ParseSynonyms("synonymer.txt", []byte("# kommentar\navfall, sopor, skräp\n\nsnöröjning, plogning # vinter\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Of(Stem("sopor")); !reflect.DeepEqual(got, []string{Stem("avfall"), Stem("skräp")}) {
		t.Errorf("synonyms of sopor = %q", got)
	}
	if got := s.Of(Stem("plogning")); !reflect.DeepEqual(got, []string{Stem("snöröjning")}) {
		t.Errorf("synonyms of plogning = %q", got)
	}
	for _, bad := range []string{"avfall\n", "sopor, soporna\n", "avfall, sopkärl och tunnor\n"} {
		if _, err := ParseSynonyms("s.txt", []byte(bad)); err == nil || !strings.Contains(err.Error(), "s.txt:1:") {
			t.Errorf("ParseSynonyms(%q) = %v, want an error at s.txt:1", bad, err)
		}
	}
}

func TestHTMLText(t *testing.T) {
	got := HTMLText(`<h2 id="a">Avgift</h2><p>Det kostar <strong>1&nbsp;000</strong>&nbsp;kr.</p><ul><li>Ett</li><li>Två</li></ul><script>var x="<p>";</script><table><tr><td>A</td><td>B</td></tr></table>`)
	want := "Avgift Det kostar 1 000 kr. Ett Två A B"
	if got != want {
		t.Errorf("HTMLText = %q, want %q", got, want)
	}
}

// shard decodes a term shard.
func shard(t *testing.T, ix *Index, key string) map[string][]json.RawMessage {
	t.Helper()
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(ix.Files["t/"+ShardFile(key)+".json"], &m); err != nil {
		t.Fatalf("shard %s: %v", key, err)
	}
	return m
}

func TestBuildRanksTitleAndServices(t *testing.T) {
	syn, err := ParseSynonyms("s", []byte("avfall, sopor\n"))
	if err != nil {
		t.Fatal(err)
	}
	docs := []Doc{
		{URL: "/a/", Title: "Nyheter", Body: "Bygglov bygglov bygglov nämns ofta här, och avfall."},
		{URL: "/b/", Title: "Bygglov", Type: "service", Description: "Så ansöker du om bygglov."},
		{URL: "/c/", Title: "Avfall och återvinning", Type: "service", Body: "Sophämtning varannan vecka."},
		{URL: "/d/", Title: "Bygglovsansökan", Body: "Blankett."},
	}
	for i := range docs {
		if docs[i].Type == "service" {
			docs[i].Boost = TypeBoost["service"]
		}
	}
	ix, err := Build(docs, Options{Synonyms: syn})
	if err != nil {
		t.Fatal(err)
	}
	best := func(stem string) (int, []int) {
		e := shard(t, ix, prefix(stem, 2))[stem]
		if e == nil {
			t.Fatalf("no term %q", stem)
		}
		var p []int
		json.Unmarshal(e[1], &p)
		doc, top, bestW := 0, -1, 0
		var docsOf []int
		for i := 0; i < len(p); i += 2 {
			doc += p[i]
			docsOf = append(docsOf, doc)
			if p[i+1] > bestW {
				top, bestW = doc, p[i+1]
			}
		}
		return top, docsOf
	}
	if top, _ := best("bygglov"); top != 1 {
		t.Errorf("bygglov: best doc %d, want 1 (the service titled Bygglov)", top)
	}
	if _, all := best("bygglov"); !reflect.DeepEqual(all, []int{0, 1, 3}) {
		t.Errorf("bygglov: docs %v, want the compound's page 3 too", all)
	}
	if top, _ := best(Stem("sopor")); top != 2 {
		t.Errorf("sopor: best doc %d, want 2 (avfall by synonym)", top)
	}
	var forms string
	json.Unmarshal(shard(t, ix, "so")[Stem("sopor")][0], &forms)
	if !strings.Contains("|"+forms+"|", "|or|") {
		t.Errorf("sopor: forms %q lack the synonym file's word form", forms)
	}
	var meta struct {
		Docs  int
		Chunk int
		Keys  []string
	}
	if err := json.Unmarshal(ix.Files["meta.json"], &meta); err != nil || meta.Docs != 4 {
		t.Fatalf("meta: %v %+v", err, meta)
	}
	var d [][]any
	json.Unmarshal(ix.Files["d/0.json"], &d)
	if len(d) != 4 || d[1][0] != "/b/" || d[1][1] != "Bygglov" {
		t.Errorf("documents: %v", d)
	}
}

// TestShardSizes builds a large synthetic corpus and checks the sharding:
// every key has a file, no shard is over budget unless it cannot be split,
// and every term is in the shard the browser looks in.
func TestShardSizes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	words := strings.Fields(strings.ToLower(sampleText + ` kommun kommunen kommunfullmäktige kontakt kontaktcenter
		kostnad avgift ansökan blankett skola skolan grundskola gymnasium bibliotek biblioteket idrott
		simhall vatten avlopp gata gator parkering felanmälan bostad bostäder detaljplan översiktsplan`))
	var docs []Doc
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		for j := 0; j < 200; j++ {
			w := words[rng.Intn(len(words))]
			if rng.Intn(4) == 0 {
				w += fmt.Sprintf("%c%c", 'a'+rng.Intn(26), 'a'+rng.Intn(26))
			}
			b.WriteString(w + " ")
		}
		docs = append(docs, Doc{URL: fmt.Sprintf("/s/%05d/", i), Title: words[rng.Intn(len(words))], Body: b.String()})
	}
	opt := Options{ShardBytes: 20_000, MaxPostings: 500, ChunkSize: 50}
	ix, err := Build(docs, opt)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct{ Keys []string }
	json.Unmarshal(ix.Files["meta.json"], &meta)
	keys := map[string]bool{}
	for _, k := range meta.Keys {
		keys[k] = true
		b, ok := ix.Files["t/"+ShardFile(k)+".json"]
		if !ok {
			t.Fatalf("key %q has no file", k)
		}
		if len(b) > opt.ShardBytes && len([]rune(k)) < 6 {
			// Over budget only if a single term fills it.
			if n := len(shard(t, ix, k)); n > 1 {
				t.Errorf("shard %q: %d bytes, %d terms, budget %d", k, len(b), n, opt.ShardBytes)
			}
		}
		for stem, e := range shard(t, ix, k) {
			// The browser's rule: the deepest key that is a prefix.
			want := ""
			for n := 2; n <= 6; n++ {
				if p := prefix(stem, n); keys[p] || containsKey(meta.Keys, p) {
					want = p
				}
			}
			if want != k {
				t.Errorf("term %q is in shard %q, the browser looks in %q", stem, k, want)
			}
			var p []int
			json.Unmarshal(e[1], &p)
			if len(p)/2 > opt.MaxPostings {
				t.Errorf("term %q has %d postings, cap %d", stem, len(p)/2, opt.MaxPostings)
			}
		}
	}
	if n := len(ix.Files) - len(meta.Keys) - 1; n != 2000/50 {
		t.Errorf("%d document files, want 40", n)
	}
	t.Logf("%d docs, %d terms, %d shards, %d bytes", ix.Docs, ix.Terms, ix.Shards, ix.Size())
}

func containsKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func TestShardFile(t *testing.T) {
	if got := ShardFile("by"); got != "by" {
		t.Errorf("ShardFile(by) = %q", got)
	}
	if got := ShardFile("дe"); got != "xd0b465" {
		t.Errorf("ShardFile(дe) = %q", got)
	}
}
