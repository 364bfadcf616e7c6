#!/usr/bin/env bash
# Browser and HTML-validity gates for the example site (run by `make test-a11y`).
#
#   1. builds the example site with bin/torg into a temp folder (never public/),
#      with a fixed --now so the content is deterministic;
#   2. node check.mjs: links and assets from disk, axe-core on every page in
#      Debian's Chromium, requests/cookies/weight, and reflow, zoom, no-JS and
#      focus checks on a sample of page types;
#   3. the Nu HTML Checker (vnu.jar) on every HTML file.
#
# Ends with one line `a11y: N passed, M failed`; exits 1 if anything failed.
# Needs Node.js + npm, Java and Debian's chromium: missing ones fail the run.
#
# Env: A11Y_CONCURRENCY (pages checked at once, default 3), A11Y_KEEP=1 keeps
# the built site and reports in the temp folder, CHROMIUM_PATH (default
# /usr/bin/chromium), TORG (default bin/torg).
set -uo pipefail

export PATH="/usr/local/go/bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT" || exit 1

NOW="2026-11-26T12:00:00+01:00"
TORG="${TORG:-bin/torg}"
passed=0
failed=0

summary() {
  echo "a11y: $passed passed, $failed failed"
}

die() {
  echo "a11y: FATAL: $*" >&2
  failed=$((failed + 1))
  summary
  exit 1
}

section() {
  echo
  echo "=== $(date '+%H:%M:%S') $* ==="
}

# --- tools: fail loudly, never skip ------------------------------------------
missing=()
command -v node >/dev/null 2>&1 || missing+=("node (apt-get install nodejs)")
command -v npm >/dev/null 2>&1 || missing+=("npm (apt-get install npm)")
command -v java >/dev/null 2>&1 || missing+=("java (apt-get install default-jre-headless)")
[ -x "$CHROMIUM_PATH" ] || missing+=("chromium at $CHROMIUM_PATH (apt-get install chromium)")
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "a11y: missing: $m" >&2; done
  die "required tools are missing; install them (.ci/run does) — these checks are never skipped"
fi

if [ ! -d "$HERE/node_modules/axe-core" ] || [ ! -d "$HERE/node_modules/playwright-core" ] || [ ! -d "$HERE/node_modules/vnu-jar" ]; then
  section "npm ci in tests/a11y"
  # --ignore-scripts: vnu-jar's postinstall would try to download a Java
  # runtime; we use the system's java.
  (cd "$HERE" && npm ci --ignore-scripts --no-audit --no-fund) || die "npm ci failed in tests/a11y"
fi

VNU_JAR="$HERE/node_modules/vnu-jar/build/dist/vnu.jar"
[ -f "$VNU_JAR" ] || die "vnu.jar not found at $VNU_JAR"

if [ ! -x "$TORG" ]; then
  section "go build -o bin/torg ./cmd/torg"
  go build -o bin/torg ./cmd/torg || die "cannot build bin/torg"
  TORG=bin/torg
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/torg-a11y.XXXXXX")" || die "mktemp failed"
cleanup() {
  if [ "${A11Y_KEEP:-0}" = 1 ]; then
    echo "a11y: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT

# --- 1. build --------------------------------------------------------------------
section "build the example site: $TORG build --source . --dest \$TMP/site --now $NOW"
start=$SECONDS
if "$TORG" build --source . --dest "$TMP/site" --now "$NOW" >"$TMP/build.log" 2>&1 && [ -f "$TMP/site/index.html" ]; then
  passed=$((passed + 1))
  tail -n 5 "$TMP/build.log"
  echo "built $(find "$TMP/site" -name '*.html' | wc -l) HTML files in $((SECONDS - start)) s"
else
  cat "$TMP/build.log"
  echo "a11y: the site did not build (or has no index.html); nothing else can be checked" >&2
  failed=$((failed + 1))
  summary
  exit 1
fi

# --- 2. browser and link checks -------------------------------------------------
BASE_URL="$(sed -n '/^[[:space:]]*baseURL[[:space:]]*=/{s/^[^"]*"\([^"]*\)".*/\1/p;q;}' torg.toml 2>/dev/null)"
section "links, axe-core, requests, cookies, weight, reflow, zoom, no-JS, focus"
start=$SECONDS
node "$HERE/check.mjs" "$TMP/site" ${BASE_URL:+--base-url "$BASE_URL"} \
  --concurrency "${A11Y_CONCURRENCY:-3}" --counts "$TMP/counts.json"
rc=$?
if [ -f "$TMP/counts.json" ]; then
  read -r p f < <(node -e 'const c=require(process.argv[1]);console.log(c.passed,c.failed)' "$TMP/counts.json")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
    echo "a11y: check.mjs exited $rc"
  fi
else
  failed=$((failed + 1))
  echo "a11y: check.mjs exited $rc without results"
fi
echo "browser and link checks took $((SECONDS - start)) s"

# --- 3. Nu HTML Checker --------------------------------------------------------------
section "Nu HTML Checker (vnu.jar --errors-only) on every HTML file"
start=$SECONDS
nhtml=$(find "$TMP/site" -type f \( -name '*.html' -o -name '*.htm' \) | wc -l)
java -Xss8m -Djava.awt.headless=true -jar "$VNU_JAR" --errors-only --skip-non-html --format gnu "$TMP/site" >"$TMP/vnu.txt" 2>&1
vrc=$?
# GNU format: "file:/tmp/…/site/a/b/index.html":12.3-12.40: error: message
# shown as "/a/b/index.html":12.3-12.40: error: message
sed -E "s#file:(//)?$TMP/site##g; s#$TMP/site##g" "$TMP/vnu.txt" >"$TMP/vnu-rel.txt"
cat "$TMP/vnu-rel.txt"
bad=$(grep -oE '^"?/[^":]+\.html?"?:' "$TMP/vnu-rel.txt" | tr -d '":' | sort -u | wc -l)
if [ "$vrc" -ne 0 ] && [ "$bad" -eq 0 ]; then
  echo "a11y: vnu.jar exited $vrc without naming a file"
  bad=1
fi
passed=$((passed + nhtml - bad))
failed=$((failed + bad))
echo "vnu: $((nhtml - bad)) of $nhtml HTML files without errors ($((SECONDS - start)) s)"

echo
summary
[ "$failed" -eq 0 ]
