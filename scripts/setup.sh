#!/usr/bin/env bash
# Installs what building and running Brasa needs, and skips what is there: Debian's
# clang/llvm (zstd's C code), the nightly rust-src and wasm32 targets, wasm-bindgen-cli at
# the exact version of the wasm-bindgen crate in Cargo.lock, and the npm packages.
#
# `setup.sh --tests` (what `npm test` runs) also installs what only the tests need:
# Chromium + ChromeDriver (browser tests), Java and a Python venv with MLflow and PySpark
# (reference tools), cargo-fuzz, rustfmt and clippy.
set -euo pipefail
cd "$(dirname "$0")/.."

for_tests=false
[ "${1:-}" = "--tests" ] && for_tests=true

step() { echo "==> $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v clang >/dev/null || missing+=(clang)
command -v llvm-ar >/dev/null || missing+=(llvm)
command -v ld.lld >/dev/null || missing+=(lld)
if $for_tests; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# RUSTUP_AUTO_INSTALL=0 on these machines: components must be added explicitly.
installed_targets() { rustup target list --installed --toolchain "$1" 2>/dev/null; }
if ! rustup toolchain list | grep -q '^nightly'; then
  step "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! rustup component list --installed --toolchain nightly 2>/dev/null | grep -q '^rust-src'; then
  step "adding rust-src to nightly"
  rustup component add rust-src --toolchain nightly
fi
for toolchain in nightly stable; do
  if ! installed_targets "$toolchain" | grep -q '^wasm32-unknown-unknown$'; then
    step "adding the wasm32 target to $toolchain"
    rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
  fi
done
bindgen_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]; then
  step "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  cargo install --quiet --force wasm-bindgen-cli --version "$bindgen_version"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

$for_tests || exit 0

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
if ! command -v cargo-fuzz >/dev/null; then
  step "installing cargo-fuzz (a few minutes, once; the fuzz smoke run needs it)"
  cargo install --quiet --locked cargo-fuzz --version 0.13.2
fi

# MLflow reads the mlruns/ export and PySpark runs the exported job in the tracking tests.
# The venv and pip's downloads live outside the clone, so CI installs them once.
venv="${BRASA_VENV:-$HOME/.cache/brasa/venv}"
requirements=tests/tracking/requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/brasa-requirements.txt"; then
  step "installing MLflow and PySpark into $venv (a few minutes, once)"
  python3 -m venv "$venv"
  PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/brasa/pip}" "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/brasa-requirements.txt"
fi
