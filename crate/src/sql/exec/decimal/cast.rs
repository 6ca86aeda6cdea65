//! `CAST` to and from `DECIMAL` as Spark's non-ANSI mode does it: values rounded HALF_UP
//! to the target scale, NULL when they need more digits than the target's precision (or
//! are not numbers); decimals to integers truncate toward zero and wrap like Java's
//! `BigDecimal.longValue`; decimals print as Java's `BigDecimal.toString` (`1.50`, but
//! `1E-7` for tiny values).
//!
//! Each kernel walks the column once, keeping digits on the stack (no allocation per row).

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    new_null_array, Array, ArrayRef, BooleanArray, Decimal128Array, Float32Array, Float64Array,
    PrimitiveArray,
};
use arrow_buffer::i256;
use arrow_schema::DataType;

use crate::decimal_digits::{fit, parse_decimal, pow10, rescale, write_plain};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::Decimal;

/// The cast of `array` to `to` when either side is a decimal, or `None` when neither is
/// (or the pair is one this module leaves to Arrow, e.g. to a dictionary).
pub fn cast(array: &ArrayRef, to: &DataType) -> Option<Result<ArrayRef>> {
    let from = array.data_type();
    if let Some(out) = Decimal::of(to) {
        let values: Decimal128Array = match from {
            DataType::Null => return Some(Ok(new_null_array(to, array.len()))),
            DataType::Decimal128(_, _) => {
                let d = Decimal::of(from)?;
                map_decimals(array, |v| {
                    fit(
                        rescale(i256::from_i128(v), d.scale, out.scale)?,
                        out.precision,
                    )
                })
            }
            DataType::Int8 => from_integers::<Int8Type>(array, out),
            DataType::Int16 => from_integers::<Int16Type>(array, out),
            DataType::Int32 => from_integers::<Int32Type>(array, out),
            DataType::Int64 => from_integers::<Int64Type>(array, out),
            DataType::UInt8 => from_integers::<UInt8Type>(array, out),
            DataType::UInt16 => from_integers::<UInt16Type>(array, out),
            DataType::UInt32 => from_integers::<UInt32Type>(array, out),
            DataType::UInt64 => from_integers::<UInt64Type>(array, out),
            DataType::Float64 => from_floats(array.as_primitive::<Float64Type>().iter(), out),
            DataType::Float32 => from_floats(
                array
                    .as_primitive::<Float32Type>()
                    .iter()
                    .map(|v| v.map(f64::from)),
                out,
            ),
            // Spark reads a timestamp as its seconds in a double, then as that double.
            DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => from_floats(
                array
                    .as_primitive::<TimestampMicrosecondType>()
                    .iter()
                    .map(|v| v.map(|micros| micros as f64 / 1e6)),
                out,
            ),
            DataType::Boolean => array
                .as_boolean()
                .iter()
                .map(|b| {
                    b.and_then(|b| {
                        fit(
                            rescale(i256::from_i128(i128::from(b)), 0, out.scale)?,
                            out.precision,
                        )
                    })
                })
                .collect(),
            DataType::Utf8 => array
                .as_string::<i32>()
                .iter()
                .map(|s| s.and_then(|s| parse(s, out)))
                .collect(),
            DataType::LargeUtf8 => array
                .as_string::<i64>()
                .iter()
                .map(|s| s.and_then(|s| parse(s, out)))
                .collect(),
            _ => return None,
        };
        return Some(typed(values, out));
    }
    let d = Decimal::of(from)?;
    let values = array.as_primitive::<Decimal128Type>();
    // The integer part, truncated toward zero, wrapped to 64 bits as Java's longValue.
    let whole = |v: i128| -> i64 { (v / pow10(d.scale).unwrap_or(1)) as i64 };
    let result: ArrayRef = match to {
        DataType::Int8 => Arc::new(values.unary::<_, Int8Type>(|v| whole(v) as i8)),
        DataType::Int16 => Arc::new(values.unary::<_, Int16Type>(|v| whole(v) as i16)),
        DataType::Int32 => Arc::new(values.unary::<_, Int32Type>(|v| whole(v) as i32)),
        DataType::Int64 => Arc::new(values.unary::<_, Int64Type>(whole)),
        DataType::Float64 => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| to_float::<f64>(v, d.scale)))
                .collect::<Float64Array>(),
        ),
        DataType::Float32 => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| to_float::<f32>(v, d.scale)))
                .collect::<Float32Array>(),
        ),
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| v.map(|v| v != 0))
                .collect::<BooleanArray>(),
        ),
        // Seconds to microseconds, truncated toward zero and wrapped as Java's longValue.
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, zone) => {
            let micros = |v: i128| -> i64 {
                let at_micros = match 6i32 - i32::from(d.scale) {
                    up if up >= 0 => v.wrapping_mul(pow10(up.unsigned_abs() as u8).unwrap_or(1)),
                    down => v / pow10(down.unsigned_abs() as u8).unwrap_or(1),
                };
                at_micros as i64
            };
            Arc::new(
                values
                    .unary::<_, TimestampMicrosecondType>(micros)
                    .with_timezone_opt(zone.clone()),
            )
        }
        DataType::Utf8 => {
            let mut out = StringBuilder::with_capacity(values.len(), values.len() * 8);
            let mut buf = [0u8; 48];
            let mut text = String::with_capacity(48);
            for v in values.iter() {
                match v {
                    Some(v) => {
                        text.clear();
                        java_string(v, d.scale, &mut buf, &mut text);
                        out.append_value(&text);
                    }
                    None => out.append_null(),
                }
            }
            Arc::new(out.finish())
        }
        _ => return None,
    };
    Some(Ok(result))
}

/// `values` as a column of type `out`.
fn typed(values: Decimal128Array, out: Decimal) -> Result<ArrayRef> {
    let scale = i8::try_from(out.scale).unwrap_or(38);
    Ok(Arc::new(
        values
            .with_precision_and_scale(out.precision, scale)
            .map_err(|e| Error::new(ErrorCode::SqlExecution, format!("a cast failed: {e}")))?,
    ))
}

fn map_decimals(array: &ArrayRef, f: impl Fn(i128) -> Option<i128>) -> Decimal128Array {
    array
        .as_primitive::<Decimal128Type>()
        .iter()
        .map(|v| v.and_then(&f))
        .collect()
}

fn from_integers<T>(array: &ArrayRef, out: Decimal) -> Decimal128Array
where
    T: ArrowPrimitiveType,
    T::Native: Into<i128>,
{
    let values: &PrimitiveArray<T> = array.as_primitive::<T>();
    values
        .iter()
        .map(|v| {
            v.and_then(|v| {
                fit(
                    rescale(i256::from_i128(v.into()), 0, out.scale)?,
                    out.precision,
                )
            })
        })
        .collect()
}

/// Doubles to decimals through their shortest decimal text (Spark reads a double as
/// `BigDecimal(Double.toString(x))`, so `0.1` is exactly 0.1), NaN and infinities NULL.
fn from_floats(values: impl Iterator<Item = Option<f64>>, out: Decimal) -> Decimal128Array {
    let mut text = StackText::default();
    values
        .map(|v| {
            let v = v.filter(|v| v.is_finite())?;
            text.len = 0;
            write!(text, "{v:e}").ok()?;
            parse(text.as_str(), out)
        })
        .collect()
}

/// A decimal as the float nearest to it: its digits read back by Rust's correctly
/// rounding parser (Java's `BigDecimal.doubleValue` is correctly rounded too).
fn to_float<F: std::str::FromStr + Default>(v: i128, scale: u8) -> F {
    let mut buf = [0u8; 48];
    write_plain(v, scale, &mut buf).parse().unwrap_or_default()
}

/// Java's `BigDecimal.toString` of a decimal: plain digits unless the exponent of the
/// leading digit is below -6, then scientific (`1E-7`, `-1.5E-8`, `0E-10`).
pub(crate) fn java_string(v: i128, scale: u8, buf: &mut [u8; 48], out: &mut String) {
    // Decimal128 values have at most 38 digits, so the magnitude fits an i128.
    let magnitude = v.checked_abs().unwrap_or(i128::MAX);
    let digits = write_plain(magnitude, 0, buf).len() as i32;
    let adjusted = digits - 1 - i32::from(scale);
    if adjusted >= -6 {
        out.push_str(write_plain(v, scale, buf));
        return;
    }
    let plain = write_plain(magnitude, 0, buf);
    if v < 0 {
        out.push('-');
    }
    out.push_str(&plain[..1]);
    if plain.len() > 1 {
        out.push('.');
        out.push_str(&plain[1..]);
    }
    let _ = write!(out, "E{adjusted}");
}

/// Text of a number (`12.5`, `-.5`, `+1e3`, surrounding whitespace ignored), as Java's
/// `BigDecimal(String)` reads it, at the scale of `out`, rounded HALF_UP; `None` (NULL)
/// for anything else or a value too large for `out`.
pub fn parse(text: &str, out: Decimal) -> Option<i128> {
    parse_decimal(text, out.precision, out.scale)
}

/// A small text buffer on the stack for formatting one float.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_java_reads_big_decimals() {
        let d = Decimal::new(5, 2);
        assert_eq!(parse(" 12.5 ", d), Some(1250));
        assert_eq!(parse("+3.5", d), Some(350));
        assert_eq!(parse(".5", d), Some(50));
        assert_eq!(parse("1.235", Decimal::new(4, 2)), Some(124));
        assert_eq!(parse("-1.235", Decimal::new(4, 2)), Some(-124));
        assert_eq!(parse("1e2", d), Some(10000));
        assert_eq!(parse("1e3", d), None);
        assert_eq!(parse("", d), None);
        assert_eq!(parse(".", d), None);
        assert_eq!(parse("abc", d), None);
        assert_eq!(parse("1e-300", d), Some(0));
        let long = format!("1.{}", "0".repeat(100));
        assert_eq!(parse(&long, d), Some(100));
        let long = format!("0.00{}", "5".repeat(100));
        assert_eq!(parse(&long, d), Some(1));
        assert_eq!(parse(&"9".repeat(80), d), None);
    }

    #[test]
    fn prints_as_java() {
        let s = |v, scale| {
            let mut out = String::new();
            java_string(v, scale, &mut [0u8; 48], &mut out);
            out
        };
        assert_eq!(s(150, 2), "1.50");
        assert_eq!(s(1, 7), "1E-7");
        assert_eq!(s(-1, 10), "-1E-10");
        assert_eq!(s(0, 10), "0E-10");
        assert_eq!(s(0, 3), "0.000");
        assert_eq!(s(-125, 9), "-1.25E-7");
    }
}
