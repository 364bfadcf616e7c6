// Shared helpers for the search tests: the browser module imported into
// Node, and a built site to search.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NOW = '2026-11-26T12:00:00+01:00';

/**
 * Imports themes/default/assets/js/search.js. The theme folder has no
 * package.json, so Node would read the file as CommonJS; a copy named .mjs
 * is imported instead (same source, byte for byte).
 */
export async function loadSearchModule() {
  const src = path.join(ROOT, 'themes/default/assets/js/search.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torg-search-js-'));
  const dst = path.join(tmp, 'search.mjs');
  fs.copyFileSync(src, dst);
  return import(pathToFileURL(dst).href);
}

/**
 * The built example site: $SEARCH_SITE (run.sh builds it once), else a
 * fresh build with `go run ./cmd/torg`.
 */
export function exampleSite() {
  if (process.env.SEARCH_SITE) return process.env.SEARCH_SITE;
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'torg-search-site-'));
  const env = { ...process.env, PATH: '/usr/local/go/bin:' + process.env.PATH };
  const args = ['build', '--source', '.', '--dest', path.join(dest, 'site'), '--now', NOW];
  // bin/torg may be stale: build from source.
  execFileSync('go', ['run', './cmd/torg', ...args], { cwd: ROOT, env, stdio: 'pipe' });
  process.env.SEARCH_SITE = path.join(dest, 'site');
  return process.env.SEARCH_SITE;
}

/** The index folder of a built site, from the search page's data-index. */
export function indexDir(site) {
  const html = fs.readFileSync(path.join(site, 'sok/index.html'), 'utf8');
  const m = html.match(/data-index="?([^"\s>]+)/);
  if (!m) throw new Error('sok/index.html has no data-index');
  return path.join(site, m[1]);
}

/** A searcher over a built site's index read from disk, counting bytes. */
export async function diskSearch(site, mod) {
  const dir = indexDir(site);
  const stats = { files: 0, bytes: 0 };
  const s = mod.createSearch(async (p) => {
    const b = fs.readFileSync(path.join(dir, p));
    stats.files++;
    stats.bytes += b.length;
    return JSON.parse(b);
  });
  return { s, stats, dir };
}
