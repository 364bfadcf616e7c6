#!/usr/bin/env bash
# Side-by-side build times of torg and Hugo over the same generated content.
#
#   bash bench/hugo-compare.sh [PAGES]        (default 10000)
#
# Environment:
#   RUNS=5        timed builds per tool (alternating torg, hugo, torg, ...)
#   SEED=1        corpus seed (torgcorpus -seed)
#   WARMUP=1      one untimed build of each tool first (0 to skip)
#   TOOLS="torg hugo"  which tools to run
#   WORK=DIR      scratch folder (default: a fresh folder in /dev/shm)
#   KEEP=1        keep WORK afterwards
#   TORG=PATH     use this torg binary instead of building bin/torg
#
# Generates the corpus with cmd/torgcorpus, builds bin/torg, lays a Hugo site
# (bench/hugo: hugo.toml, one comparable layout) over the same content/
# folder, then times each build with /usr/bin/time into a fresh destination
# on tmpfs and prints medians, peak RSS, pages/s and the torg/hugo ratios.
# Both tools minify. Needs Go 1.26, Debian's hugo and GNU time; the last two
# are installed with apt-get when missing and running as root.
set -euo pipefail

PAGES=${1:-10000}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
WARMUP=${WARMUP:-1}
TOOLS=${TOOLS:-torg hugo}

cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=/usr/local/go/bin:$PATH

die() { echo "hugo-compare: $*" >&2; exit 1; }

[[ $PAGES =~ ^[0-9]+$ && $PAGES -ge 1 ]] || die "PAGES must be a positive number, got '$PAGES'"
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || die "RUNS must be a positive number, got '$RUNS'"

install_pkg() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	[[ $(id -u) -eq 0 ]] || die "$1 is missing; install the Debian package $2"
	echo "installing $2 ..." >&2
	apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
case " $TOOLS " in *" hugo "*) install_pkg hugo hugo ;; esac
[[ -x /usr/bin/time ]] || { install_pkg /usr/bin/time time; }
TIME=/usr/bin/time

if [[ -z ${WORK:-} ]]; then
	if [[ -d /dev/shm && -w /dev/shm ]]; then
		WORK=$(mktemp -d /dev/shm/torg-bench.XXXXXX)
	else
		WORK=$(mktemp -d)
	fi
fi
mkdir -p "$WORK"
cleanup() { [[ ${KEEP:-0} == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT

echo "== setup"
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
"$WORK/torgcorpus" -n "$PAGES" -seed "$SEED" -out "$WORK/site"
echo "corpus:  $(find "$WORK/site/content" -name '*.md' | wc -l) Markdown files, $(du -sm --apparent-size "$WORK/site/content" | cut -f1) MB"

# The Hugo site: its own config and layouts, the corpus's content folder.
mkdir -p "$WORK/hugo"
cp -r bench/hugo/. "$WORK/hugo/"
title=$(sed -n 's/^title *= *"\(.*\)"$/\1/p' "$WORK/site/torg.toml" | head -1)
[[ -n $title ]] && sed -i "s/^title = .*/title = \"$title\"/; s/^organisation = .*/organisation = \"$title\"/" "$WORK/hugo/hugo.toml"

command_for() { # tool dest -> CMD
	case $1 in
	torg) CMD=("$TORG_BIN" build --source "$WORK/site" --dest "$2" --minify=true) ;;
	hugo) CMD=(hugo --source "$WORK/hugo" --contentDir "$WORK/site/content" --destination "$2" --minify --quiet) ;;
	*) die "unknown tool $1" ;;
	esac
}

timed() { # tool run -> appends "wall-seconds kb cpu-seconds" to $WORK/times.tool
	local dest=$WORK/out-$1-$2 log=$WORK/log-$1-$2
	command_for "$1" "$dest"
	if ! $TIME -f "%e %M %U %S" -o "$WORK/t" "${CMD[@]}" >"$log" 2>&1; then
		cat "$log" >&2
		die "$1 build failed (log above)"
	fi
	if [[ $2 != warm ]]; then
		read -r secs kb user sys <"$WORK/t"
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
		echo "$secs $kb $cpu" >>"$WORK/times.$1"
		html=$(find "$dest" -name '*.html' | wc -l)
		echo "$html" >"$WORK/html.$1"
		printf '  %-4s run %s: %7.2f s wall %7.2f s CPU %6d MB peak RSS %6d HTML files %4s warnings\n' "$1" "$2" "$secs" "$cpu" $((kb / 1024)) "$html" "$(grep -c -i 'warn' "$log" || true)"
	fi
	rm -rf "$dest"
}

if [[ $WARMUP == 1 ]]; then
	echo "== warm-up (untimed)"
	for tool in $TOOLS; do timed "$tool" warm; done
fi
echo "== $RUNS timed builds of each, alternating"
for ((i = 1; i <= RUNS; i++)); do
	for tool in $TOOLS; do timed "$tool" "$i"; done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

echo "== results: $PAGES pages, seed $SEED, $RUNS runs each, minify on"
printf '%-5s %8s %8s %8s %12s %9s %11s\n' tool "wall s" "min s" "CPU s" "peak RSS MB" "pages/s" "HTML files"
declare -A MED RSS CPU
for tool in $TOOLS; do
	MED[$tool]=$(cut -d' ' -f1 "$WORK/times.$tool" | median)
	min=$(cut -d' ' -f1 "$WORK/times.$tool" | sort -n | head -1)
	RSS[$tool]=$(cut -d' ' -f2 "$WORK/times.$tool" | median)
	CPU[$tool]=$(cut -d' ' -f3 "$WORK/times.$tool" | median)
	printf '%-5s %8.2f %8.2f %8.2f %12d %9.0f %11d\n' "$tool" "${MED[$tool]}" "$min" "${CPU[$tool]}" $((${RSS[$tool]%.*} / 1024)) \
		"$(awk -v n="$PAGES" -v s="${MED[$tool]}" 'BEGIN {print (s > 0 ? n / s : 0)}')" "$(cat "$WORK/html.$tool")"
done
echo "(medians; pages/s = generated pages / median wall time; CPU = user + system)"
if [[ -n ${MED[torg]:-} && -n ${MED[hugo]:-} ]]; then
	awk -v t="${MED[torg]}" -v h="${MED[hugo]}" -v tc="${CPU[torg]}" -v hc="${CPU[hugo]}" -v tr="${RSS[torg]}" -v hr="${RSS[hugo]}" 'BEGIN {
		printf "torg/hugo: wall time %.2f (%s), CPU time %.2f, peak RSS %.2f\n", t / h,
			(t < h ? sprintf("torg %.2fx as fast", h / t) : sprintf("torg %.2fx slower", t / h)), tc / hc, tr / hr
	}'
fi
