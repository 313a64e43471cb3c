#!/bin/sh
# Runs every fuzz target (or those in $TARGETS) in turn for SECONDS each (default 900), at
# the lowest CPU priority.
# Findings are saved under fuzz/artifacts/<target>/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
# RUSTC_BOOTSTRAP=1 lets a stable toolchain build with the nightly flags cargo-fuzz uses.
# A "hang" is one input taking over a second; inputs are capped at 64 KB. Fork mode keeps
# going after a finding (a timeout on a loaded machine is often the scheduler, not qunce):
# replay each saved input, e.g. fuzz/target/*/release/<target> fuzz/artifacts/<target>/<file>,
# which prints how long it took.
set -u
cd "$(dirname "$0")"
seconds=${1:-900}
export RUSTC_BOOTSTRAP=1
targets=${TARGETS:-front_matter link_targets identifiers page}
nice -n 19 cargo fuzz build || exit 1
status=0
for t in $targets; do
    mkdir -p "corpus/$t"
    echo "== $t: ${seconds}s"
    nice -n 19 cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=1 -max_len=65536 -rss_limit_mb=2048 \
        -fork=1 -ignore_timeouts=1 -ignore_crashes=1 -ignore_ooms=1 || status=1
done
exit $status
