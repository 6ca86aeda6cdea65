#!/usr/bin/env bash
# The wasm API in headless Chromium, threads build, pool of 2 (wasm-pack test).
set -euo pipefail
source "$(dirname "$0")/wasm-env.sh"
cd "$BRASA_ROOT"
with_threads_env wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver crate \
  --test web -- -Z build-std=panic_abort,std
