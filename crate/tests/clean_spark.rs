//! The cleaning steps against PySpark 4: the same pipelines on the same CSV, compared row
//! by row, with what Spark's estimators learned. Fixtures: tests/fixtures/clean, made by
//! `make_clean_fixtures.py` (see its header for what is compared where Spark and Brasa
//! differ by design).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use brasa::clean::spec::Step;
use brasa::clean::{run_pipeline, PipelineSpec, StepCache};
use brasa::frame::{display_array, Catalog, Table};
use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::exec::spark_cast;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/clean")
}

fn load(name: &str, partitions: usize) -> Arc<Table> {
    let bytes = std::fs::read(fixtures().join(name)).unwrap();
    let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
    Arc::new(if partitions > 1 {
        table.repartition(partitions).unwrap()
    } else {
        table
    })
}

/// A cell as the fixture writes it: a number, a string (dates in ISO form), "NaN" or null.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    Null,
}

fn cells(column: &ArrayRef) -> Vec<Cell> {
    if column.data_type().is_numeric() {
        let doubles = spark_cast(column, &DataType::Float64).unwrap();
        let doubles = doubles.as_primitive::<Float64Type>();
        return (0..doubles.len())
            .map(|i| {
                if doubles.is_null(i) {
                    Cell::Null
                } else {
                    Cell::Number(doubles.value(i))
                }
            })
            .collect();
    }
    let shown = display_array(column).unwrap();
    shown
        .iter()
        .map(|v| v.map_or(Cell::Null, |s| Cell::Text(s.to_string())))
        .collect()
}

fn expected_cell(value: &Value) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::String(s) if s == "NaN" => Cell::Number(f64::NAN),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Number(n) => Cell::Number(n.as_f64().unwrap()),
        Value::Bool(b) => Cell::Text(b.to_string()),
        other => panic!("unexpected fixture value {other}"),
    }
}

fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * y.abs().max(1.0)
        }
        _ => a == b,
    }
}

/// The output's rows, restricted to `columns`, as cells.
fn rows_of(table: &Table, columns: &[String]) -> Vec<Vec<Cell>> {
    let batch = table.window(0, table.num_rows()).unwrap();
    let by_column: Vec<Vec<Cell>> = columns
        .iter()
        .map(|name| {
            let column = batch
                .column_by_name(name)
                .unwrap_or_else(|| panic!("no column {name} in {:?}", batch.schema()));
            cells(column)
        })
        .collect();
    (0..batch.num_rows())
        .map(|r| by_column.iter().map(|c| c[r].clone()).collect())
        .collect()
}

fn sort_keys(rows: &mut [Vec<Cell>]) {
    let key = |c: &Cell| match c {
        Cell::Null => (0, String::new(), 0.0),
        Cell::Number(x) => (1, String::new(), *x),
        Cell::Text(s) => (1, s.clone(), 0.0),
    };
    rows.sort_by(|a, b| {
        let ka: Vec<_> = a.iter().map(key).collect();
        let kb: Vec<_> = b.iter().map(key).collect();
        ka.partial_cmp(&kb).unwrap()
    });
}

fn compare(case: &str, actual: Vec<Vec<Cell>>, expected: &Value) {
    let expected: Vec<Vec<Cell>> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(expected_cell).collect())
        .collect();
    assert_eq!(actual.len(), expected.len(), "{case}: row count");
    for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert!(
            a.iter().zip(e).all(|(x, y)| same(x, y)),
            "{case}: row {i}: Brasa {a:?}, Spark {e:?}"
        );
    }
}

fn check_learned(case: &Value, fitted: &PipelineSpec) {
    let name = case["name"].as_str().unwrap();
    let Some(learned) = case.get("learned") else {
        return;
    };
    for step in &fitted.steps {
        match step {
            Step::Imputer {
                fitted: Some(f), ..
            } => {
                let spark: Vec<f64> = serde_json::from_value(learned.clone()).unwrap();
                for (b, s) in f.surrogates.iter().zip(&spark) {
                    assert!(
                        (b - s).abs() <= 1e-9 * s.abs(),
                        "{name}: surrogate {b} vs {s}"
                    );
                }
            }
            Step::StringIndexer {
                fitted: Some(f), ..
            } if learned.is_array() => {
                let spark: Vec<Vec<String>> = serde_json::from_value(learned.clone()).unwrap();
                assert_eq!(f.labels, spark, "{name}: labels");
            }
            Step::OneHotEncoder {
                fitted: Some(f), ..
            } => {
                let spark: Vec<usize> =
                    serde_json::from_value(learned["categorySizes"].clone()).unwrap();
                assert_eq!(f.category_sizes, spark, "{name}: category sizes");
            }
            _ => {}
        }
    }
}

#[test]
fn pipelines_match_pyspark() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap())
            .unwrap();
    let cases = expected["cases"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for partitions in [1, 7] {
        let source = load("customers.csv", partitions);
        let new = load("customers_new.csv", partitions);
        let mut catalog = Catalog::new();
        catalog
            .register("customers", Table::clone(&source), false)
            .unwrap();
        for case in cases {
            let name = format!(
                "{} ({partitions} partitions)",
                case["name"].as_str().unwrap()
            );
            let spec: PipelineSpec = serde_json::from_value(case["pipeline"].clone()).unwrap();
            let columns: Vec<String> = serde_json::from_value(case["columns"].clone()).unwrap();
            let ctx = JobContext::default();
            let mut cache = StepCache::default();
            let run = run_pipeline(&catalog, &source, &spec, &mut cache, false, &ctx)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            check_learned(case, &run.fitted);
            let mut rows = rows_of(&run.output, &columns);
            if case.get("note").is_some() {
                sort_keys(&mut rows);
            }
            compare(&name, rows, &case["rows"]);
            if let Some(new_rows) = case.get("new_rows") {
                assert!(run.fitted.is_fitted());
                let replay = run_pipeline(&catalog, &new, &run.fitted, &mut cache, false, &ctx)
                    .unwrap_or_else(|e| panic!("{name} on the new file: {e}"));
                compare(
                    &format!("{name} on the new file"),
                    rows_of(&replay.output, &columns),
                    new_rows,
                );
            }
        }
    }
}

/// The profile of the same CSV against Spark SQL's answers (count, count DISTINCT, min,
/// max, avg, stddev, percentile_approx at full accuracy, GROUP BY counts).
#[test]
fn profile_matches_spark_sql() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap())
            .unwrap();
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: Brasa {a}, Spark {b}"
        )
    };
    for partitions in [1, 7] {
        let table = load("customers.csv", partitions);
        let profile = brasa::profile::profile(&table, &JobContext::default()).unwrap();
        assert_eq!(profile.rows, 405);
        for column in &profile.columns {
            let spark = &expected["profile"][&column.name];
            let what = |stat: &str| format!("{}.{stat} ({partitions} partitions)", column.name);
            assert_eq!(
                column.nulls,
                spark["nulls"].as_u64().unwrap(),
                "{}",
                what("nulls")
            );
            assert_eq!(
                column.distinct,
                spark["distinct"].as_u64().unwrap(),
                "{}",
                what("distinct")
            );
            assert!(column.distinct_exact && column.top_exact);
            if let Some(n) = &column.numbers {
                if column.kind == brasa::profile::Kind::Numeric {
                    assert_eq!(
                        column.nans,
                        spark["nans"].as_u64().unwrap(),
                        "{}",
                        what("nans")
                    );
                    close(n.min, spark["min"].as_f64().unwrap(), &what("min"));
                    close(n.max, spark["max"].as_f64().unwrap(), &what("max"));
                    close(n.mean, spark["mean"].as_f64().unwrap(), &what("mean"));
                    close(n.std, spark["std"].as_f64().unwrap(), &what("std"));
                    let quantiles: Vec<f64> =
                        serde_json::from_value(spark["quantiles"].clone()).unwrap();
                    for (q, s) in n.quantiles.iter().zip(&quantiles) {
                        close(q.value, *s, &what(&format!("p{}", q.p)));
                    }
                }
            }
            // Counts in order; values where the count is not tied with the cut-off
            // (Spark breaks ties by the value's text, Brasa numbers by their value).
            let top: Vec<(String, u64)> = serde_json::from_value(spark["top"].clone()).unwrap();
            let counts: Vec<u64> = column.top_values.iter().map(|t| t.count).collect();
            assert_eq!(
                counts,
                top.iter().map(|t| t.1).collect::<Vec<_>>(),
                "{}",
                what("top counts")
            );
            let cut = top.last().map_or(0, |t| t.1);
            let mut ours: Vec<&str> = column
                .top_values
                .iter()
                .filter(|t| t.count > cut)
                .map(|t| t.value.as_str())
                .collect();
            let mut theirs: Vec<&str> = top
                .iter()
                .filter(|t| t.1 > cut)
                .map(|t| t.0.as_str())
                .collect();
            ours.sort();
            theirs.sort();
            assert_eq!(ours, theirs, "{}", what("top values"));
        }
    }
}
