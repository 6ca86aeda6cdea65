//! `to_json(value)`: a struct, map or array as Spark's compact JSON text (Jackson's
//! generator with Spark's defaults). A struct's NULL fields are left out
//! (`ignoreNullFields`), NULL elements of arrays and NULL map values are `null`; doubles
//! and floats as Java prints them, NaN and infinities as strings; decimals as
//! `BigDecimal.toString`; dates `yyyy-MM-dd`; timestamps `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`
//! in the session zone (UTC, so `Z`), `timestamp_ntz` without the zone; binary as base64.
//! Intervals as their text with their type's default fields (`INTERVAL '1-2' YEAR TO
//! MONTH`; a nested interval has no other). A map's keys are their text (`1`, `true`; an
//! interval key its microseconds or months, as Spark); keys of other types are refused.
//!
//! The grid's `frame::json_text` prints nested cells in the same spirit for people; this
//! is the SQL function, held to Spark's exact text.

use std::fmt::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, DurationMicrosecondType, Float32Type, Float64Type,
    IntervalYearMonthType, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use base64::Engine as _;

use super::columns::build_strings;
use super::csv_text::{options as text_options, write_boolean_or_integer, write_iso_timestamp};
use crate::error::{Error, Result};
use crate::frame::interval_type::interval_value_text;
use crate::frame::jvm::{java_double, java_float};
use crate::sql::exec::decimal::cast::java_string;
use crate::sql::plan::functions::json_map_key;
use crate::sql::plan::text_options::{TextFunction, TextOptions};
use crate::temporal::civil_from_days;

/// Each value of `column` as JSON text; NULL stays NULL. The options (`dateFormat`,
/// `timestampFormat`, `timestampNTZFormat`, `ignoreNullFields`) as Spark reads them.
pub fn to_json(column: &ArrayRef, options: Option<&ArrayRef>, len: usize) -> Result<ArrayRef> {
    let o = text_options(TextFunction::ToJson, options)?;
    build_strings(len, |i, out| {
        if column.is_null(i) {
            return Ok(false);
        }
        write_value(column.as_ref(), i, &o, out)?;
        Ok(true)
    })
}

/// A string as Jackson quotes it: `"` and `\` escaped, control characters as `\n`, `\t`,
/// `\r`, `\b`, `\f` or `\u00XX` (upper-case hex); everything else as is.
fn quoted(text: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (at, c) in text.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(&text[start..at]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push_str(escape);
        }
        start = at + c.len_utf8();
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// A double as Jackson writes it: Java's digits, NaN and infinities as strings.
fn write_float(text: String, finite: bool, out: &mut String) {
    if finite {
        out.push_str(&text);
    } else {
        quoted(&text, out);
    }
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS` (then `Z` in the session zone, UTC), quoted: milliseconds,
/// truncated toward the earlier instant as Java's formatter does.
fn write_timestamp(micros: i64, zoned: bool, out: &mut String) {
    out.push('"');
    write_iso_timestamp(micros, zoned, out);
    out.push('"');
}

fn unsupported(t: &DataType) -> Error {
    Error::unsupported(format!("to_json of a value of type {t}"))
}

fn write_value(array: &dyn Array, i: usize, o: &TextOptions, out: &mut String) -> Result<()> {
    if array.is_null(i) {
        out.push_str("null");
        return Ok(());
    }
    if write_boolean_or_integer(array, i, out) {
        return Ok(());
    }
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Float32 => {
            let x = array.as_primitive::<Float32Type>().value(i);
            write_float(java_float(x), x.is_finite(), out);
        }
        DataType::Float64 => {
            let x = array.as_primitive::<Float64Type>().value(i);
            write_float(java_double(x), x.is_finite(), out);
        }
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(i);
            let mut buf = [0u8; 48];
            java_string(v, u8::try_from(*scale).unwrap_or(0), &mut buf, out);
        }
        DataType::Utf8 => quoted(array.as_string::<i32>().value(i), out),
        DataType::LargeUtf8 => quoted(array.as_string::<i64>().value(i), out),
        DataType::Binary => {
            out.push('"');
            base64::engine::general_purpose::STANDARD
                .encode_string(array.as_binary::<i32>().value(i), out);
            out.push('"');
        }
        DataType::Date32 => {
            let days = i64::from(array.as_primitive::<Date32Type>().value(i));
            match &o.date_format {
                Some(p) => {
                    let mut text = String::new();
                    p.format(days * 86_400_000_000, &mut text);
                    quoted(&text, out);
                }
                None => {
                    let (y, m, d) = civil_from_days(days);
                    let _ = write!(out, "\"{y:04}-{m:02}-{d:02}\"");
                }
            }
        }
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(i);
            let pattern = if zone.is_some() {
                &o.timestamp_format
            } else {
                &o.timestamp_ntz_format
            };
            match pattern {
                Some(p) => {
                    let mut text = String::new();
                    p.format(micros, &mut text);
                    quoted(&text, out);
                }
                None => write_timestamp(micros, zone.is_some(), out),
            }
        }
        // Spark writes an interval as its text (`INTERVAL '3 00:00:00' DAY TO SECOND`,
        // with the default fields a nested interval has).
        DataType::Duration(_) | DataType::Interval(_) => {
            let text =
                interval_value_text(array, i).ok_or_else(|| unsupported(array.data_type()))?;
            quoted(&text, out);
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let items = list.values();
            let offsets = list.value_offsets();
            out.push('[');
            for k in offsets[i] as usize..offsets[i + 1] as usize {
                if k > offsets[i] as usize {
                    out.push(',');
                }
                write_value(items.as_ref(), k, o, out)?;
            }
            out.push(']');
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            out.push('{');
            let mut first = true;
            for (field, child) in fields.iter().zip(s.columns()) {
                // ignoreNullFields: a NULL field is left out (written `null` when false).
                // (A field of type void holds no null buffer: its values are all NULL.)
                let null = child.is_null(i) || child.data_type() == &DataType::Null;
                if null && o.ignore_null_fields {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                quoted(field.name(), out);
                out.push(':');
                if null {
                    out.push_str("null");
                    continue;
                }
                write_value(child.as_ref(), i, o, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let (keys, values) = (map.keys(), map.values());
            let offsets = map.value_offsets();
            out.push('{');
            for k in offsets[i] as usize..offsets[i + 1] as usize {
                if k > offsets[i] as usize {
                    out.push(',');
                }
                write_key(keys.as_ref(), k, o, out)?;
                out.push(':');
                write_value(values.as_ref(), k, o, out)?;
            }
            out.push('}');
        }
        other => return Err(unsupported(other)),
    }
    Ok(())
}

/// A map key as a JSON field name: the key's text (Spark writes `key.toString`).
fn write_key(keys: &dyn Array, k: usize, o: &TextOptions, out: &mut String) -> Result<()> {
    match keys.data_type() {
        DataType::Utf8 => quoted(keys.as_string::<i32>().value(k), out),
        DataType::LargeUtf8 => quoted(keys.as_string::<i64>().value(k), out),
        DataType::Float32 => quoted(
            &java_float(keys.as_primitive::<Float32Type>().value(k)),
            out,
        ),
        DataType::Float64 => quoted(
            &java_double(keys.as_primitive::<Float64Type>().value(k)),
            out,
        ),
        // An interval key is its microseconds or months: Spark writes the key's internal
        // value (`{"86400000000":1}`).
        DataType::Duration(_) => {
            let micros = keys.as_primitive::<DurationMicrosecondType>().value(k);
            let _ = write!(out, "\"{micros}\"");
        }
        DataType::Interval(_) => {
            let months = keys.as_primitive::<IntervalYearMonthType>().value(k);
            let _ = write!(out, "\"{months}\"");
        }
        t if json_map_key(t) => {
            // Integers, booleans and decimals print the same bare or as a name.
            out.push('"');
            write_value(keys, k, o, out)?;
            out.push('"');
        }
        other => return Err(unsupported(other)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::{Float64Array, Int32Array, StringArray, StructArray};
    use arrow_schema::Field;

    #[test]
    fn writes_as_spark() {
        let s: ArrayRef = Arc::new(StructArray::from(vec![
            (
                Arc::new(Field::new("n", DataType::Int32, true)),
                Arc::new(Int32Array::from(vec![Some(1), None])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("x", DataType::Float64, true)),
                Arc::new(Float64Array::from(vec![1e20, f64::NAN])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("s", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec!["a\"\t\u{1}é", "\u{2028}/"])) as ArrayRef,
            ),
        ]));
        let text = to_json(&s, None, 2).unwrap();
        let text = text.as_string::<i32>();
        assert_eq!(text.value(0), r#"{"n":1,"x":1.0E20,"s":"a\"\t\u0001é"}"#);
        assert_eq!(text.value(1), "{\"x\":\"NaN\",\"s\":\"\u{2028}/\"}");
        let mut out = String::new();
        write_timestamp(-500, true, &mut out);
        assert_eq!(out, "\"1969-12-31T23:59:59.999Z\"");
    }
}
