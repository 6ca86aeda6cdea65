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
    "typeof(current_time(3))",
    "every Brasa time is named time(6): Arrow's Time64(Microsecond) cannot carry the \
         precision, so TIME(p) cuts the fraction where Spark does but keeps the type's name",
)];

/// Expressions whose values Brasa gives as Spark but under another type name, the name
/// Brasa gives, and why: Spark's `TIME(p)` keeps `p` in the type, Brasa's every time is
/// `time(6)` (Arrow's `Time64(Microsecond)` has no room for a precision), so values are cut
/// to `p` digits where Spark cuts them but the type says `time(6)`.
const TYPE_ONLY: &[(&str, &str)] = &[
    ("CAST(s AS TIME(3))", "time(6)"),
    ("CAST(t AS TIME(3))", "time(6)"),
    ("CAST(t AS TIME(0))", "time(6)"),
    ("CAST(t AS TIME(5))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(0))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(1))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(2))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(3))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(4))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(5))", "time(6)"),
    ("CAST('12:34:56.987654' AS TIME(9))", "time(6)"),
    ("CAST(TIME '12:34:56.987654' AS TIME(3))", "time(6)"),
    (
        "CAST(TIMESTAMP '2024-01-01 12:34:56.987654' AS TIME(3))",
        "time(6)",
    ),
    (
        "coalesce(CAST(NULL AS TIME(3)), CAST(TIME '12:34:56.987654' AS TIME(2)))",
        "time(6)",
    ),
    (
        "greatest(CAST(TIME '12:34:56.987654' AS TIME(3)), CAST(TIME '01:00' AS TIME(1)))",
        "time(6)",
    ),
    (
        "CAST(TIME '12:34:56.987654' AS TIME(3)) + INTERVAL 1 HOUR",
        "time(6)",
    ),
    (
        "time_trunc('SECOND', CAST(TIME '12:34:56.987654' AS TIME(3)))",
        "time(6)",
    ),
    // Spark's seconds of a time(p) are a decimal(2 + p, p); Brasa's of any time (8, 6).
    (
        "extract(SECOND FROM CAST(TIME '12:34:56.987654' AS TIME(3)))",
        "decimal(8,6)",
    ),
];

/// The fixture, with the types of [`TYPE_ONLY`]'s expressions replaced by Brasa's (their
/// values are still compared).
fn expected() -> Value {
    let mut spec = answers::expression_fixture("spark_time_expected.json");
    for case in spec["cases"].as_array_mut().unwrap() {
        let expr = case["expr"].as_str().unwrap().to_string();
        if let Some((_, ours)) = TYPE_ONLY.iter().find(|(e, _)| *e == expr) {
            assert!(case.get("type").is_some(), "{expr}: Spark failed");
            case["type"] = json!(ours);
        }
    }
    spec
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
    answers::assert_listed_in_fixture(&expected(), "expr", TYPE_ONLY);
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
        "SELECT TIME '12:34:56' + 1 AS r",
        "SELECT year(TIME '12:34:56') AS r",
    ] {
        assert!(run(&mut catalog, sql).is_err(), "{sql}");
    }
}

/// Times in a Parquet file in any unit pyarrow writes (seconds and milliseconds as Parquet's
/// TIME(MILLIS), microseconds, nanoseconds) load as `time(6)` with their values in
/// microseconds: PySpark's values where it reads the file (it reads TIME(NANOS) as
/// time(9), whose Python values and `time_to_micros` cut the nanoseconds, as Brasa does),
/// pyarrow's where Spark 4.3 refuses it (TIME(MILLIS)). The nanoseconds' Arrow IPC file
/// loads the same. The files and answers are made by make_spark_time_fixtures.py.
#[test]
fn time_files_of_every_unit_load_as_microseconds() {
    let spec = expected();
    let files = spec["time_files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/parquet");
    let check = |table: brasa::frame::Table, case: &Value, what: &str| {
        let mut catalog = Catalog::new();
        catalog.register("pt", table, false).unwrap();
        let (t, values) = run(&mut catalog, "SELECT t AS r FROM pt ORDER BY id").unwrap();
        assert_eq!(t, "time(6)", "{what}");
        let (_, micros) = run(
            &mut catalog,
            "SELECT time_to_micros(t) AS r FROM pt ORDER BY id",
        )
        .unwrap();
        assert_eq!(&micros, case["micros"].as_array().unwrap(), "{what}");
        let (_, hours) = run(&mut catalog, "SELECT hour(t) AS r FROM pt ORDER BY id").unwrap();
        let want_hours: Vec<Value> = case["micros"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_i64().map_or(Value::Null, |m| json!(m / 3_600_000_000)))
            .collect();
        assert_eq!(hours, want_hours, "{what}");
        match case.get("spark_values") {
            Some(spark) => {
                assert_eq!(&values, spark.as_array().unwrap(), "{what}");
                assert_eq!(&micros, case["spark_micros"].as_array().unwrap(), "{what}");
            }
            None => assert!(case["spark_error"]
                .as_str()
                .unwrap()
                .contains("TIME(MILLIS")),
        }
    };
    for case in files {
        let name = case["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let (table, _) = brasa::io::parquet::read_parquet(bytes).unwrap();
        check(table, case, name);
        if case["unit"] == "ns" {
            let bytes = std::fs::read(dir.join("time_ns.arrow")).unwrap();
            let (table, _) = brasa::io::arrow_file::read_arrow(&bytes).unwrap();
            check(table, case, "time_ns.arrow");
        }
    }
}
