// Search quality on the example site (content/ at the repository root):
// the query logic of search.js, run in Node against the index torg build
// wrote. Each query names the page that must come first.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadSearchModule, exampleSite, diskSearch } from './lib.mjs';

const m = await loadSearchModule();
const site = exampleSite();

const FIRST = [
  // [query, URL of the first result, what it shows]
  ['bygglov', '/tjanster/bygga-och-bo/bygglov/', 'the service, above the organs and decisions that mention it'],
  ['Bygglov', '/tjanster/bygga-och-bo/bygglov/', 'case does not matter'],
  ['bygglovet', '/tjanster/bygga-och-bo/bygglov/', 'inflected form, same stem'],
  ['bygglvo', '/tjanster/bygga-och-bo/bygglov/', 'typo: two letters swapped'],
  ['bygglv', '/tjanster/bygga-och-bo/bygglov/', 'typo: a letter missing'],
  ['bygglovsansökan', '/tjanster/bygga-och-bo/bygglov/', 'unseen compound found by its first part'],
  ['sopor', '/tjanster/miljo-och-avfall/avfall-och-atervinning/', 'synonym of avfall'],
  ['skräp', '/tjanster/miljo-och-avfall/avfall-och-atervinning/', 'synonym not in the content at all'],
  ['tippen', '/tjanster/miljo-och-avfall/avfall-och-atervinning/', 'synonym of återvinningscentral'],
  ['avfall och återvinning', '/tjanster/miljo-och-avfall/avfall-och-atervinning/', 'several words, stop word ignored'],
  ['förskola', '/tjanster/forskola-och-skola/forskola/', 'the service above the category page'],
  ['forskola', '/tjanster/forskola-och-skola/forskola/', 'å/ä/ö folded'],
  ['förskolan', '/tjanster/forskola-och-skola/forskola/', 'definite form'],
  ['dagis', '/tjanster/forskola-och-skola/forskola/', 'synonym'],
  ['snöröjning', '/tjanster/trafik-och-gator/snorojning/', 'service by its title'],
  ['snororjning', '/tjanster/trafik-och-gator/snorojning/', 'folded and one letter extra'],
  ['plogning', '/tjanster/trafik-och-gator/snorojning/', 'synonym'],
  ['parkering', '/tjanster/trafik-och-gator/parkering/', 'service'],
  ['parkeringstillstånd', '/tjanster/trafik-och-gator/parkering/', 'compound in the text'],
  ['hemtjänst', '/tjanster/omsorg-och-stod/hemtjanst/', 'service'],
  ['äldreboende', '/tjanster/omsorg-och-stod/aldreboende/', 'service'],
  ['skolskjuts', '/tjanster/forskola-och-skola/skolskjuts/', 'service'],
  ['ekonomiskt bistånd', '/tjanster/omsorg-och-stod/ekonomiskt-bistand/', 'two words'],
  ['strandskydd', '/tjanster/bygga-och-bo/strandskydd/', 'service'],
  ['Bergkvist', '/kontakt/medarbetare/anders-bergkvist/', 'a person by surname'],
  ['anders bergkvist', '/kontakt/medarbetare/anders-bergkvist/', 'a person by full name'],
  ['kommunfullmäktige', '/kommun-och-politik/organ/kommunfullmaktige/', 'an organ'],
];

const { s, stats } = await diskSearch(site, m);

for (const [q, want, why] of FIRST) {
  test(`"${q}" finds ${want} first (${why})`, async () => {
    const r = await s.query(q);
    assert.ok(r.total > 0, `no results for ${q}`);
    const ds = await s.docs(r.hits.slice(0, 3));
    assert.equal(ds[0].url, want, `first three: ${ds.map((d) => d.url).join(', ')}`);
  });
}

test('typing: the last word matches as a prefix (within the first three)', async () => {
  for (const [q, want] of [['byggl', '/tjanster/bygga-och-bo/bygglov/'], ['hemtj', '/tjanster/omsorg-och-stod/hemtjanst/'], ['försk', '/tjanster/forskola-och-skola/forskola/']]) {
    const r = await s.query(q, { typing: true });
    const ds = await s.docs(r.hits.slice(0, 3));
    assert.ok(ds.some((d) => d.url === want), `${q}: ${ds.map((d) => d.url).join(', ')}`);
  }
});

test('results carry title, section and a highlighted snippet', async () => {
  const r = await s.query('sopor');
  const [d] = await s.docs(r.hits.slice(0, 1));
  assert.equal(d.title, 'Avfall och återvinning');
  assert.equal(d.section, 'Tjänster och service');
  const html = m.snippetHTML(m.snippet(d.text, r.marks));
  assert.match(html, /<mark>(soporna|avfall|Avfall)<\/mark>/i);
});

test('nonsense and stop words find nothing, without errors', async () => {
  assert.equal((await s.query('xqzzy')).total, 0);
  assert.equal((await s.query('och det att')).total, 0);
  assert.equal((await s.query('')).total, 0);
});

test('only the shards a query needs are read', () => {
  // meta.json plus a handful of shards and document chunks for ~30 queries.
  assert.ok(stats.files < 120, `${stats.files} files read`);
});
