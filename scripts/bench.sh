#!/usr/bin/env bash
# Benchmarks (figures only, never a failure on timing):
#  1. natively (cargo bench): the CSV decoder against arrow-csv, the SQL queries, the
#     profile and cleaning pipeline, and the training grid, at 1 thread and all;
#  2. the benchmark suite in the page (tests/bench/suite.bench.ts): load, profile, SQL,
#     cleaning and the CV grid at 1 and 2 threads on each row count, next to DuckDB-WASM,
#     pandas and scikit-learn in the same run, plus download sizes and time to first
#     interaction; one table in target/bench-results/suite.{json,md}.
# Data is generated into $BRASA_BENCH_DATA (default target/bench-data), not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${BENCH_ROWS:-100000 1000000}"
data="${BRASA_BENCH_DATA:-${CARGO_TARGET_DIR:-$PWD/target}/bench-data}"

bash scripts/setup.sh --tests
bash scripts/build.sh

# The reference side of the cleaning and training benchmarks is Python.
if ! python3 -c "import sklearn, pandas, pyarrow" 2>/dev/null; then
  echo "==> installing scikit-learn, pandas and pyarrow for the reference side"
  command -v pip3 >/dev/null || apt-get install -y python3-pip
  pip3 install --quiet --break-system-packages "scikit-learn==1.9.1" numpy pandas pyarrow
fi

for n in $rows; do
  if [ ! -f "$data/telecom_$n.csv" ] || [ ! -f "$data/telecom_$n.parquet" ]; then
    echo "==> generating $n rows into $data"
    cargo run --quiet --release --bin brasa-datagen -- --rows "$n" --out "$data"
  fi
done

echo "==> natively: CSV decoding (Brasa vs arrow-csv), SQL, profile and cleaning, training grid"
for bench in csv_load sql_queries clean_profile train_grid; do
  cargo bench --quiet --bench "$bench" 2>&1 | grep -E "^[a-z_0-9]+/|time:|thrpt:" | grep -v "change:" || true
done

echo "==> the suite in the page, next to DuckDB-WASM, pandas and scikit-learn"
npx vite build --logLevel warn --config tests/bench/duckdb/vite.config.ts
npx tsx tests/bench/suite.bench.ts "$data" "${rows// /,}" "${BENCH_RUNS:-5}"
