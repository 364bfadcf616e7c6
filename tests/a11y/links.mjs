// Internal link and asset checks, read straight from the built folder (no
// browser): every a[href], area[href], link[href], img[src|srcset],
// script[src], source[src|srcset], video/audio/iframe[src], video[poster],
// form[action] on every HTML page, and every url(...) in every CSS file, must
// resolve to a file in the folder; every #fragment must name an id (or a
// name= anchor) in the target page.
//
// Skipped: other hosts, mailto:, tel:, data:, and the contact-form relay's
// paths /skriv/ and /tack/, which the relay serves, not the static site.
import fs from 'node:fs';
import path from 'node:path';

const LOCAL = 'http://site.invalid';
const RELAY_PREFIXES = ['/skriv/', '/tack/'];

/** Lists every file under root (relative paths with forward slashes). */
export function walk(root) {
  const out = [];
  const rec = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) rec(p);
      else if (ent.isFile()) out.push(path.relative(root, p).split(path.sep).join('/'));
    }
  };
  rec(root);
  return out.sort();
}

/** The URL path a file is served at: a/b/index.html -> /a/b/, a/x.html -> /a/x.html. */
export function fileToURLPath(rel) {
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return '/' + rel.slice(0, -'index.html'.length);
  return '/' + rel;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Strips comments and the bodies of script/style/template elements. */
function stripOpaque(html) {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b([^>]*)>[\s\S]*?<\/\1\s*>/gi, '<$1$2></$1>');
}

const ATTR_RE = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Yields {tag, attrs} for every start tag. Attribute names are lower-cased, values decoded. */
export function* startTags(html) {
  const TAG_RE = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
  let m;
  while ((m = TAG_RE.exec(html))) {
    const attrs = {};
    let a;
    ATTR_RE.lastIndex = 0;
    while ((a = ATTR_RE.exec(m[2]))) {
      const name = a[1].toLowerCase();
      if (!(name in attrs)) attrs[name] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    yield { tag: m[1].toLowerCase(), attrs };
  }
}

function srcsetURLs(srcset) {
  // Candidates are "url [descriptor]" separated by commas; a URL may itself
  // contain commas only if it is not followed by whitespace, which is rare.
  return srcset
    .split(/,\s+|,$/)
    .map((c) => c.trim().split(/\s+/)[0])
    .filter(Boolean);
}

/** References in one HTML document: [{attr, url}] plus the ids it defines. */
export function parseHTML(html) {
  const clean = stripOpaque(html);
  const refs = [];
  const ids = new Set();
  let base = null;
  for (const { tag, attrs } of startTags(clean)) {
    if (attrs.id !== undefined) ids.add(attrs.id);
    if (tag === 'a' && attrs.name !== undefined) ids.add(attrs.name);
    if (tag === 'base' && attrs.href !== undefined && base === null) base = attrs.href;
    const add = (attr) => {
      if (attrs[attr] !== undefined) refs.push({ sel: `${tag}[${attr}]`, url: attrs[attr].trim() });
    };
    switch (tag) {
      case 'a':
      case 'area':
      case 'link':
        add('href');
        if (tag === 'link' && attrs.imagesrcset) {
          for (const u of srcsetURLs(attrs.imagesrcset)) refs.push({ sel: 'link[imagesrcset]', url: u });
        }
        break;
      case 'img':
      case 'source':
        add('src');
        if (attrs.srcset !== undefined) {
          for (const u of srcsetURLs(attrs.srcset)) refs.push({ sel: `${tag}[srcset]`, url: u });
        }
        break;
      case 'script':
      case 'iframe':
      case 'audio':
      case 'track':
      case 'embed':
        add('src');
        break;
      case 'video':
        add('src');
        add('poster');
        break;
      case 'object':
        add('data');
        break;
      case 'form':
        add('action');
        break;
    }
  }
  return { refs, ids, base };
}

/** url(...) references in a CSS file. */
export function parseCSS(css) {
  const refs = [];
  const clean = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/g;
  let m;
  while ((m = re.exec(clean))) {
    const u = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5];
    if (u) refs.push({ sel: 'css url()', url: u.trim() });
  }
  return refs;
}

/**
 * Checks every page's references. `baseURL` (the site's configured
 * production base URL, optional) makes absolute links to the site itself,
 * such as canonical links, count as internal. Returns
 *   {pages: [{page, refs, problems: [...]}], css: [...same...]}
 */
export function checkLinks(root, { baseURL } = {}) {
  const files = walk(root);
  const fileSet = new Set(files);
  const htmlFiles = files.filter((f) => /\.html?$/i.test(f));
  const cssFiles = files.filter((f) => /\.css$/i.test(f));
  const base = baseURL ? new URL(baseURL) : null;
  const basePath = base ? base.pathname.replace(/\/?$/, '/') : '/';

  const idCache = new Map();
  const parsedCache = new Map();
  const parsed = (rel) => {
    if (!parsedCache.has(rel)) parsedCache.set(rel, parseHTML(fs.readFileSync(path.join(root, rel), 'utf8')));
    return parsedCache.get(rel);
  };
  const idsOf = (rel) => {
    if (!idCache.has(rel)) idCache.set(rel, parsed(rel).ids);
    return idCache.get(rel);
  };

  // Maps a site-absolute path ("/a/b/") to the file that serves it, or null.
  const resolveFile = (p) => {
    let rel = p.replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (fileSet.has(rel)) return rel;
    if (fileSet.has(rel + '/index.html')) return rel + '/index.html';
    return null;
  };

  const checkRef = (fromRel, pageURL, { sel, url }, ids) => {
    if (url === '') return sel.startsWith('a[') ? null : `empty ${sel}`;
    if (/^(mailto|tel|sms|data|geo|callto|webcal|about):/i.test(url)) return null;
    if (/^javascript:/i.test(url)) return `${sel}="${url}" uses a javascript: URL`;
    let u;
    try {
      u = new URL(url, pageURL);
    } catch {
      return `${sel}="${url}" is not a valid URL`;
    }
    let pathname;
    if (u.origin === LOCAL) {
      pathname = u.pathname;
    } else if (base && u.host === base.host && (u.protocol === 'https:' || u.protocol === 'http:')) {
      if (!u.pathname.startsWith(basePath) && u.pathname + '/' !== basePath) return null;
      pathname = '/' + u.pathname.slice(basePath.length);
    } else {
      return null; // another host: not ours to check
    }
    if (RELAY_PREFIXES.some((p) => pathname.startsWith(p) || pathname + '/' === p)) return null;
    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return `${sel}="${url}" has a malformed %-escape`;
    }
    const target = resolveFile(decoded);
    if (!target) return `${sel}="${url}" → ${decoded} does not exist`;
    const frag = u.hash.slice(1);
    if (frag && !frag.startsWith(':~:') && /\.html?$/i.test(target)) {
      let id;
      try {
        id = decodeURIComponent(frag);
      } catch {
        return `${sel}="${url}" has a malformed %-escape in its fragment`;
      }
      const targetIDs = target === fromRel ? ids : idsOf(target);
      // "#top" scrolls to the top of any HTML page (HTML standard), id or not.
      if (!targetIDs.has(id) && id.toLowerCase() !== 'top') {
        return `${sel}="${url}" → #${id} matches no id in /${target}`;
      }
    }
    return null;
  };

  const pages = htmlFiles.map((rel) => {
    const { refs, ids, base: baseHref } = parsed(rel);
    let pageURL = LOCAL + fileToURLPath(rel);
    if (baseHref) {
      try {
        // Links then resolve against <base>; one pointing at the production
        // base URL is mapped back onto the folder by checkRef.
        pageURL = new URL(baseHref, pageURL).href;
      } catch {
        /* an invalid base is vnu's business */
      }
    }
    const problems = [];
    const seen = new Set();
    for (const ref of refs) {
      const key = ref.sel + ' ' + ref.url;
      if (seen.has(key)) continue;
      seen.add(key);
      const p = checkRef(rel, pageURL, ref, ids);
      if (p) problems.push(p);
    }
    return { page: fileToURLPath(rel), refs: refs.length, problems };
  });

  const css = cssFiles.map((rel) => {
    const refs = parseCSS(fs.readFileSync(path.join(root, rel), 'utf8'));
    const cssURL = LOCAL + '/' + rel;
    const problems = [];
    for (const ref of refs) {
      const p = checkRef(rel, cssURL, ref, new Set());
      if (p) problems.push(p);
    }
    return { page: '/' + rel, refs: refs.length, problems };
  });

  return { pages, css, htmlFiles, files };
}
