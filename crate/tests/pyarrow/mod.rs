//! What the tests against pyarrow's files share: the fixtures, and the values pyarrow
//! reads back from `tests/fixtures/parquet` (`make_parquet_fixtures.py`), which the
//! Parquet and Arrow fixtures both hold.
#![allow(dead_code)] // each test uses its own part

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use serde_json::Value;

/// `tests/fixtures/<dir>/<name>`.
pub fn fixture(dir: &str, name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(dir)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each column of the fixture table as pyarrow reads it back.
pub fn expected_columns() -> serde_json::Map<String, Value> {
    serde_json::from_slice(&fixture("parquet", "expected.json")).unwrap()
}

/// Column `name` of `batch` as JSON values, in the shapes `expected.json` uses.
pub fn json_column(batch: &RecordBatch, name: &str) -> Vec<Value> {
    let column = batch.column_by_name(name).unwrap();
    (0..column.len())
        .map(|i| {
            if column.is_null(i) {
                return Value::Null;
            }
            match column.data_type() {
                DataType::Int64 => column.as_primitive::<Int64Type>().value(i).into(),
                DataType::Int32 => column.as_primitive::<Int32Type>().value(i).into(),
                DataType::Float64 => column.as_primitive::<Float64Type>().value(i).into(),
                DataType::Utf8 => column.as_string::<i32>().value(i).into(),
                DataType::Boolean => column.as_boolean().value(i).into(),
                DataType::Date32 => column.as_primitive::<Date32Type>().value(i).into(),
                DataType::Timestamp(_, _) => column
                    .as_primitive::<TimestampMicrosecondType>()
                    .value(i)
                    .into(),
                DataType::Decimal128(_, _) => {
                    (column.as_primitive::<Decimal128Type>().value(i) as i64).into()
                }
                other => panic!("unexpected type {other}"),
            }
        })
        .collect()
}
