//! The JSON reader against Spark's own: each file of `tests/fixtures/json` read by
//! Brasa gives the schema (names, order, Spark's type names) and rows PySpark 4's
//! `spark.read.json` gives (`make_spark_json_fixtures.py`), and an error where Spark
//! raises one. Also: compressed JSON, and the same table at any piece size.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, TimestampMicrosecondType,
};
use arrow_array::Array;
use arrow_json::writer::{JsonArray, WriterBuilder};
use arrow_schema::DataType;
use brasa::frame::display_batch;
use brasa::frame::jvm::{java_double, java_float};
use brasa::frame::spark_type_name;
use brasa::io::compressed::{ByteSink, Compression, Decompressor};
use brasa::io::csv::ParseMode;
use brasa::io::json::{read_json, JsonLoader, JsonOptions};
use brasa::temporal::{format_date, format_timestamp_spark};
use brasa::{ErrorCode, Table};
use serde::Deserialize;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/json")
}

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    case: String,
    file: String,
    options: serde_json::Map<String, Value>,
    schema: Option<Vec<(String, String)>>,
    rows: Option<Vec<Value>>,
    /// With a given schema: each value as Spark's `CAST(... AS STRING)` writes it.
    text_rows: Option<Vec<Vec<Option<String>>>>,
    error: Option<String>,
}

fn options_of(case: &Case) -> JsonOptions {
    let mut options = JsonOptions::default();
    for (key, value) in &case.options {
        match (key.as_str(), value.as_str()) {
            ("mode", Some("DROPMALFORMED")) => options.mode = ParseMode::DropMalformed,
            ("mode", Some("FAILFAST")) => options.mode = ParseMode::FailFast,
            ("multiLine", Some(v)) => options.multi_line = Some(v == "true"),
            ("schema", Some(v)) => options.schema = Some(v.to_string()),
            ("dateFormat", Some(v)) => options.date_format = Some(v.to_string()),
            ("timestampFormat", Some(v)) => options.timestamp_format = Some(v.to_string()),
            ("columnNameOfCorruptRecord", Some(v)) => {
                options.column_name_of_corrupt_record = v.to_string()
            }
            ("allowSingleQuotes", Some(v)) => options.allow_single_quotes = v == "true",
            ("allowNonNumericNumbers", Some(v)) => options.allow_non_numeric_numbers = v == "true",
            ("allowUnquotedFieldNames", Some(v)) => {
                options.allow_unquoted_field_names = v == "true"
            }
            ("allowNumericLeadingZeros", Some(v)) => {
                options.allow_numeric_leading_zeros = v == "true"
            }
            ("allowBackslashEscapingAnyCharacter", Some(v)) => {
                options.allow_backslash_escaping_any_character = v == "true"
            }
            ("allowUnquotedControlChars", Some(v)) => {
                options.allow_unquoted_control_chars = v == "true"
            }
            ("allowComments", Some(v)) => options.allow_comments = v == "true",
            ("primitivesAsString", Some(v)) => options.primitives_as_string = v == "true",
            ("dropFieldIfAllNull", Some(v)) => options.drop_field_if_all_null = v == "true",
            ("prefersDecimal", Some(v)) => options.prefers_decimal = v == "true",
            ("inferTimestamp", Some(v)) => options.infer_timestamp = v == "true",
            ("lineSep", Some(v)) => options.line_sep = Some(v.to_string()),
            ("samplingRatio", Some(v)) => options.sampling_ratio = v.parse().unwrap(),
            other => panic!("{}: option {other:?}", case.case),
        }
    }
    options
}

/// The table's rows as JSON objects with every field (nulls included).
fn json_rows(table: &Table) -> Vec<Value> {
    let mut writer = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(Vec::new());
    for batch in table.partitions().unwrap().iter() {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    let text = writer.into_inner();
    if text.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice(&text).unwrap()
}

/// The table's values as Spark's `CAST(... AS STRING)` writes them (NULL as `None`).
fn text_rows(table: &Table) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    for batch in table.partitions().unwrap().iter() {
        for row in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|column| spark_text(column.as_ref(), row))
                    .collect(),
            );
        }
    }
    rows
}

fn spark_text(column: &dyn Array, row: usize) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    Some(match column.data_type() {
        DataType::Int8 => column.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => column.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float32 => java_float(column.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => java_double(column.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(..) => column.as_primitive::<Decimal128Type>().value_as_string(row),
        DataType::Boolean => column.as_boolean().value(row).to_string(),
        DataType::Date32 => format_date(column.as_primitive::<Date32Type>().value(row) as i64),
        DataType::Timestamp(..) => {
            format_timestamp_spark(column.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        DataType::Utf8 => column.as_string::<i32>().value(row).to_string(),
        // Spark's CAST of a struct or an array: its values' text in braces or brackets,
        // NULL as `null`.
        DataType::Struct(_) => {
            let fields = column.as_struct();
            let values: Vec<String> = fields
                .columns()
                .iter()
                .map(|c| spark_text(c.as_ref(), row).unwrap_or_else(|| "null".into()))
                .collect();
            format!("{{{}}}", values.join(", "))
        }
        DataType::List(_) => {
            let items = column.as_list::<i32>().value(row);
            let values: Vec<String> = (0..items.len())
                .map(|i| spark_text(items.as_ref(), i).unwrap_or_else(|| "null".into()))
                .collect();
            format!("[{}]", values.join(", "))
        }
        other => panic!("no text for {other}"),
    })
}

/// The table's columns with Spark's type names.
fn spark_schema(table: &Table) -> Vec<(String, String)> {
    table
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), spark_type_name(f.data_type())))
        .collect()
}

/// Equal as Spark's rows: numbers by value (Spark's `7.0` is Brasa's `7.0` or `7`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn every_file_reads_as_spark_reads_it() {
    let expected: Expected =
        serde_json::from_slice(&std::fs::read(dir().join("spark_json_expected.json")).unwrap())
            .unwrap();
    assert!(expected.cases.len() >= 6);
    for case in &expected.cases {
        let bytes = std::fs::read(dir().join(&case.file)).unwrap();
        let result = read_json(&bytes, &options_of(case));
        if let Some(spark_error) = &case.error {
            let err = result.err().unwrap_or_else(|| {
                panic!("{}: Spark raised `{spark_error}`, Brasa loaded", case.case)
            });
            // Spark refuses a negative-scale decimal (`prefersDecimal` and `1e3`) and a
            // samplingRatio of 0 as options it cannot apply; the rest as malformed records.
            let bad_option = spark_error.starts_with("[NEGATIVE_SCALE_DISALLOWED]")
                || spark_error.contains("samplingRatio");
            let code = match bad_option {
                true => ErrorCode::JsonBadOption,
                false => ErrorCode::JsonMalformed,
            };
            assert_eq!(err.code(), code, "{}: {err}", case.case);
            continue;
        }
        let (table, _) = result.unwrap_or_else(|e| panic!("{}: {e}", case.case));
        assert_eq!(
            &spark_schema(&table),
            case.schema.as_ref().unwrap(),
            "{}: schema",
            case.case
        );
        if let Some(spark_rows) = &case.text_rows {
            let rows = text_rows(&table);
            assert_eq!(rows.len(), spark_rows.len(), "{}: rows", case.case);
            for (i, (ours, theirs)) in rows.iter().zip(spark_rows).enumerate() {
                assert_eq!(ours, theirs, "{} row {i}", case.case);
            }
            continue;
        }
        let rows = json_rows(&table);
        let spark_rows = case.rows.as_ref().unwrap();
        assert_eq!(rows.len(), spark_rows.len(), "{}: rows", case.case);
        for (i, (ours, theirs)) in rows.iter().zip(spark_rows).enumerate() {
            assert!(
                same(ours, theirs),
                "{} row {i}:\n brasa {ours}\n spark {theirs}",
                case.case
            );
        }
    }
}

#[test]
fn failfast_names_the_line_of_the_first_malformed_record() {
    let bytes = std::fs::read(dir().join("malformed.jsonl")).unwrap();
    let options = JsonOptions {
        mode: ParseMode::FailFast,
        ..JsonOptions::default()
    };
    let err = read_json(&bytes, &options).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonMalformed);
    assert!(
        err.message().starts_with("line 2 is not a JSON record"),
        "{err}"
    );
    assert_eq!(err.location().row, Some(2));
}

#[test]
fn permissive_mode_says_which_lines_were_malformed() {
    let bytes = std::fs::read(dir().join("malformed.jsonl")).unwrap();
    let (_, warnings) = read_json(&bytes, &JsonOptions::default()).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("4 records are not JSON objects (line 2: "),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("`_corrupt_record`"), "{warnings:?}");
}

#[test]
fn json_lines_detected_and_a_document_detected() {
    let lines = std::fs::read(dir().join("people.jsonl")).unwrap();
    let array = std::fs::read(dir().join("array.json")).unwrap();
    let (table, _) = read_json(&lines, &JsonOptions::default()).unwrap();
    assert_eq!(table.num_rows(), 8);
    let (table, _) = read_json(&array, &JsonOptions::default()).unwrap();
    assert_eq!(table.num_rows(), 3);
}

#[test]
fn many_pieces_make_the_same_table_as_one() {
    let mut text = String::new();
    for i in 0..120_000 {
        text.push_str(&format!(
            "{{\"id\": {i}, \"v\": {}, \"s\": \"row {i}\"}}\n",
            i as f64 / 4.0
        ));
    }
    text.push_str("{\"id\": \"late string\"}\n");
    let (table, _) = read_json(text.as_bytes(), &JsonOptions::default()).unwrap();
    assert!(table.num_partitions() > 1);
    assert_eq!(table.num_rows(), 120_001);
    let rows = json_rows(&table);
    assert_eq!(
        rows[0],
        serde_json::json!({"id": "0", "s": "row 0", "v": 0.0})
    );
    assert_eq!(rows[120_000]["id"], "late string");
}

/// The options of the Spark case `name`.
fn case_options(name: &str) -> JsonOptions {
    let expected: Expected =
        serde_json::from_slice(&std::fs::read(dir().join("spark_json_expected.json")).unwrap())
            .unwrap();
    let case = expected.cases.iter().find(|c| c.case == name).unwrap();
    options_of(case)
}

/// Every value as the grid shows it (nested values as JSON text, NaN as `NaN`).
fn shown_rows(table: &Table) -> Vec<Vec<Option<String>>> {
    let shown = display_batch(&table.window(0, table.num_rows()).unwrap()).unwrap();
    (0..shown.num_rows())
        .map(|row| {
            shown
                .columns()
                .iter()
                .map(|c| {
                    c.as_string::<i32>()
                        .is_valid(row)
                        .then(|| c.as_string::<i32>().value(row).to_string())
                })
                .collect()
        })
        .collect()
}

/// The table and warnings of Spark case `case` on `file` read whole, and the same read as
/// the text arrives 7 bytes at a time in pieces of 1, 64 and 300 bytes; the warnings.
fn reads_the_same_in_any_pieces(file: &str, case: &str) -> Vec<String> {
    let bytes = std::fs::read(dir().join(file)).unwrap();
    let options = case_options(case);
    let (whole, whole_warnings) = read_json(&bytes, &options).unwrap();
    for piece_bytes in [1, 64, 300] {
        let mut loader = JsonLoader::new(options.clone(), 0)
            .unwrap()
            .with_piece_bytes(piece_bytes);
        for chunk in bytes.chunks(7) {
            loader.push(chunk).unwrap();
        }
        let (table, warnings) = loader.finish().unwrap();
        assert!(
            table.num_partitions() > 1 || piece_bytes >= bytes.len() / 2,
            "{case} in {piece_bytes}-byte pieces"
        );
        assert_eq!(
            table.schema(),
            whole.schema(),
            "{case} in {piece_bytes}-byte pieces"
        );
        assert_eq!(
            shown_rows(&table),
            shown_rows(&whole),
            "{case} in {piece_bytes}-byte pieces"
        );
        assert_eq!(
            warnings, whole_warnings,
            "{case} in {piece_bytes}-byte pieces"
        );
    }
    whole_warnings
}

#[test]
fn a_given_schema_reads_the_same_in_any_pieces() {
    for case in ["schema_permissive", "schema_dropmalformed"] {
        let warnings = reads_the_same_in_any_pieces("schema.jsonl", case);
        assert_eq!(warnings.len(), 1, "{case}: {warnings:?}");
    }
    let bytes = std::fs::read(dir().join("schema.jsonl")).unwrap();
    let (_, warnings) = read_json(&bytes, &case_options("schema_permissive")).unwrap();
    assert!(
        warnings[0].starts_with(
            "10 records do not fit the schema (line 2: `sm`: 40000 is out of range for a \
             smallint; line 3: `t`: -129 is out of range for a tinyint; line 4: `t`: \"1\" is \
             not a tinyint); what did not fit is null and their text is in column \
             `_corrupt_record`"
        ),
        "{warnings:?}"
    );
}

/// Records that are JSON only under Spark's leniencies (single quotes, `NaN`, comments,
/// ...) are found, surveyed and decoded the same however the text arrives, inferred or
/// with a schema given.
#[test]
fn lenient_records_read_the_same_in_any_pieces() {
    for case in [
        "lenient_defaults",
        "lenient_all",
        "lenient_schema",
        "lenient_schema_all",
    ] {
        let warnings = reads_the_same_in_any_pieces("lenient.jsonl", case);
        assert_eq!(warnings.len(), 1, "{case}: {warnings:?}");
    }
}

/// A multiLine document with comments (`allowComments`) holding `,`, `]` and quotes, cut
/// anywhere, is split into the records Spark reads (`every_file_reads_as_spark_reads_it`
/// compares those). Without the option the comments make the document malformed: Spark
/// reads it as one corrupt record; Brasa too when it starts with a comment, and otherwise
/// says the array seems closed early, naming the option.
#[test]
fn commented_documents_read_the_same_in_any_pieces() {
    for (file, case) in [
        ("comments.json", "comments_multiline"),
        ("comments_header.json", "comments_multiline_header"),
    ] {
        assert!(
            reads_the_same_in_any_pieces(file, case).is_empty(),
            "{case}"
        );
        let bytes = std::fs::read(dir().join(file)).unwrap();
        let mut options = case_options(case);
        options.allow_comments = false;
        match read_json(&bytes, &options) {
            Ok((table, warnings)) => {
                assert!(!warnings.is_empty(), "{case}: {warnings:?}");
                assert_eq!(spark_schema(&table)[0].0, "_corrupt_record", "{case}");
            }
            Err(err) => {
                assert_eq!(err.code(), ErrorCode::JsonMalformed, "{case}");
                assert!(err.message().contains("tick allowComments"), "{err}");
            }
        }
    }
}

/// Spark's inference options give the same schema and rows however the text arrives.
#[test]
fn inference_options_read_the_same_in_any_pieces() {
    for case in [
        "inference_primitives_as_string",
        "inference_drop_all_null",
        "inference_both",
    ] {
        assert!(reads_the_same_in_any_pieces("inference.jsonl", case).is_empty());
    }
    for case in [
        "types_defaults",
        "types_prefers_decimal",
        "types_infer_timestamp",
        "types_both",
        "types_timestamp_format",
    ] {
        assert!(reads_the_same_in_any_pieces("types.jsonl", case).is_empty());
    }
    assert!(reads_the_same_in_any_pieces("nan_decimals.jsonl", "types_nan_defaults").is_empty());
    // Under prefersDecimal the NaN and the infinity make their records malformed, and
    // the warning says why.
    let warnings = reads_the_same_in_any_pieces("nan_decimals.jsonl", "types_nan_prefers_decimal");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("prefersDecimal cannot make a decimal"),
        "{warnings:?}"
    );
}

#[test]
fn records_ended_by_a_line_separator_read_the_same_in_any_pieces() {
    let warnings = reads_the_same_in_any_pieces("line_sep.json", "line_sep_pipe");
    // The `|` inside a string ended its record, as in Spark: two malformed halves.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("2 records are not JSON objects"),
        "{warnings:?}"
    );
    assert!(reads_the_same_in_any_pieces("line_sep_crlf.json", "line_sep_crlf").is_empty());
    // A line break inside a string is a control character (malformed, its text kept as
    // the file has it), or part of the string with allowUnquotedControlChars.
    let text = b"{\"a\":\"x\ny\"}|{\"a\":2}";
    let options = JsonOptions {
        line_sep: Some("|".into()),
        ..JsonOptions::default()
    };
    let (table, _) = read_json(text, &options).unwrap();
    assert_eq!(
        json_rows(&table),
        [
            serde_json::json!({"_corrupt_record": "{\"a\":\"x\ny\"}", "a": null}),
            serde_json::json!({"_corrupt_record": null, "a": 2}),
        ]
    );
    let lenient = JsonOptions {
        allow_unquoted_control_chars: true,
        ..options
    };
    let (table, _) = read_json(text, &lenient).unwrap();
    assert_eq!(
        json_rows(&table),
        [
            serde_json::json!({"a": "x\ny"}),
            serde_json::json!({"a": "2"})
        ]
    );
}

#[test]
fn prefers_decimal_refuses_a_negative_scale_naming_the_number() {
    let bytes = std::fs::read(dir().join("inference.jsonl")).unwrap();
    let err = read_json(&bytes, &case_options("inference_prefers_decimal")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonBadOption);
    assert!(
        err.message().starts_with(
            "field `b`: prefersDecimal reads the number 2E+2 as a decimal of scale -2"
        ),
        "{err}"
    );
}

#[test]
fn failfast_with_a_schema_names_the_line_and_the_value() {
    let bytes = std::fs::read(dir().join("schema.jsonl")).unwrap();
    let err = read_json(&bytes, &case_options("schema_failfast")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonMalformed);
    assert!(
        err.message().starts_with(
            "line 2 does not fit the schema (`sm`: 40000 is out of range for a smallint)"
        ),
        "{}",
        err.message()
    );
}

#[test]
fn a_schema_that_cannot_be_used_is_refused() {
    let refused = |options: JsonOptions, says: &str| {
        let err = read_json(b"{\"a\": 1}\n", &options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonBadOption, "{err}");
        assert!(err.message().contains(says), "{}", err.message());
    };
    let with_schema = |ddl: &str| JsonOptions {
        schema: Some(ddl.to_string()),
        ..JsonOptions::default()
    };
    refused(with_schema("a TYPEX"), "TYPEX");
    refused(with_schema("a INT, a STRING"), "twice");
    refused(with_schema("   "), "the schema is empty");
    refused(
        with_schema("a INT, _corrupt_record INT"),
        "the corrupt-record column `_corrupt_record` must be a STRING, not INT",
    );
    refused(
        JsonOptions {
            date_format: Some("dd/QQQ".to_string()),
            ..with_schema("a DATE")
        },
        "dateFormat",
    );
}

#[test]
fn a_gzipped_json_file_loads_as_the_plain_one() {
    use std::io::Write;
    let bytes = std::fs::read(dir().join("people.jsonl")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&bytes).unwrap();
    let packed = encoder.finish().unwrap();
    let mut decompressor = Decompressor::new(
        Compression::Gzip,
        JsonLoader::new(JsonOptions::default(), 0).unwrap(),
    )
    .unwrap();
    for chunk in packed.chunks(100) {
        decompressor.push(chunk).unwrap();
    }
    let (table, _) = decompressor.finish().unwrap().finish().unwrap();
    let (plain, _) = read_json(&bytes, &JsonOptions::default()).unwrap();
    assert_eq!(json_rows(&table), json_rows(&plain));
}

#[test]
fn empty_and_binary_files_are_refused() {
    let err = read_json(b"\n  \n", &JsonOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonEmpty);
    let err = read_json(b"{\"a\":1}\n\0\0\0", &JsonOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonMalformed);
    assert!(err.message().contains("NUL byte on line 2"), "{err}");
    let err = read_json(b"[{\"a\": 1},\n{\"a\": 2}\n", &JsonOptions::default()).unwrap_err();
    assert!(err.message().contains("truncated"), "{err}");
}

#[test]
fn utf16_and_latin1_files_read_as_their_utf8_text() {
    let utf8 = std::fs::read_to_string(dir().join("people.jsonl")).unwrap();
    let (expected, _) = read_json(utf8.as_bytes(), &JsonOptions::default()).unwrap();
    // UTF-16 told by its byte-order mark, as Windows tools write it; read ahead in pieces.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(utf8.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let mut loader = JsonLoader::new(JsonOptions::default(), 0)
        .unwrap()
        .with_piece_bytes(64);
    for chunk in utf16.chunks(5) {
        loader.push(chunk).unwrap();
    }
    let (table, _) = loader.finish().unwrap();
    assert_eq!(json_rows(&table), json_rows(&expected));
    // Latin-1 by its label (Spark's `encoding`).
    let latin1 = options_with_encoding("ISO-8859-1");
    let (table, _) = read_json(b"{\"name\": \"Jos\xE9\"}\n", &latin1).unwrap();
    assert_eq!(json_rows(&table), [serde_json::json!({"name": "José"})]);
    let err = read_json(b"{}", &options_with_encoding("klingon")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::JsonBadOption);
}

fn options_with_encoding(label: &str) -> JsonOptions {
    JsonOptions {
        encoding: Some(label.to_string()),
        ..JsonOptions::default()
    }
}

#[test]
fn values_of_a_string_field_of_mixed_types_keep_their_text() {
    let text = b"{\"a\": 1.50}\n{\"a\": \"x\"}\n{\"a\": {\"b\":  [1, 2]}}\n{\"a\": true}\n";
    let (table, _) = read_json(text, &JsonOptions::default()).unwrap();
    let rows = json_rows(&table);
    let values: Vec<&Value> = rows.iter().map(|r| &r["a"]).collect();
    assert_eq!(values, ["1.50", "x", "{\"b\":  [1, 2]}", "true"]);
}

/// Spark's defaults in a multiLine document: a bracket inside a single-quoted string does
/// not end the record, and non-numeric numbers in an array make it an `array<double>`.
#[test]
fn a_document_of_single_quotes_and_non_numeric_numbers() {
    let text = b"[{'a': 'x]', 'c': [1, NaN, -Infinity]},\n {\"a\": \"y\", \"c\": [+INF]}]\n";
    let (table, warnings) = read_json(text, &JsonOptions::default()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        spark_schema(&table),
        [
            ("a".into(), "string".into()),
            ("c".into(), "array<double>".into())
        ]
    );
    let batch =
        arrow_select::concat::concat_batches(table.schema(), table.partitions().unwrap().iter())
            .unwrap();
    let a = batch.column(0).as_string::<i32>();
    assert_eq!((a.value(0), a.value(1)), ("x]", "y"));
    let c = batch.column(1).as_list::<i32>();
    let texts = |row: usize| -> Vec<String> {
        let values = c.value(row);
        let values = values.as_primitive::<Float64Type>();
        values.values().iter().map(|v| java_double(*v)).collect()
    };
    assert_eq!(texts(0), ["1.0", "NaN", "-Infinity"]);
    assert_eq!(texts(1), ["Infinity"]);
}
