#!/usr/bin/env node
// Browser and link gates for a built torg site.
//
//   node tests/a11y/check.mjs SITE_DIR [--base-url URL] [--counts FILE] [--concurrency N]
//
// 1. Links: every internal link and asset reference on every page (and
//    url() in CSS) resolves to a file in SITE_DIR, every #fragment to an id.
//    Read from disk, no browser.
// 2. Every HTML page, served over HTTP on 127.0.0.1 and loaded in Debian's
//    Chromium: axe-core WCAG 2.x A/AA with zero violations; no request to
//    another host, no failed sub-resource, no cookie, HTML+CSS+JS < 30 KB.
// 3. One sample page of each type (home, section list, regular page, tags
//    page, 404, long page with a table): no horizontal scroll at 320 px and
//    at 1280 px with 400 % zoom, works without JavaScript, visible focus on
//    the skip link.
//
// Prints every problem, then one totals line; writes {"passed","failed"} to
// --counts FILE when given; exits 1 if anything failed.
import fs from 'node:fs';
import path from 'node:path';
import { serveDir } from './server.mjs';
import { checkLinks, fileToURLPath } from './links.mjs';
import {
  launchBrowser,
  newCheckPage,
  checkPage,
  sampleContext,
  checkReflow320,
  checkZoom400,
  checkNoJS,
  checkFocus,
} from './page.mjs';

function parseArgs(argv) {
  const opts = { site: null, baseURL: null, counts: null, concurrency: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--base-url') opts.baseURL = val();
    else if (a === '--counts') opts.counts = val();
    else if (a === '--concurrency') opts.concurrency = Math.max(1, parseInt(val(), 10) || 3);
    else if (a.startsWith('-')) usage(`unknown flag ${a}`);
    else if (!opts.site) opts.site = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!opts.site) usage('SITE_DIR is required');
  return opts;
}

function usage(msg) {
  console.error(`check.mjs: ${msg}`);
  console.error('usage: node check.mjs SITE_DIR [--base-url URL] [--counts FILE] [--concurrency N]');
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const site = path.resolve(opts.site);
if (!fs.existsSync(path.join(site, 'index.html'))) {
  console.error(`check.mjs: ${site} has no index.html — is it a built site?`);
  process.exit(2);
}

let passed = 0;
let failed = 0;
const failures = [];
function record(name, problems) {
  if (problems.length === 0) {
    passed++;
    return;
  }
  failed++;
  failures.push(name);
  for (const p of problems) console.log(p);
}

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1) + ' s';

// ---- 1. links, from disk ----------------------------------------------------
console.log(`== links and asset references (from disk) ==`);
const links = checkLinks(site, { baseURL: opts.baseURL });
let refCount = 0;
for (const p of [...links.pages, ...links.css]) {
  refCount += p.refs;
  record(`links ${p.page}`, p.problems.map((m) => `${p.page}: broken reference: ${m}`));
}
console.log(
  `checked ${refCount} references on ${links.pages.length} HTML pages and ${links.css.length} CSS files (${secs()})`,
);

// ---- pages and samples ------------------------------------------------------
const pages = links.htmlFiles.map((rel) => {
  const html = fs.readFileSync(path.join(site, rel), 'utf8');
  return {
    rel,
    url: fileToURLPath(rel),
    size: html.length,
    html,
    redirect: /<meta\s[^>]*http-equiv\s*=\s*["']?refresh/i.test(html),
    lang: (html.match(/<html\b[^>]*\blang\s*=\s*["']?([^"'\s>]+)/i) || [])[1] || '',
  };
});

const TAXONOMY = /^\/(tags|taggar|etiketter|amnen|ämnen|kategorier|categories)\//i;
const PAGER = /\/(page|sida)\/\d+\/$/;

function pickSamples() {
  // Samples come from the site's main language: a top-level /en/ or /fi/
  // tree is a language home, not a section.
  const mainLang = pages.find((p) => p.url === '/')?.lang ?? '';
  const real = pages.filter((p) => !p.redirect && p.rel !== '404.html' && p.lang === mainLang);
  const dirPages = real.filter((p) => p.url.endsWith('/'));
  const depth = (u) => u.split('/').filter(Boolean).length;
  const descendants = (u) => dirPages.filter((p) => p.url !== u && p.url.startsWith(u)).length;
  const samples = [];
  const add = (type, page, how) => samples.push({ type, page, how });

  add('home', real.find((p) => p.url === '/'), 'the site root');

  // A section list: the top-level section with the most pages under it.
  const sections = dirPages
    .filter((p) => depth(p.url) === 1 && !TAXONOMY.test(p.url))
    .map((p) => ({ p, n: descendants(p.url) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.p.url.localeCompare(b.p.url));
  add('section list', sections[0]?.p, 'top-level section with the most pages');

  // A regular page: a leaf page (nothing below it) two levels down, no table.
  const leaves = dirPages
    .filter((p) => depth(p.url) >= 2 && !TAXONOMY.test(p.url) && !PAGER.test(p.url) && descendants(p.url) === 0)
    .sort((a, b) => depth(a.url) - depth(b.url) || a.url.localeCompare(b.url));
  add('regular page', leaves.find((p) => !/<table\b/i.test(p.html)) ?? leaves[0], 'a leaf page without a table');

  // A tags page: a term page if there is one, else the tags list.
  const tagPages = dirPages.filter((p) => TAXONOMY.test(p.url) && !PAGER.test(p.url));
  add(
    'tags page',
    tagPages.find((p) => depth(p.url) >= 2) ?? tagPages[0] ?? dirPages.find((p) => /^\/(tags|taggar)\/$/.test(p.url)),
    'a page under /taggar/ or /tags/',
  );

  // The 404 page, through a URL that does not exist.
  const nf = pages.find((p) => p.rel === '404.html');
  add('404', nf && { ...nf, url: '/finns-inte-a11y-check/', expectStatus: 404 }, 'a missing URL (site 404.html)');

  // The longest page that has a table.
  const tables = real.filter((p) => /<table\b/i.test(p.html)).sort((a, b) => b.size - a.size);
  add('long page with a table', tables.find((p) => p.url !== '/') ?? tables[0], 'the largest page with a <table>');
  return samples;
}

const samples = pickSamples();

// ---- 2 + 3. browser ---------------------------------------------------------
const server = await serveDir(site);
let browser;
try {
  browser = await launchBrowser();
} catch (err) {
  console.log(`FATAL: cannot start Chromium: ${err.message.split('\n')[0]}`);
  await server.close();
  writeCounts(passed, failed + 1);
  console.log(`check.mjs totals — passed ${passed}, failed ${failed + 1}`);
  process.exit(1);
}

async function pool(n, items, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async (_, w) => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], w);
    }
  });
  await Promise.all(workers);
}

// Relaunches Chromium if it died, so one crash does not fail every page.
async function liveBrowser() {
  if (!browser.isConnected()) {
    console.log('Chromium disconnected; relaunching');
    browser = await launchBrowser();
  }
  return browser;
}

// One reused page per worker (much faster than a context per URL); a page
// that broke is replaced by a fresh context.
const workerPages = [];
async function workerPage(w) {
  if (!workerPages[w] || workerPages[w].isClosed()) {
    workerPages[w] = await newCheckPage(await liveBrowser());
  }
  return workerPages[w];
}
async function dropWorkerPage(w) {
  const p = workerPages[w];
  workerPages[w] = null;
  await p?.context().close().catch(() => {});
}

async function checkOne(w, url, displayURL, expectStatus = 200) {
  for (let attempt = 1; ; attempt++) {
    try {
      const page = await workerPage(w);
      return await checkPage(page, server.origin + encodeURI(url), { origin: server.origin, displayURL, expectStatus });
    } catch (err) {
      await dropWorkerPage(w);
      if (attempt >= 2) {
        return {
          weight: 0,
          problems: { axe: [`${displayURL}: page could not be checked: ${err.message.split('\n')[0]}`], network: [] },
        };
      }
    }
  }
}

try {
  const browserPages = pages.filter((p) => !p.redirect);
  const redirects = pages.length - browserPages.length;
  console.log(
    `== axe-core WCAG 2.x A/AA, requests, cookies, weight: ${browserPages.length} pages` +
      (redirects ? ` (${redirects} redirect stubs skipped)` : '') +
      `, ${opts.concurrency} at a time ==`,
  );
  let done = 0;
  let heaviest = { url: '', weight: 0 };
  await pool(opts.concurrency, browserPages, async (p, w) => {
    const r = await checkOne(w, p.url, p.url);
    record(`axe ${p.url}`, r.problems.axe);
    record(`network ${p.url}`, r.problems.network);
    if (r.weight > heaviest.weight) heaviest = { url: p.url, weight: r.weight };
    done++;
    if (done % 50 === 0) console.error(`  … ${done}/${browserPages.length} pages (${secs()})`);
  });
  console.log(`checked ${browserPages.length} pages in the browser; heaviest ${heaviest.url} ${heaviest.weight} B (${secs()})`);

  console.log(`== sample pages: reflow 320 px, 400 % zoom, no JavaScript, visible focus ==`);
  const SAMPLE_CHECKS = [
    ['reflow320', checkReflow320],
    ['zoom400', checkZoom400],
    ['nojs', checkNoJS],
    ['focus', checkFocus],
  ];
  const found = [];
  for (const s of samples) {
    if (!s.page) {
      record(`sample ${s.type}`, [`sample: no ${s.type} found in the site (looked for ${s.how})`]);
      continue;
    }
    console.log(`${s.type}: ${s.page.url}`);
    found.push(s);
  }
  // The 404 page's status, axe and network checks (the file itself was
  // checked above as /404.html).
  for (const s of found.filter((x) => x.page.expectStatus)) {
    const r = await checkOne(0, s.page.url, s.page.url, s.page.expectStatus);
    record(`axe ${s.page.url}`, r.problems.axe);
    record(`network ${s.page.url}`, r.problems.network);
  }
  // One reused page per kind of check, the kinds in parallel; results are
  // printed in a fixed order whatever order they finish in.
  const results = new Map();
  await pool(opts.concurrency, SAMPLE_CHECKS, async ([name, fn]) => {
    let page = null;
    for (const s of found) {
      const url = server.origin + encodeURI(s.page.url);
      let problems;
      try {
        page ??= await sampleContext(await liveBrowser(), name);
        problems = await fn(page, url, s.page.url);
      } catch (err) {
        problems = [`${s.page.url}: ${name}: could not be checked: ${err.message.split('\n')[0]}`];
        await page?.context().close().catch(() => {});
        page = null;
      }
      results.set(`${name} ${s.page.url}`, problems);
    }
    await page?.context().close().catch(() => {});
  });
  for (const s of found) {
    for (const [name] of SAMPLE_CHECKS) {
      const key = `${name} ${s.page.url}`;
      record(key, results.get(key) ?? [`${s.page.url}: ${name}: not run`]);
    }
  }
  console.log(`sample checks done (${secs()})`);
} finally {
  await browser?.close().catch(() => {});
  await server.close();
}

function writeCounts(p, f) {
  if (opts.counts) fs.writeFileSync(opts.counts, JSON.stringify({ passed: p, failed: f }) + '\n');
}

writeCounts(passed, failed);
console.log(`check.mjs totals — passed ${passed}, failed ${failed} (${secs()})`);
process.exit(failed ? 1 : 0);
