#!/usr/bin/env bash
# Benchmarks (figures only, never a failure on timing):
#  1. natively (cargo bench): the CSV decoder against arrow-csv, the SQL queries, the
#     profile and cleaning pipeline, the training grids, KMeans (against scikit-learn
#     from the same centres) and the tree ensembles (against LightGBM and scikit-learn's
#     RandomForest on the same rows), at 1 thread and 2;
#  2. the benchmark suite in the page (tests/bench/suite.bench.ts): load, profile, SQL,
#     cleaning and the CV grids (LinearRegression, LogisticRegression) at 1 and 2 threads on
#     each row count, next to DuckDB-WASM, pandas, scikit-learn and PySpark in the same
#     run, plus download sizes and time to first interaction; one table in
#     target/bench-results/suite.{json,md}.
# Data is generated into $BRASA_BENCH_DATA (default target/bench-data), not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${BENCH_ROWS:-100000 1000000}"
data="${BRASA_BENCH_DATA:-${CARGO_TARGET_DIR:-$PWD/target}/bench-data}"

bash scripts/setup.sh --tests
bash scripts/build.sh

# The references in Python (pandas, scikit-learn, PySpark) run in the venv that
# `setup.sh --tests` made for the tracking tests; scikit-learn, LightGBM, pandas and pyarrow
# join it.
export BRASA_PYTHON="${BRASA_VENV:-$HOME/.cache/brasa/venv}/bin/python"
if ! "$BRASA_PYTHON" -c "import sklearn, lightgbm, pandas, pyarrow, threadpoolctl" 2>/dev/null; then
  echo "==> installing scikit-learn, LightGBM, pandas and pyarrow into the venv for the reference side"
  PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/brasa/pip}" "$BRASA_PYTHON" -m pip install --quiet \
    "scikit-learn==1.9.1" "lightgbm==4.7.0" numpy pandas pyarrow threadpoolctl
fi

# Up to 1M rows, the gzip- and bzip2-compressed CSV, JSON lines, the same records as one
# JSON array and a 10-file Parquet folder too (the load benchmarks of the other formats;
# 10M rows of JSON would be 2.6 GB).
for n in $rows; do
  formats=csv,parquet
  [ "$n" -le 1000000 ] && formats=csv,parquet,csv.gz,csv.bz2,json,json-array,parquet-folder
  if [ ! -f "$data/telecom_$n.csv" ] || [ ! -f "$data/telecom_$n.parquet" ] || { [ "$n" -le 1000000 ] && { [ ! -f "$data/telecom_$n.array.json" ] || [ ! -f "$data/telecom_$n.csv.bz2" ] || [ ! -d "$data/telecom_${n}_folder" ]; }; }; then
    echo "==> generating $n rows ($formats) into $data"
    cargo run --quiet --release --bin brasa-datagen -- --rows "$n" --out "$data" --format "$formats"
  fi
done

echo "==> natively: CSV decoding (Brasa vs arrow-csv), a Parquet folder vs one file, SQL, profile and cleaning, training grids, KMeans"
for bench in csv_load json_load parquet_folder sql_queries clean_profile train_grid logistic_grid kmeans trees; do
  cargo bench --quiet --bench "$bench" 2>&1 | grep -E "^[a-z_0-9]+/|time:|thrpt:|^data:|threads:" | grep -v "change:" || true
done
echo "==> KMeans in scikit-learn from the same initial centres (KMeans(n_init=1), 1 and 2 threads)"
"$BRASA_PYTHON" tests/bench/kmeans_reference.py "${BENCH_RUNS:-5}"
if [ -f "$data/telecom_1000000.csv" ]; then
  echo "==> the tree ensembles in LightGBM and scikit-learn on the same rows (1 and 2 threads)"
  "$BRASA_PYTHON" tests/bench/trees_reference.py "$data/telecom_1000000.csv" "${BENCH_RUNS:-3}"
  if [ "${BENCH_PYSPARK:-1}" != 0 ]; then
    echo "==> the tree ensembles in PySpark local[2] (one run each; BENCH_PYSPARK=0 skips it)"
    "$BRASA_PYTHON" tests/bench/trees_pyspark.py "$data/telecom_1000000.csv" 1
  fi
fi

if [ -f "$data/telecom_1000000.csv" ]; then
  echo "==> the SQL queries on the single-thread wasm build in Node (no browser)"
  npx tsx tests/bench/sql-wasm-node.bench.ts "$data/telecom_1000000.csv" "${BENCH_RUNS:-5}"
fi

echo "==> the suite in the page, next to DuckDB-WASM, pandas and scikit-learn"
npx vite build --logLevel warn --config tests/bench/duckdb/vite.config.ts
npx tsx tests/bench/suite.bench.ts "$data" "${rows// /,}" "${BENCH_RUNS:-5}"
