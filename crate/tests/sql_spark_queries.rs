//! Whole queries against Spark's own answers (PySpark 4 in local mode, non-ANSI, session
//! time zone UTC): `tests/fixtures/sql/spark_queries_expected.json`, made by
//! `make_spark_query_fixtures.py` — window functions and frames, Spark's implicit casts,
//! timestamps printed as strings. Every query runs with the views split into 1, 3 and 7
//! partitions; column types must be Spark's and every cell equal (floats to a relative
//! 1e-12). Where Spark raised an error, Brasa must too.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use brasa::job::JobContext;
use brasa::sql::run_sql;
use brasa::Catalog;
use serde_json::Value;

mod answers;
use answers::{assert_no_failures, case_failure, json_cell, run_rows, same};

/// Queries whose answer Brasa gives differently on purpose (or cannot give), and why.
/// Brasa must still fail on them rather than answer something else.
const DELIBERATE: &[(&str, &str)] = &[];

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql/spark_queries_expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The fixture's views, each materialised and split into `partitions`.
fn catalog(setup: &[Value], partitions: usize, compact: bool) -> Catalog {
    let mut catalog = Catalog::new();
    let ctx = JobContext::default();
    for statement in setup {
        let statement = statement.as_str().unwrap();
        let name = statement
            .split("VIEW ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_string();
        let staged = statement.replacen(&format!("VIEW {name} AS"), "VIEW staged AS", 1);
        run_sql(&mut catalog, &staged, &ctx).unwrap();
        let table = brasa::sql::query(&catalog, "SELECT * FROM staged", &ctx).unwrap();
        let table = table.repartition(partitions).unwrap();
        // Past one partition the tables keep their string columns' codes, as a loaded
        // table in the page does: both ways of coding keys must give Spark's answers.
        let table = if compact {
            // Stored compact as a large table is (`frame::compact`), whatever its size.
            table.compacted().unwrap()
        } else if partitions > 1 {
            table.with_key_codes()
        } else {
            table
        };
        catalog.register(&name, table, false).unwrap();
    }
    catalog
}

fn check(partitions: usize) {
    check_stored(partitions, false);
}

fn check_stored(partitions: usize, compact: bool) {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_array().unwrap(), partitions, compact);
    let cases = spec["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let sql = case["sql"].as_str().unwrap();
        let ours = run_rows(&mut catalog, sql, json_cell);
        if DELIBERATE.iter().any(|(q, _)| *q == sql) {
            if let Ok((_, rows)) = ours {
                failures.push(format!(
                    "{sql}\n    listed as a deliberate difference, but Brasa answers {}",
                    serde_json::to_string(&rows).unwrap()
                ));
            }
            continue;
        }
        let same_row = |ours: &[Value], theirs: &Value| same(&Value::Array(ours.to_vec()), theirs);
        failures.extend(case_failure(sql, ours, case, &same_row));
    }
    assert_no_failures(&failures, cases.len(), "queries", "Spark", partitions);
}

/// Every query listed as a deliberate difference is still in the fixture.
#[test]
fn deliberate_differences_are_in_the_fixture() {
    answers::assert_listed_in_fixture(&expected(), "sql", DELIBERATE);
}

#[test]
fn queries_match_spark_on_one_partition() {
    check(1);
}

#[test]
fn queries_match_spark_on_three_partitions() {
    check(3);
}

#[test]
fn queries_match_spark_on_seven_partitions() {
    check(7);
}

#[test]
fn queries_match_spark_on_compact_tables() {
    check_stored(1, true);
    check_stored(3, true);
}
