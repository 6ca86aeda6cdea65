//! `SHOW FUNCTIONS` lists exactly the names of Spark's own `SHOW FUNCTIONS`
//! (`tests/fixtures/sql/spark_function_names.txt`, made by `make_spark_function_names.py`)
//! that Brasa plans: each name is called with no arguments (an operator in a small
//! expression, a name that is syntax in the query it belongs to). An operator or a piece
//! of syntax counts as known when its query runs; a name when Brasa does not answer that
//! it does not support it (a known function called without its arguments fails with an
//! error about them, not with "not supported").
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use brasa::job::JobContext;
use brasa::sql::function_names::FUNCTION_NAMES;
use brasa::sql::{run_sql, SqlOutput};
use brasa::{Catalog, ErrorCode};

/// The query that uses `name`: operators and the names that are SQL syntax in Spark's
/// list need their own shape.
fn query_using(name: &str) -> String {
    let syntax = match name {
        "!" => "SELECT ! true",
        "&" => "SELECT 5 & 3",
        "|" => "SELECT 5 | 3",
        "^" => "SELECT 5 ^ 3",
        "~" => "SELECT ~ 5",
        "<<" => "SELECT 1 << 2",
        ">>" => "SELECT 8 >> 1",
        ">>>" => "SELECT -8 >>> 1",
        "||" => "SELECT 'a' || 'b'",
        "and" => "SELECT true AND false",
        "or" => "SELECT true OR false",
        "not" => "SELECT NOT true",
        "between" => "SELECT 2 BETWEEN 1 AND 3",
        "case" | "when" => "SELECT CASE WHEN true THEN 1 END",
        "cast" => "SELECT CAST(1 AS STRING)",
        "extract" => "SELECT extract(YEAR FROM DATE '2024-01-01')",
        "in" => "SELECT 1 IN (1, 2)",
        "range" => "SELECT * FROM range(3)",
        _ if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
            return format!("SELECT 1 {name} 2");
        }
        _ => return format!("SELECT {name}()"),
    };
    syntax.to_string()
}

fn planned(name: &str) -> bool {
    let mut catalog = Catalog::new();
    let query = query_using(name);
    match run_sql(&mut catalog, &query, &JobContext::default()) {
        Ok(_) => true,
        // Only a bare call may fail for its (missing) arguments; an operator or a piece
        // of syntax must run.
        Err(e) => query == format!("SELECT {name}()") && e.code() != ErrorCode::SqlUnsupported,
    }
}

#[test]
fn show_functions_lists_the_spark_names_brasa_plans() {
    let spark = include_str!("../../tests/fixtures/sql/spark_function_names.txt");
    let spark: Vec<&str> = spark.lines().filter(|l| !l.is_empty()).collect();
    let known: Vec<&str> = spark.iter().copied().filter(|n| planned(n)).collect();
    let listed: Vec<&str> = FUNCTION_NAMES.to_vec();
    let (known_set, listed_set): (BTreeSet<_>, BTreeSet<_>) =
        (known.iter().collect(), listed.iter().collect());
    let missing: Vec<_> = known_set.difference(&listed_set).collect();
    let refused: Vec<_> = listed_set.difference(&known_set).collect();
    assert!(
        missing.is_empty() && refused.is_empty(),
        "function_names.rs is out of date: add {missing:?}, remove {refused:?}"
    );
    assert!(listed == known, "FUNCTION_NAMES must keep Spark's order");

    let mut catalog = Catalog::new();
    let SqlOutput::Rows(table) =
        run_sql(&mut catalog, "SHOW FUNCTIONS", &JobContext::default()).unwrap()
    else {
        panic!("SHOW FUNCTIONS gives rows")
    };
    assert_eq!(table.num_rows(), listed.len());
    // What the README states: names, not operators.
    let is_name = |n: &&&str| n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let (names, known_names) = (
        spark.iter().filter(is_name).count(),
        known.iter().filter(is_name).count(),
    );
    let readme = include_str!("../../README.md");
    let claim = format!("Brasa knows {known_names} of the {names} function names Spark 4");
    assert!(readme.contains(&claim), "README.md should say \"{claim}\"");
}
