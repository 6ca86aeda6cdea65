//! Arrow cells as the JSON values the PySpark fixture scripts write (dates `yyyy-MM-dd`,
//! timestamps `yyyy-MM-dd HH:mm:ss[.ffffff]` in UTC, binary as {"hex": ..}, NaN and
//! infinities as strings), and the comparison the Spark differential tests use (floats to
//! a relative 1e-12).

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use brasa::temporal::{format_date, format_timestamp_micros};
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
        other => panic!("unexpected result type {other}"),
    }
}

pub fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                return a == b;
            }
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => ours == theirs,
    }
}
