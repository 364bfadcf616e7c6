#!/usr/bin/env bash
# Side-by-side `torg serve` and `hugo server` over the same generated content:
# startup time, edit → rebuilt (and edit → reload event for torg), whether
# each edit is served, and memory.
#
#   bash bench/serve-compare.sh [PAGES]        (default 10000)
#
# Environment:
#   EDITS=20      edits per series and tool (alternating torg, hugo, hugo, torg, ...)
#   EDIT=body     edit series: body (append a sentence), title (change the
#                 front matter title), or body,title
#   PACE=300ms    pause after one edit is served before the next write
#   OPEN=1        GET each page before editing it, as an editor with the page
#                 open in a browser (0: edit pages nobody has requested)
#   SEED=1        corpus seed (torgcorpus -seed); also picks the edited pages
#   HUGO_FLAGS=   extra flags for hugo server, e.g. --disableFastRender
#   TOOLS="torg hugo"  which servers to run
#   WORK=DIR      scratch folder (default: a fresh folder in /dev/shm)
#   KEEP=1        keep WORK afterwards (the servers' timestamped logs are in WORK/logs)
#   TORG=PATH     use this torg binary instead of building bin/torg
#
# Generates the corpus with cmd/torgcorpus, builds bin/torg, lays a Hugo site
# (bench/hugo: hugo.toml, one comparable layout) beside it with its own copy
# of content/, and runs bench/servecmp, which starts both servers on free
# loopback ports and edits both sites. Hugo runs with its defaults (pages
# rendered to memory, Fast Render Mode, live reload); torg with --no-git.
# Needs Go 1.26 and Debian's hugo, which is installed with apt-get when
# missing and running as root.
set -euo pipefail

PAGES=${1:-10000}
EDITS=${EDITS:-20}
EDIT=${EDIT:-body}
PACE=${PACE:-300ms}
OPEN=${OPEN:-1}
SEED=${SEED:-1}
HUGO_FLAGS=${HUGO_FLAGS:-}
TOOLS=${TOOLS:-torg hugo}

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=/usr/local/go/bin:$PATH

die() { echo "serve-compare: $*" >&2; exit 1; }

[[ $PAGES =~ ^[0-9]+$ && $PAGES -ge 1 ]] || die "PAGES must be a positive number, got '$PAGES'"
[[ $EDITS =~ ^[0-9]+$ && $EDITS -ge 1 ]] || die "EDITS must be a positive number, got '$EDITS'"

install_pkg() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	[[ $(id -u) -eq 0 ]] || die "$1 is missing; install the Debian package $2"
	echo "installing $2 ..." >&2
	apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
case " $TOOLS " in *" hugo "*) install_pkg hugo hugo ;; esac

if [[ -z ${WORK:-} ]]; then
	if [[ -d /dev/shm && -w /dev/shm ]]; then
		WORK=$(mktemp -d /dev/shm/torg-serve-bench.XXXXXX)
	else
		WORK=$(mktemp -d)
	fi
fi
mkdir -p "$WORK"
cleanup() { [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT

echo "== setup"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go:      $(go version | cut -d' ' -f3-)"
case " $TOOLS " in *" hugo "*) echo "hugo:    $(hugo version | cut -d' ' -f1-2)" ;; esac

if [[ -n ${TORG:-} ]]; then
	TORG_BIN=$(realpath "$TORG")
else
	go build -o bin/torg ./cmd/torg
	TORG_BIN=$ROOT/bin/torg
fi
echo "torg:    $("$TORG_BIN" version 2>/dev/null || echo '?') ($TORG_BIN)"
go build -o "$WORK/torgcorpus" ./cmd/torgcorpus
go build -o "$WORK/servecmp" ./bench/servecmp
"$WORK/torgcorpus" -n "$PAGES" -seed "$SEED" -out "$WORK/site"
echo "corpus:  $(find "$WORK/site/content" -name '*.md' | wc -l) Markdown files, $(du -sm --apparent-size "$WORK/site/content" | cut -f1) MB"

# The Hugo site: its own config and layouts, and its own copy of the
# content, since both sites are edited.
mkdir -p "$WORK/hugo"
cp -r bench/hugo/. "$WORK/hugo/"
cp -r "$WORK/site/content" "$WORK/hugo/content"
title=$(sed -n 's/^title *= *"\(.*\)"$/\1/p' "$WORK/site/torg.toml" | head -1)
[[ -n $title ]] && sed -i "s/^title = .*/title = \"$title\"/; s/^organisation = .*/organisation = \"$title\"/" "$WORK/hugo/hugo.toml"

"$WORK/servecmp" -torg "$TORG_BIN" -torg-site "$WORK/site" -hugo "$(command -v hugo || echo hugo)" -hugo-site "$WORK/hugo" \
	-hugo-flags "$HUGO_FLAGS" -tools "${TOOLS// /,}" -n "$EDITS" -edit "$EDIT" -pace "$PACE" -open="$([[ $OPEN == 1 ]] && echo true || echo false)" -seed "$SEED" -logs "$WORK/logs"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
