// Reusable browser helpers for torg's accessibility gates: launching
// Debian's Chromium through playwright-core (never a downloaded browser),
// running axe-core in a page, and the per-page checks (axe, third-party
// requests, cookies, page weight) plus the sampled layout checks (reflow at
// 320 px, 400 % zoom, no JavaScript, visible focus on the skip link).
//
// Every check helper returns a list of problem strings: empty means pass.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// Never let playwright-core fetch a browser of its own.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
process.env.PLAYWRIGHT_BROWSERS_PATH ??= '0';

const { chromium } = require('playwright-core');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The WCAG 2.0/2.1/2.2 A and AA rules; zero violations is the bar. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Page weight budget: HTML + CSS + JS bytes transferred, images excluded. */
export const WEIGHT_LIMIT = 30_000;

let axeSource;
function axeScript() {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Launches Debian's Chromium headless. Each browser.newContext() is a fresh
 * incognito-like profile, so no user data survives between checks.
 */
export async function launchBrowser({ executablePath = CHROMIUM_PATH } = {}) {
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: install Debian's chromium package (apt-get install chromium)`,
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * Runs axe-core in the page (injected through the DevTools protocol, so a
 * strict Content-Security-Policy on the page does not block it) with the
 * WCAG A/AA tags. Resolves to axe's violations array.
 */
export async function runAxe(page, { tags = AXE_TAGS } = {}) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object').catch(() => false);
  if (!loaded) {
    await page.evaluate(axeScript());
  }
  const results = await page.evaluate(
    (opts) => window.axe.run(document, opts),
    { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
  );
  return results.violations;
}

/**
 * Formats axe violations as one line per offending node:
 *   URL: rule-id (impact): help — target selector
 * followed by an indented line with axe's reason for the first check that
 * failed on that node.
 */
export function formatViolations(url, violations, { maxNodes = 10 } = {}) {
  const lines = [];
  for (const v of violations) {
    const nodes = v.nodes.length ? v.nodes : [{ target: ['(document)'] }];
    for (const node of nodes.slice(0, maxNodes)) {
      const target = (node.target || []).map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', ');
      lines.push(`${url}: ${v.id} (${v.impact ?? node.impact ?? 'n/a'}): ${v.help} — ${target}`);
      const why = [...(node.any || []), ...(node.all || []), ...(node.none || [])]
        .map((c) => c.message)
        .filter(Boolean)[0];
      if (why) lines.push(`    ${why.replace(/\s+/g, ' ')}`);
    }
    if (nodes.length > maxNodes) {
      lines.push(`${url}: ${v.id} (${v.impact}): … and ${nodes.length - maxNodes} more nodes`);
    }
  }
  return lines;
}

/**
 * Watches a page's network traffic: every request to a host other than the
 * site's origin host, every failed or 4xx/5xx sub-resource, and the bytes of
 * HTML, CSS and JS received. Call `settle()` after the page has loaded.
 */
export function watchNetwork(page, origin) {
  const allowed = new URL(origin);
  const offsite = [];
  const broken = [];
  const pending = [];
  let weight = 0;
  const weighed = [];
  const onRequest = (req) => {
    const u = req.url();
    if (/^(data|blob|about):/.test(u)) return;
    let parsed;
    try {
      parsed = new URL(u);
    } catch {
      offsite.push(u);
      return;
    }
    if (parsed.hostname !== allowed.hostname || parsed.port !== allowed.port) offsite.push(u);
  };
  const onRequestFailed = (req) => {
    if (/^(data|blob|about):/.test(req.url())) return;
    broken.push(`${req.url()} (${req.failure()?.errorText ?? 'failed'})`);
  };
  const onResponse = (res) => {
    const type = res.request().resourceType();
    const isMainDoc = res.request().frame() === page.mainFrame() && type === 'document';
    if (res.status() >= 400 && !isMainDoc) broken.push(`${res.url()} (HTTP ${res.status()})`);
    if (type === 'document' || type === 'stylesheet' || type === 'script') {
      pending.push(
        res
          .body()
          .then((b) => {
            weight += b.length;
            weighed.push([res.url(), b.length]);
          })
          .catch(() => {}),
      );
    }
  };
  page.on('request', onRequest);
  page.on('requestfailed', onRequestFailed);
  page.on('response', onResponse);
  return {
    offsite,
    broken,
    weighed,
    async settle() {
      await Promise.all(pending);
      return weight;
    },
    detach() {
      page.off('request', onRequest);
      page.off('requestfailed', onRequestFailed);
      page.off('response', onResponse);
    },
  };
}

/** A fresh context (its own empty profile) and page for checkPage. */
export async function newCheckPage(browser, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/**
 * The full per-page check, run on every HTML page of the site: loads `url`
 * in `page` (from newCheckPage; it may be reused for many URLs, cookies are
 * cleared after each), runs axe, and checks that nothing was requested from
 * another host, no sub-resource failed, no cookie was set and the HTML+CSS+JS
 * weight is under the budget. Resolves to
 *   {url, status, weight, violations, problems: {axe: [...], network: [...]}}
 * where each problems list is empty on success. Throws only if the page or
 * browser broke (then make a new page).
 */
export async function checkPage(page, url, { origin, displayURL = url, weightLimit = WEIGHT_LIMIT, expectStatus = 200 } = {}) {
  origin ??= new URL(url).origin;
  const context = page.context();
  const net = watchNetwork(page, origin);
  const problems = { axe: [], network: [] };
  let status = 0;
  let violations = [];
  try {
    const res = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    status = res?.status() ?? 0;
    if (status !== expectStatus) problems.network.push(`${displayURL}: HTTP status ${status}, want ${expectStatus}`);
    try {
      violations = await runAxe(page);
      problems.axe.push(...formatViolations(displayURL, violations));
    } catch (err) {
      problems.axe.push(`${displayURL}: axe failed to run: ${err.message.split('\n')[0]}`);
    }
    const weight = await net.settle();
    if (weight >= weightLimit) {
      const parts = net.weighed.map(([u, n]) => `${new URL(u).pathname} ${n} B`).join(', ');
      problems.network.push(`${displayURL}: page weight ${weight} B of HTML+CSS+JS, budget < ${weightLimit} B (${parts})`);
    }
    for (const u of new Set(net.offsite)) problems.network.push(`${displayURL}: request to another host: ${u}`);
    for (const u of new Set(net.broken)) problems.network.push(`${displayURL}: sub-resource failed: ${u}`);
    const cookies = await context.cookies();
    for (const c of cookies) problems.network.push(`${displayURL}: cookie set: ${c.name} (domain ${c.domain})`);
    if (cookies.length) await context.clearCookies();
    return { url: displayURL, status, weight, violations, problems };
  } finally {
    net.detach();
  }
}

/**
 * Runs fn(page) on url. `target` is a Browser (a fresh context with
 * contextOptions is made and closed) or a Page from sampleContext() with
 * the right options, which is reused (much faster for many URLs).
 */
async function withPage(target, contextOptions, url, fn) {
  if (typeof target.goto === 'function') {
    await target.goto(url, { waitUntil: 'load', timeout: 30_000 });
    return fn(target);
  }
  const context = await target.newContext(contextOptions);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    return await fn(page);
  } finally {
    await context.close().catch(() => {});
  }
}

/** Context options of each sample check. */
export const SAMPLE_CONTEXTS = {
  reflow320: { viewport: { width: 320, height: 640 } },
  zoom400: { viewport: { width: 320, height: 256 }, deviceScaleFactor: 4 },
  nojs: { javaScriptEnabled: false, viewport: { width: 1280, height: 800 } },
  focus: { viewport: { width: 1280, height: 800 } },
};

/** A page in a fresh context set up for the named sample check, to pass to it for many URLs. */
export async function sampleContext(browser, name) {
  const context = await browser.newContext(SAMPLE_CONTEXTS[name]);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Lists up to `max` elements that stick out past the right edge of the viewport. */
function overflowCulprits(max = 5) {
  const out = [];
  const vw = window.innerWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    return s;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5) {
      // Report the innermost culprits: skip an element whose child also overflows.
      const childOverflows = [...el.children].some((c) => c.getBoundingClientRect().right > vw + 0.5);
      if (!childOverflows) out.push(`${describe(el)} (right edge ${Math.round(r.right)} px)`);
      if (out.length >= max) break;
    }
  }
  return out;
}

async function noHorizontalScroll(page, label, displayURL) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (m.scrollWidth <= m.innerWidth) return [];
  const culprits = await page.evaluate(overflowCulprits);
  return [
    `${displayURL}: ${label}: horizontal scroll (scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth})` +
      (culprits.length ? `; overflowing: ${culprits.join(', ')}` : ''),
  ];
}

/** WCAG 1.4.10 Reflow: no horizontal scrolling at 320 CSS px wide. */
export function checkReflow320(browserOrPage, url, displayURL = url) {
  return withPage(browserOrPage, SAMPLE_CONTEXTS.reflow320, url, (page) =>
    noHorizontalScroll(page, 'reflow at 320 px', displayURL),
  );
}

/** 1280 px wide at 400 % zoom: a 320×256 CSS px viewport with 4 device pixels per CSS px. */
export function checkZoom400(browserOrPage, url, displayURL = url) {
  return withPage(browserOrPage, SAMPLE_CONTEXTS.zoom400, url, (page) =>
    noHorizontalScroll(page, '1280 px at 400 % zoom', displayURL),
  );
}

/** The page works without JavaScript: its main content is rendered and visible. */
export function checkNoJS(browserOrPage, url, displayURL = url) {
  return withPage(browserOrPage, SAMPLE_CONTEXTS.nojs, url, async (page) => {
    const main = page.locator('main, [role="main"]').first();
    if ((await main.count()) === 0) return [`${displayURL}: without JavaScript: no <main> element`];
    if (!(await main.isVisible())) return [`${displayURL}: without JavaScript: <main> is not visible`];
    const info = await main.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return {
        w: r.width,
        h: r.height,
        text: el.innerText.trim().length,
        opacity: cs.opacity,
        visibility: cs.visibility,
      };
    });
    const out = [];
    if (info.w < 1 || info.h < 1) out.push(`${displayURL}: without JavaScript: <main> has no size`);
    if (info.text === 0) out.push(`${displayURL}: without JavaScript: <main> shows no text`);
    if (Number(info.opacity) === 0 || info.visibility !== 'visible') {
      out.push(`${displayURL}: without JavaScript: <main> is hidden (opacity ${info.opacity}, visibility ${info.visibility})`);
    }
    return out;
  });
}

/**
 * Visible focus (WCAG 2.4.7, 2.4.11) and bypass blocks (2.4.1): the first Tab
 * from the top of the page lands on a skip link to an existing target, which
 * is then on screen, not covered, and has an outline.
 */
export function checkFocus(browserOrPage, url, displayURL = url) {
  return withPage(browserOrPage, SAMPLE_CONTEXTS.focus, url, async (page) => {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { none: true };
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const href = el.getAttribute('href') || '';
      const id = href.startsWith('#') ? decodeURIComponent(href.slice(1)) : null;
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      const hit = document.elementFromPoint(cx, cy);
      return {
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.textContent || '').trim().slice(0, 60),
        href,
        targetExists: id !== null && id !== '' && !!document.getElementById(id),
        rect: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height },
        vw: window.innerWidth,
        vh: window.innerHeight,
        outlineStyle: cs.outlineStyle,
        outlineWidth: cs.outlineWidth,
        opacity: cs.opacity,
        visibility: cs.visibility,
        clip: cs.clip,
        clipPath: cs.clipPath,
        onTop: !!hit && (hit === el || el.contains(hit)),
      };
    });
    if (f.none) return [`${displayURL}: focus: Tab focused nothing`];
    const who = `<${f.tag} href="${f.href}">${f.text}`;
    const out = [];
    if (f.tag !== 'a' || !f.href.startsWith('#')) {
      out.push(`${displayURL}: focus: first Tab lands on ${who}, not on a skip link (<a href="#…">)`);
      return out;
    }
    if (!f.targetExists) out.push(`${displayURL}: focus: skip link ${who} points to no element with that id`);
    const r = f.rect;
    if (r.w < 4 || r.h < 4) out.push(`${displayURL}: focus: skip link ${who} is ${r.w}×${r.h} px when focused`);
    if (r.left < 0 || r.top < 0 || r.right > f.vw || r.bottom > f.vh) {
      out.push(`${displayURL}: focus: skip link ${who} is off screen when focused (${JSON.stringify(r)})`);
    }
    if (Number(f.opacity) === 0 || f.visibility !== 'visible') {
      out.push(`${displayURL}: focus: skip link ${who} is invisible (opacity ${f.opacity}, visibility ${f.visibility})`);
    }
    if (/rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)/.test(f.clip) || /inset\(50%\)/.test(f.clipPath)) {
      out.push(`${displayURL}: focus: skip link ${who} is clipped away (clip ${f.clip}, clip-path ${f.clipPath})`);
    }
    if (!f.onTop) out.push(`${displayURL}: focus: skip link ${who} is covered by another element`);
    if (f.outlineStyle === 'none' || parseFloat(f.outlineWidth) === 0) {
      out.push(`${displayURL}: focus: skip link ${who} has no focus outline (outline-style ${f.outlineStyle}, width ${f.outlineWidth})`);
    }
    return out;
  });
}
