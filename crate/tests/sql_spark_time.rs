//! Spark 4's `TIME` values in Brasa against Spark's own answers (PySpark 4.3 in local mode,
//! non-ANSI, session time zone UTC, `spark.sql.timeType.enabled` on):
//! `tests/fixtures/sql/spark_time_expected.json`, made by `make_spark_time_fixtures.py`.
//! Each expression runs over the view `tv` (times, texts that are and are not times) at
//! several partitionings, or alone over literals; the result type must be Spark's and the
//! values equal. Where Spark raised an error, Brasa must too. `DELIBERATE` lists where
//! Brasa differs on purpose, and why.
#![cfg(not(target_arch = "wasm32"))]

mod answers;

use answers::{catalog, run};
use brasa::Catalog;
use serde_json::{json, Value};

/// Expressions whose answer Brasa gives differently on purpose, and why.
const DELIBERATE: &[(&str, &str)] = &[(
    "CAST(s AS TIME(3))",
    "Brasa keeps every time in microseconds (Arrow's Time64(Microsecond)), so TIME(p) is \
     read as TIME(6): Spark's time(3) cuts the fraction to milliseconds, Brasa's keeps it",
)];

fn expected() -> Value {
    answers::expression_fixture("spark_time_expected.json")
}

fn check(partitions: usize) {
    answers::check_expressions(&expected(), "tv", DELIBERATE, 100, partitions);
}

#[test]
fn times_match_spark() {
    check(0);
}

#[test]
fn times_match_spark_on_many_partitions() {
    check(3);
}

/// Every expression Brasa answers differently on purpose is still in the fixture.
#[test]
fn deliberate_differences_are_in_the_fixture() {
    answers::assert_listed_in_fixture(&expected(), "expr", DELIBERATE);
}

/// Times sort, group, deduplicate and aggregate by their value (as Spark's answers for
/// `tv`: seven rows, one NULL, six distinct times).
#[test]
fn times_sort_group_and_aggregate() {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "tv", 3);
    let one = |catalog: &mut Catalog, sql: &str| run(catalog, sql).unwrap();
    let (t, sorted) = one(&mut catalog, "SELECT t FROM tv ORDER BY t NULLS LAST");
    assert_eq!(t, "time(6)");
    let texts: Vec<Value> = [
        "00:00:00",
        "00:00:00.000001",
        "07:05:00.5",
        "12:34:56",
        "12:34:56.789",
        "23:59:59.999999",
    ]
    .iter()
    .map(|s| json!(s))
    .chain([Value::Null])
    .collect();
    assert_eq!(sorted, texts);
    let (_, grouped) = one(
        &mut catalog,
        "SELECT t FROM (SELECT t, count(*) AS n FROM tv GROUP BY t) ORDER BY t",
    );
    assert_eq!(grouped.len(), 7);
    assert_eq!(
        one(&mut catalog, "SELECT min(t) FROM tv").1,
        vec![json!("00:00:00")]
    );
    assert_eq!(
        one(&mut catalog, "SELECT max(t) FROM tv").1,
        vec![json!("23:59:59.999999")]
    );
    assert_eq!(
        one(&mut catalog, "SELECT count(DISTINCT t) FROM tv").1,
        vec![json!(6)]
    );
    let (_, distinct) = one(&mut catalog, "SELECT DISTINCT t FROM tv");
    assert_eq!(distinct.len(), 7);
}

/// A time column goes to CSV as Spark's CSV writer writes it (`12:34:56.789`) and to
/// Parquet as TIME(MICROS), which reads back as the same times.
#[test]
fn times_write_to_csv_and_parquet() {
    let spec = expected();
    let catalog = catalog(spec["setup"].as_str().unwrap(), "tv", 0);
    let ctx = brasa::job::JobContext::default();
    let table = brasa::sql::query(&catalog, "SELECT id, t FROM tv ORDER BY id", &ctx).unwrap();
    let csv = brasa::io::write::write_csv(&table, &Default::default()).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.starts_with("id,t\n1,12:34:56.789\n2,00:00:00\n3,23:59:59.999999\n4,\n"),
        "{text}"
    );
    let parquet = brasa::io::write::write_parquet(&table).unwrap();
    let (back, _) = brasa::io::parquet::read_parquet(parquet).unwrap();
    assert_eq!(
        back.schema().field(1).data_type(),
        &arrow_schema::DataType::Time64(arrow_schema::TimeUnit::Microsecond)
    );
    let mut back_catalog = Catalog::new();
    back_catalog.register("back", back, false).unwrap();
    let (t, values) = run(&mut back_catalog, "SELECT t AS r FROM back ORDER BY id").unwrap();
    assert_eq!(t, "time(6)");
    assert_eq!(values[0], json!("12:34:56.789"));
    assert_eq!(values[3], Value::Null);
}

/// What Brasa does not do with times yet is refused with a message, not a panic.
#[test]
fn unsupported_time_arithmetic_is_refused() {
    let mut catalog = Catalog::new();
    for sql in [
        "SELECT TIME '12:34:56' - TIME '10:00' AS r",
        "SELECT TIME '12:34:56' + 1 AS r",
        "SELECT year(TIME '12:34:56') AS r",
    ] {
        assert!(run(&mut catalog, sql).is_err(), "{sql}");
    }
}
