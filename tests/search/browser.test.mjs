// The search page in Chromium (playwright-core and axe from tests/a11y):
// typing gives results, the count is announced in a live region, ?q= is
// read from the URL (the header form), keyboard navigation, no layout
// shift, zero axe violations with results shown, and the no-JavaScript
// fallback.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, runAxe, formatViolations, checkPage, checkNoJS } from '../a11y/page.mjs';
import { serveDir } from '../a11y/server.mjs';
import { exampleSite } from './lib.mjs';

const site = exampleSite();
const srv = await serveDir(site);
const browser = await launchBrowser();
test.after(async () => {
  await browser.close();
  await srv.close();
});

async function newPage(opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return { page, errors };
}

test('typing a query shows results, announced in a live region', async () => {
  const { page, errors } = await newPage();
  await page.goto(srv.origin + '/sok/');
  const status = page.locator('#sok-status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  const input = page.getByLabel('Sök på webbplatsen');
  const y0 = (await input.boundingBox()).y;
  // Layout shift: record any shift of visible content while results come in.
  await page.evaluate(() => {
    window.__cls = 0;
    new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.__cls += e.value; })).observe({ type: 'layout-shift', buffered: true });
  });
  await input.pressSequentially('bygglov', { delay: 40 });
  const first = page.locator('#sok-results ol li').first();
  await first.waitFor();
  assert.equal(await first.locator('h3 a').getAttribute('href'), '/tjanster/bygga-och-bo/bygglov/');
  assert.match(await status.textContent(), /^\d+ träffar för ”bygglov”$/);
  assert.ok(await first.locator('mark').count() > 0, 'snippet has a <mark>');
  assert.equal((await input.boundingBox()).y, y0, 'the search field did not move');
  assert.ok((await page.evaluate(() => window.__cls)) < 0.1, 'cumulative layout shift under 0.1');
  assert.match(page.url(), /\?q=bygglov$/);
  // Keyboard: arrow down from the field to the first result, and back.
  await input.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '/tjanster/bygga-och-bo/bygglov/');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sok-q');
  const violations = await runAxe(page);
  assert.deepEqual(formatViolations('/sok/?q=bygglov', violations), []);
  assert.deepEqual(errors, []);
});

test('?q= from the header form is searched on load; no results is announced', async () => {
  const { page, errors } = await newPage();
  await page.goto(srv.origin + '/');
  await page.locator('header input[name="q"]').fill('sopor');
  await page.locator('header form[role="search"] button').click();
  await page.waitForURL(/\/sok\/\?q=sopor/);
  await page.locator('#sok-results ol li').first().waitFor();
  assert.equal(await page.locator('#sok-q').inputValue(), 'sopor');
  assert.equal(await page.locator('#sok-results ol li h3 a').first().getAttribute('href'), '/tjanster/miljo-och-avfall/avfall-och-atervinning/');
  await page.locator('#sok-q').fill('xqzzy');
  await page.locator('#sok-q').press('Enter');
  await page.waitForFunction(() => /Inga träffar/.test(document.getElementById('sok-status').textContent));
  assert.equal(await page.locator('#sok-results ol').count(), 0);
  assert.deepEqual(errors, []);
});

test('"Visa fler träffar" adds results and moves focus to the first new one', async () => {
  const { page } = await newPage();
  await page.goto(srv.origin + '/sok/?q=kommun');
  await page.locator('#sok-results ol li').first().waitFor();
  const n = await page.locator('#sok-results ol li').count();
  assert.equal(n, 10);
  await page.getByRole('button', { name: 'Visa fler träffar' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#sok-results ol li').length > 10);
  assert.equal(await page.evaluate(() => document.activeElement.closest('li') === document.querySelectorAll('#sok-results ol li')[10]), true);
});

test('the search page passes the a11y gate (axe, weight, no other hosts) and works without JavaScript', async () => {
  const { page } = await newPage();
  const r = await checkPage(page, srv.origin + '/sok/', { origin: srv.origin, displayURL: '/sok/' });
  assert.deepEqual([...r.problems.axe, ...r.problems.network], []);
  assert.deepEqual(await checkNoJS(browser, srv.origin + '/sok/?q=bygglov', '/sok/'), []);
  const { page: nojs } = await newPage({ javaScriptEnabled: false });
  await nojs.goto(srv.origin + '/sok/?q=bygglov');
  assert.ok(await nojs.locator('#sok-nojs').isVisible(), 'the no-JavaScript note is shown');
  assert.ok(await nojs.getByRole('link', { name: 'Tjänster A–Ö' }).isVisible(), 'link to Tjänster A–Ö');
  assert.ok(await nojs.locator('.search-browse a[href*="/kategori/"]').count() >= 3, 'links to the service categories');
});
