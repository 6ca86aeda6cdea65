#!/usr/bin/env bash
# Fuzzes the engine's input surfaces with cargo-fuzz (libFuzzer, nightly toolchain):
#   csv      the CSV reader as the page drives it, loaded in chunks and in one piece
#   json     the JSON reader, read ahead in chunks and small pieces against read at the end
#   parquet  the Parquet reader
#   sql      parse, plan, optimise and run against a small catalog, on a 2 MB stack
# Usage: scripts/fuzz.sh [seconds per target] [target...]    (default: 20 s, all four)
#
# Seeds are the repository's fixtures and the hostile corpus; the corpus libFuzzer grows
# and any crash it finds are kept outside the clone, in $BRASA_FUZZ_DIR (default
# $CARGO_TARGET_DIR/fuzz-corpus). A crash fails the script and prints the command that
# reproduces it; add the input to tests/hostile/ once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(csv json parquet sql)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
work="${BRASA_FUZZ_DIR:-$CARGO_TARGET_DIR/../fuzz-corpus}"
mkdir -p "$work"

# Seeds: files as they are (CSV inputs get the three bytes the target reads first: two of
# options, all zero for the defaults, and the chunk size).
seed() {
  local target="$1" dir="$work/seeds-$1"
  rm -rf "$dir" && mkdir -p "$dir"
  case "$target" in
    csv)
      for f in tests/fixtures/csv/*.csv tests/fixtures/sql/*.csv tests/hostile/csv/*.csv tests/hostile/train/*.csv; do
        { printf '\000\000\377'; head -c 65536 "$f"; } > "$dir/$(basename "$f")"
      done ;;
    json)
      # The three bytes the target reads first: options, chunk size and piece size.
      for f in tests/fixtures/json/*.json* tests/hostile/json/*; do
        { printf '\000\037\010'; head -c 65536 "$f"; } > "$dir/$(basename "$f")"
      done ;;
    parquet)
      cp tests/fixtures/parquet/*.parquet tests/hostile/parquet/*.parquet "$dir/" ;;
    sql)
      python3 - "$dir" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
queries = [q["sql"] for q in json.load(open("tests/fixtures/sql/queries.json"))["queries"]]
queries += [e["sql"] for e in json.load(open("tests/hostile/manifest.json")) if e["kind"] == "sql" and "sql" in e]
for i, sql in enumerate(queries):
    # The fuzz catalog's tables are t and u.
    (out / f"q{i:03}.sql").write_text(sql.replace("customers", "t").replace("orders", "u"))
PY
      ;;
  esac
}

# -timeout=60: an input taking longer counts as a finding; -report_slow_units=60 keeps
# libFuzzer from writing a "slow unit" finding for one between its default 10 s and that.
# Sanitizers and debug assertions make the reader ~20x slower than release: the slowest
# known inputs (corrupt page headers whose thrift fields the parquet crate skips byte by
# byte, zeroing its buffer on every read) take 1.5 s in release and 30–100 s here on a
# loaded 2-core machine.
status=0
for target in "${targets[@]}"; do
  seed "$target"
  # Each run's findings in their own folder: earlier ones stay for reading, but only
  # what this run found fails it.
  artifacts="$work/artifacts-$target/$(date -u +%Y%m%dT%H%M%S)"
  mkdir -p "$work/$target" "$artifacts"
  extra=()
  [ "$target" = sql ] && extra+=("-dict=$PWD/crate/fuzz/sql.dict")
  echo "==> fuzzing $target for ${seconds}s"
  # The whole output goes to a log; the summary lines are printed, and on a failure the
  # log's tail too (a build that fails, a full disk or a killed fuzzer says why there).
  log="$artifacts.log"
  if ! (cd crate && cargo +nightly fuzz run --release --debug-assertions "$target" \
      "$work/$target" "$work/seeds-$target" -- \
      -max_total_time="$seconds" -timeout=60 -report_slow_units=60 -rss_limit_mb=4096 -max_len=131072 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "${extra[@]}") > "$log" 2>&1; then
    status=1
    echo "!! fuzzing $target failed; the end of $log:"
    tail -n 40 "$log"
  fi
  grep -E "^(#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|thread .* panicked|SUMMARY|.*Test unit written|Running:)" "$log" || true
  if [ -n "$(ls -A "$artifacts")" ]; then
    echo "!! $target found inputs that crash the engine (or take over 60 s), in $artifacts:"
    ls -l "$artifacts"
    echo "   reproduce: (cd crate && cargo +nightly fuzz run $target <file>)"
    status=1
  fi
done
exit $status
