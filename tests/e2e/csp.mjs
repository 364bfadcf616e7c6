#!/usr/bin/env node
// Loads a page in Debian's Chromium (through tests/a11y/page.mjs) and
// reports what its Content-Security-Policy blocked and the computed value
// of the CSS custom property --brand on <html>, so that a test can check
// that the site's inline brand colour survives the relay's CSP.
//
//   node tests/e2e/csp.mjs URL
//
// Prints one JSON line: {"status":200,"brand":"#005a87","violations":[...]}.
// Exits 0 when the page loaded (whatever it found), 1 on a browser error,
// 2 on wrong usage.
import { launchBrowser } from '../a11y/page.mjs';

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  console.error('usage: node csp.mjs URL');
  process.exit(2);
}

const browser = await launchBrowser();
let code = 0;
try {
  const context = await browser.newContext({ locale: 'sv-SE' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  // Injected through the DevTools protocol, so the page's CSP does not
  // block it; it records every violation the browser reports.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${(e.sample || '').slice(0, 60)})`);
    });
  });
  const console_ = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) console_.push(m.text().slice(0, 300));
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(200); // violation events are dispatched asynchronously
  const brand = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim());
  const violations = [...(await page.evaluate(() => window.__cspViolations)), ...console_];
  console.log(JSON.stringify({ status: res?.status() ?? 0, brand, violations }));
  await context.close();
} catch (err) {
  console.error(`csp check failed: ${err.message.split('\n')[0]}`);
  code = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(code);
