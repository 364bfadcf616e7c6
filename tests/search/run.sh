#!/usr/bin/env bash
# Search tests: builds the example site once with the current sources, then
#   node --test tests/search/   (query logic and search quality in Node,
#                                the /sok/ page in Chromium)
# With SEARCH_BENCH=DIR (a built large site, e.g. the 10,000-page corpus)
# it also runs the benchmark: node tests/search/bench.mjs DIR.
# Needs Node.js and Debian's chromium; tests/a11y/node_modules is installed
# when missing (playwright-core and axe-core come from there).
set -euo pipefail
export PATH="/usr/local/go/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

if [ ! -d tests/a11y/node_modules/playwright-core ] || [ ! -d tests/a11y/node_modules/axe-core ]; then
  (cd tests/a11y && npm ci --ignore-scripts --no-audit --no-fund)
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/torg-search.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
go build -o "$TMP/torg" ./cmd/torg
"$TMP/torg" build --source . --dest "$TMP/site" --now 2026-11-26T12:00:00+01:00 >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }

SEARCH_SITE="$TMP/site" node --test tests/search/
if [ -n "${SEARCH_BENCH:-}" ]; then
  node tests/search/bench.mjs "$SEARCH_BENCH"
fi
