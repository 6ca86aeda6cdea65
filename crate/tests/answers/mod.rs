//! What the tests against reference answers (Spark's, DuckDB's) share: reading a result
//! as the JSON the fixture scripts write, comparing values, and a catalog with a Spark
//! fixture's view at a given partitioning.
#![allow(dead_code)] // each test uses its own part

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use brasa::frame::spark_field_type_name;
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::temporal::{format_date, format_timestamp_micros};
use brasa::Catalog;
use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{json, Value};

pub fn json_cell(column: &ArrayRef, i: usize) -> Value {
    if column.is_null(i) || column.data_type() == &DataType::Null {
        return Value::Null;
    }
    let float = |f: f64| -> Value {
        if f.is_nan() {
            json!("NaN")
        } else if f.is_infinite() {
            json!(if f > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            json!(f)
        }
    };
    match column.data_type() {
        DataType::Null => Value::Null,
        DataType::Decimal128(_, scale) => {
            let v = column.as_primitive::<Decimal128Type>().value(i);
            json!(v as f64 / 10f64.powi(*scale as i32))
        }
        DataType::Boolean => column.as_boolean().value(i).into(),
        DataType::Int8 => column.as_primitive::<Int8Type>().value(i).into(),
        DataType::Int16 => column.as_primitive::<Int16Type>().value(i).into(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(i).into(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(i).into(),
        DataType::Float32 => float(column.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Float64 => float(column.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => column.as_string::<i32>().value(i).into(),
        DataType::Time64(TimeUnit::Microsecond) => brasa::temporal::time_of_day::format_time_spark(
            column.as_primitive::<Time64MicrosecondType>().value(i),
        )
        .into(),
        // A day-time interval as its microseconds, as the fixture scripts encode a timedelta.
        DataType::Duration(TimeUnit::Microsecond) => column
            .as_primitive::<DurationMicrosecondType>()
            .value(i)
            .into(),
        // A year-month interval as its months (PySpark cannot collect one: the fixtures
        // give their text).
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => column
            .as_primitive::<IntervalYearMonthType>()
            .value(i)
            .into(),
        DataType::Binary => {
            let bytes = column.as_binary::<i32>().value(i);
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            json!({ "hex": hex })
        }
        DataType::Date32 => format_date(column.as_primitive::<Date32Type>().value(i) as i64).into(),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            format_timestamp_micros(column.as_primitive::<TimestampMicrosecondType>().value(i))
                .into()
        }
        DataType::List(_) => {
            let list = column.as_list::<i32>().value(i);
            Value::Array((0..list.len()).map(|j| json_cell(&list, j)).collect())
        }
        // A map is {"map": [[key, value], ...]}, as the fixture scripts encode a dict.
        DataType::Map(_, _) => {
            let map = column.as_map();
            let (keys, values) = (map.keys(), map.values());
            let offsets = map.value_offsets();
            let pairs = (offsets[i] as usize..offsets[i + 1] as usize)
                .map(|e| json!([json_cell(keys, e), json_cell(values, e)]))
                .collect();
            json!({ "map": Value::Array(pairs) })
        }
        // A struct is its fields' values in order, as PySpark's Row (a tuple) is encoded.
        DataType::Struct(_) => {
            let row = column.as_struct();
            Value::Array(row.columns().iter().map(|c| json_cell(c, i)).collect())
        }
        other => panic!("unexpected result type {other}"),
    }
}

/// Whether `ours` is `theirs`: integers exactly, floats to a relative 1e-12 (Spark's
/// answers come from the same IEEE arithmetic), arrays element by element.
pub fn same(ours: &Value, theirs: &Value) -> bool {
    same_with(ours, theirs, &|a, b| {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
    })
}

/// Whether `ours` is `theirs`, floats compared with `close`.
pub fn same_with(ours: &Value, theirs: &Value, close: &dyn Fn(f64, f64) -> bool) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                return a == b;
            }
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            a == b || close(a, b)
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_with(x, y, close))
        }
        // Maps in any entry order: PySpark hands Spark's maps over as Java hash maps.
        (Value::Object(a), Value::Object(b)) => match (&a.get("map"), &b.get("map")) {
            (Some(Value::Array(x)), Some(Value::Array(y))) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|pair| y.iter().any(|other| same_with(pair, other, close)))
            }
            _ => ours == theirs,
        },
        _ => ours == theirs,
    }
}

/// One expression's answer from Brasa: its type name and values, or its error.
pub fn run(catalog: &mut Catalog, sql: &str) -> Result<(String, Vec<Value>), String> {
    let ctx = JobContext::default();
    match run_sql(catalog, sql, &ctx) {
        Ok(SqlOutput::Rows(table)) => {
            let schema = table.schema();
            let last = schema.fields().len() - 1;
            let type_name = spark_field_type_name(schema.field(last));
            let mut values = Vec::new();
            for batch in table.partitions().unwrap().iter() {
                let column = batch.column(last);
                for i in 0..batch.num_rows() {
                    values.push(json_cell(column, i));
                }
            }
            Ok((type_name, values))
        }
        Ok(other) => Err(format!("expected rows, got {other:?}")),
        Err(e) => Err(format!("{} ({:?})", e.message(), e.code())),
    }
}

/// A query's answer: its columns' Spark type names and its rows, each cell as JSON.
pub type TypedRows = (Vec<String>, Vec<Vec<Value>>);

/// A whole query's answer from Brasa (every column), each cell read by `cell`, or its error.
pub fn run_rows(
    catalog: &mut Catalog,
    sql: &str,
    cell: fn(&ArrayRef, usize) -> Value,
) -> Result<TypedRows, String> {
    match run_sql(catalog, sql, &JobContext::default()) {
        Ok(SqlOutput::Rows(table)) => {
            let types = table
                .schema()
                .fields()
                .iter()
                .map(|f| spark_field_type_name(f))
                .collect();
            let mut rows = Vec::new();
            for batch in table.partitions().unwrap().iter() {
                for i in 0..batch.num_rows() {
                    rows.push(batch.columns().iter().map(|c| cell(c, i)).collect());
                }
            }
            Ok((types, rows))
        }
        Ok(other) => Err(format!("expected rows, got {other:?}")),
        Err(e) => Err(format!("{} ({:?})", e.message(), e.code())),
    }
}

/// What is wrong with Brasa's answer to a fixture case (Spark's `error`, or its `types`
/// and `rows`), if anything; `same_row` compares one of Brasa's rows with Spark's.
pub fn case_failure(
    sql: &str,
    ours: Result<TypedRows, String>,
    case: &Value,
    same_row: &dyn Fn(&[Value], &Value) -> bool,
) -> Option<String> {
    if let Some(error) = case.get("error") {
        return ours.ok().map(|(_, rows)| {
            format!(
                "{sql}\n    Spark fails ({}), Brasa answers {}",
                error.as_str().unwrap(),
                serde_json::to_string(&rows).unwrap()
            )
        });
    }
    let want_types: Vec<&str> = case["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let want = case["rows"].as_array().unwrap();
    match ours {
        Err(e) => Some(format!("{sql}\n    Brasa fails: {e}")),
        Ok((types, _)) if types != want_types => {
            Some(format!("{sql}\n    types {types:?}, Spark {want_types:?}"))
        }
        Ok((_, rows)) => {
            let equal = rows.len() == want.len()
                && rows
                    .iter()
                    .zip(want)
                    .all(|(ours, theirs)| same_row(ours, theirs));
            (!equal).then(|| {
                format!(
                    "{sql}\n    brasa {}\n    spark {}",
                    serde_json::to_string(&rows).unwrap(),
                    serde_json::to_string(want).unwrap()
                )
            })
        }
    }
}

/// A catalog where the fixture's view `view` (made by `setup`) is a table of
/// `partitions` partitions (0: as the setup makes it).
pub fn catalog(setup: &str, view: &str, partitions: usize) -> Catalog {
    let mut catalog = Catalog::new();
    let ctx = JobContext::default();
    let setup = setup.replace(&format!("VIEW {view} AS"), "VIEW fixture_rows AS");
    run_sql(&mut catalog, &setup, &ctx).unwrap();
    let table = brasa::sql::query(&catalog, "SELECT * FROM fixture_rows", &ctx).unwrap();
    let table = if partitions > 0 {
        table.repartition(partitions).unwrap()
    } else {
        table
    };
    catalog.register(view, table, false).unwrap();
    catalog
}

/// Fails with every difference listed when `failures` is not empty: `checked` things
/// (`what`: "queries", "expressions") compared with `reference` at `partitions`.
pub fn assert_no_failures(
    failures: &[String],
    checked: usize,
    what: &str,
    reference: &str,
    partitions: usize,
) {
    assert!(
        failures.is_empty(),
        "{} of {checked} {what} differ from {reference} ({partitions} partitions):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Fails unless every case listed as a deliberate difference is still among the
/// fixture's cases (their `key` field), so the list of differences stays true.
pub fn assert_listed_in_fixture(spec: &Value, key: &str, listed: &[(&str, &str)]) {
    let cases: Vec<&str> = spec["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[key].as_str().unwrap())
        .collect();
    for (case, _) in listed {
        assert!(cases.contains(case), "{case} is not in the fixture");
    }
}

/// A fixture of single expressions made by one of the `make_spark_*_fixtures.py`
/// scripts: `tests/fixtures/sql/<name>`, holding the `setup` that makes the view and the
/// `cases`.
pub fn expression_fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sql")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Runs every case of an expression fixture (`spec`, at least `min_cases` of them) over
/// its view `view` at `partitions` partitions, or alone over literals, and fails with
/// every difference from Spark: an error where Spark raised one, else Spark's type and
/// values. The cases in `deliberate` are skipped (they are checked to be in the fixture by
/// [`assert_listed_in_fixture`]).
pub fn check_expressions(
    spec: &Value,
    view: &str,
    deliberate: &[(&str, &str)],
    min_cases: usize,
    partitions: usize,
) {
    let setup = spec["setup"].as_str().unwrap();
    assert!(setup.contains(&format!("VIEW {view} AS")));
    let mut catalog = catalog(setup, view, partitions);
    let deliberate: HashMap<&str, &str> = deliberate.iter().copied().collect();
    let cases = spec["cases"].as_array().unwrap();
    assert!(cases.len() >= min_cases, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let expr = case["expr"].as_str().unwrap();
        if deliberate.contains_key(expr) {
            continue;
        }
        let sql = if case["table"].as_bool().unwrap() {
            format!("SELECT id, {expr} AS r FROM {view} ORDER BY id")
        } else {
            format!("SELECT {expr} AS r")
        };
        let ours = run(&mut catalog, &sql);
        checked += 1;
        if let Some(error) = case.get("error") {
            if let Ok((t, values)) = ours {
                failures.push(format!(
                    "{expr}: Spark fails ({}), Brasa answers {t} {}",
                    error.as_str().unwrap(),
                    serde_json::to_string(&values).unwrap()
                ));
            }
            continue;
        }
        let want_type = case["type"].as_str().unwrap();
        let want: &Vec<Value> = case["values"].as_array().unwrap();
        match ours {
            Err(e) => failures.push(format!("{expr}: Brasa fails: {e}")),
            Ok((t, values)) => {
                if t != want_type {
                    failures.push(format!("{expr}: type {t}, Spark {want_type}"));
                } else if !(values.len() == want.len()
                    && values.iter().zip(want).all(|(a, b)| same(a, b)))
                {
                    failures.push(format!(
                        "{expr}:\n    brasa {}\n    spark {}",
                        serde_json::to_string(&values).unwrap(),
                        serde_json::to_string(want).unwrap()
                    ));
                }
            }
        }
    }
    assert_no_failures(&failures, checked, "expressions", "Spark", partitions);
}
