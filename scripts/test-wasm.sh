#!/usr/bin/env bash
# The wasm API in headless Chromium, threads build, pool of 2 (wasm-pack test).
set -euo pipefail
source "$(dirname "$0")/wasm-env.sh"
cd "$BRASA_ROOT"
# The library's own unit tests link libtest, so it is rebuilt with atomics too.
BRASA_BUILD_STD=panic_abort,std,test with_threads_env \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver crate --test web
