package corpus

// The vocabulary the generator draws from: municipal nouns with their
// Swedish forms, section definitions, headings, sentence templates and the
// like. Everything here is data; the order of every list is part of the
// output (changing a list changes what a seed generates).

// noun is a municipal noun in the three forms the templates need: bare
// ("ansöka om bygglov"), indefinite ("ett bygglov") and definite
// ("bygglovet").
type noun struct{ bare, indef, def string }

var nouns = map[string]noun{
	"bygglov":         {"bygglov", "ett bygglov", "bygglovet"},
	"rivningslov":     {"rivningslov", "ett rivningslov", "rivningslovet"},
	"marklov":         {"marklov", "ett marklov", "marklovet"},
	"strandskydd":     {"strandskyddsdispens", "en strandskyddsdispens", "strandskyddsdispensen"},
	"detaljplan":      {"detaljplan", "en detaljplan", "detaljplanen"},
	"planbesked":      {"planbesked", "ett planbesked", "planbeskedet"},
	"forhandsbesked":  {"förhandsbesked", "ett förhandsbesked", "förhandsbeskedet"},
	"nybyggnadskarta": {"nybyggnadskarta", "en nybyggnadskarta", "nybyggnadskartan"},
	"bostadsanp":      {"bostadsanpassningsbidrag", "ett bostadsanpassningsbidrag", "bostadsanpassningsbidraget"},
	"forskoleplats":   {"förskoleplats", "en förskoleplats", "förskoleplatsen"},
	"fritidshem":      {"fritidshem", "ett fritidshem", "fritidshemmet"},
	"skolskjuts":      {"skolskjuts", "en skolskjuts", "skolskjutsen"},
	"modersmal":       {"modersmålsundervisning", "en modersmålsundervisning", "modersmålsundervisningen"},
	"skolval":         {"skolval", "ett skolval", "skolvalet"},
	"hemtjanst":       {"hemtjänst", "en hemtjänstinsats", "hemtjänsten"},
	"trygghetslarm":   {"trygghetslarm", "ett trygghetslarm", "trygghetslarmet"},
	"fardtjanst":      {"färdtjänst", "ett färdtjänsttillstånd", "färdtjänsten"},
	"bistand":         {"ekonomiskt bistånd", "ett ekonomiskt bistånd", "det ekonomiska biståndet"},
	"boende":          {"särskilt boende", "ett särskilt boende", "det särskilda boendet"},
	"avlosning":       {"avlösning", "en avlösning", "avlösningen"},
	"parkering":       {"parkeringstillstånd", "ett parkeringstillstånd", "parkeringstillståndet"},
	"gravtillstand":   {"grävtillstånd", "ett grävtillstånd", "grävtillståndet"},
	"felanmalan":      {"felanmälan", "en felanmälan", "felanmälan"},
	"snorojning":      {"snöröjning", "en snöröjning", "snöröjningen"},
	"gatubelysning":   {"gatubelysning", "en gatubelysning", "gatubelysningen"},
	"avfall":          {"avfallshämtning", "en avfallshämtning", "avfallshämtningen"},
	"slamtomning":     {"slamtömning", "en slamtömning", "slamtömningen"},
	"avlopp":          {"enskilt avlopp", "ett enskilt avlopp", "det enskilda avloppet"},
	"kompost":         {"kompostering", "en kompostanmälan", "komposteringen"},
	"matavfall":       {"matavfall", "ett matavfallskärl", "matavfallet"},
	"livsmedel":       {"livsmedelsregistrering", "en livsmedelsregistrering", "livsmedelsregistreringen"},
	"servering":       {"serveringstillstånd", "ett serveringstillstånd", "serveringstillståndet"},
	"bibliotekskort":  {"bibliotekskort", "ett bibliotekskort", "bibliotekskortet"},
	"foreningsbidrag": {"föreningsbidrag", "ett föreningsbidrag", "föreningsbidraget"},
	"lokalbokning":    {"lokalbokning", "en lokalbokning", "lokalbokningen"},
	"badplats":        {"badplats", "en badplats", "badplatsen"},
	"vattenmatare":    {"vattenmätare", "en vattenmätare", "vattenmätaren"},
	"vaanslutning":    {"VA-anslutning", "en VA-anslutning", "VA-anslutningen"},
	"vattenavgift":    {"vattenavgift", "en vattenavgift", "vattenavgiften"},
	"energiradgivn":   {"energirådgivning", "en energirådgivning", "energirådgivningen"},
	"laddstolpe":      {"laddstolpe", "en laddstolpe", "laddstolpen"},
	"bredband":        {"bredband", "ett bredbandsabonnemang", "bredbandet"},
	"komvux":          {"vuxenutbildning", "en vuxenutbildning", "vuxenutbildningen"},
	"sfi":             {"svenska för invandrare", "en sfi-kurs", "sfi-utbildningen"},
	"feriearbete":     {"feriearbete", "ett feriearbete", "feriearbetet"},
	"upphandling":     {"upphandling", "en upphandling", "upphandlingen"},
	"medborgarforsl":  {"medborgarförslag", "ett medborgarförslag", "medborgarförslaget"},
	"handling":        {"allmänna handlingar", "en allmän handling", "den allmänna handlingen"},
	"godman":          {"god man", "en god man", "den gode mannen"},
	"krisinfo":        {"krisinformation", "ett krisbesked", "krisinformationen"},
	"brandskydd":      {"brandskyddskontroll", "en brandskyddskontroll", "brandskyddskontrollen"},
	"sotning":         {"sotning", "en sotning", "sotningen"},
	"ansokan":         {"ansökan", "en ansökan", "ansökan"},
	"avgift":          {"avgift", "en avgift", "avgiften"},
	"handlaggning":    {"handläggningstid", "en handläggningstid", "handläggningstiden"},
	"namnd":           {"nämndbeslut", "ett nämndbeslut", "nämndbeslutet"},
	"budget":          {"budget", "en budget", "budgeten"},
	"oversiktsplan":   {"översiktsplan", "en översiktsplan", "översiktsplanen"},
	"tillstand":       {"tillstånd", "ett tillstånd", "tillståndet"},
	"kulturstod":      {"kulturstöd", "ett kulturstöd", "kulturstödet"},
	"simskola":        {"simskola", "en simskola", "simskolan"},
	"fritidsgard":     {"fritidsgård", "en fritidsgård", "fritidsgården"},
	"naringsliv":      {"företagsrådgivning", "en företagsrådgivning", "företagsrådgivningen"},
	"etablering":      {"företagsetablering", "en företagsetablering", "företagsetableringen"},
	"integration":     {"samhällsorientering", "en samhällsorientering", "samhällsorienteringen"},
	"tolk":            {"tolkservice", "en tolkbokning", "tolkservicen"},
	"klimat":          {"klimatanpassning", "en klimatanpassningsåtgärd", "klimatanpassningen"},
	"solceller":       {"solcellsanläggning", "en solcellsanläggning", "solcellsanläggningen"},
	"karta":           {"kartunderlag", "ett kartunderlag", "kartunderlaget"},
	"adress":          {"adressättning", "en adressättning", "adressättningen"},
	"matning":         {"utstakning", "en utstakning", "utstakningen"},
	"vaccination":     {"vaccinationsinformation", "en vaccinationstid", "vaccinationsinformationen"},
	"elevhalsa":       {"elevhälsa", "ett elevhälsoärende", "elevhälsan"},
	"riskbruk":        {"alkoholrådgivning", "en alkoholrådgivning", "alkoholrådgivningen"},
}

// generalNouns are used on every section's pages besides its own nouns.
var generalNouns = []string{"ansokan", "avgift", "handlaggning", "namnd", "tillstand", "handling", "felanmalan"}

// sectionDef is a top-level section of the generated portal.
type sectionDef struct {
	title string
	unit  string   // the unit (förvaltning) that usually owns its pages
	nouns []string // keys into nouns
	news  bool
}

var topSections = []sectionDef{
	{"Nyheter", "Kommunikationsenheten", []string{"budget", "detaljplan", "snorojning", "avfall", "forskoleplats", "badplats", "feriearbete", "oversiktsplan"}, true},
	{"Bygga och bo", "Samhällsbyggnadsförvaltningen", []string{"bygglov", "rivningslov", "marklov", "strandskydd", "forhandsbesked", "nybyggnadskarta", "bostadsanp"}, false},
	{"Förskola och skola", "Barn- och utbildningsförvaltningen", []string{"forskoleplats", "fritidshem", "skolskjuts", "modersmal", "skolval", "elevhalsa"}, false},
	{"Omsorg och stöd", "Vård- och omsorgsförvaltningen", []string{"hemtjanst", "trygghetslarm", "boende", "avlosning", "godman"}, false},
	{"Trafik och gator", "Tekniska förvaltningen", []string{"parkering", "gravtillstand", "snorojning", "gatubelysning", "fardtjanst", "felanmalan"}, false},
	{"Miljö och avfall", "Miljö- och hälsoskyddsenheten", []string{"avfall", "slamtomning", "kompost", "matavfall", "avlopp"}, false},
	{"Uppleva och göra", "Kultur- och fritidsförvaltningen", []string{"badplats", "bibliotekskort", "simskola", "fritidsgard", "lokalbokning"}, false},
	{"Kommun och politik", "Kommunledningskontoret", []string{"namnd", "budget", "medborgarforsl", "handling", "oversiktsplan"}, false},
	{"Näringsliv och arbete", "Näringslivsenheten", []string{"naringsliv", "etablering", "upphandling", "servering", "livsmedel"}, false},
	{"Kultur och fritid", "Kultur- och fritidsförvaltningen", []string{"foreningsbidrag", "kulturstod", "lokalbokning", "bibliotekskort", "fritidsgard"}, false},
	{"Vatten och avlopp", "VA-avdelningen", []string{"vaanslutning", "vattenmatare", "vattenavgift", "avlopp", "slamtomning"}, false},
	{"Hälsa och sjukvård", "Socialförvaltningen", []string{"vaccination", "riskbruk", "elevhalsa", "hemtjanst"}, false},
	{"Krisberedskap och säkerhet", "Räddningstjänsten", []string{"krisinfo", "brandskydd", "sotning", "tillstand"}, false},
	{"Arbete och vuxenutbildning", "Arbetsmarknadsenheten", []string{"komvux", "sfi", "feriearbete", "bistand"}, false},
	{"Ekonomiskt stöd", "Socialförvaltningen", []string{"bistand", "bostadsanp", "godman", "avgift"}, false},
	{"Integration och språk", "Arbetsmarknadsenheten", []string{"integration", "sfi", "tolk", "komvux"}, false},
	{"Energi och klimat", "Miljö- och hälsoskyddsenheten", []string{"energiradgivn", "laddstolpe", "solceller", "klimat", "bredband"}, false},
	{"Planer och projekt", "Samhällsbyggnadsförvaltningen", []string{"detaljplan", "planbesked", "oversiktsplan", "klimat"}, false},
	{"Kartor och mätning", "Lantmäterienheten", []string{"karta", "nybyggnadskarta", "adress", "matning"}, false},
	{"Kontakt och service", "Kontaktcenter", []string{"felanmalan", "handling", "tolk", "medborgarforsl"}, false},
}

// subsectionTitles name nested sections of larger corpora.
var subsectionTitles = []string{
	"Avgifter och taxor", "Blanketter och e-tjänster", "Regler och riktlinjer", "Vanliga frågor",
	"Projekt och utveckling", "Stöd och rådgivning", "Tillstånd och anmälan", "För företag",
	"Statistik och uppföljning", "Arkiv", "Information på andra språk", "Tidigare beslut",
}

var units = []string{
	"Samhällsbyggnadsförvaltningen", "Bygg- och miljönämnden", "Barn- och utbildningsförvaltningen",
	"Socialförvaltningen", "Kommunstyrelsen", "Tekniska förvaltningen", "Kultur- och fritidsförvaltningen",
	"Kontaktcenter", "Miljö- och hälsoskyddsenheten", "Räddningstjänsten", "Överförmyndaren",
	"Kommunledningskontoret", "Ekonomiavdelningen", "Vård- och omsorgsförvaltningen", "Lantmäterienheten",
}

var boards = []string{
	"Kommunfullmäktige", "Kommunstyrelsen", "Bygg- och miljönämnden", "Barn- och utbildningsnämnden",
	"Socialnämnden", "Tekniska nämnden", "Kultur- och fritidsnämnden", "Vård- och omsorgsnämnden",
}

var places = []string{
	"Norrby", "Söderås", "Västerhamn", "Östervik", "Lillsjö", "Bergsäng", "Åkerby", "Ängsvik",
	"Kvarnholmen", "Bäckadal", "Hagalund", "Sjöviken", "Granlunda", "Tallmon", "Ekeberga",
	"Stenhamra", "Björkås", "Lindvreten", "Älvsjöhöjden", "Rönnbacken",
}

var streets = []string{
	"Storgatan", "Kyrkogatan", "Hamngatan", "Skolvägen", "Järnvägsgatan", "Sjövägen", "Industrivägen",
	"Parkgatan", "Torggatan", "Kvarngatan",
}

var agencies = []string{
	"Boverket", "Skolverket", "Socialstyrelsen", "Naturvårdsverket", "Lantmäteriet", "Länsstyrelsen",
	"Transportstyrelsen", "Livsmedelsverket", "Myndigheten för samhällsskydd och beredskap", "Energimyndigheten",
	"Försäkringskassan", "Arbetsförmedlingen",
}

var laws = []string{
	"plan- och bygglagen", "miljöbalken", "skollagen", "socialtjänstlagen", "kommunallagen",
	"förvaltningslagen", "offentlighets- och sekretesslagen", "lagen om skydd mot olyckor",
	"livsmedelslagen", "alkohollagen",
}

var courts = []string{"Länsstyrelsen", "förvaltningsrätten", "Mark- och miljödomstolen", "kammarrätten"}

var months = []string{
	"januari", "februari", "mars", "april", "maj", "juni",
	"juli", "augusti", "september", "oktober", "november", "december",
}

var seasons = []string{"sommaren", "vintern", "våren", "hösten", "jul- och nyårshelgerna", "sportlovet"}

var factors = []string{
	"ärendets omfattning", "byggnadens area", "antalet timmar handläggning", "hushållets inkomst",
	"kärlets storlek och hämtningsintervall", "fastighetens taxerade värde", "antalet lägenheter",
}

var audiences = []string{
	"privatpersoner", "företag", "föreningar", "fritidshus", "nyinflyttade", "äldre", "unga",
	"barnfamiljer", "fastighetsägare", "lantbrukare",
}

var aspects = []string{
	"handläggning och beslut", "steg för steg", "information till grannar", "avgifter och betalning",
	"regler och krav", "vanliga misstag", "tider och frister", "råd inför ansökan",
}

// tagVocab is the tags vocabulary (~50 tags).
var tagVocab = []string{
	"bygglov", "förskola", "skola", "avfall", "återvinning", "detaljplan", "nämnd", "ansökan", "avgift",
	"handläggningstid", "trafik", "parkering", "snöröjning", "vatten", "avlopp", "miljö", "klimat",
	"energi", "äldreomsorg", "hemtjänst", "funktionsnedsättning", "ekonomiskt stöd", "föreningar",
	"kultur", "bibliotek", "idrott", "bad", "friluftsliv", "näringsliv", "upphandling", "arbete",
	"vuxenutbildning", "integration", "krisberedskap", "brandskydd", "folkhälsa", "barn och unga",
	"kartor", "lantmäteri", "e-tjänst", "blanketter", "politik", "budget", "demokrati",
	"medborgardialog", "tillgänglighet", "personuppgifter", "öppettider", "evenemang", "samråd",
}

// h2Titles and h3Titles are heading texts. No text ends in a digit, so a
// heading's slug never looks like a deduplicated one ("avgift-2").
var h2Titles = []string{
	"Så ansöker du", "Vem kan ansöka?", "Avgifter och taxor", "Handläggningstid",
	"Det här behöver du skicka med", "Regler som gäller", "Efter beslutet", "Överklaga ett beslut",
	"Kontakta oss", "Vanliga frågor", "Bakgrund", "Så går det till", "Tider och öppettider",
	"Blanketter och e-tjänster", "Lagar och förordningar", "Ansvar och roller", "Mål och uppföljning",
	"Tidplan", "Stöd och rådgivning", "För dig som är företagare", "Om du är missnöjd",
	"Behandling av personuppgifter", "Tillgänglighet", "Aktuellt", "Kostnader", "Planerade åtgärder",
	"Samråd och granskning", "Så påverkar det dig", "Tips inför ditt besök", "Statistik och resultat",
}

var h3Titles = []string{
	"Avgift", "Handlingar", "Exempel", "Undantag", "Tänk på detta", "Privatpersoner",
	"Företag och föreningar", "Kontakt", "Steg för steg", "Viktiga datum", "Särskilda regler",
	"Om du har frågor", "Beslut", "Digitalt", "Per post", "Betalning", "Giltighetstid", "Ändringar",
	"Mer information",
}

// sentences are paragraph sentence templates. Placeholders: {bare} {indef}
// {def} (a noun), {Bare} (capitalised), {unit} {board} {place} {street}
// {agency} {law} {court} {month} {season} {factor} {num} {year} {town}.
var sentences = []string{
	"Du som vill ansöka om {bare} gör det enklast via kommunens e-tjänst.",
	"Handläggningstiden för {bare} är normalt {num} veckor från det att ansökan är komplett.",
	"{unit} ansvarar för {def} och svarar på frågor om {bare}.",
	"Avgiften för {bare} beslutas av kommunfullmäktige och följer den taxa som gäller från den 1 januari {year}.",
	"Om du har frågor om {def} kan du kontakta {unit} via kontaktcenter på vardagar.",
	"Innan du lämnar in {indef} bör du läsa igenom reglerna noga, eftersom en ofullständig ansökan tar längre tid att handlägga.",
	"Kommunen erbjuder {bare} till alla invånare som är folkbokförda i kommunen.",
	"Beslutet om {bare} kan överklagas till {court} inom tre veckor från att du fick ta del av det.",
	"{board} fattade beslut om {def} vid sitt sammanträde i {month}.",
	"Enligt {law} ska {def} prövas av kommunen innan arbetet påbörjas.",
	"Det är viktigt att du bifogar ritningar, situationsplan och andra handlingar som behövs för att vi ska kunna pröva {def}.",
	"Under {season} kan det ta längre tid att få besked eftersom många ansökningar kommer in samtidigt.",
	"Kostnaden för {bare} beräknas utifrån {factor} och kan ändras om förutsättningarna förändras.",
	"Vi rekommenderar att du kontaktar oss i god tid, gärna {num} månader innan du vill att {def} ska vara klar.",
	"För att få {indef} behöver du uppfylla de krav som anges i kommunens riktlinjer.",
	"Kommunen arbetar aktivt med att förbättra {def} i {place} och i övriga delar av kommunen.",
	"Du kan följa ditt ärende i e-tjänsten och se när handläggaren har fattat beslut.",
	"Om din ansökan inte är komplett kontaktar handläggaren dig och ber om kompletteringar.",
	"Under {year} genomförs en översyn av {def} för att anpassa verksamheten efter invånarnas behov.",
	"Mer information om {bare} finns hos {agency}.",
	"Tänk på att {def} kan påverka dina grannar och att de kan behöva få yttra sig.",
	"Alla som bor i {place} berörs av {def}, som gäller från och med {month} {year}.",
	"Det finns också möjlighet att boka ett möte med en handläggare för att diskutera {def}.",
	"Kommunens mål är att handläggningstiden för {bare} ska vara kortare än {num} veckor.",
	"{unit} följer upp {def} varje år och redovisar resultatet för {board}.",
	"Har du synpunkter på {def} kan du lämna dem via kommunens formulär för synpunkter och klagomål.",
	"Avgiften betalas mot faktura när beslutet har fattats.",
	"Ansökan ska vara skriftlig och innehålla namn, adress och personnummer eller organisationsnummer.",
	"Informationen på den här sidan gäller för {bare} inom {town}.",
	"{Bare} är en av de tjänster som invånarna i {place} frågar oftast om.",
	"Vid arbeten längs {street} i {place} kan framkomligheten vara begränsad under några veckor.",
	"Nämnden har delegerat beslut om {bare} till tjänstepersoner på {unit}.",
	"Den som är missnöjd med handläggningen av {def} kan vända sig till kommunens synpunktshantering.",
	"I budgeten för {year} finns särskilda medel avsatta för {bare}.",
	"Kontaktcenter kan svara på enklare frågor om {def} och hjälpa dig att komma rätt.",
	"Du behöver inte betala någon avgift om {def} avslås på grund av brister i kommunens handläggning.",
}

// shortSentences are short, plain sentences, as a clear-language editor
// writes them between the longer ones.
var shortSentences = []string{
	"Det kostar ingenting.",
	"Du får svar inom {num} dagar.",
	"Ring oss om du har frågor.",
	"Vi hjälper dig gärna.",
	"Tänk på att boka tid.",
	"Då får du ett beslut.",
	"Det går bra att mejla oss.",
	"Du kan också ringa oss.",
	"Allt ska vara med.",
	"Vi ser över det varje år.",
	"Det gäller alla som bor här.",
	"Ta med legitimation.",
	"Du kan söka när som helst.",
	"Svaret kommer med post.",
	"Det tar {num} veckor.",
	"Vi har öppet på vardagar.",
}

// listItems are short bullet-list items; {bare} etc. as in sentences.
var listItems = []string{
	"ansökningsblankett för {bare}", "situationsplan och ritningar", "fullmakt om någon annan söker åt dig",
	"kontrollplan enligt {law}", "uppgifter om fastighetsbeteckning", "kopia på beslut från {agency}",
	"intyg om {bare}", "kontaktuppgifter till sökande", "beskrivning av åtgärden", "foton på nuvarande utförande",
	"personnummer eller organisationsnummer", "underlag för beräkning av {factor}",
	"telefontid vardagar klockan 9.00–11.00", "besök på {unit} efter överenskommelse",
	"e-post till kommunens kontaktcenter", "information på lättläst svenska", "tolk vid behov",
}

// steps are numbered-list items.
var steps = []string{
	"Läs igenom informationen om {bare} på den här sidan.",
	"Kontakta {unit} om du har frågor innan du ansöker.",
	"Fyll i ansökan i e-tjänsten och bifoga de handlingar som krävs.",
	"Handläggaren kontrollerar att ansökan är komplett.",
	"Berörda grannar och myndigheter får tillfälle att yttra sig.",
	"{board} eller en tjänsteperson fattar beslut om {def}.",
	"Du får beslutet skickat till dig med post eller digitalt.",
	"Betala avgiften när fakturan kommer.",
	"Vänta med att påbörja arbetet tills du har fått startbesked.",
	"Meddela kommunen när arbetet är klart.",
}

// news title templates.
var newsTitles = []string{
	"Ny detaljplan för {place} ute på samråd",
	"{unit} föreslår ändrade avgifter för {bare}",
	"Nu kan du ansöka om {bare} digitalt",
	"Ändrade öppettider i {place} under {season}",
	"Kommunen bygger ny förskola i {place}",
	"Vägarbete på {street} i {place}",
	"Resultat från medborgarundersökningen {year}",
	"{board} har antagit budget för {year}",
	"Störningar i vattenförsörjningen i {place}",
	"Ny återvinningscentral öppnar i {place}",
	"Sommarjobb för unga – ansök senast {day} {month}",
	"Kulturpris {year} går till förening i {place}",
	"Snöröjningen i {place} prioriteras om",
	"Nu startar ombyggnaden av torget i {place}",
	"Informationsmöte om {bare} i {place}",
}

// page title templates for regular (non-news) pages.
var pageTitles = []string{
	"{Bare}",
	"{Bare} för {audience}",
	"{Bare} i {place}",
	"Avgifter för {bare}",
	"Så ansöker du om {bare}",
	"Vanliga frågor om {bare}",
	"Regler för {bare}",
	"{Bare} – {aspect}",
	"{Bare} för {audience} i {place}",
	"{Bare} och {bare2}",
}

// tables are GFM table schemas: a header row and cell generators.
var tables = [][]string{
	{"Tjänst", "Avgift", "Handläggningstid"},
	{"Dag", "Öppettider", "Telefontid"},
	{"Område", "Hämtningsdag", "Kärltyp"},
	{"Inkomst per månad", "Avgift per månad", "Andel av maxtaxa"},
	{"Åtgärd", "Ansvarig", "Klart senast"},
	{"Ort", "Antal platser", "Kontakt"},
}

var weekdays = []string{"Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"}

var binTypes = []string{"Kärl 140 liter", "Kärl 190 liter", "Kärl 370 liter", "Fyrfackskärl", "Container", "Säck"}

var municipalities = []string{"Norrvikens kommun", "Sjöbacka kommun", "Älvdala kommun", "Granbergs kommun"}
