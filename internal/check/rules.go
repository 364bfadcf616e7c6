package check

import (
	"sort"

	"github.com/torgsite/torg/internal/diag"
)

// Rule is one check: an id for torg.toml and reports, a default severity,
// and for the editor a Swedish explanation of what is wrong and how to fix
// it, with the accessibility criterion or guideline it serves.
type Rule struct {
	ID       string
	Severity diag.Severity
	// Group is the Swedish heading the rule is listed under in the docs.
	Group string
	// Help says, in plain Swedish, why this matters and how to fix it.
	Help string
	// Criterion is the WCAG 2.2 success criterion, law or webbriktlinje
	// the rule serves.
	Criterion string
}

// The rule ids. Editors see them in reports and use them in torg.toml.
const (
	BildAltSaknas          = "bild-alt-saknas"
	BildAltFilnamn         = "bild-alt-filnamn"
	BildDekorativOmarkerad = "bild-dekorativ-omarkerad"

	LankTextIntetsagande = "lank-text-intetsagande"
	LankTextURL          = "lank-text-url"
	LankDokumentFormat   = "lank-dokument-format"
	LankEpostDoman       = "lank-epost-doman"
	LankNyttFonster      = "lank-nytt-fonster"
	LankInternTrasig     = "lank-intern-trasig"
	LankExternTrasig     = "lank-extern-trasig"
	LankUtgangetAnslag   = "lank-utganget-anslag"

	RubrikNivaHoppar = "rubrik-niva-hoppar"
	RubrikH1         = "rubrik-h1-i-texten"
	RubrikTom        = "rubrik-tom"
	TabellRubrikrad  = "tabell-rubrikrad-saknas"
	ListaFalsk       = "lista-falsk"

	SprakOmarkerat = "sprak-omarkerat"
	Versaler       = "versaler"
	MeningLang     = "mening-lang"
	StyckeLangt    = "stycke-langt"
	LIXHogt        = "lix-hogt"

	DokumentAlternativ = "dokument-alternativ-saknas"

	GranskningGammal  = "granskning-gammal"
	GranskningSaknas  = "granskning-saknas"
	RedogorelseSaknas = "redogorelse-saknas"
	RedogorelseDelar  = "redogorelse-delar"
	RedogorelseGammal = "redogorelse-inaktuell"

	// Bygg marks the build's own errors and warnings in a check report
	// (broken relative links, front matter), which have no rule of their
	// own.
	Bygg = "bygg"
)

// Rules lists every rule, in the order of the documentation.
var Rules = []*Rule{
	{BildAltSaknas, diag.Error, "Bilder",
		"Bilden saknar alternativtext. Den som inte ser bilden får då inte veta vad den visar. Skriv en kort text mellan hakparenteserna som säger det bilden berättar: ![Karta över Storgatan](karta.png). Om bilden bara är utsmyckning: lämna hakparenteserna tomma och skriv titeln \"dekorativ\", så här: ![](ram.svg \"dekorativ\").",
		"WCAG 1.1.1 Icke-textbaserat innehåll"},
	{BildAltFilnamn, diag.Error, "Bilder",
		"Alternativtexten är bildens filnamn eller bara ordet ”bild”. Det säger ingenting om vad bilden visar. Beskriv i stället innehållet, till exempel ”Kommunhuset i vinterljus”.",
		"WCAG 1.1.1 Icke-textbaserat innehåll"},
	{BildDekorativOmarkerad, diag.Warning, "Bilder",
		"Bilden ser ut att vara ren utsmyckning men har en alternativtext, så skärmläsare läser upp den i onödan. Lämna hakparenteserna tomma och skriv titeln \"dekorativ\": ![](linje.svg \"dekorativ\"). Om bilden visar något viktigt: beskriv det i stället.",
		"WCAG 1.1.1 Icke-textbaserat innehåll"},

	{LankTextIntetsagande, diag.Error, "Länkar",
		"Länktexten säger inte vart länken leder. Många som använder skärmläsare går igenom sidans länkar i en lista, utan texten runt omkring, och då hör de bara ”här” eller ”läs mer”. Skriv vad länken leder till: ”Ansök om bygglov” i stället för ”klicka här”.",
		"WCAG 2.4.4 Länkens syfte (i sitt sammanhang)"},
	{LankTextURL, diag.Warning, "Länkar",
		"Länktexten är en webbadress. Skärmläsare läser upp den tecken för tecken och den är svår att förstå. Skriv vad länken leder till, till exempel [Skatteverkets e-tjänster](https://www.skatteverket.se/...).",
		"WCAG 2.4.4 Länkens syfte (i sitt sammanhang)"},
	{LankDokumentFormat, diag.Warning, "Länkar",
		"Länken leder till ett dokument, men länktexten säger inte vilket format det har och hur stort det är. Besökaren ska veta att ett dokument öppnas och hur lång tid det tar att hämta. Skriv till exempel ”Protokoll 23 november (pdf, 240 kB)”.",
		"Webbriktlinjer: Ange format och storlek när du länkar till dokument; WCAG 2.4.4"},
	{LankEpostDoman, diag.Warning, "Länkar",
		"E-postadressen hör inte till kommunens egna domäner (emailDomains i torg.toml). Privata adresser eller adresser hos andra organisationer ska inte stå som kontaktväg på kommunens webbplats, eftersom meddelanden då hamnar utanför kommunens diarium och säkerhet. Använd en funktionsadress, till exempel kommun@karlsborg.se.",
		"Offentlighets- och sekretesslagen, GDPR; webbriktlinjer om säker e-post"},
	{LankNyttFonster, diag.Warning, "Länkar",
		"Länken öppnas i ett nytt fönster eller en ny flik. Det gör att bakåtknappen slutar fungera och förvirrar den som inte ser skärmen. Låt länken öppnas i samma fönster och ta bort texten om nytt fönster.",
		"WCAG 3.2.5 Ändring på begäran; WCAG 2.4.4"},
	{LankInternTrasig, diag.Error, "Länkar",
		"Länken leder till en sida eller ett ankare som inte finns på webbplatsen. Rätta adressen. Länka helst till Markdown-filen (../tjanster/bygglov.md) i stället för till webbadressen, så kontrollerar torg länken åt dig även när sidan flyttas.",
		"WCAG 2.4.5 Flera sätt; webbriktlinjer: Se till att länkar fungerar"},
	{LankExternTrasig, diag.Warning, "Länkar",
		"Länken till en annan webbplats fungerar inte: sidan finns inte längre eller svarar inte. Kontrollera adressen, byt till den nya adressen eller ta bort länken.",
		"Webbriktlinjer: Se till att länkar fungerar"},
	{LankUtgangetAnslag, diag.Warning, "Länkar",
		"Länken leder till ett anslag som har tagits ned från anslagstavlan. Besökaren kan tro att anslaget fortfarande gäller. Ta bort länken eller skriv tydligt att anslaget inte längre är aktuellt.",
		"Kommunallagen 8 kap. (anslagstavlan); webbriktlinjer: Håll informationen aktuell"},

	{RubrikNivaHoppar, diag.Warning, "Struktur",
		"En rubriknivå hoppas över, till exempel från ## till ####. Skärmläsare använder rubrikerna som innehållsförteckning, och ett hopp ser ut som att en rubrik saknas. Använd nivåerna i ordning: ## för avsnitt, ### för delavsnitt.",
		"WCAG 1.3.1 Information och relationer"},
	{RubrikH1, diag.Error, "Struktur",
		"Texten har en huvudrubrik (#). Sidans titel är redan sidans enda huvudrubrik, så en till gör strukturen otydlig. Använd ## för rubrikerna i texten.",
		"WCAG 1.3.1 Information och relationer; WCAG 2.4.6 Rubriker och etiketter"},
	{RubrikTom, diag.Error, "Struktur",
		"Rubriken är tom. Skärmläsare läser upp en tom rubrik, vilket förvirrar. Skriv en rubrik eller ta bort raden.",
		"WCAG 1.3.1 Information och relationer; WCAG 2.4.6 Rubriker och etiketter"},
	{TabellRubrikrad, diag.Error, "Struktur",
		"Tabellen har ingen rubrikrad: den första raden är tom. Utan rubriker kan en skärmläsare inte säga vad en cell betyder. Skriv en rubrik för varje kolumn i tabellens första rad.",
		"WCAG 1.3.1 Information och relationer"},
	{ListaFalsk, diag.Warning, "Struktur",
		"Stycket ser ut som en lista men är skrivet som vanliga rader med tankstreck, punkter eller siffror. Skärmläsare berättar då inte att det är en lista eller hur många punkter den har. Gör en riktig lista: en tom rad före och ”- ” eller ”1. ” först på varje rad.",
		"WCAG 1.3.1 Information och relationer"},

	{SprakOmarkerat, diag.Warning, "Språk",
		"Stycket verkar vara på ett annat språk än sidan men saknar språkmärkning. En skärmläsare läser då upp det med svenskt uttal, vilket blir obegripligt. Skriv språket sist i stycket, till exempel {lang=en} för engelska eller {lang=fi} för finska.",
		"WCAG 3.1.2 Språk för delar av innehållet"},
	{Versaler, diag.Warning, "Språk",
		"Texten är skriven med versaler (stora bokstäver). Det är svårare att läsa, särskilt för personer med dyslexi, och en del skärmläsare läser upp orden bokstav för bokstav. Skriv med vanliga bokstäver och använd fetstil om något ska framhävas.",
		"Språklagen 11 § (klarspråk); webbriktlinjer: Skriv begripligt"},
	{MeningLang, diag.Info, "Språk",
		"Meningen är mycket lång. Långa meningar är svåra att läsa och att förstå med en gång. Dela upp meningen i två eller fler.",
		"Språklagen 11 § (klarspråk); WCAG 3.1.5 Läsnivå"},
	{StyckeLangt, diag.Info, "Språk",
		"Stycket är mycket långt. Korta stycken med en tanke i varje är lättare att läsa på skärm. Dela upp stycket, gärna med en mellanrubrik.",
		"Språklagen 11 § (klarspråk); WCAG 3.1.5 Läsnivå"},
	{LIXHogt, diag.Warning, "Språk",
		"Sidans läsbarhetsindex (LIX) är högt: texten har långa meningar och många långa ord. Skriv kortare meningar och byt långa ord mot vanliga, korta ord där det går. LIX = ord per mening + andel ord med fler än sex bokstäver i procent. Under 40 är lätt, över 50 är svårt.",
		"Språklagen 11 § (klarspråk); WCAG 3.1.5 Läsnivå"},

	{DokumentAlternativ, diag.Warning, "Dokument",
		"Sidan länkar till en PDF men erbjuder inget tillgängligt alternativ. PDF-filer är ofta svåra att läsa med skärmläsare och i mobilen. Lägg innehållet på en webbsida och länka till den, eller skriv på sidan hur man kan få dokumentet i ett annat format (till exempel ”Kontakta oss om du behöver dokumentet i ett annat format”).",
		"Lagen (2018:1937) om tillgänglighet till digital offentlig service, för dokument publicerade efter 23 september 2018"},

	{GranskningGammal, diag.Warning, "Aktualitet",
		"Sidan har inte granskats på länge (datumet i reviewed är gammalt). Gammal information kan vara fel: öppettider, avgifter och kontaktuppgifter ändras. Läs igenom sidan, rätta det som behövs och skriv dagens datum i reviewed.",
		"Webbriktlinjer: Håll informationen aktuell och ange ansvarig"},
	{GranskningSaknas, diag.Info, "Aktualitet",
		"Sidan har inget granskningsdatum (reviewed). För kontaktuppgifter och tjänster ska någon regelbundet kontrollera att allt stämmer. Skriv datumet då sidan senast lästes igenom, till exempel reviewed: 2026-11-20.",
		"Webbriktlinjer: Håll informationen aktuell och ange ansvarig"},
	{RedogorelseSaknas, diag.Error, "Tillgänglighetsredogörelse",
		"Webbplatsen saknar tillgänglighetsredogörelse, eller så pekar accessibilityURL i torg.toml inte på någon sida. Alla offentliga webbplatser måste ha en. Skapa sidan och ange dess adress i torg.toml under [organisation].",
		"Lagen (2018:1937) om tillgänglighet till digital offentlig service, 16 §; MDFFS 2019:2"},
	{RedogorelseDelar, diag.Error, "Tillgänglighetsredogörelse",
		"Tillgänglighetsredogörelsen saknar en av de delar som krävs. Varje del ska ha en egen rubrik på nivå ## (se listan i redaktörsguiden).",
		"Lagen (2018:1937) om tillgänglighet till digital offentlig service, 16 §; MDFFS 2019:2"},
	{RedogorelseGammal, diag.Error, "Tillgänglighetsredogörelse",
		"Tillgänglighetsredogörelsen har inte uppdaterats på mer än ett år. Den ska ses över minst en gång om året. Gå igenom bristerna, uppdatera texten och skriv det nya datumet under rubriken om redogörelsens datum.",
		"MDFFS 2019:2 (redogörelsen ska ses över regelbundet, minst årligen)"},
	{Bygg, diag.Error, "Bygget",
		"Felet kommer från bygget av webbplatsen, till exempel en länk till en fil som inte finns eller ett fel i sidhuvudet (front matter). Rätta det först; sidan kan inte publiceras förrän det är rättat.",
		""},
}

var byID = func() map[string]*Rule {
	m := map[string]*Rule{}
	for _, r := range Rules {
		m[r.ID] = r
	}
	return m
}()

// Lookup returns the rule with the given id.
func Lookup(id string) (*Rule, bool) {
	r, ok := byID[id]
	return r, ok
}

// ruleIDs returns every rule id, sorted.
func ruleIDs() []string {
	out := make([]string, 0, len(byID))
	for id := range byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
