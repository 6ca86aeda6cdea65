//! Casts between text and other types that Spark does differently from Arrow: strings
//! read as numbers the way Spark reads them (surrounding whitespace trimmed, `'1.5'` is
//! the integer 1, what does not parse is NULL), and timestamps written as Spark writes
//! them (`2023-11-14 22:13:20`, a fraction only when there is one), and text read as
//! dates and timestamps the way Spark reads it (`temporal::spark_text`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use arrow_array::{
    Array, ArrayRef, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array, Int8Array,
    StringArray, Time64MicrosecondArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};

use crate::temporal::format_timestamp_spark;
use crate::temporal::spark_text::{text_to_date, text_to_local_timestamp, text_to_timestamp};
use crate::temporal::time_of_day::{parse_time_spark, write_time_spark, MICROS_PER_DAY};

/// Spark's casts of a `time` to numbers and timestamps, else `None`: to a timestamp
/// today's date (UTC, the session zone) at that time (the cast itself); to an integer its
/// whole seconds since midnight, to a decimal its seconds with their fraction (exact at
/// scale 6): those as a value for Spark's cast from `bigint` / `decimal(38,6)` to finish.
pub fn time_cast(
    array: &ArrayRef,
    to: &DataType,
) -> Option<std::result::Result<ArrayRef, arrow_schema::ArrowError>> {
    if array.data_type() != &DataType::Time64(TimeUnit::Microsecond) {
        return None;
    }
    let micros = array.as_primitive::<Time64MicrosecondType>();
    match to {
        DataType::Int8 | DataType::Int16 | DataType::Int32 => Some(Ok(Arc::new(
            micros.unary::<_, Int64Type>(|v| v / 1_000_000),
        ))),
        DataType::Decimal128(_, _) => Some(
            micros
                .unary::<_, Decimal128Type>(i128::from)
                .with_precision_and_scale(38, 6)
                .map(|exact| Arc::new(exact) as ArrayRef),
        ),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let today = i64::from(crate::clock::today_days()) * MICROS_PER_DAY;
            let stamps = micros
                .unary::<_, TimestampMicrosecondType>(|v| today + v)
                .with_timezone_opt(zone.clone());
            Some(Ok(Arc::new(stamps)))
        }
        _ => None,
    }
}

/// The cast if Spark's rule differs from Arrow's for this pair of types, else `None`.
pub fn text_cast(array: &ArrayRef, to: &DataType) -> Option<ArrayRef> {
    match (array.data_type(), to) {
        (DataType::Timestamp(TimeUnit::Microsecond, _), DataType::Utf8) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>();
            let text: StringArray = micros
                .iter()
                .map(|v| v.map(format_timestamp_spark))
                .collect();
            Some(Arc::new(text))
        }
        (DataType::Time64(TimeUnit::Microsecond), DataType::Utf8) => {
            let micros = array.as_primitive::<Time64MicrosecondType>();
            let mut text =
                arrow_array::builder::StringBuilder::with_capacity(micros.len(), micros.len() * 8);
            let mut buffer = String::with_capacity(15);
            for v in micros.iter() {
                match v {
                    Some(v) => {
                        buffer.clear();
                        write_time_spark(v, &mut buffer);
                        text.append_value(&buffer);
                    }
                    None => text.append_null(),
                }
            }
            Some(Arc::new(text.finish()))
        }
        // Spark's `CAST(t AS BIGINT)`: the whole seconds since midnight.
        (DataType::Time64(TimeUnit::Microsecond), DataType::Int64) => Some(Arc::new(
            array
                .as_primitive::<Time64MicrosecondType>()
                .unary::<_, arrow_array::types::Int64Type>(|v| v / 1_000_000),
        )),
        (DataType::Utf8, DataType::Time64(TimeUnit::Microsecond)) => Some(Arc::new(
            array
                .as_string::<i32>()
                .iter()
                .map(|v| v.and_then(parse_time_spark))
                .collect::<Time64MicrosecondArray>(),
        )),
        // A timestamp's time of day (in the session zone, UTC).
        (
            DataType::Timestamp(TimeUnit::Microsecond, _),
            DataType::Time64(TimeUnit::Microsecond),
        ) => Some(Arc::new(
            array
                .as_primitive::<TimestampMicrosecondType>()
                .unary::<_, Time64MicrosecondType>(|v| v.rem_euclid(MICROS_PER_DAY)),
        )),
        // Spark's text to date and timestamp (`temporal::spark_text`), not Arrow's.
        (DataType::Utf8, DataType::Date32) => Some(Arc::new(
            array
                .as_string::<i32>()
                .iter()
                .map(|v| v.and_then(text_to_date))
                .collect::<arrow_array::Date32Array>(),
        )),
        (DataType::Utf8, DataType::Timestamp(TimeUnit::Microsecond, zone)) => {
            let today = crate::clock::today_days();
            let micros: TimestampMicrosecondArray = array
                .as_string::<i32>()
                .iter()
                .map(|v| match zone {
                    Some(_) => v.and_then(|s| text_to_timestamp(s, today)),
                    None => v.and_then(text_to_local_timestamp),
                })
                .collect();
            Some(Arc::new(micros.with_timezone_opt(zone.clone())))
        }
        (DataType::Utf8, target) => {
            let text = array.as_string::<i32>();
            let each = |f: &dyn Fn(&str) -> Option<i64>| -> Vec<Option<i64>> {
                text.iter()
                    .map(|v| v.and_then(|s| f(s.trim_matches(spark_blank))))
                    .collect()
            };
            let fits = |lo: i64, hi: i64| {
                move |s: &str| parse_integer(s).filter(|v| (lo..=hi).contains(v))
            };
            Some(match target {
                DataType::Float64 => Arc::new(
                    text.iter()
                        .map(|v| v.and_then(|s| parse_double(s.trim_matches(spark_blank))))
                        .collect::<Float64Array>(),
                ),
                DataType::Float32 => Arc::new(
                    text.iter()
                        .map(|v| {
                            v.and_then(|s| parse_double(s.trim_matches(spark_blank)))
                                .map(|f| f as f32)
                        })
                        .collect::<Float32Array>(),
                ),
                DataType::Int64 => Arc::new(Int64Array::from(each(&parse_integer))),
                DataType::Int32 => Arc::new(
                    each(&fits(i32::MIN as i64, i32::MAX as i64))
                        .into_iter()
                        .map(|v| v.map(|v| v as i32))
                        .collect::<Int32Array>(),
                ),
                DataType::Int16 => Arc::new(
                    each(&fits(i16::MIN as i64, i16::MAX as i64))
                        .into_iter()
                        .map(|v| v.map(|v| v as i16))
                        .collect::<Int16Array>(),
                ),
                DataType::Int8 => Arc::new(
                    each(&fits(i8::MIN as i64, i8::MAX as i64))
                        .into_iter()
                        .map(|v| v.map(|v| v as i8))
                        .collect::<Int8Array>(),
                ),
                _ => return None,
            })
        }
        _ => None,
    }
}

/// What Spark trims around a number: whitespace and control characters (≤ U+0020).
fn spark_blank(c: char) -> bool {
    c <= ' '
}

/// A double as Java's `Double.parseDouble` reads it (which Spark uses): decimal or
/// exponent notation, `NaN`, `Infinity`, an optional trailing `d` / `f`.
fn parse_double(s: &str) -> Option<f64> {
    let body = s
        .strip_suffix(['d', 'D', 'f', 'F'])
        .filter(|b| b.ends_with(|c: char| c.is_ascii_digit() || c == '.'))
        .unwrap_or(s);
    match body.to_ascii_lowercase().trim_start_matches(['+', '-']) {
        "nan" | "infinity" | "inf" => {}
        t if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit() || c == '.') => {
            return None
        }
        _ => {}
    }
    body.parse::<f64>().ok()
}

/// An integer as Spark reads one from text: an optional sign, digits, and an optional
/// fraction of digits that is dropped (`'1.9'` is 1); anything else is `None`.
fn parse_integer(s: &str) -> Option<i64> {
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    if fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let digits = whole.trim_start_matches(['+', '-']);
    if digits.is_empty() && fraction.is_none_or(|f| f.is_empty()) {
        return None;
    }
    if whole.len() > digits.len() + 1 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.is_empty() {
        return Some(0);
    }
    whole.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_text_as_spark() {
        assert_eq!(parse_integer("12"), Some(12));
        assert_eq!(parse_integer("-1.9"), Some(-1));
        assert_eq!(parse_integer("1e3"), None);
        assert_eq!(parse_integer("+-1"), None);
        assert_eq!(parse_integer(""), None);
        assert_eq!(parse_double("1e3"), Some(1000.0));
        assert_eq!(parse_double("2.5d"), Some(2.5));
        assert_eq!(parse_double("abc"), None);
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double(""), None);
    }
}
