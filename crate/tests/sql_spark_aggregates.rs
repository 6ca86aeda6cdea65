//! Brasa's SQL aggregates against Spark's own answers (PySpark 4, local mode, non-ANSI):
//! `tests/fixtures/sql/spark_aggregates_expected.json`, made by
//! `make_spark_aggregate_fixtures.py`. Each aggregate runs per group, over the whole view
//! `w` and over no rows, at several partitionings (first / last follow row order at
//! every partitioning); the result type must be Spark's and the values equal (floats to a
//! relative 1e-12; `approx_count_distinct`, exact in Brasa, within Spark's error;
//! `vector_avg` bit for bit where the rows are split as Spark splits them).
#![cfg(not(target_arch = "wasm32"))]

mod answers;

use std::path::PathBuf;

use answers::{assert_no_failures, catalog, run, same, same_with};
use serde_json::Value;

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql/spark_aggregates_expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// An array's elements in a fixed order, for aggregates whose order Spark leaves open.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items = items.clone();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

/// Whether `ours` is `theirs`: equal, or for an approximate count within Spark's
/// relative standard deviation (5%, three deviations). `vector_avg` is a running float
/// mean whose partial means merge weighted by their counts, as Spark merges them, so its
/// last bits depend on how the rows are split: equal where they are split as Spark splits
/// `w` (`sparks_split`: one row per partition), within float rounding elsewhere.
fn agrees(sql: &str, ours: &Value, theirs: &Value, sparks_split: bool) -> bool {
    if same(ours, theirs) {
        return true;
    }
    if sql.contains("vector_avg") && !sparks_split {
        return same_with(ours, theirs, &|a, b| {
            (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
        });
    }
    match (
        sql.contains("approx_count_distinct"),
        ours.as_f64(),
        theirs.as_f64(),
    ) {
        (true, Some(a), Some(b)) => (a - b).abs() <= 0.15 * b.abs(),
        _ => false,
    }
}

fn check(partitions: usize) {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "w", partitions);
    let cases = spec["cases"].as_array().unwrap();
    assert!(cases.len() >= 429, "only {} cases", cases.len());
    // Spark reads `w` (a UNION ALL of one-row SELECTs) one row per partition; Brasa does
    // too unless told otherwise.
    let sparks_split = partitions == 0 || partitions == 13;
    let mut failures = Vec::new();
    for case in cases {
        let sql = case["sql"].as_str().unwrap();
        let ours = run(&mut catalog, sql);
        if let Some(error) = case.get("error") {
            if let Ok((t, values)) = ours {
                failures.push(format!(
                    "{sql}: Spark fails ({}), Brasa answers {t} {values:?}",
                    error.as_str().unwrap()
                ));
            }
            continue;
        }
        let unordered = case["unordered"].as_bool().unwrap();
        let normal = |v: &Value| if unordered { sorted(v) } else { v.clone() };
        let want_type = case["type"].as_str().unwrap();
        let want: Vec<Value> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(normal)
            .collect();
        match ours {
            Err(e) => failures.push(format!("{sql}: Brasa fails: {e}")),
            Ok((t, values)) => {
                let values: Vec<Value> = values.iter().map(normal).collect();
                if t != want_type {
                    failures.push(format!("{sql}: type {t}, Spark {want_type}"));
                } else if !(values.len() == want.len()
                    && values
                        .iter()
                        .zip(&want)
                        .all(|(a, b)| agrees(sql, a, b, sparks_split)))
                {
                    failures.push(format!(
                        "{sql}:\n    brasa {}\n    spark {}",
                        serde_json::to_string(&values).unwrap(),
                        serde_json::to_string(&want).unwrap()
                    ));
                }
            }
        }
    }
    assert_no_failures(&failures, cases.len(), "queries", "Spark", partitions);
}

#[test]
fn aggregates_match_spark() {
    check(0);
}

#[test]
fn aggregates_match_spark_on_several_partitions() {
    check(3);
}

#[test]
fn aggregates_match_spark_on_one_row_partitions() {
    check(13);
}
