//! Spark 4's day-time intervals as values in Brasa against Spark's own answers (PySpark 4.3
//! in local mode, non-ANSI, session time zone UTC, `spark.sql.timeType.enabled` on for
//! `TIME - TIME`): `tests/fixtures/sql/spark_interval_expected.json`, made by
//! `make_spark_interval_fixtures.py`. Each expression runs over the view `iv` (intervals
//! of `interval day` and `interval day to second`, timestamps, dates, numbers; NULLs and
//! negative intervals) at several partitionings, or alone over literals; the result type
//! must be Spark's (with the interval's fields: `interval day to hour`) and the values
//! equal (an interval as its microseconds). Where Spark raised an error, Brasa must too.
//! Whole queries (grouping, ordering, DISTINCT, joins, aggregates) are compared column by
//! column, and a CSV download with Spark's CSV writer's text.
#![cfg(not(target_arch = "wasm32"))]

mod answers;

use answers::{catalog, run_rows, same};
use serde_json::Value;

fn expected() -> Value {
    answers::expression_fixture("spark_interval_expected.json")
}

fn check(partitions: usize) {
    answers::check_expressions(&expected(), "iv", &[], 140, partitions);
}

#[test]
fn intervals_match_spark() {
    check(0);
}

#[test]
fn intervals_match_spark_on_many_partitions() {
    check(3);
}

fn check_queries(partitions: usize) {
    let spec = expected();
    let mut catalog = catalog(spec["setup"].as_str().unwrap(), "iv", partitions);
    let queries = spec["queries"].as_array().unwrap();
    assert!(queries.len() >= 15, "only {} queries", queries.len());
    let mut failures = Vec::new();
    for case in queries {
        let sql = case["sql"].as_str().unwrap();
        let ours = run_rows(&mut catalog, sql, answers::json_cell);
        match (case.get("error"), ours) {
            (Some(e), Ok(_)) => failures.push(format!("{sql}: Spark fails ({e}), Brasa answers")),
            (Some(_), Err(_)) => {}
            (None, Err(e)) => failures.push(format!("{sql}: Brasa fails: {e}")),
            (None, Ok((types, rows))) => {
                let want_types: Vec<String> = case["types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect();
                let rows = Value::Array(rows.into_iter().map(Value::Array).collect());
                if types != want_types {
                    failures.push(format!("{sql}: types {types:?}, Spark {want_types:?}"));
                } else if !same(&rows, &case["rows"]) {
                    failures.push(format!(
                        "{sql}:\n    brasa {rows}\n    spark {}",
                        case["rows"]
                    ));
                }
            }
        }
    }
    answers::assert_no_failures(&failures, queries.len(), "queries", "Spark", partitions);
}

#[test]
fn interval_queries_match_spark() {
    check_queries(0);
}

#[test]
fn interval_queries_match_spark_on_many_partitions() {
    check_queries(3);
    check_queries(7);
}

/// An interval column downloads as CSV with Spark's CSV writer's text (`INTERVAL '3'
/// DAY`), and the grid and the schema beside it show Spark's text and type names.
#[test]
fn intervals_print_in_csv_and_the_grid() {
    let spec = expected();
    let catalog = catalog(spec["setup"].as_str().unwrap(), "iv", 0);
    let ctx = brasa::job::JobContext::default();
    let table =
        brasa::sql::query(&catalog, "SELECT id, d, h, m FROM iv ORDER BY id", &ctx).unwrap();
    let csv = brasa::io::write::write_csv(&table, &Default::default()).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        spec["csv"].as_str().unwrap()
    );
    let shown = brasa::frame::display_batch(&table.partition(0).unwrap()).unwrap();
    use arrow_array::cast::AsArray;
    assert_eq!(
        shown.column(1).as_string::<i32>().value(0),
        "INTERVAL '3' DAY"
    );
    assert_eq!(
        shown.column(2).as_string::<i32>().value(0),
        "INTERVAL '1 12:30:45.5' DAY TO SECOND"
    );
    let info = brasa::frame::ColumnInfo::of_schema(table.schema());
    assert_eq!(info[1].data_type, "interval day");
    assert_eq!(info[2].data_type, "interval day to second");
    assert_eq!(info[3].data_type, "interval year to month");
    assert_eq!(
        shown.column(3).as_string::<i32>().value(0),
        "INTERVAL '0-1' YEAR TO MONTH"
    );
}

/// The rows of `table` as text, as the fixture script reads a Parquet file in Spark.
fn parquet_rows_as_text(table: brasa::Table) -> Value {
    let mut catalog = brasa::Catalog::new();
    catalog.register("pq", table, false).unwrap();
    let sql = "SELECT id, CAST(d AS STRING) AS d, CAST(h AS STRING) AS h, CAST(m AS STRING) \
               AS m, CAST(y AS STRING) AS y FROM pq ORDER BY id";
    let (_, rows) = run_rows(&mut catalog, sql, answers::json_cell).unwrap();
    Value::Array(rows.into_iter().map(Value::Array).collect())
}

fn parquet_fixture(name: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/parquet")
        .join(name);
    std::fs::read(path).unwrap()
}

/// Intervals go through Parquet as Spark writes and reads them: a file Spark wrote
/// (plain INT64 and INT32 columns, typed by Spark's schema in the footer) loads with its
/// intervals and their fields; Brasa writes the same footer schema, so Spark reads
/// Brasa's file as intervals (the fixture records what PySpark read from the committed
/// `brasa_intervals.parquet`, which Brasa must still write alike), and so does Brasa.
#[test]
fn intervals_go_through_parquet_as_spark_reads_and_writes_them() {
    let spec = expected();
    let files = &spec["parquet"];
    let key = brasa::io::spark_schema::SPARK_ROW_METADATA;
    // Spark's file, read by Brasa.
    let (theirs, _) =
        brasa::io::parquet::read_parquet(parquet_fixture("spark_intervals.parquet")).unwrap();
    let info = brasa::frame::ColumnInfo::of_schema(theirs.schema());
    let names: Vec<&str> = info.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        names,
        [
            "int",
            "interval day",
            "interval day to second",
            "interval year to month",
            "interval year"
        ]
    );
    let want = &files["spark_intervals.parquet"]["rows"];
    assert!(same(&parquet_rows_as_text(theirs), want));
    // Brasa's file: Spark read the committed one as intervals with these rows...
    let committed = &files["brasa_intervals.parquet"];
    assert_eq!(
        committed["schema"],
        files["spark_intervals.parquet"]["schema"]
    );
    assert!(same(&committed["rows"], want));
    // ... and Brasa still writes the same footer schema, and reads its file back.
    let catalog = catalog(spec["setup"].as_str().unwrap(), "iv", 3);
    let ctx = brasa::job::JobContext::default();
    let sql = "SELECT id, d, h, m, CAST(m AS INTERVAL YEAR) AS y FROM iv ORDER BY id";
    let table = brasa::sql::query(&catalog, sql, &ctx).unwrap();
    let written = brasa::io::write::write_parquet(&table).unwrap();
    let (ours, _) = brasa::io::parquet::read_parquet(written).unwrap();
    let (old, _) =
        brasa::io::parquet::read_parquet(parquet_fixture("brasa_intervals.parquet")).unwrap();
    assert!(ours.schema().metadata().contains_key(key));
    assert_eq!(
        ours.schema().metadata().get(key),
        old.schema().metadata().get(key)
    );
    assert!(same(&parquet_rows_as_text(ours), want));
}

/// An `interval day to second` nests in arrays and structs and prints there as Spark
/// prints it (the only fields a nested type keeps).
#[test]
fn day_to_second_intervals_nest() {
    let catalog = brasa::Catalog::new();
    let ctx = brasa::job::JobContext::default();
    let sql = "SELECT array(make_dt_interval(1, 2), CAST(INTERVAL 3 DAYS AS INTERVAL DAY TO \
               SECOND)) AS r";
    let table = brasa::sql::query(&catalog, sql, &ctx).unwrap();
    let info = brasa::frame::ColumnInfo::of_schema(table.schema());
    assert_eq!(info[0].data_type, "array<interval day to second>");
    let shown = brasa::frame::display_batch(&table.partition(0).unwrap()).unwrap();
    use arrow_array::cast::AsArray;
    assert_eq!(
        shown.column(0).as_string::<i32>().value(0),
        r#"["INTERVAL '1 02:00:00' DAY TO SECOND","INTERVAL '3 00:00:00' DAY TO SECOND"]"#
    );
}

/// What Brasa does not do with intervals yet is refused with `not supported yet`.
#[test]
fn unsupported_interval_forms_are_refused() {
    let mut catalog = brasa::Catalog::new();
    for sql in [
        "SELECT try_add(rand(1) * INTERVAL 1 DAY, INTERVAL 1 DAY) AS r",
        "SELECT TRY_CAST(concat(uuid(), '') AS INTERVAL DAY) AS r",
        "SELECT try_add(TIME '10:00:00', INTERVAL 1 HOUR) AS r",
        "SELECT make_interval(1, 2, 3, 4, 5, 6, 7.5) AS r",
        "SELECT array(INTERVAL 1 YEAR) AS r",
        "SELECT array(INTERVAL 3 DAYS) AS r",
        "SELECT to_json(struct(INTERVAL 3 DAYS)) AS r",
    ] {
        let err = answers::run(&mut catalog, sql).unwrap_err();
        assert!(err.contains("not supported yet"), "{sql}: {err}");
    }
}

/// A chart over an interval X labels it as the grid does (`INTERVAL '3' DAY`, the
/// column's own fields), and Y refuses an interval (not a number).
#[test]
fn charts_label_intervals_with_their_fields() {
    let spec = expected();
    let catalog = catalog(spec["setup"].as_str().unwrap(), "iv", 3);
    let ctx = brasa::job::JobContext::default();
    let table = brasa::sql::query(&catalog, "SELECT d, n, m FROM iv", &ctx).unwrap();
    let chart = |spec: Value| {
        let spec: brasa::chart::ChartSpec = serde_json::from_value(spec).unwrap();
        brasa::chart::chart_data(&table, &spec, &ctx)
    };
    let bars = chart(serde_json::json!({
        "kind": "bar", "x": "d", "y": ["n"], "aggregation": "sum"
    }))
    .unwrap();
    assert!(
        bars.labels.contains(&"INTERVAL '3' DAY".to_string()),
        "{:?}",
        bars.labels
    );
    let by_month = chart(serde_json::json!({
        "kind": "bar", "x": "m", "y": [], "aggregation": "count"
    }))
    .unwrap();
    assert!(
        by_month
            .labels
            .contains(&"INTERVAL '-1-11' YEAR TO MONTH".to_string()),
        "{:?}",
        by_month.labels
    );
    assert!(chart(serde_json::json!({
        "kind": "bar", "x": "n", "y": ["d"], "aggregation": "sum"
    }))
    .is_err());
}
