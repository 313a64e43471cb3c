#!/usr/bin/env bash
# Builds a profile-guided release binary of qunce: an instrumented build first, which builds the
# bundled handbook (content/) and the user guide (docs/) to learn which branches and calls are
# hot, then the release build again with that profile. The result builds sites faster than a
# plain `cargo build --release` (BENCHMARKS.md, session 16) and writes the same bytes.
#
#   scripts/pgo.sh                      # -> target/pgo/release/qunce
#   scripts/pgo.sh --install            # and `cargo install` it into ~/.cargo/bin
#   PGO_TRAIN="dir1 dir2" scripts/pgo.sh # train on these sites instead (folders with site.toml)
#
# Prints the profile's path alone on standard output (progress goes to standard error), so other
# scripts (scripts/wheel.sh) can reuse it. Needs the `llvm-tools` component of the same
# toolchain (`rustup component add llvm-tools`): the profile format follows the compiler's LLVM.
# Not part of .ci/run: it is two release builds.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "[pgo] llvm-profdata is missing: run \`rustup component add llvm-tools\` and try again" >&2
  exit 1
fi

work="$repo/target/pgo"
raw="$work/raw"
rm -rf "$raw" "$work/train"
mkdir -p "$raw" "$work/train"

echo "[pgo] 1/3 instrumented release build" >&2
RUSTFLAGS="-Cprofile-generate=$raw" cargo build --release --locked --quiet \
  --target-dir "$work/gen"

echo "[pgo] 2/3 training" >&2
# Only the training's counts: the build scripts that ran instrumented wrote theirs here too.
rm -rf "$raw"
mkdir -p "$raw"
# Copies, so the repository's own public/ folders are never touched.
train=${PGO_TRAIN:-"$repo $repo/docs"}
n=0
for site in $train; do
  n=$((n + 1))
  copy="$work/train/$n"
  mkdir -p "$copy"
  cp -r "$site/site.toml" "$site/content" "$copy/"
  for extra in templates themes static; do
    if [ -e "$site/$extra" ]; then cp -r "$site/$extra" "$copy/"; fi
  done
  if ! LLVM_PROFILE_FILE="$raw/%p-%m.profraw" "$work/gen/release/qunce" --root "$copy" build \
    2>"$copy.log"; then
    cat "$copy.log" >&2
    echo "[pgo] building $site failed (above): train on sites that build" >&2
    exit 1
  fi
  LLVM_PROFILE_FILE="$raw/%p-%m.profraw" "$work/gen/release/qunce" --root "$copy" check >/dev/null 2>&1 || true
  echo "[pgo]   built $site" >&2
done
"$profdata" merge -o "$work/qunce.profdata" "$raw"/*.profraw

echo "[pgo] 3/3 release build with the profile" >&2
RUSTFLAGS="-Cprofile-use=$work/qunce.profdata" cargo build --release --locked --quiet \
  --target-dir "$work"
echo "[pgo] binary: $work/release/qunce" >&2

if [ "${1:-}" = "--install" ]; then
  RUSTFLAGS="-Cprofile-use=$work/qunce.profdata" cargo install --path . --locked \
    --target-dir "$work"
fi
echo "$work/qunce.profdata"
