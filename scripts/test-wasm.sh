#!/usr/bin/env bash
# The wasm API in headless Chromium, threads build, pool of 2: what `wasm-pack test
# --headless --chrome crate --test web` does, without wasm-pack's `cargo build --tests`.
# That builds every integration test for wasm32 too (about 40 binaries of 700 MB each in
# a debug build): it filled a CI machine's disk. Here only `tests/web.rs` is built, with
# no debug info (a wasm panic shows its message, not a source line). Arguments go to cargo
# test (`--release` runs the tests that need an optimised build).
set -euo pipefail
source "$(dirname "$0")/wasm-env.sh"
cd "$BRASA_ROOT/crate"
# The test harness links libtest, so it is rebuilt with atomics too. The runner reads
# webdriver.json (Chromium's flags) from this directory, where cargo runs it.
BRASA_BUILD_STD=panic_abort,std,test with_threads_env env \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  CHROMEDRIVER=/usr/bin/chromedriver \
  CARGO_PROFILE_DEV_DEBUG=false \
  cargo test --target wasm32-unknown-unknown --test web "$@"
