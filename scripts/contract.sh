#!/usr/bin/env bash
# Writes the engine↔page contract from the engine's Rust types: the TypeScript types in
# www/src/contract/ and, when a wasm build is there, the wasm exports' declarations in
# www/src/engine/worker/wasm-api.ts (see ARCHITECTURE.md). Commit what changes.
set -euo pipefail
cd "$(dirname "$0")/.."
BRASA_WRITE_CONTRACT=1 cargo test --quiet --test contract
echo "==> wrote www/src/contract/"
if [ -f www/public/wasm/threads/brasa.d.ts ]; then
  npx tsx scripts/wasm-api.ts
else
  echo "    (no wasm build: run \`npm run build:wasm\` then \`npm run contract\` to update wasm-api.ts)"
fi
