#!/usr/bin/env bash
# Builds the app: both wasm flavours, then the static site in www/dist.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
echo "==> building the web app"
npx vite build --config www/vite.config.ts --logLevel warn
