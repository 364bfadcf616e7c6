// Benchmark of the search on a large site: index size, bytes downloaded by
// a first query, and query time in Chromium with the CPU throttled 4× (a
// mid-range phone profile).
//
//   node tests/search/bench.mjs BUILT_SITE_DIR [query ...]
//
// For each query, a fresh browser context loads /sok/, types the query and
// waits for the results: the bytes of /sok/index/ files fetched are the
// first-query download. Query time is measured in the page around the
// module's query()+docs() (what runs after the debounce), cold (fetching
// the shards it needs from the local server) and warm (shards cached),
// median over the queries. Prints a JSON summary.
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../a11y/page.mjs';
import { serveDir } from '../a11y/server.mjs';

const site = process.argv[2];
if (!site) {
  console.error('usage: node tests/search/bench.mjs BUILT_SITE_DIR [query ...]');
  process.exit(2);
}
const QUERIES = process.argv.slice(3).length ? process.argv.slice(3) : [
  'bygglov', 'förskola', 'sopor', 'parkering', 'hemtjänst', 'kommunfullmäktige', 'ansökan', 'avgift',
  'vatten och avlopp', 'bygglvo', 'skolskjuts', 'bibliotek', 'kontakt', 'miljö', 'detaljplan', 'felanmälan',
];

const html = fs.readFileSync(path.join(site, 'sok/index.html'), 'utf8');
const base = html.match(/data-index="?([^"\s>]+)/)[1];
const dir = path.join(site, base);
let total = 0;
let files = 0;
let biggestShard = 0;
let docFiles = 0;
for (const sub of ['', 't', 'd']) {
  for (const f of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    if (!f.isFile()) continue;
    const n = fs.statSync(path.join(dir, sub, f.name)).size;
    total += n;
    files++;
    if (sub === 't') biggestShard = Math.max(biggestShard, n);
    if (sub === 'd') docFiles++;
  }
}
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json')));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const srv = await serveDir(site);
const browser = await launchBrowser();
const rows = [];
try {
  for (const q of QUERIES) {
    const ctx = await browser.newContext({ viewport: { width: 412, height: 915 } });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    let bytes = 0;
    let fetched = 0;
    page.on('response', async (res) => {
      if (!new URL(res.url()).pathname.startsWith('/sok/index/')) return;
      try {
        bytes += (await res.body()).length;
        fetched++;
      } catch {}
    });
    await page.goto(srv.origin + '/sok/');
    await page.locator('#sok-q').fill(q);
    await page.locator('#sok-q').press('Enter');
    await page.waitForFunction(() => document.getElementById('sok-status').textContent !== '');
    await page.waitForTimeout(100);
    const firstBytes = bytes;
    const firstFiles = fetched;
    // Timing in the page: a fresh searcher (cold: fetches its files again,
    // from the HTTP cache-less local server) and the same one again (warm).
    const t = await page.evaluate(async ({ q, base }) => {
      const src = document.querySelector('script[type="module"][src*="search"]').src;
      const m = await import(src);
      const s = m.createSearch((p) => fetch(base + p).then((r) => r.json()));
      await s.ready();
      let t0 = performance.now();
      let r = await s.query(q);
      await s.docs(r.hits.slice(0, 10));
      const cold = performance.now() - t0;
      const warm = [];
      for (let i = 0; i < 5; i++) {
        t0 = performance.now();
        r = await s.query(q);
        const ds = await s.docs(r.hits.slice(0, 10));
        ds.forEach((d) => m.snippet(d.text, r.marks));
        warm.push(performance.now() - t0);
      }
      warm.sort((a, b) => a - b);
      return { cold, warm: warm[2], total: r.total };
    }, { q, base });
    rows.push({ q, firstBytes, firstFiles, coldMs: +t.cold.toFixed(1), warmMs: +t.warm.toFixed(1), results: t.total });
    await ctx.close();
  }
} finally {
  await browser.close();
  await srv.close();
}
const summary = {
  docs: meta.docs,
  shards: meta.keys.length,
  docFiles,
  indexFiles: files,
  indexBytes: total,
  biggestShardBytes: biggestShard,
  firstQueryBytes: { median: median(rows.map((r) => r.firstBytes)), max: Math.max(...rows.map((r) => r.firstBytes)) },
  queryMs4x: { coldMedian: median(rows.map((r) => r.coldMs)), warmMedian: median(rows.map((r) => r.warmMs)), coldMax: Math.max(...rows.map((r) => r.coldMs)) },
  rows,
};
console.log(JSON.stringify(summary, null, 1));
