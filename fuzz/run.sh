#!/bin/sh
# Runs every fuzz target in turn for SECONDS each (default 900), at the lowest CPU priority.
# A finding stops that target and is saved under fuzz/artifacts/<target>/; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# RUSTC_BOOTSTRAP=1 lets a stable toolchain build with the nightly flags cargo-fuzz uses.
# A "hang" is one input taking over a second; inputs are capped at 64 KB.
set -u
cd "$(dirname "$0")"
seconds=${1:-900}
export RUSTC_BOOTSTRAP=1
targets="front_matter link_targets identifiers page"
nice -n 19 cargo fuzz build || exit 1
status=0
for t in $targets; do
    mkdir -p "corpus/$t"
    echo "== $t: ${seconds}s"
    nice -n 19 cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=1 -max_len=65536 -rss_limit_mb=2048 \
        -print_final_stats=1 || status=1
done
exit $status
