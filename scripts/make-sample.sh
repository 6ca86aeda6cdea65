#!/usr/bin/env bash
# Regenerates the bundled sample dataset (www/public/sample/telecom.csv, committed).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --bin brasa-datagen -- \
  --rows 5000 --seed 7 --format csv --name telecom --out www/public/sample
