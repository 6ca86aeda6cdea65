//! The Hive-partitioned Parquet folder Brasa downloads (*Download partitioned Parquet
//! (zip)*, `write_partitioned`), read back by PySpark (`spark.read.parquet(folder)`) and
//! DuckDB (`read_parquet('folder/**/*.parquet', hive_partitioning = true)`): the same rows,
//! and the partition columns typed as Spark infers them from the folder names Brasa wrote
//! (`year=2024` an int, `amount=7.0` a double, escaped and NULL values read back as they
//! were). The table is Spark's own `tests/fixtures/hive/sales` as Brasa reads it.
//!
//! Both readers run in one Python process (one JVM start) from the venv of
//! `scripts/setup.sh --tests` (`$BRASA_PYTHON` overrides it), through
//! `tests/fixtures/hive/check_hive_download.py`. Without that venv the test says so and
//! passes, except in CI (`CI` set), where the venv is always installed and it fails.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::Array;
use arrow_schema::DataType;
use brasa::frame::spark_type_name;
use brasa::io::hive::{read_folder, write_partitioned, FolderOptions};
use brasa::Table;
use serde_json::{json, Value};

mod folders;
use folders::files_under;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The venv's Python, or None (with the reason printed) when it is not installed.
fn python() -> Option<PathBuf> {
    let path = std::env::var_os("BRASA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/brasa/venv/bin/python")
        });
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: run scripts/setup.sh --tests",
        path.display()
    );
    eprintln!(
        "skipped: {} is missing (scripts/setup.sh --tests installs PySpark and DuckDB there)",
        path.display()
    );
    None
}

/// Spark's `sales` folder, read as the page reads a dropped folder.
fn sales() -> Table {
    let folder = root().join("tests/fixtures/hive/sales");
    let files: Vec<(String, Vec<u8>)> = files_under(&folder)
        .into_iter()
        .map(|(name, path)| (name, std::fs::read(path).unwrap()))
        .collect();
    read_folder(files, &FolderOptions::default()).unwrap().0
}

/// Writes `table` partitioned by `columns` under `folder`, as the download's zip holds it.
fn download(table: &Table, columns: &[&str], folder: &Path) {
    let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
    for file in write_partitioned(table, &columns).unwrap() {
        let path = folder.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, file.bytes).unwrap();
    }
}

fn cell(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Int32 => json!(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => json!(array.as_string::<i32>().value(row)),
        other => panic!("no cell format for {other}"),
    }
}

/// The table's rows sorted by `id`, with its columns in `order`.
fn rows_in_order(table: &Table, order: &[&str]) -> Vec<Vec<Value>> {
    let schema = table.schema();
    let mut rows = Vec::new();
    for batch in table.partitions().unwrap().iter() {
        for row in 0..batch.num_rows() {
            rows.push(
                order
                    .iter()
                    .map(|name| cell(batch.column(schema.index_of(name).unwrap()).as_ref(), row))
                    .collect::<Vec<_>>(),
            );
        }
    }
    rows.sort_by_key(|r| r[0].as_i64());
    rows
}

fn pairs(value: &Value) -> Vec<(String, String)> {
    serde_json::from_value(value.clone()).unwrap()
}

#[test]
fn spark_and_duckdb_read_the_download_back() {
    let Some(python) = python() else { return };
    let table = sales();
    let types: Vec<(String, String)> = table
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), spark_type_name(f.data_type())))
        .collect();
    assert_eq!(types.len(), 5, "{types:?}");
    let temp = std::env::temp_dir().join(format!("brasa-hive-download-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temp);
    // Partitioned by two columns in the order ticked (a string with NULL, `/` and a space;
    // an int), and by a double (Java's `7.0`, so Spark infers a double, not an int).
    let cases: [(&str, &[&str]); 2] = [
        ("by_region_year", &["region", "year"]),
        ("by_amount", &["amount"]),
    ];
    for (name, columns) in cases {
        download(&table, columns, &temp.join(name));
    }
    let output = Command::new(&python)
        .arg(root().join("tests/fixtures/hive/check_hive_download.py"))
        .args(cases.iter().map(|(name, _)| temp.join(name)))
        .output()
        .expect("runs the venv's Python");
    assert!(
        output.status.success(),
        "check_hive_download.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).expect("JSON from the script");
    for (name, columns) in cases {
        let read = &seen[temp.join(name).to_string_lossy().as_ref()];
        // Spark's order: the files' columns, then the partition columns as the folders nest.
        let mut order: Vec<&str> = types
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !columns.contains(n))
            .collect();
        order.extend(columns);
        let expected_types: Vec<(String, String)> = order
            .iter()
            .map(|n| types.iter().find(|(t, _)| t == n).unwrap().clone())
            .collect();
        let expected_rows = rows_in_order(&table, &order);
        assert_eq!(
            pairs(&read["spark"]["schema"]),
            expected_types,
            "{name}: Spark's schema"
        );
        let spark_rows: Vec<Vec<Value>> =
            serde_json::from_value(read["spark"]["rows"].clone()).unwrap();
        assert_eq!(spark_rows, expected_rows, "{name}: Spark's rows");
        // DuckDB: the same columns in the same order, and the same values; but its
        // `hive_types_autocast` infers only integers, dates and timestamps from folder
        // names, so a double partition column is text there (`7.0`, as Brasa wrote it;
        // `hive_types = {'amount': 'DOUBLE'}` reads it as a double).
        let duck = pairs(&read["duckdb"]["schema"]);
        assert_eq!(
            duck.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            order,
            "{name}: DuckDB's columns"
        );
        let as_text = |column: &str| {
            columns.contains(&column) && types.iter().any(|(n, t)| n == column && t == "double")
        };
        for (column, kind) in &duck {
            let spark = &expected_types.iter().find(|(n, _)| n == column).unwrap().1;
            let same = matches!(
                (spark.as_str(), kind.as_str()),
                ("int", "INTEGER" | "BIGINT") | ("double", "DOUBLE") | ("string", "VARCHAR")
            ) || (as_text(column) && kind == "VARCHAR");
            assert!(
                same,
                "{name}: DuckDB reads {column} as {kind}, Spark as {spark}"
            );
        }
        let duck_expected: Vec<Vec<Value>> = expected_rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&order)
                    .map(|(value, column)| match value.as_f64() {
                        Some(v) if as_text(column) => json!(format!("{v:?}")),
                        _ => value.clone(),
                    })
                    .collect()
            })
            .collect();
        let duck_rows: Vec<Vec<Value>> =
            serde_json::from_value(read["duckdb"]["rows"].clone()).unwrap();
        assert_eq!(duck_rows, duck_expected, "{name}: DuckDB's rows");
    }
    let _ = std::fs::remove_dir_all(&temp);
}
