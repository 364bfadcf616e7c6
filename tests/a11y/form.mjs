#!/usr/bin/env node
// End-to-end check of a relay contact form, as a person would use it.
//
//   node tests/a11y/form.mjs URL        e.g. http://127.0.0.1:PORT/skriv/kommunen
//
// Opens the form in Debian's Chromium, runs axe-core on it (zero WCAG A/AA
// violations), fills Namn, E-post, Ämne and Meddelande by their visible
// labels with Swedish text (å, ä, ö and a line break), waits 3.5 s (the
// relay rejects posts sent sooner than 3 s after the form was shown),
// submits with the form's submit button, and checks the thank-you page: a
// 2xx status, a reference number (a data-reference attribute, a .reference
// element, or text like KBG-2026-000017), and zero axe violations there
// too. No request may go to another host than the form's.
//
// Prints one JSON line on stdout:
//   {"status":200,"url":"http://…/tack/…","reference":"KBG-2026-17"}
// and every problem on stderr. Exits 0 only on success, 1 on a failed
// check, 2 on wrong usage.
//
// Env: FORM_WAIT_MS overrides the 3.5 s wait (for testing the relay's
// too-fast rejection).
import { launchBrowser, runAxe, formatViolations, watchNetwork } from './page.mjs';

export const ENTRY = {
  Namn: 'Åsa Öberg',
  'E-post': 'asa.oberg@example.se',
  Ämne: 'Fråga om snöröjning på Östra vägen',
  Meddelande: 'Hej!\nNär plogas gång- och cykelvägen längs Vättern? Det är halt vid förskolan.\nMed vänlig hälsning, Åsa',
};

const REFERENCE_RE = /\b[A-ZÅÄÖ]+-\d{4}-\d+\b/;
const LENIENT_RE = /\b[A-ZÅÄÖ]{2,}[-–]\d+(?:[-–]\d+)*\b/;

/** The field whose label is `label`: an exact label match, else the first partial one. */
async function field(page, label) {
  const exact = page.getByLabel(label, { exact: true });
  if ((await exact.count()) >= 1) return exact.first();
  const loose = page.getByLabel(label);
  if ((await loose.count()) >= 1) return loose.first();
  throw new Error(`no form field labelled "${label}"`);
}

/** Finds the reference number on the thank-you page. */
async function findReference(page) {
  return page.evaluate(
    ({ strict, lenient }) => {
      const el = document.querySelector('[data-reference]');
      if (el) {
        const v = (el.getAttribute('data-reference') || el.textContent || '').trim();
        if (v) return v;
      }
      const cls = document.querySelector('.reference');
      const c = cls ? cls.textContent.trim() : '';
      if (c && new RegExp(lenient).test(c)) return c;
      const text = document.body ? document.body.innerText : '';
      const m = text.match(new RegExp(strict)) || text.match(new RegExp(lenient));
      return m ? m[0] : '';
    },
    { strict: REFERENCE_RE.source, lenient: LENIENT_RE.source },
  );
}

export async function submitForm(url, { waitMs = 3500 } = {}) {
  const problems = [];
  const out = { status: 0, url: '', reference: '' };
  const origin = new URL(url).origin;
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const net = watchNetwork(page, origin);

    // Main-frame document responses, to know the final page's status.
    const docs = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) docs.push(r);
    });

    const first = await page.goto(url, { waitUntil: 'load' });
    const formStatus = first?.status() ?? 0;
    if (formStatus !== 200) problems.push(`${url}: form page answered HTTP ${formStatus}, want 200`);
    problems.push(...formatViolations(url, await runAxe(page)));

    const message = await field(page, 'Meddelande');
    for (const [label, value] of Object.entries(ENTRY)) {
      const f = label === 'Meddelande' ? message : await field(page, label);
      await f.fill(value);
    }
    const got = await message.inputValue();
    if (got.replace(/\r\n/g, '\n') !== ENTRY.Meddelande) problems.push(`Meddelande holds ${JSON.stringify(got)} after fill`);

    await page.waitForTimeout(waitMs);

    const form = page.locator('form', { has: message });
    let submit = form.locator('button[type="submit"], input[type="submit"], button:not([type])');
    if ((await submit.count()) === 0) submit = page.getByRole('button', { name: /skicka|send/i });
    if ((await submit.count()) === 0) throw new Error('no submit button in the form');

    docs.length = 0;
    const loaded = page.waitForEvent('load', { timeout: 20_000 }).catch(() => null);
    await submit.first().click();
    await loaded; // a script-enhanced form may update the page in place: read it anyway
    await page.waitForLoadState('load');

    const last = [...docs].reverse().find((r) => r.status() < 300 || r.status() >= 400) ?? docs.at(-1);
    out.status = last?.status() ?? 0;
    out.url = page.url();
    out.reference = await findReference(page);

    if (!(out.status >= 200 && out.status < 300)) problems.push(`${out.url}: thank-you page answered HTTP ${out.status || 'nothing'}`);
    if (!out.reference) {
      const text = (await page.evaluate(() => document.body?.innerText ?? '')).replace(/\s+/g, ' ').slice(0, 300);
      problems.push(`${out.url}: no reference number on the page (text: ${text})`);
    }
    problems.push(...formatViolations(out.url, await runAxe(page)));

    await net.settle();
    for (const u of new Set(net.offsite)) problems.push(`request to another host: ${u}`);
    for (const u of new Set(net.broken)) problems.push(`sub-resource failed: ${u}`);
    await context.close();
  } catch (err) {
    problems.push(`form check failed: ${err.message.split('\n')[0]}`);
  } finally {
    await browser.close().catch(() => {});
  }
  return { ...out, problems };
}

// Run as a script (not when imported).
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/form.mjs')) {
  const url = process.argv[2];
  if (!url || process.argv.length > 3 || !/^https?:\/\//.test(url)) {
    console.error('usage: node form.mjs URL   (e.g. http://127.0.0.1:PORT/skriv/kommunen)');
    process.exit(2);
  }
  const waitMs = process.env.FORM_WAIT_MS ? Number(process.env.FORM_WAIT_MS) : 3500;
  const r = await submitForm(url, { waitMs });
  console.log(JSON.stringify({ status: r.status, url: r.url, reference: r.reference }));
  for (const p of r.problems) console.error(p);
  process.exit(r.problems.length ? 1 : 0);
}
