// torg site search: the query side of the index that internal/search
// writes below /sok/index/<hash>/ (the format is described there).
// No dependencies. The index ships every stem with its surface forms, so
// the browser maps query words to Snowball stems by lookup, never by
// stemming. Exported functions are tested from Node (tests/search/).

// Keep FOLD, WORD and keyFile in sync with internal/search/text.go.
const FOLD = {
  'å': 'a', 'ä': 'a', 'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ā': 'a',
  'ö': 'o', 'ø': 'o', 'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o',
  'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
  'ü': 'u', 'ú': 'u', 'ù': 'u', 'û': 'u',
  'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
  'ç': 'c', 'č': 'c', 'ñ': 'n', 'ŋ': 'n', 'ý': 'y', 'ÿ': 'y',
  'š': 's', 'ž': 'z', 'đ': 'd', 'ŧ': 't', 'ß': 'ss', 'æ': 'ae', 'œ': 'oe',
};
const WORD = /[\p{L}\p{Nd}\p{Mn}]+/gu;
const DIGITS = /^\p{Nd}+$/u;

/** Lower-cases s and folds å/ä/ö and other diacritics (matching only). */
export function fold(s) {
  let out = '';
  for (const c of s.toLowerCase()) out += FOLD[c] ?? c;
  return out;
}

/** Splits s into lower-case words, as the index does. */
export function tokenize(s) {
  const out = [];
  for (const m of s.toLowerCase().normalize('NFC').matchAll(WORD)) {
    let w = m[0];
    const chars = [...w];
    if (chars.length < 2 || (chars.length > 8 && DIGITS.test(w))) continue;
    if (chars.length > 40) w = chars.slice(0, 40).join('');
    out.push(w);
  }
  return out;
}

/** The file name of a shard key (internal/search.ShardFile). */
export function keyFile(key) {
  if (/^[a-z0-9]+$/.test(key)) return key;
  let hex = 'x';
  for (const b of new TextEncoder().encode(key)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Optimal string alignment distance, stopping early above max. */
export function editDistance(a, b, max = 1) {
  a = [...a];
  b = [...b];
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2 = null;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

const prefixOf = (s, n) => [...s].slice(0, n).join('');
const runeLen = (s) => [...s].length;

// How much a match counts, relative to an exact word form.
const EXACT = 1;
const INFLECTED = 0.9; // an unseen ending on a known stem
const PREFIX = 0.6; // stems that start with the word
const TYPING = 0.9; // the same, for the word being typed
const COMPOUND = 0.6; // an unseen compound whose first part is known
const TYPO = 0.8; // one letter wrong, missing, extra or swapped

/**
 * Creates a searcher over an index. load(path) resolves to the parsed JSON
 * of a file below the index folder ("meta.json", "t/by.json", "d/0.json").
 * Files are fetched once and only when a query needs them.
 */
export function createSearch(load) {
  const files = new Map();
  const get = (p) => {
    if (!files.has(p)) {
      files.set(p, Promise.resolve().then(() => load(p)).catch((e) => {
        files.delete(p);
        throw e;
      }));
    }
    return files.get(p);
  };
  let meta;
  let keys;
  let stop;
  const ready = async () => {
    if (!meta) {
      const m = await get('meta.json');
      keys = new Set(m.keys);
      stop = new Set(m.stop);
      meta = m;
    }
    return meta;
  };
  const shard = (key) => get('t/' + keyFile(key) + '.json');

  // The shards that hold stems that are prefixes of w, and (for prefix
  // matching) the deeper shards of stems that start with w.
  function shardsFor(w, withChildren) {
    const out = [];
    const n = runeLen(w);
    for (let i = 2; i <= Math.min(n, 6); i++) {
      const k = prefixOf(w, i);
      if (keys.has(k)) out.push(k);
    }
    if (withChildren) {
      let extra = 0;
      for (const k of keys) {
        if (k.length > w.length && k.startsWith(w) && extra < 8) {
          out.push(k);
          extra++;
        }
      }
    }
    return out;
  }

  // Candidate stems for one folded query word: [{stem, factor, entry}].
  function candidates(w, entries, typing) {
    const get = (s) => (Object.hasOwn(entries, s) ? entries[s] : undefined);
    const chars = [...w];
    const out = new Map();
    const add = (stem, factor) => {
      const e = get(stem);
      if (e && (out.get(stem)?.factor ?? 0) < factor) out.set(stem, { stem, factor, entry: e });
    };
    let exact = null;
    for (let i = chars.length; i >= 2 && !exact; i--) {
      const s = chars.slice(0, i).join('');
      const e = get(s);
      if (e && e[0].split('|').includes(chars.slice(i).join(''))) exact = s;
    }
    if (exact) add(exact, EXACT);
    // Stems that start with the word: it is still being typed ("byggl"),
    // or nothing else matched.
    const prefixed = () => {
      const pre = [];
      for (const s in entries) {
        if (s !== exact && s.length > w.length && s.startsWith(w)) pre.push(s);
      }
      pre.sort((a, b) => entries[b][1].length - entries[a][1].length);
      return pre.slice(0, 30);
    };
    if (typing && chars.length >= 3) {
      const pre = prefixed();
      // Longer completions count less: "byggl" is more likely "bygglov"
      // than "bygglovshandläggare".
      for (const s of pre) add(s, (exact ? PREFIX : TYPING) * (w.length / s.length));
      if (pre.length && !exact) return [...out.values()];
    }
    if (!exact && chars.length >= 4) {
      // One letter wrong, missing, extra or swapped ("bygglvo").
      for (const s in entries) {
        if (Math.abs(s.length - w.length) > 8) continue;
        if (editDistance(s, w) <= 1) {
          add(s, TYPO);
          continue;
        }
        for (const f of entries[s][0].split('|')) {
          if (f && editDistance(s + f, w) <= 1) {
            add(s, TYPO);
            break;
          }
        }
      }
    }
    if (!exact) {
      // The longest known stem the word starts with: an unseen ending
      // ("bygglovets") or an unseen compound ("bygglovsärende"), but not
      // a short stem of a misspelt word ("bygg" of "bygglvo").
      for (let i = chars.length - 1; i >= 3; i--) {
        const s = chars.slice(0, i).join('');
        if (!get(s)) continue;
        const rest = chars.length - i;
        if (rest <= 3 && i >= 0.7 * chars.length) add(s, INFLECTED);
        else if (rest >= 4 && i >= 5) add(s, COMPOUND);
        break;
      }
    }
    if (!out.size && chars.length >= 3) {
      for (const s of prefixed()) add(s, PREFIX * (w.length / s.length));
    }
    return [...out.values()];
  }

  /**
   * Runs a query. Resolves to {total, hits: [{doc, score}], marks: [stems
   * to highlight], words: [query words used]}. With typing, the last word
   * is also matched as a prefix (it is still being typed).
   */
  async function query(q, { typing = false } = {}) {
    await ready();
    const words = [...new Set(tokenize(q).map(fold))].filter((w) => !stop.has(w)).slice(0, 8);
    if (!words.length) return { total: 0, hits: [], marks: [], words };
    const perWord = await Promise.all(words.map(async (w, i) => {
      const last = typing && i === words.length - 1;
      const ks = shardsFor(w, last || runeLen(w) >= 3);
      const shards = await Promise.all(ks.map(shard));
      const entries = Object.assign(Object.create(null), ...shards);
      return candidates(w, entries, last);
    }));
    const marks = new Set();
    const scores = [];
    for (const cands of perWord) {
      if (!cands.length) continue;
      const m = new Map();
      for (const { stem, factor, entry } of cands) {
        marks.add(stem);
        for (const syn of entry[2] || []) marks.add(syn);
        const p = entry[1];
        let doc = 0;
        for (let i = 0; i < p.length; i += 2) {
          doc += p[i];
          const v = p[i + 1] * factor;
          if (v > (m.get(doc) || 0)) m.set(doc, v);
        }
      }
      scores.push(m);
    }
    if (!scores.length) return { total: 0, hits: [], marks: [], words };
    // Every word must match; if no page has them all, rank by how many.
    const total = new Map();
    const count = new Map();
    for (const m of scores) {
      for (const [doc, v] of m) {
        total.set(doc, (total.get(doc) || 0) + v);
        count.set(doc, (count.get(doc) || 0) + 1);
      }
    }
    let hits = [];
    for (const [doc, v] of total) {
      if (count.get(doc) === scores.length) hits.push({ doc, score: v });
    }
    if (!hits.length) {
      for (const [doc, v] of total) hits.push({ doc, score: (v * count.get(doc)) / scores.length });
    }
    hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return { total: hits.length, hits, marks: [...marks], words };
  }

  /** Resolves to the metadata of the given hits: {url, title, section, text}. */
  async function docs(hits) {
    const m = await ready();
    const chunks = await Promise.all(hits.map((h) => get('d/' + Math.floor(h.doc / m.chunk) + '.json')));
    return hits.map((h, i) => {
      const [url, title, sec, text] = chunks[i][h.doc % m.chunk];
      return { url, title, section: m.sections[sec] || '', text };
    });
  }

  return { query, docs, ready, files };
}

/**
 * Picks a snippet of text around the first word that matches one of the
 * stems, as segments [{text, mark}] of about max characters.
 */
export function snippet(text, stems, max = 180) {
  const ms = stems.filter((s) => s.length >= 2);
  const isMatch = (w) => {
    const f = fold(w);
    return ms.some((s) => f === s || (s.length >= 3 && f.startsWith(s)));
  };
  const words = [...text.matchAll(WORD)];
  const hits = words.filter((m) => isMatch(m[0]));
  let start = 0;
  if (hits.length && hits[0].index > max / 3) {
    start = text.lastIndexOf(' ', hits[0].index - Math.floor(max / 4));
    start = start < 0 ? 0 : start + 1;
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    const sp = text.lastIndexOf(' ', end);
    if (sp > start + max / 2) end = sp;
  }
  const segs = [];
  if (start > 0) segs.push({ text: '… ', mark: false });
  let pos = start;
  for (const m of hits) {
    if (m.index < start || m.index + m[0].length > end) continue;
    if (m.index > pos) segs.push({ text: text.slice(pos, m.index), mark: false });
    segs.push({ text: m[0], mark: true });
    pos = m.index + m[0].length;
  }
  if (pos < end) segs.push({ text: text.slice(pos, end), mark: false });
  if (end < text.length && !text.slice(0, end).endsWith('…')) segs.push({ text: ' …', mark: false });
  return segs;
}

const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

/** Snippet segments as HTML with <mark>. */
export function snippetHTML(segs) {
  return segs.map((s) => (s.mark ? '<mark>' + esc(s.text) + '</mark>' : esc(s.text))).join('');
}

const PAGE = 10;

function fmt(pattern, ...args) {
  let i = 0;
  return pattern.replace(/%[sd]/g, () => String(args[i++]));
}

/** Wires the search page's form (#sok) to the index. */
export function init(form, { fetchJSON = (u) => fetch(u).then((r) => (r.ok ? r.json() : Promise.reject(new Error(u + ': ' + r.status)))) } = {}) {
  const doc = form.ownerDocument;
  const input = form.querySelector('input[name="q"]');
  const status = doc.getElementById('sok-status');
  const results = doc.getElementById('sok-results');
  const nojs = doc.getElementById('sok-nojs');
  if (nojs) nojs.hidden = true;
  // The links to browse instead give way to results (in the same frame,
  // so nothing visible is pushed down) and come back with no results.
  const browse = doc.querySelector('.search-browse');
  const showBrowse = (on) => {
    if (browse) browse.hidden = !on;
  };
  const t = form.dataset;
  const s = createSearch((p) => fetchJSON(t.index + p));
  let seq = 0;
  let timer = 0;
  let shown = 0;
  let current = null;

  const el = (tag, props = {}, ...kids) => {
    const e = doc.createElement(tag);
    Object.assign(e, props);
    e.append(...kids);
    return e;
  };

  function item(d, marks) {
    const li = el('li');
    li.append(el('h3', {}, el('a', { href: d.url, textContent: d.title })));
    if (d.section) li.append(el('p', { className: 'search-section', textContent: d.section }));
    const p = el('p', { className: 'search-snippet' });
    for (const seg of snippet(d.text || '', marks)) p.append(seg.mark ? el('mark', { textContent: seg.text }) : seg.text);
    li.append(p);
    return li;
  }

  async function showMore(list, more, showing) {
    const r = current;
    const next = r.hits.slice(shown, shown + PAGE);
    const ds = await s.docs(next);
    if (r !== current) return;
    const first = list.children.length;
    list.append(...ds.map((d) => item(d, r.marks)));
    shown += next.length;
    showing.textContent = fmt(t.showing, shown, r.total);
    more.hidden = shown >= r.total;
    list.children[first]?.querySelector('a')?.focus();
  }

  async function run({ typing = false } = {}) {
    const q = input.value.trim();
    const my = ++seq;
    const url = new URL(doc.location.href);
    if (q) url.searchParams.set('q', q);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url);
    if (!q) {
      current = null;
      results.replaceChildren();
      status.textContent = '';
      showBrowse(true);
      return;
    }
    let r;
    let ds;
    try {
      r = await s.query(q, { typing });
      ds = await s.docs(r.hits.slice(0, PAGE));
    } catch (e) {
      if (my === seq) status.textContent = t.error;
      console.error(e);
      return;
    }
    if (my !== seq) return;
    current = r;
    shown = ds.length;
    const nodes = [];
    if (r.total) {
      const h = el('h2', { className: 'visually-hidden', id: 'sok-results-h', textContent: t.results });
      const list = el('ol', { className: 'search-list' });
      list.setAttribute('aria-labelledby', 'sok-results-h');
      list.append(...ds.map((d) => item(d, r.marks)));
      const showing = el('p', { className: 'search-showing', textContent: fmt(t.showing, shown, r.total) });
      const more = el('button', { type: 'button', className: 'search-more', textContent: t.more, hidden: shown >= r.total });
      more.addEventListener('click', () => showMore(list, more, showing));
      nodes.push(h, list, showing, more);
    }
    showBrowse(!r.total);
    results.replaceChildren(...nodes);
    status.textContent = r.total === 0 ? fmt(t.none, q) : r.total === 1 ? fmt(t.one, q) : fmt(t.many, r.total, q);
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run({ typing: !/\s$/.test(input.value) }), 180);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  // Arrow keys move between the search field and the result links.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && e.target === input) {
      const a = results.querySelector('.search-list a');
      if (a) {
        e.preventDefault();
        a.focus();
      }
    } else if (e.key === 'Escape' && e.target === input && input.value) {
      input.value = '';
      run();
    }
  });
  results.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...results.querySelectorAll('.search-list a')];
    const i = links.indexOf(doc.activeElement);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === 'ArrowUp' && i === 0) input.focus();
    else links[Math.max(0, Math.min(links.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))].focus();
  });
  const q0 = new URLSearchParams(doc.location.search).get('q');
  if (q0) {
    input.value = q0;
    run();
  }
  return { run, search: s };
}

if (typeof document !== 'undefined') {
  const form = document.getElementById('sok');
  if (form && form.dataset.index) init(form);
}
