//! Brasa's scalar SQL functions against Spark's own answers (PySpark 4 in local mode,
//! non-ANSI, session time zone UTC): `tests/fixtures/sql/spark_functions_expected.json`,
//! made by `make_spark_function_fixtures.py`. Each expression runs over the view `v` of
//! edge-case values (at several partitionings) or alone over literals; the result type
//! must be Spark's, and the values equal (floats to a relative 1e-12). Where Spark raised
//! an error, Brasa must too. The few expressions where Brasa deliberately differs are
//! listed in `DELIBERATE` with the reason.
#![cfg(not(target_arch = "wasm32"))]

mod answers;

use answers::{catalog, run};
use brasa::Catalog;
use serde_json::{json, Value};

/// Expressions whose answer Brasa gives differently on purpose, and why.
const DELIBERATE: &[(&str, &str)] = &[
    (
        "to_json(named_struct('a', 1), map('foo', 'bar'))",
        "Spark ignores an option it does not know; Brasa refuses it by name, so a setting \
         (`pretty`, `locale`, ...) is never silently dropped",
    ),
    (
        "from_json('{\"a\":1}', 'a INT', map('foo', 'bar'))",
        "Spark ignores an option it does not know; Brasa refuses it by name, so a setting \
         (`allowSingleQuotes`, `multiLine`, ...) is never silently dropped",
    ),
    (
        "to_csv(named_struct('a', array(1,2)))",
        "Spark writes a nested field as its Scala toString (`[1, 2]`, `{k -> 1}`, `{1}`), \
         text no CSV reader reads back; Brasa refuses nested fields in to_csv (to_json \
         writes them)",
    ),
    (
        "format_number(2.675, 2)",
        "Spark reads the literal 2.675 as decimal(4,3) and rounds its exact value half to \
         even (2.68); Brasa reads literals with a fraction as double, whose value is \
         2.67499999... (2.67, as Spark gives for format_number(2.675e0, 2))",
    ),
    (
        "array(1, 2.5, NULL)",
        "Spark reads the literal 2.5 as decimal(2,1), so the array is array<decimal(11,1)>; \
         Brasa reads literals with a fraction as double (array<double>, the same values)",
    ),
    (
        "array_union(array(1, 2), array(2.5))",
        "Spark reads 2.5 as decimal(2,1) and finds no common element type with int; Brasa \
         reads it as double, and int meets double in double",
    ),
    (
        "typeof(localtimestamp)",
        "sqlparser reads the SQL standard's bare LOCALTIMESTAMP as the function; Brasa \
         answers where Spark asks for the parentheses",
    ),
    (
        "date_trunc('FORTNIGHT', '2015-03-05T09:32:05.359')",
        "an unknown unit is NULL in Spark; Brasa says which units there are (an error), \
         more useful than a column of NULLs",
    ),
    (
        "typeof(1S + 1Y)",
        "Spark adds smallint and tinyint in smallint (wrapping at 32767); Brasa does \
         arithmetic on tinyint and smallint in int, so `1S + 1Y` is an int (the same value \
         unless Spark's would overflow)",
    ),
    (
        "typeof(1F + 1)",
        "Spark adds float and int in float; Brasa does arithmetic on floats in double (the \
         value of the float, widened)",
    ),
];

fn expected() -> Value {
    answers::expression_fixture("spark_functions_expected.json")
}

fn check(partitions: usize) {
    answers::check_expressions(&expected(), "v", DELIBERATE, 400, partitions);
}

#[test]
fn functions_match_spark() {
    check(0);
}

#[test]
fn functions_match_spark_on_many_partitions() {
    check(3);
}

/// Every expression Brasa answers differently on purpose is still in the fixture, so the
/// list of differences stays true.
#[test]
fn deliberate_differences_are_in_the_fixture() {
    answers::assert_listed_in_fixture(&expected(), "expr", DELIBERATE);
}

/// `rand(seed)` over a table: Spark's stream per partition (the literal cases above are
/// checked against Spark's values); here, values in [0, 1), the same on a second run, not
/// all equal, and usable in WHERE.
#[test]
fn rand_is_reproducible_per_partitioning() {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "v", 3);
    let draw = |catalog: &mut Catalog, sql: &str| -> Vec<Value> { run(catalog, sql).unwrap().1 };
    let sql = "SELECT id, rand(7) AS r FROM v ORDER BY id";
    let first = draw(&mut catalog, sql);
    assert_eq!(first, draw(&mut catalog, sql));
    let values: Vec<f64> = first.iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(values.len(), 7);
    assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
    assert!(values.windows(2).any(|w| w[0] != w[1]));
    let other = draw(&mut catalog, "SELECT id, rand(8) AS r FROM v ORDER BY id");
    assert_ne!(first, other);
    let gaussian = draw(&mut catalog, "SELECT id, randn(7) AS r FROM v ORDER BY id");
    assert!(gaussian.iter().all(|v| v.as_f64().unwrap().is_finite()));
    let kept = draw(
        &mut catalog,
        "SELECT count(*) AS r FROM v WHERE rand(3) < 2.0",
    );
    assert_eq!(kept, vec![json!(7)]);
    let unseeded = draw(&mut catalog, "SELECT id, rand() AS r FROM v ORDER BY id");
    assert!(unseeded
        .iter()
        .all(|v| (0.0..1.0).contains(&v.as_f64().unwrap())));
    assert!(run(&mut catalog, "SELECT rand(id) FROM v").is_err());
}

/// `ORDER BY rand(seed)` shuffles the same way twice, and aggregates of `rand` see each
/// partition's own stream.
#[test]
fn rand_in_sort_and_aggregate() {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "v", 3);
    let sql = "SELECT id AS r FROM v ORDER BY rand(11)";
    let first = run(&mut catalog, sql).unwrap().1;
    assert_eq!(first, run(&mut catalog, sql).unwrap().1);
    assert_eq!(first.len(), 7);
    let sums = run(
        &mut catalog,
        "SELECT count(DISTINCT r) AS r FROM (SELECT rand(5) AS r FROM v)",
    )
    .unwrap()
    .1;
    assert_eq!(sums, vec![json!(7)]);
    let distinct = run(&mut catalog, "SELECT count(DISTINCT rand(5)) AS r FROM v")
        .unwrap()
        .1;
    assert_eq!(distinct, vec![json!(7)]);
}

/// `uuid()` is a version 4 UUID, new for each row; `monotonically_increasing_id()` is unique
/// and increasing within a partition, as Spark's.
#[test]
fn row_identity_functions() {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "v", 3);
    let uuids = run(&mut catalog, "SELECT uuid() AS r FROM v").unwrap().1;
    let texts: Vec<&str> = uuids.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(texts.len(), 7);
    for t in &texts {
        let parts: Vec<&str> = t.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{t}");
        assert!("89ab".contains(&parts[3][..1]), "{t}");
    }
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7);
    let ids = run(
        &mut catalog,
        "SELECT monotonically_increasing_id() AS r FROM v",
    )
    .unwrap()
    .1;
    let ids: Vec<i64> = ids.iter().map(|v| v.as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7);
    assert!(ids.iter().any(|id| *id >= 1 << 33));
    let partitions = run(
        &mut catalog,
        "SELECT DISTINCT spark_partition_id() AS r FROM v",
    )
    .unwrap()
    .1;
    assert_eq!(partitions.len(), 3);
}
