//! The CSV reader end to end on whole files: formats, edge cases, bad input and the
//! guarantee that partitioning never changes the result.
#![cfg(not(target_arch = "wasm32"))]

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use brasa::datagen::{telecom_batch, telecom_csv_header, write_telecom_csv};
use brasa::io::csv::{read_csv, CsvLoader, CsvOptions, ParseMode};
use brasa::ErrorCode;

mod cells;
use cells::{all_rows, ints, strings};

fn read(text: &str) -> (RecordBatch, Vec<String>) {
    read_with(text.as_bytes(), &CsvOptions::default())
}

fn read_with(bytes: &[u8], options: &CsvOptions) -> (RecordBatch, Vec<String>) {
    let (table, warnings) = read_csv(bytes, options).unwrap();
    (all_rows(&table), warnings)
}

fn error_of(bytes: &[u8], options: &CsvOptions) -> brasa::Error {
    read_csv(bytes, options).unwrap_err()
}

#[test]
fn reads_types_nulls_and_header() {
    let (batch, warnings) = read(
        "id,name,score,joined,active,seen\n\
         1,Ana,1.5,2024-01-31,true,2024-01-31 10:00:00\n\
         2,,NA,,FALSE,\n\
         3,\"Lee, Jr.\",-2e3,1999-12-31,false,2024-02-01T00:00:00Z\n",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let schema = batch.schema();
    let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
    assert_eq!(types[0], &DataType::Int32);
    assert_eq!(types[1], &DataType::Utf8);
    assert_eq!(types[2], &DataType::Float64);
    assert_eq!(types[3], &DataType::Date32);
    assert_eq!(types[4], &DataType::Boolean);
    assert!(matches!(types[5], DataType::Timestamp(_, Some(tz)) if tz.as_ref() == "UTC"));
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(2), Some(3)]);
    assert_eq!(
        strings(&batch, 1),
        vec![Some("Ana".into()), None, Some("Lee, Jr.".into())]
    );
    let score = batch.column(2).as_primitive::<Float64Type>();
    assert_eq!(score.value(2), -2000.0);
    assert!(score.is_null(1));
    assert_eq!(
        batch.column(3).as_primitive::<Date32Type>().value(1 - 1),
        19_753
    );
    assert!(batch.schema().fields().iter().all(|f| f.is_nullable()));
}

#[test]
fn handles_bom_crlf_semicolons_and_quoted_newlines() {
    let text = "\u{feff}a;b\r\n\"x\r\ny\";\"say \"\"hi\"\"\"\r\n\r\nz;\r\n";
    let (batch, _) = read(text);
    assert_eq!(batch.schema().field(0).name(), "a");
    assert_eq!(
        strings(&batch, 0),
        vec![Some("x\r\ny".into()), Some("z".into())]
    );
    assert_eq!(strings(&batch, 1), vec![Some("say \"hi\"".into()), None]);
}

#[test]
fn tab_and_pipe_files_and_classic_mac_line_breaks() {
    let (batch, _) = read("a\tb\n1\t2\n");
    assert_eq!(ints(&batch, 1), vec![Some(2)]);
    let (batch, _) = read("a|b\r1|2\r3|4");
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(3)]);
}

#[test]
fn header_detection_and_spark_column_names() {
    let (batch, _) = read("1,2\n3,4\n");
    assert_eq!(batch.num_rows(), 2);
    assert_eq!(batch.schema().field(1).name(), "_c1");
    let (batch, _) = read("x,,x\n1,2,3\n");
    let schema = batch.schema();
    let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, vec!["x0", "_c1", "x2"]);
    let options = CsvOptions {
        header: Some(false),
        ..CsvOptions::default()
    };
    let (batch, _) = read_with(b"a,b\n1,2\n", &options);
    assert_eq!(batch.num_rows(), 2);
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
}

#[test]
fn malformed_rows_follow_the_mode() {
    let text = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n";
    let (batch, warnings) = read_with(text, &CsvOptions::default());
    assert_eq!(batch.num_rows(), 4);
    assert_eq!(ints(&batch, 2), vec![Some(3), None, Some(8), Some(12)]);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("2 rows") && warnings[0].contains("row 2 has 2"),
        "{warnings:?}"
    );

    let drop = CsvOptions {
        mode: ParseMode::DropMalformed,
        ..CsvOptions::default()
    };
    let (batch, warnings) = read_with(text, &drop);
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(10)]);
    assert!(warnings[0].contains("dropped"));

    let fail = CsvOptions {
        mode: ParseMode::FailFast,
        ..CsvOptions::default()
    };
    let err = error_of(text, &fail);
    assert_eq!(err.code(), ErrorCode::CsvMalformedRow);
    assert_eq!(err.location().row, Some(2));
}

#[test]
fn unterminated_quote_names_its_row() {
    let err = error_of(b"a,b\n1,2\n3,\"oops\n4,5\n", &CsvOptions::default());
    assert_eq!(err.code(), ErrorCode::CsvUnterminatedQuote);
    assert_eq!(err.location().row, Some(2));
    assert!(err.message().contains("turn quoting off"));
}

#[test]
fn empty_files_are_a_clear_error_and_header_only_is_an_empty_table() {
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n\n"] {
        assert_eq!(
            error_of(empty, &CsvOptions::default()).code(),
            ErrorCode::CsvEmpty
        );
    }
    let (batch, _) = read("a,b\n");
    assert_eq!(batch.num_rows(), 0);
    assert_eq!(batch.num_columns(), 2);
}

#[test]
fn late_values_widen_the_column_and_say_so() {
    let mut text = String::from("id,code\n");
    for i in 0..30_000 {
        text.push_str(&format!("{i},{i}\n"));
    }
    text.push_str("30000,A7\n4000000000,1\n");
    let (table, warnings) = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap();
    let batch = all_rows(&table);
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Int64);
    assert_eq!(batch.schema().field(1).data_type(), &DataType::Utf8);
    assert_eq!(
        batch.column(0).as_primitive::<Int64Type>().value(30_001),
        4_000_000_000
    );
    assert_eq!(strings(&batch, 1)[30_000], Some("A7".into()));
    assert_eq!(strings(&batch, 1)[12], Some("12".into()));
    let code = warnings
        .iter()
        .find(|w| w.contains("`code`"))
        .expect("widening reported");
    assert!(
        code.contains("row 30001") && code.contains("`A7`"),
        "{code}"
    );
}

#[test]
fn invalid_utf8_is_replaced_and_reported() {
    let (batch, warnings) = read_with(b"name\nok\nbad\xff\n", &CsvOptions::default());
    assert_eq!(strings(&batch, 0)[1], Some("bad\u{fffd}".into()));
    assert!(warnings[0].contains("row 2"), "{warnings:?}");
}

#[test]
fn options_are_validated() {
    let options = CsvOptions {
        quote: 'é',
        ..CsvOptions::default()
    };
    assert_eq!(error_of(b"a\n", &options).code(), ErrorCode::CsvBadOption);
}

/// The generated telecom CSV reads back to exactly the generated values, whatever the
/// chunk size the file is fed with (chunks cut records, quotes and CRLFs anywhere).
#[test]
fn streaming_in_any_chunk_size_gives_the_same_table() {
    let rows = 20_000;
    let mut csv = telecom_csv_header().into_bytes();
    write_telecom_csv(&mut csv, 7, 0, rows).unwrap();
    let expected = telecom_batch(7, 0, rows);
    for chunk in [1 << 20, 65_536, 4_099, 977] {
        let head = &csv[..csv.len().min(1 << 16)];
        let mut loader = CsvLoader::new(head, false, &CsvOptions::default()).unwrap();
        for piece in csv.chunks(chunk) {
            loader.push(piece).unwrap();
        }
        let (table, warnings) = loader.finish().unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let got = all_rows(&table);
        assert_eq!(got.schema(), expected.schema(), "chunk {chunk}");
        assert_eq!(got, expected, "chunk {chunk}");
    }
}

/// Records cut anywhere by tiny chunks (inside quotes, between `\r` and `\n`, in a
/// `""`) are stitched back exactly.
#[test]
fn tiny_chunks_cut_records_anywhere() {
    let text = "id,text\r\n1,\"a,\"\"b\"\"\r\nc\"\r\n2,plain\r\n3,\"\"\r\n4,\"x\ny\"";
    let (expected, _) = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap();
    let expected = all_rows(&expected);
    assert_eq!(strings(&expected, 1)[0], Some("a,\"b\"\r\nc".into()));
    for chunk in 1..=13 {
        let mut loader = CsvLoader::new(text.as_bytes(), true, &CsvOptions::default()).unwrap();
        for piece in text.as_bytes().chunks(chunk) {
            loader.push(piece).unwrap();
        }
        let (table, _) = loader.finish().unwrap();
        assert_eq!(all_rows(&table), expected, "chunk {chunk}");
    }
}

#[test]
fn header_longer_than_the_head_asks_for_a_bigger_sample() {
    let long = "x".repeat(5000);
    let text = format!("{long},b\n1,2\n");
    let err = CsvLoader::new(&text.as_bytes()[..1000], false, &CsvOptions::default())
        .err()
        .unwrap();
    assert_eq!(err.code(), ErrorCode::CsvRecordTooLong);
}
