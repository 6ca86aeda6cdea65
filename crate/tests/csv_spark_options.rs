//! Brasa's CSV reader options against Spark's own reading of the same files with the same
//! options (`tests/fixtures/csv/spark_csv_options.json`, written by
//! `make_spark_csv_options.py` with PySpark 4): schema and every value as text.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_select::concat::concat_batches;
use brasa::io::csv::{read_csv, CsvOptions, ParseMode};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    file: String,
    options: BTreeMap<String, String>,
    schema: Option<Vec<(String, String)>>,
    rows: Option<Vec<Vec<Option<String>>>>,
    error: Option<String>,
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/csv")
}

/// Spark's options as Brasa's; Spark's defaults where Brasa's differ (no inference, no
/// detection), so both read the file the same way.
fn options_of(spark: &BTreeMap<String, String>) -> CsvOptions {
    let one = |key: &str| spark.get(key).and_then(|v| v.chars().next());
    let flag = |key: &str| spark.get(key).is_some_and(|v| v == "true");
    let text_or = |key: &str, default: &str| spark.get(key).map_or(default, String::as_str).into();
    CsvOptions {
        header: Some(flag("header")),
        delimiter: Some(one("sep").unwrap_or(',')),
        infer_schema: flag("inferSchema"),
        // An empty field is always NULL in Brasa; Spark's nullValue adds to it.
        null_values: std::iter::once(String::new())
            .chain(spark.get("nullValue").cloned())
            .collect(),
        // Spark's `quote` set to "" turns quoting off.
        quoting: spark.get("quote").is_none_or(|q| !q.is_empty()),
        quote: one("quote").unwrap_or('"'),
        multi_line: flag("multiLine"),
        comment: one("comment"),
        escape: one("escape").unwrap_or('"'),
        ignore_leading_white_space: flag("ignoreLeadingWhiteSpace"),
        ignore_trailing_white_space: flag("ignoreTrailingWhiteSpace"),
        nan_value: text_or("nanValue", "NaN"),
        positive_inf: text_or("positiveInf", "Inf"),
        negative_inf: text_or("negativeInf", "-Inf"),
        empty_value: spark.get("emptyValue").cloned(),
        line_sep: spark.get("lineSep").cloned(),
        encoding: text_or("encoding", "UTF-8"),
        schema: spark.get("schema").cloned(),
        date_format: spark.get("dateFormat").cloned(),
        timestamp_format: spark.get("timestampFormat").cloned(),
        mode: match spark.get("mode").map(String::as_str) {
            Some("DROPMALFORMED") => ParseMode::DropMalformed,
            Some("FAILFAST") => ParseMode::FailFast,
            _ => ParseMode::Permissive,
        },
        ..CsvOptions::default()
    }
}

/// Values as PySpark's `str()` of them: timestamps `2024-01-31 10:30:00`, in UTC.
fn spark_text() -> FormatOptions<'static> {
    FormatOptions::default().with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S"))
}

#[test]
fn options_read_as_spark_reads_them() {
    let expected: BTreeMap<String, Case> = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("spark_csv_options.json")).unwrap(),
    )
    .unwrap();
    assert!(expected.len() >= 10);
    for (name, case) in &expected {
        let bytes = std::fs::read(fixtures().join(&case.file)).unwrap();
        let options = options_of(&case.options);
        let read = read_csv(&bytes, &options);
        if name == "windows1252" {
            // Spark 4 takes only iso-8859-1, us-ascii, utf-16(be/le), utf-32 and utf-8;
            // Brasa reads every WHATWG label (README, "Reading CSV").
            assert!(case.error.as_deref().is_some_and(|e| e.contains("CHARSET")));
            let (table, _) = read.unwrap();
            let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
            let prices = batch.column(0).as_string::<i32>();
            assert_eq!(prices.value(0), "€99");
            continue;
        }
        if name == "null_value_default" {
            // Spark's default nullValue "" makes a quoted "" NULL; Brasa reads it as an
            // empty string (README, "Reading CSV"). Everything else is Spark's.
            let (table, _) = read.unwrap();
            let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
            let texts = batch.column(1).as_string::<i32>();
            let spark = case.rows.as_ref().unwrap();
            assert_eq!(spark[2][1], None);
            assert_eq!((texts.is_valid(2), texts.value(2)), (true, ""));
            let others: Vec<Option<&str>> = [0, 1, 3]
                .iter()
                .map(|&r| texts.is_valid(r).then(|| texts.value(r)))
                .collect();
            let expected: Vec<Option<&str>> =
                [0, 1, 3].iter().map(|&r| spark[r][1].as_deref()).collect();
            assert_eq!(others, expected);
            continue;
        }
        if name == "inference_java_numbers" {
            // Java's Double.parseDouble takes ` 7` and `2d`, so Spark infers doubles (7.0,
            // 2.0); Brasa reads numbers trimmed (an int, 7) and keeps `2d` as text (README,
            // "Reading CSV").
            assert_eq!(
                case.schema.as_ref().unwrap()[..],
                [
                    ("spaced".to_string(), "double".to_string()),
                    ("suffix".to_string(), "double".to_string())
                ]
            );
            let (table, _) = read.unwrap();
            let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
            let spaced = batch
                .column(0)
                .as_primitive::<arrow_array::types::Int32Type>();
            assert_eq!(spaced.values()[..], [7, 8]);
            let suffix = batch.column(1).as_string::<i32>();
            assert_eq!((suffix.value(0), suffix.value(1)), ("1.0f", "2d"));
            continue;
        }
        if let Some(error) = &case.error {
            assert!(
                read.is_err(),
                "{name}: Spark failed ({error}), Brasa read it"
            );
            continue;
        }
        let (table, _) = read.unwrap_or_else(|e| panic!("{name}: {e}"));
        let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
        let schema: Vec<(String, String)> = brasa::frame::ColumnInfo::of_schema(table.schema())
            .into_iter()
            .map(|c| (c.name, c.data_type))
            .collect();
        assert_eq!(Some(&schema), case.schema.as_ref(), "{name}: schema");
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|a| ArrayFormatter::try_new(a.as_ref(), &spark_text()).unwrap())
            .collect();
        let rows: Vec<Vec<Option<String>>> = (0..batch.num_rows())
            .map(|row| {
                batch
                    .columns()
                    .iter()
                    .zip(&formatters)
                    .map(|(array, f)| array.is_valid(row).then(|| f.value(row).to_string()))
                    .collect()
            })
            .collect();
        assert_eq!(Some(&rows), case.rows.as_ref(), "{name}: rows");
    }
}
