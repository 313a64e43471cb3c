#!/usr/bin/env bash
# Load test of `qunce serve`: wrk against 127.0.0.1 for a fixed time, while a page of the site
# is edited every 100 ms (so the server rebuilds under load). Reports throughput, latency
# percentiles and errors, and fails unless throughput >= MIN_RPS with no errors.
#
#   benches/load.sh SITE_DIR [SECONDS] [CONNECTIONS]
#
# SITE_DIR is copied to a temporary folder first (the original is never edited). Environment:
#   QUNCE=path/to/qunce   binary to test (default: target/release/qunce; build it first)
#   MIN_RPS=2000          the throughput the run must reach
#   PORT=18111            where the server listens (127.0.0.1 only)
#   EDIT_EVERY=0.1        seconds between edits; 0 disables editing
#
# Needs wrk (Debian: apt-get install wrk) and curl. Bounded: wrk runs SECONDS (default 20),
# the server is stopped at the end, and every wait has a deadline.
set -euo pipefail

site=${1:?usage: benches/load.sh SITE_DIR [SECONDS] [CONNECTIONS]}
seconds=${2:-20}
connections=${3:-32}
here=$(cd "$(dirname "$0")/.." && pwd)
qunce=${QUNCE:-$here/target/release/qunce}
min_rps=${MIN_RPS:-2000}
port=${PORT:-18111}
edit_every=${EDIT_EVERY:-0.1}
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
[ -x "$qunce" ] || { echo "no binary at $qunce (cargo build --release)" >&2; exit 2; }

work=$(mktemp -d /tmp/qunce-load.XXXXXX)
server_pid=""
editor_pid=""
cleanup() {
    [ -n "$editor_pid" ] && kill "$editor_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cp -r "$site" "$work/site"
rm -rf "$work/site/public"

"$qunce" --root "$work/site" serve --port "$port" --bind 127.0.0.1 >"$work/serve.log" 2>&1 &
server_pid=$!

generation() {
    curl -fsS "$base/__qunce/status" 2>/dev/null | grep -o '"generation":[0-9]*' | cut -d: -f2 || true
}

# Wait (at most 300 s: the first build of a large site) until the first build is served.
for _ in $(seq 1 600); do
    [ "$(generation)" -ge 1 ] 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.5
done
[ "$(generation)" -ge 1 ] 2>/dev/null || {
    echo "the server did not finish its first build" >&2
    exit 1
}

# The URLs to request: up to 500 pages from the sitemap, plus the home page.
curl -fsS "$base/sitemap.xml" >"$work/sitemap.xml"
grep -o '<loc>[^<]*</loc>' "$work/sitemap.xml" | sed -e 's#<loc>[a-z]*://[^/]*##' -e 's#</loc>##' |
    awk 'NR <= 500' >"$work/paths.txt"
echo / >>"$work/paths.txt"
pages=$(wc -l <"$work/paths.txt")

# wrk script: rotate through the paths; report errors and percentiles in a parseable form.
{
    echo 'paths = {'
    sed -e 's/"/\\"/g' -e 's/.*/  "&",/' "$work/paths.txt"
    echo '}'
    cat <<'LUA'
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
LUA
} >"$work/paths.lua"

# The editor: rewrites the last line of one page every EDIT_EVERY seconds.
page=$(find "$work/site/content" -name '*.md' ! -name '_index.md' | sort | sed -n 1p)
if [ "$edit_every" != "0" ]; then
    (
        n=0
        while :; do
            n=$((n + 1))
            printf '\nedit %d under load\n' "$n" >>"$page"
            sleep "$edit_every"
        done
    ) &
    editor_pid=$!
fi

echo "load: $pages paths, $connections connections, ${seconds}s, edits every ${edit_every}s to ${page#"$work/site/"}"
timeout $((seconds + 60)) wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency \
    -s "$work/paths.lua" "$base/" | tee "$work/wrk.txt"

[ -n "$editor_pid" ] && kill "$editor_pid" 2>/dev/null || true
editor_pid=""
echo "rebuilds served during the run: generation $(generation)"

result=$(grep '^RESULT' "$work/wrk.txt")
rps=$(sed -e 's/.* rps=\([0-9.]*\).*/\1/' <<<"$result")
errors=$(sed -e 's/.* non2xx=\([0-9]*\) connect=\([0-9]*\) read=\([0-9]*\) write=\([0-9]*\) timeout=\([0-9]*\).*/\1+\2+\3+\4+\5/' <<<"$result")
errors=$((errors))
if awk -v r="$rps" -v m="$min_rps" 'BEGIN { exit !(r >= m) }' && [ "$errors" -eq 0 ]; then
    echo "PASS: $rps requests/s >= $min_rps, no errors"
else
    echo "FAIL: $rps requests/s (need $min_rps), $errors errors"
    exit 1
fi
