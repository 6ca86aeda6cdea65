//! Statements that write tables — `CREATE TABLE` with columns, `INSERT INTO`, `INSERT
//! OVERWRITE` — against Spark's own answers (PySpark 4 in local mode, its managed Parquet
//! tables): `tests/fixtures/sql/spark_table_writes_expected.json`, made by
//! `make_spark_table_write_fixtures.py`. Each script runs in a fresh catalog holding the
//! fixture's view as a table of 1 and of 3 partitions; the last statement's column types
//! and rows must be Spark's, and where Spark refused a statement, Brasa must too.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use brasa::job::JobContext;
use brasa::sql::{query, run_sql, SqlOutput};
use serde_json::Value;

mod answers;
use answers::{assert_no_failures, case_failure, catalog, json_cell, run_rows, same};

/// Scripts whose answer Brasa gives differently on purpose, and why. Brasa must still
/// fail on them rather than answer something else.
const DELIBERATE: &[(&str, &str)] = &[(
    "CREATE TABLE p (a INT, b INT) USING parquet PARTITIONED BY (b)",
    "Brasa's tables are in memory and unpartitioned; Spark moves partition columns last, \
     which a user who drops the clause would not expect, so it is refused",
)];

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql/spark_table_writes_expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn check(partitions: usize) {
    let spec = expected();
    let setup = spec["setup"][0].as_str().unwrap();
    let cases = spec["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let script = case["sql"].as_str().unwrap();
        let mut catalog = catalog(setup, "src", partitions);
        let ours = run_rows(&mut catalog, script, json_cell);
        if DELIBERATE.iter().any(|(s, _)| *s == script) {
            if ours.is_ok() {
                failures.push(format!(
                    "{script}\n    a deliberate difference, but Brasa answers"
                ));
            }
            continue;
        }
        let same_row = |ours: &[Value], theirs: &Value| same(&Value::Array(ours.to_vec()), theirs);
        failures.extend(case_failure(script, ours, case, &same_row));
    }
    assert_no_failures(&failures, cases.len(), "scripts", "Spark", partitions);
}

/// Every script listed as a deliberate difference is still in the fixture.
#[test]
fn deliberate_differences_are_in_the_fixture() {
    answers::assert_listed_in_fixture(&expected(), "sql", DELIBERATE);
}

#[test]
fn table_writes_match_spark_on_one_partition() {
    check(1);
}

#[test]
fn table_writes_match_spark_on_three_partitions() {
    check(3);
}

/// A failed INSERT leaves the table as it was: the rows before it, none of its own.
#[test]
fn a_failed_insert_writes_nothing() {
    let ctx = JobContext::default();
    let mut catalog = brasa::Catalog::new();
    run_sql(&mut catalog, "CREATE TABLE t (a INT, b TINYINT)", &ctx).unwrap();
    run_sql(&mut catalog, "INSERT INTO t VALUES (1, 1), (2, 2)", &ctx).unwrap();
    // The second row's 300 does not fit a TINYINT: the statement fails as a whole.
    let error = run_sql(&mut catalog, "INSERT INTO t VALUES (3, 3), (4, 300)", &ctx).unwrap_err();
    assert!(
        error.message().contains("CAST_OVERFLOW_IN_TABLE_INSERT"),
        "{error}"
    );
    let rows = query(&catalog, "SELECT count(*) FROM t", &ctx).unwrap();
    let count = rows.partitions().unwrap()[0].column(0).clone();
    assert_eq!(json_cell(&count, 0), Value::from(2));
}

/// Many one-row VALUES make few partitions, not one per row.
#[test]
fn inserted_rows_are_gathered_into_few_partitions() {
    let ctx = JobContext::default();
    let mut catalog = brasa::Catalog::new();
    run_sql(&mut catalog, "CREATE TABLE t (a INT)", &ctx).unwrap();
    let values: Vec<String> = (0..500).map(|i| format!("({i})")).collect();
    let insert = format!("INSERT INTO t VALUES {}", values.join(", "));
    let done = run_sql(&mut catalog, &insert, &ctx).unwrap();
    assert!(
        matches!(done, SqlOutput::Done(ref m) if m.contains("500 rows added")),
        "{done:?}"
    );
    let table = catalog.get("t").unwrap();
    assert_eq!(table.num_rows(), 500);
    assert_eq!(table.num_partitions(), 1);
}

/// An INSERT into a loaded table whose column the file gave as never NULL takes a NULL.
#[test]
fn a_column_given_as_never_null_takes_inserted_nulls() {
    let ctx = JobContext::default();
    let mut catalog = brasa::Catalog::new();
    // count(*) is never NULL in the table CREATE TABLE ... AS makes.
    run_sql(
        &mut catalog,
        "CREATE TABLE t AS SELECT count(*) AS n FROM range(3)",
        &ctx,
    )
    .unwrap();
    run_sql(&mut catalog, "INSERT INTO t VALUES (NULL)", &ctx).unwrap();
    let rows = query(&catalog, "SELECT count(*), count(n) FROM t", &ctx).unwrap();
    let batch = &rows.partitions().unwrap()[0];
    assert_eq!(json_cell(batch.column(0), 0), Value::from(2));
    assert_eq!(json_cell(batch.column(1), 0), Value::from(1));
}

/// The catalog counts its changes, so the page learns that a run changed it whatever the
/// run's last statement: a query after an INSERT, or an error after one.
#[test]
fn the_catalog_counts_changes_whatever_a_run_ends_with() {
    let ctx = JobContext::default();
    let mut catalog = brasa::Catalog::new();
    run_sql(&mut catalog, "CREATE TABLE t (a INT)", &ctx).unwrap();
    let before = catalog.changes();
    run_sql(&mut catalog, "SELECT * FROM t", &ctx).unwrap();
    assert_eq!(catalog.changes(), before, "a query changes nothing");
    run_sql(
        &mut catalog,
        "INSERT INTO t VALUES (1); SELECT * FROM t",
        &ctx,
    )
    .unwrap();
    let after_insert = catalog.changes();
    assert_ne!(after_insert, before);
    run_sql(
        &mut catalog,
        "INSERT INTO t VALUES (2); SELECT * FROM nosuch",
        &ctx,
    )
    .unwrap_err();
    assert_ne!(
        catalog.changes(),
        after_insert,
        "the INSERT before the error counts"
    );
    run_sql(&mut catalog, "INSERT INTO t VALUES ('x')", &ctx).unwrap_err();
    assert_eq!(catalog.get("t").unwrap().num_rows(), 2);
}
