#!/usr/bin/env bash
# Runs every test layer: static checks, the engine natively (cargo test, the hostile-input
# corpus included), a short fuzzing run per input surface (cargo fuzz), the wasm API in
# headless Chromium with 2 threads (wasm-bindgen-test-runner), the tracking modules against MLflow
# and PySpark (node --test), and the app end to end (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo; echo "==> $*"; }

bash scripts/setup.sh --tests

# The builds (native, wasm twice, fuzz) need room: a linker on a full disk fails in ways
# that are hard to read, so say it first.
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p "$target_dir"
free_gib=$(( $(df -Pk "$target_dir" | awk 'NR==2 {print $4}') / 1048576 ))
if [ "$free_gib" -lt 15 ]; then
  echo "!! only ${free_gib} GiB free where the builds go ($target_dir); a cold run needs about 20 GiB"
fi

step "checks: rustfmt, clippy (native and wasm), the engine↔page contract, layering, tsc"
cargo fmt --all --check
(cd crate/fuzz && cargo fmt --check)
cargo clippy --quiet --workspace --all-targets -- -D warnings
(source scripts/wasm-env.sh && with_st_env cargo clippy --quiet --target wasm32-unknown-unknown \
  --lib -p brasa --no-default-features -- -D warnings)
cargo test --quiet --test contract
python3 scripts/check_imports.py
npx tsc --noEmit -p .

step "engine tests (cargo test)"
cargo test --quiet --workspace

if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
  step "fuzzing the CSV and Parquet readers and the SQL front end (${FUZZ_SECONDS:-20} s each)"
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
fi

step "tracking unit tests: search syntax, export round trip, mlruns/ read by MLflow, PySpark script"
npm run --silent test:unit

step "building the app"
bash scripts/build.sh
npx tsx scripts/wasm-api.ts --check

step "wasm API in headless Chromium, threads on (cargo test --target wasm32 --test web)"
bash scripts/test-wasm.sh

step "end-to-end tests in Chromium (Playwright)"
npm run --silent test:e2e
