//! DECIMAL arithmetic, casts, comparisons, rounding and aggregates against Spark's own
//! answers (PySpark 4 in local mode, non-ANSI, `allowPrecisionLoss` at its default):
//! `tests/fixtures/sql/spark_decimals_expected.json`, made by
//! `make_spark_decimal_fixtures.py`. Every query runs with the view `dv` split into 1, 3
//! and 7 partitions; column types must be Spark's (precision and scale included) and
//! decimal values equal exactly (Spark hands them over as text, so a digit rounded the
//! other way shows); other cells as in `sql_spark_queries.rs`. Where Spark raised an
//! error, Brasa must too.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use serde_json::{json, Value};

mod answers;
use answers::{assert_no_failures, case_failure, catalog, json_cell, run_rows, same};

/// Queries Spark answers and Brasa refuses (with `not supported yet`), and why: each must
/// still fail rather than answer something else.
const REFUSED: &[(&str, &str)] = &[
    (
        "SELECT id, a div 2 AS v FROM dv ORDER BY id",
        "`div` on decimals (Spark: bigint) is not implemented; cast to bigint first",
    ),
    (
        "SELECT id, pmod(a, 3) AS v FROM dv ORDER BY id",
        "pmod on decimals is not implemented; Brasa's pmod works on integers and doubles",
    ),
    (
        "SELECT id, format_number(a, 1) AS v FROM dv ORDER BY id",
        "format_number rounds the exact decimal HALF_EVEN; Brasa's formats doubles",
    ),
    (
        "SELECT id, count(b) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM dv ORDER BY id",
        "RANGE frames slide over double keys; a decimal key's bounds must be exact",
    ),
    (
        "SELECT id, sum(b) OVER (ORDER BY a RANGE BETWEEN 0.5BD PRECEDING AND CURRENT ROW) FROM dv ORDER BY id",
        "RANGE frames slide over double keys; a decimal key's bounds must be exact",
    ),
    (
        "SELECT percentile_approx(a, 0.5) FROM dv",
        "percentile_approx keeps the column's type; its state holds doubles",
    ),
];

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql/spark_decimals_expected.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A cell as the fixture writes it: a decimal as {"decimal": "<digits>"}.
fn cell(column: &ArrayRef, i: usize) -> Value {
    match column.data_type() {
        DataType::Decimal128(_, scale) if column.is_valid(i) => {
            let v = column.as_primitive::<Decimal128Type>().value(i);
            json!({ "decimal": plain(v, *scale as u32) })
        }
        _ => json_cell(column, i),
    }
}

fn plain(v: i128, scale: u32) -> String {
    let digits = format!("{:0>width$}", v.unsigned_abs(), width = scale as usize + 1);
    let (whole, fraction) = digits.split_at(digits.len() - scale as usize);
    let sign = if v < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A decimal's text without trailing fraction zeros: Spark's values sometimes carry more
/// zeros than their type's scale (`-0.000000000100` in a decimal(12,10)), never other
/// digits, and the types are compared separately.
fn normal(text: &str) -> String {
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    };
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

fn same_cell(ours: &Value, theirs: &Value) -> bool {
    match (ours.get("decimal"), theirs.get("decimal")) {
        (Some(a), Some(b)) => normal(a.as_str().unwrap()) == normal(b.as_str().unwrap()),
        _ => same(ours, theirs),
    }
}

fn check(partitions: usize) {
    let spec = expected();
    let setup = spec["setup"][0].as_str().unwrap();
    let mut catalog = catalog(setup, "dv", partitions);
    let cases = spec["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let sql = case["sql"].as_str().unwrap();
        let ours = run_rows(&mut catalog, sql, cell);
        if REFUSED.iter().any(|(q, _)| *q == sql) {
            match ours {
                Err(e) if e.contains("not supported yet") => {}
                other => failures.push(format!(
                    "{sql}\n    listed as refused, but Brasa answers {other:?}"
                )),
            }
            continue;
        }
        let same_row = |ours: &[Value], theirs: &Value| {
            let theirs = theirs.as_array().unwrap();
            ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| same_cell(a, b))
        };
        failures.extend(case_failure(sql, ours, case, &same_row));
    }
    assert_no_failures(
        &failures,
        cases.len(),
        "decimal queries",
        "Spark",
        partitions,
    );
}

#[test]
fn decimals_match_spark_on_one_partition() {
    check(1);
}

#[test]
fn decimals_match_spark_on_three_partitions() {
    check(3);
}

#[test]
fn decimals_match_spark_on_seven_partitions() {
    check(7);
}

/// Every query listed as refused is still in the fixture.
#[test]
fn refused_queries_are_in_the_fixture() {
    answers::assert_listed_in_fixture(&expected(), "sql", REFUSED);
}

#[test]
fn plain_text_of_decimals() {
    assert_eq!(plain(150, 2), "1.50");
    assert_eq!(plain(-5, 2), "-0.05");
    assert_eq!(plain(7, 0), "7");
    assert_eq!(normal("-0.000000000100"), "-0.0000000001");
    assert_eq!(normal("0.000"), "0");
}
