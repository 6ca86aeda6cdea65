"""Native DuckDB's `read_json` on the page suite's JSON lines, for BENCHMARKS.md.

    cargo run --release --bin brasa-datagen -- --rows 1000000 --out /tmp/dg --format json
    /root/.cache/brasa/venv/bin/python tests/bench/duckdb_json_reference.py /tmp/dg/telecom_1000000.json

DuckDB-WASM's `read_json` cannot run offline (its json extension is fetched from
extensions.duckdb.org: BENCHMARKS.md, "JSON lines: a shape scan ..."), so the same
engine's native build stands in for it, beside Brasa's native `cargo bench --bench
json_load` on the same file: both sides natively, 1 and 2 threads. Prints the median of
5 timed loads after a warm-up, each into a new in-memory database, and the schema DuckDB
inferred (it samples the first 20,480 records for the schema and parses dates and
timestamps, where Spark, and so Brasa, infer from every record and keep them strings).
"""

import statistics
import sys
import time

import duckdb


def main() -> None:
    path = sys.argv[1]
    for threads in (1, 2):
        times = []
        for run in range(6):
            con = duckdb.connect()
            con.execute(f"SET threads={threads}")
            start = time.perf_counter()
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_json('{path}', format='newline_delimited')")
            times.append((time.perf_counter() - start) * 1000)
            if run == 0 and threads == 1:
                print("schema:", ", ".join(f"{name} {kind}" for name, kind, *_ in con.execute("DESCRIBE t").fetchall()))
                print("rows:", con.execute("SELECT count(*) FROM t").fetchone()[0])
            con.close()
        timed = times[1:]
        print(
            f"DuckDB {duckdb.__version__} read_json, {threads} thread(s): median {statistics.median(timed):.0f} ms "
            f"(min {min(timed):.0f}, max {max(timed):.0f})"
        )


if __name__ == "__main__":
    main()
