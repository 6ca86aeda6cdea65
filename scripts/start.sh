#!/usr/bin/env bash
# Sets up what is missing, builds, and serves the app with the headers it needs
# (COOP/COEP for threads, a strict CSP). PORT=... to change the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
port="${PORT:-4173}"
echo
echo "==> Brasa is at http://localhost:$port/  (Ctrl+C to stop)"
exec npx vite preview --config www/vite.config.ts --host 127.0.0.1 --port "$port" --strictPort
