#!/usr/bin/env bash
# Benchmarks (figures only, never a failure on timing):
#  1. the CSV decoder natively, Brasa vs arrow-csv (cargo bench --bench csv_load);
#  2. loading a generated 1M-row CSV and Parquet in the page at 1 and 2 threads;
#  3. the issue-3 SQL queries natively (cargo bench --bench sql_queries) and in the page
#     at 1 and 2 threads next to DuckDB-WASM on the same file in the same browser;
#  4. the profile and a 4-step cleaning pipeline natively (cargo bench --bench
#     clean_profile) and in the page at 1 and 2 threads, next to pandas;
#  5. the 12-point x 5-fold training grid natively (cargo bench --bench train_grid) and in
#     the page at 1 and 2 threads, next to scikit-learn GridSearchCV and the NumPy floor.
# Data is generated into $BRASA_BENCH_DATA (default target/bench-data), not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${BENCH_ROWS:-1000000}"
data="${BRASA_BENCH_DATA:-${CARGO_TARGET_DIR:-$PWD/target}/bench-data}"

bash scripts/setup.sh
bash scripts/build.sh

# The reference side of the training benchmark is Python (tests/bench/cv_reference.py).
if ! python3 -c "import sklearn, pandas, pyarrow" 2>/dev/null; then
  echo "==> installing scikit-learn, pandas and pyarrow for the reference side"
  command -v pip3 >/dev/null || apt-get install -y python3-pip
  pip3 install --quiet --break-system-packages "scikit-learn==1.9.1" numpy pandas pyarrow
fi

echo "==> generating $rows rows into $data"
if [ ! -f "$data/telecom_$rows.csv" ] || [ ! -f "$data/telecom_$rows.parquet" ]; then
  cargo run --quiet --release --bin brasa-datagen -- --rows "$rows" --out "$data"
fi

echo "==> native CSV decoding: Brasa vs arrow-csv"
cargo bench --quiet --bench csv_load 2>&1 | grep -E "^csv_load|time:|thrpt:" | grep -v "change:" || true

echo "==> loading in the page"
npx tsx tests/bench/load.bench.ts "$data" "$rows" "${BENCH_RUNS:-5}"

echo "==> SQL natively (1M generated rows, 1 thread vs all)"
cargo bench --quiet --bench sql_queries 2>&1 | grep -E "^sql_1m|time:" | grep -v "change:" || true

echo "==> SQL in the page vs DuckDB-WASM"
npx vite build --logLevel warn --config tests/bench/duckdb/vite.config.ts
npx tsx tests/bench/sql.bench.ts "$data" "$rows" "${BENCH_RUNS:-5}"

echo "==> profile and cleaning pipeline natively (1 thread vs all)"
cargo bench --quiet --bench clean_profile 2>&1 | grep -E "^clean_1m|time:" | grep -v "change:" || true

echo "==> profile and cleaning pipeline in the page vs pandas"
npx tsx tests/bench/clean.bench.ts "$data" "$rows" "${BENCH_RUNS:-5}"

echo "==> training grid natively (12 points x 5 folds, 1 thread vs all)"
cargo bench --quiet --bench train_grid 2>&1 | grep -E "^train_1m|time:" | grep -v "change:" || true

echo "==> training grid in the page vs scikit-learn and the NumPy floor"
npx tsx tests/bench/cv.bench.ts "$data" "$rows" "${BENCH_RUNS:-5}"
