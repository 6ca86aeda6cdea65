#!/usr/bin/env bash
# Builds both wasm flavours of the engine into www/public/wasm/{threads,st}.
# Usage: scripts/build-wasm.sh [threads|st]...   (default: both)
#
# cargo builds the module, wasm-bindgen (the CLI at the crate's exact version) writes the
# JS glue and drops the name section (a third of the file). No wasm-opt: Debian's
# binaryen (v108) corrupts the reference-type tables wasm-bindgen 0.2.130 emits, and the
# npm binaryen (v132) takes ~4 minutes per flavour for about 1% less gzip.
set -euo pipefail
source "$(dirname "$0")/wasm-env.sh"
cd "$BRASA_ROOT"

flavours=("$@")
[ ${#flavours[@]} -eq 0 ] && flavours=(threads st)

for flavour in "${flavours[@]}"; do
  out="$BRASA_ROOT/www/public/wasm/$flavour"
  echo "==> building the $flavour wasm flavour"
  case "$flavour" in
    threads)
      with_threads_env cargo build --quiet --lib --release --target wasm32-unknown-unknown -p brasa
      target_dir="$BRASA_TARGET/wasm-threads"
      ;;
    st)
      with_st_env cargo build --quiet --lib --release --target wasm32-unknown-unknown \
        -p brasa --no-default-features
      target_dir="$BRASA_TARGET/wasm-st"
      ;;
    *) echo "unknown flavour $flavour (threads|st)" >&2; exit 2 ;;
  esac
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name brasa \
    --remove-name-section --remove-producers-section \
    "$target_dir/wasm32-unknown-unknown/release/brasa.wasm"
  echo "    $(du -h "$out/brasa_bg.wasm" | cut -f1) raw, $(gzip -c "$out/brasa_bg.wasm" | wc -c | numfmt --to=iec) gzip: $out/brasa_bg.wasm"
done
