//! Whole queries against Spark's own answers (PySpark 4 in local mode, non-ANSI, session
//! time zone UTC): `tests/fixtures/sql/spark_queries_expected.json`, made by
//! `make_spark_query_fixtures.py` — window functions and frames, Spark's implicit casts,
//! timestamps printed as strings. Every query runs with the views split into 1, 3 and 7
//! partitions; column types must be Spark's and every cell equal (floats to a relative
//! 1e-12). Where Spark raised an error, Brasa must too.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use brasa::frame::spark_type_name;
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::Catalog;
use serde_json::Value;

mod answers;
use answers::{assert_no_failures, json_cell, same};

/// Queries whose answer Brasa gives differently on purpose (or cannot give), and why.
/// Brasa must still fail on them rather than answer something else.
const DELIBERATE: &[(&str, &str)] = &[(
    "SELECT id, explode(map('g', g, 's', s)) AS (mk, mv) FROM w WHERE id < 6 ORDER BY id, mk",
    "sqlparser reads one alias per SELECT item, not Spark's `AS (a, b)` for a generator's \
     columns: a syntax error; name a map's key and value columns with \
     `LATERAL VIEW explode(m) t AS a, b`",
)];

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql/spark_queries_expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The fixture's views, each materialised and split into `partitions`.
fn catalog(setup: &[Value], partitions: usize) -> Catalog {
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
        catalog
            .register(&name, table.repartition(partitions).unwrap(), false)
            .unwrap();
    }
    catalog
}

/// A query's answer from Brasa: column types and rows, or its error.
fn run(catalog: &mut Catalog, sql: &str) -> Result<(Vec<String>, Vec<Vec<Value>>), String> {
    match run_sql(catalog, sql, &JobContext::default()) {
        Ok(SqlOutput::Rows(table)) => {
            let schema = table.schema();
            let types = schema
                .fields()
                .iter()
                .map(|f| spark_type_name(f.data_type()))
                .collect();
            let mut rows = Vec::new();
            for batch in table.partitions() {
                for i in 0..batch.num_rows() {
                    rows.push(batch.columns().iter().map(|c| json_cell(c, i)).collect());
                }
            }
            Ok((types, rows))
        }
        Ok(other) => Err(format!("expected rows, got {other:?}")),
        Err(e) => Err(format!("{} ({:?})", e.message(), e.code())),
    }
}

fn check(partitions: usize) {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_array().unwrap(), partitions);
    let cases = spec["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let sql = case["sql"].as_str().unwrap();
        let ours = run(&mut catalog, sql);
        if DELIBERATE.iter().any(|(q, _)| *q == sql) {
            if let Ok((_, rows)) = ours {
                failures.push(format!(
                    "{sql}\n    listed as a deliberate difference, but Brasa answers {}",
                    serde_json::to_string(&rows).unwrap()
                ));
            }
            continue;
        }
        if let Some(error) = case.get("error") {
            if let Ok((_, rows)) = ours {
                failures.push(format!(
                    "{sql}\n    Spark fails ({}), Brasa answers {}",
                    error.as_str().unwrap(),
                    serde_json::to_string(&rows).unwrap()
                ));
            }
            continue;
        }
        let want_types: Vec<&str> = case["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let want = case["rows"].as_array().unwrap();
        match ours {
            Err(e) => failures.push(format!("{sql}\n    Brasa fails: {e}")),
            Ok((types, rows)) => {
                if types != want_types {
                    failures.push(format!("{sql}\n    types {types:?}, Spark {want_types:?}"));
                    continue;
                }
                let equal = rows.len() == want.len()
                    && rows
                        .iter()
                        .zip(want)
                        .all(|(ours, theirs)| same(&Value::Array(ours.clone()), theirs));
                if !equal {
                    failures.push(format!(
                        "{sql}\n    brasa {}\n    spark {}",
                        serde_json::to_string(&rows).unwrap(),
                        serde_json::to_string(want).unwrap()
                    ));
                }
            }
        }
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
