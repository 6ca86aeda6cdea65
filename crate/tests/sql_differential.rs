//! Brasa's SQL against DuckDB's answers for the same queries on the same data
//! (`tests/fixtures/sql`, made by `make_sql_fixtures.py`). Rows are compared in order when
//! the query orders them, as multisets otherwise; floats to a relative 1e-9.
#![cfg(not(target_arch = "wasm32"))]

mod answers;

use std::path::PathBuf;

use answers::{assert_no_failures, json_cell, same_with};
use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::Catalog;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sql")
}

/// The fixture tables, each cut into `partitions` partitions (0: as the reader made them).
/// Below 64 partitions the tables keep their string columns' codes as a loaded table in
/// the page does (`Table::with_key_codes`); at 64 they do not, so both ways of coding
/// keys give DuckDB's answers.
///
/// With `compact`, their low-cardinality string columns are stored compact (as a large
/// table's are, `frame::compact`) whatever their size.
fn catalog_stored(partitions: usize, compact: bool) -> Catalog {
    let mut catalog = Catalog::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    for (name, path) in [
        ("t", root.join("www/public/sample/telecom.csv")),
        ("customers", fixtures().join("customers.csv")),
        ("orders", fixtures().join("orders.csv")),
    ] {
        let bytes = std::fs::read(&path).unwrap();
        let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
        let table = if partitions > 0 {
            table.repartition(partitions).unwrap()
        } else {
            table
        };
        let table = if compact {
            table.compacted().unwrap()
        } else if partitions < 64 {
            table.with_key_codes()
        } else {
            table
        };
        // `orders` has no string column of few values to store compact.
        assert_eq!(table.is_compact(), compact && name != "orders", "{name}");
        catalog.register(name, table, false).unwrap();
    }
    catalog
}

/// DuckDB computes in another order: floats to a relative 1e-9 (absolute near zero).
fn same(ours: &Value, theirs: &Value) -> bool {
    same_with(ours, theirs, &|a, b| {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    })
}

fn rows_match(ours: &[Vec<Value>], theirs: &[Vec<Value>]) -> bool {
    ours.len() == theirs.len()
        && ours
            .iter()
            .zip(theirs)
            .all(|(a, b)| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)))
}

/// Rows sorted by a text key in which numbers are rounded, so float noise does not
/// reorder rows that compare equal.
fn sorted(rows: &[Vec<Value>]) -> Vec<Vec<Value>> {
    let key = |row: &Vec<Value>| -> String {
        row.iter()
            .map(|v| match v {
                Value::Number(n) => format!("{:.6e}", n.as_f64().unwrap()),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\u{1}")
    };
    let mut rows = rows.to_vec();
    rows.sort_by_key(key);
    rows
}

#[test]
fn queries_match_duckdb() {
    check_queries(0);
}

/// The same answers whatever the partitioning: merges of partial aggregates, sorted runs
/// and join probes across many partitions (some smaller than a group).
#[test]
fn queries_match_duckdb_on_many_partitions() {
    check_queries(7);
    check_queries(64);
}

/// The same answers from tables whose string columns are stored compact.
#[test]
fn queries_match_duckdb_on_compact_tables() {
    check_queries_stored(0, true);
    check_queries_stored(7, true);
}

fn check_queries(partitions: usize) {
    check_queries_stored(partitions, false);
}

fn check_queries_stored(partitions: usize, compact: bool) {
    let spec: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("queries.json")).unwrap()).unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("expected.json")).unwrap()).unwrap();
    let mut catalog = catalog_stored(partitions, compact);
    let ctx = JobContext::default();
    for setup in spec["setup"].as_array().unwrap() {
        run_sql(&mut catalog, setup.as_str().unwrap(), &ctx).unwrap();
    }
    let mut failures = Vec::new();
    let queries = spec["queries"].as_array().unwrap();
    assert!(queries.len() >= 60);
    for query in queries {
        let name = query["name"].as_str().unwrap();
        let sql = query["sql"].as_str().unwrap();
        let want = &expected[name];
        let table = match run_sql(&mut catalog, sql, &ctx) {
            Ok(SqlOutput::Rows(table)) => table,
            Ok(other) => {
                failures.push(format!("{name}: expected rows, got {other:?}"));
                continue;
            }
            Err(e) => {
                failures.push(format!(
                    "{name}: {} ({:?})\n    {sql}",
                    e.message(),
                    e.code()
                ));
                continue;
            }
        };
        let width = table.schema().fields().len();
        if width != want["columns"].as_u64().unwrap() as usize {
            failures.push(format!(
                "{name}: {width} columns, DuckDB has {}",
                want["columns"]
            ));
            continue;
        }
        let mut ours = Vec::new();
        for batch in table.partitions().unwrap().iter() {
            for i in 0..batch.num_rows() {
                ours.push(
                    batch
                        .columns()
                        .iter()
                        .map(|c| json_cell(c, i))
                        .collect::<Vec<_>>(),
                );
            }
        }
        let theirs: Vec<Vec<Value>> = want["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().clone())
            .collect();
        let ordered = query["ordered"].as_bool().unwrap_or(false);
        let matched = if ordered {
            rows_match(&ours, &theirs)
        } else {
            rows_match(&sorted(&ours), &sorted(&theirs))
        };
        if !matched {
            let show = |rows: &[Vec<Value>]| {
                rows.iter()
                    .take(6)
                    .map(|r| serde_json::to_string(r).unwrap())
                    .collect::<Vec<_>>()
                    .join("\n      ")
            };
            failures.push(format!(
                "{name}: {} rows, DuckDB {} rows\n    {sql}\n    ours:\n      {}\n    duckdb:\n      {}",
                ours.len(),
                theirs.len(),
                show(&if ordered { ours.clone() } else { sorted(&ours) }),
                show(&if ordered { theirs.clone() } else { sorted(&theirs) })
            ));
        }
    }
    assert_no_failures(&failures, queries.len(), "queries", "DuckDB", partitions);
}
