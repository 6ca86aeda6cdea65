//! The Excel reader against pandas: each sheet of `tests/fixtures/excel` read by Brasa
//! gives the schema (names, Spark's type names) and rows `pandas.read_excel` gives, in
//! Brasa's terms (`make_excel_fixtures.py` says how). Also: choosing sheets, the errors
//! a person can run into, and damaged workbooks that must fail cleanly, never panic.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use arrow_schema::DataType;
use brasa::frame::spark_type_name;
use brasa::io::excel::{read_excel, ExcelOptions, ExcelTable, SheetRef};
use brasa::temporal::{format_date, format_timestamp_spark};
use brasa::{ErrorCode, Table};
use serde::Deserialize;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/excel")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

fn sheet(name: &str) -> ExcelOptions {
    ExcelOptions {
        sheet: Some(SheetRef::Name(name.to_string())),
        ..ExcelOptions::default()
    }
}

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    case: String,
    file: String,
    sheet: String,
    schema: Vec<(String, String)>,
    rows: Vec<Vec<Value>>,
}

/// Every value of the table as JSON: numbers, booleans, dates and timestamps as text.
fn rows_of(table: &Table) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for batch in table.partitions().unwrap().iter() {
        for row in 0..batch.num_rows() {
            let values = batch
                .columns()
                .iter()
                .map(|column| {
                    if column.is_null(row) {
                        return Value::Null;
                    }
                    match column.data_type() {
                        DataType::Int64 => column.as_primitive::<Int64Type>().value(row).into(),
                        DataType::Float64 => column.as_primitive::<Float64Type>().value(row).into(),
                        DataType::Boolean => column.as_boolean().value(row).into(),
                        DataType::Date32 => {
                            format_date(column.as_primitive::<Date32Type>().value(row) as i64)
                                .into()
                        }
                        DataType::Timestamp(_, _) => format_timestamp_spark(
                            column.as_primitive::<TimestampMicrosecondType>().value(row),
                        )
                        .into(),
                        DataType::Utf8 => column.as_string::<i32>().value(row).into(),
                        other => panic!("unexpected type {other}"),
                    }
                })
                .collect();
            rows.push(values);
        }
    }
    rows
}

/// Equal as pandas' rows: numbers by value (`8.0` in a double column is pandas' `8`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[test]
fn every_sheet_reads_as_pandas_reads_it() {
    let expected: Expected = serde_json::from_slice(&fixture("expected.json")).unwrap();
    assert!(expected.cases.len() >= 8);
    for case in &expected.cases {
        let read = read_excel(&fixture(&case.file), &sheet(&case.sheet))
            .unwrap_or_else(|e| panic!("{}: {e}", case.case));
        assert_eq!(read.sheet, case.sheet);
        let schema: Vec<(String, String)> = read
            .table
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), spark_type_name(f.data_type())))
            .collect();
        assert_eq!(schema, case.schema, "{}: schema", case.case);
        let rows = rows_of(&read.table);
        assert_eq!(rows.len(), case.rows.len(), "{}: rows", case.case);
        for (i, (ours, theirs)) in rows.iter().zip(&case.rows).enumerate() {
            assert!(
                ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| same(a, b)),
                "{} row {i}:\n brasa  {ours:?}\n pandas {theirs:?}",
                case.case
            );
        }
    }
}

#[test]
fn the_first_worksheet_by_default_and_any_by_name_or_index() {
    let bytes = fixture("types.xlsx");
    let first = read_excel(&bytes, &ExcelOptions::default()).unwrap();
    assert_eq!(first.sheet, "types");
    assert_eq!(first.sheets, ["types", "second sheet"]);
    let by_index = ExcelOptions {
        sheet: Some(SheetRef::Index(1)),
        ..ExcelOptions::default()
    };
    let second = read_excel(&bytes, &by_index).unwrap();
    assert_eq!(second.sheet, "second sheet");
    assert_eq!(second.table.num_rows(), 3);
    // A name as typed with other capitals still finds its sheet.
    assert_eq!(
        read_excel(&bytes, &sheet("SECOND SHEET")).unwrap().sheet,
        "second sheet"
    );
    let legacy = read_excel(&fixture("legacy.xls"), &ExcelOptions::default()).unwrap();
    assert_eq!(legacy.sheets, ["legacy", "other"]);
}

#[test]
fn error_cells_are_null_and_counted_in_a_warning() {
    let read = read_excel(&fixture("types.xlsx"), &ExcelOptions::default()).unwrap();
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert!(
        read.warnings[0].starts_with("2 cells held an Excel error"),
        "{:?}",
        read.warnings
    );
    assert!(
        read.warnings[0].ends_with("the first is J2"),
        "{:?}",
        read.warnings
    );
}

#[test]
fn a_header_can_be_forced_either_way() {
    let bytes = fixture("no_header.xlsx");
    let header = ExcelOptions {
        header: Some(true),
        ..sheet("numbers")
    };
    let read = read_excel(&bytes, &header).unwrap();
    let names: Vec<&str> = read
        .table
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(names, ["1", "2.5", "3"]);
    assert_eq!(read.table.num_rows(), 2);
    let no_header = ExcelOptions {
        header: Some(false),
        ..sheet("types")
    };
    let read = read_excel(&fixture("types.xlsx"), &no_header).unwrap();
    assert_eq!(read.table.num_rows(), 6);
    assert_eq!(
        spark_type_name(read.table.schema().field(0).data_type()),
        "string"
    );
}

fn error_of(bytes: &[u8], options: &ExcelOptions) -> brasa::Error {
    match read_excel(bytes, options) {
        Ok(_) => panic!("the workbook loaded"),
        Err(e) => e,
    }
}

#[test]
fn a_missing_sheet_names_the_sheets_there_are() {
    let bytes = fixture("types.xlsx");
    let err = error_of(&bytes, &sheet("Sheet9"));
    assert_eq!(err.code(), ErrorCode::ExcelSheetNotFound);
    assert_eq!(
        err.message(),
        "this workbook has no sheet `Sheet9`; its sheets are `types`, `second sheet`"
    );
    let past = ExcelOptions {
        sheet: Some(SheetRef::Index(2)),
        ..ExcelOptions::default()
    };
    let err = error_of(&bytes, &past);
    assert_eq!(err.code(), ErrorCode::ExcelSheetNotFound);
    assert!(err.message().contains("no sheet at index 2"), "{err}");
}

#[test]
fn files_that_are_not_workbooks_say_so() {
    let err = error_of(b"id,name\n1,a\n", &ExcelOptions::default());
    assert_eq!(err.code(), ErrorCode::ExcelCorrupt);
    assert!(err.message().contains("not an Excel workbook"), "{err}");

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("notes/readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hello").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let err = error_of(&bytes, &ExcelOptions::default());
    assert_eq!(err.code(), ErrorCode::UnsupportedFile);
    assert!(err.message().contains("`notes/readme.txt`"), "{err}");
}

/// Truncated and damaged copies of the xlsx fixtures: each loads or fails with a
/// reader's error (never `INTERNAL`), and never panics (a panic kills the wasm engine).
/// Not the .xls one: calamine 0.38 reserves room for the cells an .xls sheet declares
/// (up to 2^32 rows), so a damaged dimension record aborts the process (README, *Not
/// there yet*).
#[test]
fn damaged_workbooks_fail_cleanly() {
    let mut outcomes = 0;
    for name in ["types.xlsx", "merged.xlsx", "no_header.xlsx"] {
        let good = fixture(name);
        let mut damaged: Vec<Vec<u8>> = (1..24)
            .map(|k| good[..good.len() * k / 24].to_vec())
            .collect();
        for k in 0..400 {
            let mut bytes = good.clone();
            let at = (k * 7919 + 31) % bytes.len();
            bytes[at] = bytes[at].wrapping_add(1 + (k % 255) as u8);
            damaged.push(bytes);
        }
        for (i, bytes) in damaged.iter().enumerate() {
            let result = catch_unwind(AssertUnwindSafe(|| {
                read_excel(bytes, &ExcelOptions::default())
            }));
            match result {
                Err(_) => panic!("{name}, damaged copy {i}: the reader panicked"),
                Ok(Err(e)) => assert_ne!(e.code(), ErrorCode::Internal, "{name} {i}: {e}"),
                Ok(Ok(ExcelTable { .. })) => {}
            }
            outcomes += 1;
        }
    }
    assert_eq!(outcomes, 3 * 423);
}

/// Truncated .xls files: calamine's compound-file reader panicked on most of these
/// (slicing past what it could read); the engine reads the file as if zeros followed it.
#[test]
fn truncated_xls_files_fail_cleanly() {
    let good = fixture("legacy.xls");
    for k in 1..64 {
        let bytes = &good[..good.len() * k / 64];
        let result = catch_unwind(AssertUnwindSafe(|| {
            read_excel(bytes, &ExcelOptions::default())
        }));
        match result {
            Err(_) => panic!("legacy.xls cut at {}: the reader panicked", bytes.len()),
            Ok(Err(e)) => assert!(
                matches!(e.code(), ErrorCode::ExcelCorrupt | ErrorCode::ExcelEmpty),
                "{}: {e}",
                bytes.len()
            ),
            Ok(Ok(_)) => {}
        }
    }
}
