// Unit tests of the query side: folding, tokenising (must agree with
// internal/search), edit distance, shard file names and snippets.
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadSearchModule } from './lib.mjs';

const m = await loadSearchModule();

test('fold matches internal/search.Fold', () => {
  assert.equal(m.fold('Förskola'), 'forskola');
  assert.equal(m.fold('ÅVC'), 'avc');
  assert.equal(m.fold('Äldreboende'), 'aldreboende');
  assert.equal(m.fold('Straße'), 'strasse');
  assert.equal(m.fold('Sámi'), 'sami');
});

test('tokenize matches internal/search.Tokenize', () => {
  assert.deepEqual(
    m.tokenize('Bygg- och miljönämnden (SBN) tar emot 12 ansökningar om år 2026. I 0505-170 00 svarar vi; 1234567890 är för långt.'),
    ['bygg', 'och', 'miljönämnden', 'sbn', 'tar', 'emot', '12', 'ansökningar', 'om', 'år', '2026', '0505', '170', '00', 'svarar', 'vi', 'är', 'för', 'långt'],
  );
  assert.deepEqual(m.tokenize('a\u030Atervinning'), ['återvinning']);
});

test('editDistance counts a swap as one edit', () => {
  assert.equal(m.editDistance('bygglvo', 'bygglov'), 1);
  assert.equal(m.editDistance('bygglo', 'bygglov'), 1);
  assert.equal(m.editDistance('byggllov', 'bygglov'), 1);
  assert.equal(m.editDistance('bygxlov', 'bygglov'), 1);
  assert.ok(m.editDistance('byglvo', 'bygglov') > 1);
});

test('keyFile matches internal/search.ShardFile', () => {
  assert.equal(m.keyFile('by'), 'by');
  assert.equal(m.keyFile('дe'), 'xd0b465');
});

test('snippet marks matching words and keeps the text as written', () => {
  const text = 'Så ansöker du om bygglov. Bygglovsansökan skickas till Samhällsbyggnadsnämnden, som prövar bygglovet.';
  const html = m.snippetHTML(m.snippet(text, ['bygglov']));
  assert.match(html, /<mark>bygglov<\/mark>\./);
  assert.match(html, /<mark>Bygglovsansökan<\/mark>/);
  assert.match(html, /<mark>bygglovet<\/mark>/);
  assert.match(html, /^Så ansöker/);
  // Folded stems mark words with å/ä/ö.
  assert.match(m.snippetHTML(m.snippet('Förskolan öppnar.', ['forskol'])), /<mark>Förskolan<\/mark>/);
  // Long text: the window moves to the first match, with ellipses.
  const long = 'Inledning '.repeat(40) + 'Här står om parkering och mer. ' + 'Slut '.repeat(60);
  const segs = m.snippet(long, ['parkering'], 120);
  assert.equal(segs[0].text, '… ');
  assert.ok(segs.some((s) => s.mark && s.text === 'parkering'));
  assert.ok(segs.map((s) => s.text).join('').length < 140);
  // Markup in the text is escaped.
  assert.equal(m.snippetHTML(m.snippet('<b>x</b> & y', [])), '&lt;b&gt;x&lt;/b&gt; &amp; y');
});
