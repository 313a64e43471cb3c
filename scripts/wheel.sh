#!/usr/bin/env bash
# Builds qunce's Python wheel (maturin, `bin` bindings: the release binary in a wheel), installs
# it into a fresh virtual environment and runs `qunce init` + `qunce build` there, as someone
# without a Rust toolchain would after `pip install qunce`. Prints the wheel and binary sizes.
#
#   scripts/wheel.sh                 # work folder in a fresh mktemp -d, kept for inspection
#   WORKDIR=/tmp/qw scripts/wheel.sh # or one of your choosing (must not exist yet)
#   PGO=0 scripts/wheel.sh           # a plain release build, without scripts/pgo.sh's profile
#
# The wheel's binary is profile-guided (scripts/pgo.sh) when the toolchain has llvm-tools, as a
# published wheel should be; without them it says so and builds the plain release binary.
# Needs python3 with venv and network access to PyPI (for maturin). Not part of .ci/run: it is
# a full release build, several minutes on a small machine.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/qunce-wheel.XXXXXX")}
mkdir -p "$work"
echo "[wheel] work folder: $work"

echo "[wheel] maturin into $work/build-env"
python3 -m venv "$work/build-env"
"$work/build-env/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9,<2"
"$work/build-env/bin/maturin" --version

flags=${RUSTFLAGS:-}
if [ "${PGO:-1}" != 0 ]; then
  if profile=$(scripts/pgo.sh) && [ -f "$profile" ]; then
    flags="$flags -Cprofile-use=$profile"
    echo "[wheel] profile-guided: $profile"
  else
    echo "[wheel] no profile (see above); building the plain release binary"
  fi
fi

echo "[wheel] maturin build --release"
RUSTFLAGS="$flags" "$work/build-env/bin/maturin" build --release --quiet --out "$work/wheels" 2>&1 | grep -v '^\s*Compiling ' || true
wheel=$(ls "$work"/wheels/qunce-*.whl)
echo "[wheel] built $wheel ($(du -k "$wheel" | cut -f1) KiB)"

echo "[wheel] pip install into a fresh venv $work/venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
export PATH="$work/venv/bin:$PATH"
hash -r
echo "[wheel] qunce on PATH: $(command -v qunce)"
bin=$(command -v qunce)
real=$(readlink -f "$bin")
echo "[wheel] binary size: $(stat -c %s "$real") bytes"
qunce --version

cd "$work"
echo "[wheel] qunce init site --title 'Wheel handbook' --base-url https://handbook.qunce.test/docs"
qunce init site --title "Wheel handbook" --base-url https://handbook.qunce.test/docs
echo "[wheel] qunce --root site build"
qunce --root site build
test -f site/public/index.html
grep -q "<title>Wheel handbook</title>" site/public/index.html
echo "[wheel] ok: $(find site/public -type f | wc -l) files in $work/site/public (repo: $repo)"
