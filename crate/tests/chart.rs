//! Charts of a result against pandas' answers for the same settings on the same data
//! (`tests/fixtures/chart`, made by `make_chart_fixtures.py`), at several partitionings:
//! the grouped values, the X values kept past a chart's limit and which, the series, the
//! histogram bins. Floats to a relative 1e-9 (pandas sums in another order).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use brasa::chart::{chart_data, ChartData, ChartSpec};
use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::query;
use brasa::{Catalog, ErrorCode, Table};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn telecom(partitions: usize) -> Catalog {
    let bytes = std::fs::read(root().join("www/public/sample/telecom.csv")).unwrap();
    let (table, _) = read_csv(&bytes, &CsvOptions::default()).unwrap();
    let table = if partitions > 0 {
        table.repartition(partitions).unwrap()
    } else {
        table
    };
    let mut catalog = Catalog::new();
    catalog.register("t", table, false).unwrap();
    catalog
}

fn result(catalog: &Catalog, sql: Option<&str>) -> Table {
    query(
        catalog,
        sql.unwrap_or("SELECT * FROM t"),
        &JobContext::default(),
    )
    .unwrap()
}

fn close(ours: &Value, theirs: &Value) -> bool {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => ours == theirs,
    }
}

fn same_numbers(ours: &Value, theirs: &Value) -> bool {
    match (ours.as_array(), theirs.as_array()) {
        (Some(a), Some(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y)),
        _ => false,
    }
}

/// What differs between the engine's chart and pandas' (empty: nothing).
fn differences(ours: &ChartData, expected: &Value) -> Vec<String> {
    let ours = serde_json::to_value(ours).unwrap();
    let mut out = Vec::new();
    for key in [
        "xShown",
        "xTotal",
        "picked",
        "seriesShown",
        "seriesTotal",
        "leftOut",
        "labels",
    ] {
        if let Some(theirs) = expected.get(key) {
            let mine = ours.get(key).cloned().unwrap_or_default();
            if mine != *theirs {
                let first = mine
                    .as_array()
                    .zip(theirs.as_array())
                    .and_then(|(a, b)| a.iter().zip(b).position(|(x, y)| x != y));
                match first {
                    Some(i) => out.push(format!("{key}[{i}]: {} != {}", mine[i], theirs[i])),
                    None => out.push(format!("{key}: {mine} != {theirs}")),
                }
            }
        }
    }
    if let Some(theirs) = expected.get("xValues") {
        if !same_numbers(&ours["xValues"], theirs) {
            out.push("xValues differ".to_string());
        }
    }
    let (Some(datasets), Some(theirs)) =
        (ours["datasets"].as_array(), expected["datasets"].as_array())
    else {
        return vec!["no datasets".to_string()];
    };
    if datasets.len() != theirs.len() {
        out.push(format!(
            "{} datasets, pandas has {}",
            datasets.len(),
            theirs.len()
        ));
    }
    for (d, t) in datasets.iter().zip(theirs) {
        if d["label"] != t["label"] {
            out.push(format!("dataset {} != {}", d["label"], t["label"]));
        }
        if !same_numbers(&d["values"], &t["values"]) {
            let first = d["values"]
                .as_array()
                .zip(t["values"].as_array())
                .and_then(|(a, b)| a.iter().zip(b).position(|(x, y)| !close(x, y)));
            out.push(format!(
                "dataset {}: values differ (first at {first:?})",
                d["label"]
            ));
        }
    }
    out
}

#[test]
fn charts_match_pandas() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/chart/expected.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 10);
    let mut failures = Vec::new();
    for partitions in [0, 3, 7] {
        let catalog = telecom(partitions);
        for case in &cases {
            let table = result(&catalog, case["sql"].as_str());
            let spec: ChartSpec = serde_json::from_value(case["spec"].clone()).unwrap();
            match chart_data(&table, &spec, &JobContext::default()) {
                Ok(data) => {
                    for d in differences(&data, &case["expected"]) {
                        failures.push(format!("{} ({partitions} partitions): {d}", case["name"]));
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", case["name"])),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn refused(spec: serde_json::Value) -> String {
    let table = result(&telecom(0), None);
    let spec: ChartSpec = serde_json::from_value(spec).unwrap();
    let err = chart_data(&table, &spec, &JobContext::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    err.message().to_string()
}

#[test]
fn what_cannot_be_drawn_is_refused_with_the_column_named() {
    let text_y = refused(
        serde_json::json!({"kind": "bar", "x": "region", "y": ["plan"], "aggregation": "sum"}),
    );
    assert!(
        text_y.contains("Y must be numeric, and `plan` is a string"),
        "{text_y}"
    );
    let text_x = refused(
        serde_json::json!({"kind": "histogram", "x": "region", "y": [], "aggregation": "count"}),
    );
    assert!(
        text_x.contains("a histogram bins numbers, and `region` is a string"),
        "{text_x}"
    );
    let missing = refused(
        serde_json::json!({"kind": "line", "x": "nope", "y": ["age"], "aggregation": "avg"}),
    );
    assert!(missing.contains("no column `nope`"), "{missing}");
    let no_y =
        refused(serde_json::json!({"kind": "bar", "x": "region", "y": [], "aggregation": "avg"}));
    assert!(no_y.contains("pick a Y column"), "{no_y}");
}

#[test]
fn a_cancelled_chart_stops_with_cancelled() {
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use std::sync::Arc;
    let table = result(&telecom(4), None);
    let ctx = JobContext::new(
        Arc::new(AtomicBool::new(true)),
        Arc::new(AtomicUsize::new(0)),
    );
    for spec in [
        serde_json::json!({"kind": "bar", "x": "region", "y": ["age"], "aggregation": "sum"}),
        serde_json::json!({"kind": "histogram", "x": "age", "y": [], "aggregation": "count"}),
        serde_json::json!({"kind": "scatter", "x": "age", "y": ["income"], "aggregation": "none"}),
    ] {
        let spec: ChartSpec = serde_json::from_value(spec).unwrap();
        let err = chart_data(&table, &spec, &ctx).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Cancelled, "{spec:?}");
    }
}

#[test]
fn an_empty_result_is_an_empty_chart() {
    let table = result(&telecom(0), Some("SELECT * FROM t WHERE age > 1000"));
    for kind in ["bar", "line", "pie", "scatter", "histogram"] {
        let aggregation = if kind == "scatter" { "none" } else { "sum" };
        let spec: ChartSpec = serde_json::from_value(serde_json::json!(
            {"kind": kind, "x": "age", "y": ["income"], "series": "plan", "aggregation": aggregation}
        ))
        .unwrap();
        let data = chart_data(&table, &spec, &JobContext::default()).unwrap();
        assert_eq!(data.x_total, 0, "{kind}");
        assert!(data.datasets.iter().all(|d| d.values.is_empty()), "{kind}");
    }
}
