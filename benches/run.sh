#!/usr/bin/env bash
# benches/run.sh - qunce against its peers on the shared playbook corpora (see BENCHMARKS.md).
#
# usage: benches/run.sh [quick|full]     (default: full)
#
#   quick  1,000 pages flat, both sidebars (a minute or two)
#   full   the corpora of BENCHMARKS.md: 1,000 and 10,000 pages flat with the section sidebar
#          and without (SIDEBAR=none), 10,000 and 50,000 pages in chapters of 100 (CHAPTER=100)
#
# For every corpus it runs ../shared/bench/peers.sh (generation with gen_corpus.py, median of
# RUNS timed builds after a warm-up, peak RSS and CPU from GNU time) for qunce and the peers
# that are installed, then builds the qunce corpus once more with `qunce build --timings` for
# the per-stage breakdown, and measures output bytes and the average HTML page weight.
# Everything is printed as Markdown, ready to paste into BENCHMARKS.md.
#
# environment (besides peers.sh's own: RUNS, WARMUP, TOOLS, WORKDIR, HUGO, MDBOOK, TIMEOUT, ...):
#   BENCH_DIR=../shared/bench   where peers.sh and gen_corpus.py live
#   QUNCE=target/release/qunce  the binary measured (built with `cargo build --release` first)
#   WORKDIR=/dev/shm            a tmpfs takes the disk out of the CPU figures; unset for disk
#   SKIP_SLOW=1                 leave out mdBook above 1,000 pages and the peers at 50,000
#                               pages (each takes many minutes); on by default
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO/../shared/bench}
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
QUNCE=${QUNCE:-$REPO/target/release/qunce}
QUNCE=$(cd "$(dirname "$QUNCE")" && pwd)/$(basename "$QUNCE")
SKIP_SLOW=${SKIP_SLOW:-1}
MODE=${1:-full}
export RUNS=${RUNS:-3} WARMUP=${WARMUP:-1}
if [[ -n "${WORKDIR:-}" ]]; then export WORKDIR; fi

if [[ ! -x "$QUNCE" ]]; then
  echo "no qunce binary at $QUNCE: run \`cargo build --release\` first" >&2
  exit 2
fi

# name N CHAPTER SIDEBAR TOOLS
case $MODE in
  quick) CORPORA=("1k-flat 1000 0 section" "1k-flat-nosidebar 1000 0 none") ;;
  full)
    CORPORA=(
      "1k-flat 1000 0 section"
      "1k-flat-nosidebar 1000 0 none"
      "10k-flat 10000 0 section"
      "10k-flat-nosidebar 10000 0 none"
      "10k-chapters 10000 100 section"
      "50k-chapters 50000 100 section"
    )
    ;;
  *) echo "usage: $0 [quick|full]" >&2; exit 2 ;;
esac

tools_for() { # N SIDEBAR -> the tools worth running on that corpus
  local n=$1 sidebar=$2 t="floor qunce hugo mdbook"
  if [[ $SKIP_SLOW == 1 ]]; then
    # mdBook takes over 15 minutes at 10,000 pages and Hugo minutes with a flat sidebar.
    if ((n > 1000)); then t="floor qunce hugo"; fi
    if ((n > 10000)); then t="floor qunce"; fi
    if ((n >= 10000)) && [[ $sidebar == section && ${CHAPTER:-0} == 0 ]]; then t="floor qunce"; fi
  fi
  echo "${TOOLS:-$t}"
}

# One qunce build with --timings on the same corpus, plus output size and page weight.
breakdown() { # N CHAPTER
  local dir
  dir=$(mktemp -d "${WORKDIR:-${TMPDIR:-/tmp}}/qunce-bench.XXXXXX")
  python3 "$BENCH_DIR/gen_corpus.py" --format qunce --pages "$1" --seed 1 \
    --chapter-size "$2" --out "$dir/site" >/dev/null
  (cd "$dir/site" && "$QUNCE" build --timings 2>&1 | sed -n '/^built /,$p')
  local bytes html pages_bytes
  bytes=$(du -sb "$dir/site/public" | cut -f1)
  html=$(find "$dir/site/public" -name '*.html' | wc -l)
  pages_bytes=$(find "$dir/site/public" -name '*.html' -printf '%s\n' | awk '{s+=$1} END {print s}')
  echo "  output: $bytes bytes in all; $html HTML files, average $((pages_bytes / html)) bytes"
  rm -rf "$dir"
}

echo "# qunce benchmark run, $(date -u +%Y-%m-%d)"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "qunce: $("$QUNCE" --version)"
echo "workdir: ${WORKDIR:-${TMPDIR:-/tmp}}"
for entry in "${CORPORA[@]}"; do
  read -r name n chapter sidebar <<<"$entry"
  echo
  echo "## $name"
  CHAPTER=$chapter SIDEBAR=$sidebar TOOLS=$(CHAPTER=$chapter tools_for "$n" "$sidebar") \
    QUNCE=$QUNCE "$BENCH_DIR/peers.sh" "$n"
  if [[ $sidebar == section ]]; then
    echo
    echo "qunce stages (one build with --timings):"
    echo
    echo '```'
    breakdown "$n" "$chapter"
    echo '```'
  fi
done
