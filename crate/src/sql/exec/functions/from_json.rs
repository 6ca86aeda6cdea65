//! `from_json(text, schema)`: JSON text read into a struct, array or map of the planned
//! type, as Spark's JSON reader does in its default PERMISSIVE mode with partial results:
//!
//! - NULL or blank text is NULL; text that is not JSON is a struct of NULL fields (an
//!   array or map schema: NULL); only the first JSON value is read. An array of structs
//!   read from one object is an array of that one struct.
//! - A struct's fields are matched by exact name (the last of duplicates wins); missing
//!   fields are NULL, extra ones ignored; a field whose value does not fit its type is
//!   NULL and the other fields are kept. A struct read from something other than an
//!   object is a struct of NULL fields at the top and a failed value inside.
//! - An array or map fails as a whole when one of its values does not fit (NULL at the
//!   top, or a NULL field).
//! - Integers only from JSON integers in range, floating types from any number or the
//!   strings `NaN` / `Infinity` / `-Infinity` (and bare NaN / Infinity), decimals from a
//!   number or a numeric string (rounded half up, NULL if too wide), booleans only from
//!   `true` / `false`, strings from anything (a non-string as its compact JSON text),
//!   dates and timestamps from strings as Spark casts them (timestamps also from integer
//!   seconds).

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array,
    Int16Array, Int32Array, Int64Array, Int8Array, ListArray, MapArray, StringArray, StructArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, FieldRef, TimeUnit};

use super::columns::as_strings;
use super::csv_text::options as text_options;
use super::json::{parse_spark, write, Json};
use crate::decimal_digits::parse_decimal;
use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::{parse_date_literal, parse_timestamp_literal};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::text_options::{TextFunction, TextOptions};

/// A value read for one type; `Null` where the value is NULL.
enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Dec(i128),
    Text(String),
    Items(Vec<Val>),
    Entries(Vec<(String, Val)>),
    Fields(Vec<Val>),
}

pub fn from_json(
    text: &ArrayRef,
    to: &DataType,
    options: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let o = text_options(TextFunction::FromJson, options)?;
    let text = as_strings(text)?;
    let mut values = Vec::with_capacity(len);
    for i in 0..len {
        if text.is_null(i) || text.value(i).trim().is_empty() {
            values.push(Val::Null);
            continue;
        }
        let json = parse_spark(text.value(i), &o);
        let value = match (json, to) {
            (Some(json @ Json::Object(_)), DataType::Struct(_)) => convert(&json, to, &o),
            (_, DataType::Struct(_)) => None,
            // An array of structs reads one object as an array of it.
            (Some(json @ Json::Object(_)), DataType::List(f))
                if matches!(f.data_type(), DataType::Struct(_)) =>
            {
                convert(&Json::Array(vec![json]), to, &o)
            }
            (Some(json), _) => convert(&json, to, &o),
            (None, _) => None,
        };
        values.push(match value {
            Some(v) => v,
            None if o.fail_fast => {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!(
                        "[MALFORMED_RECORD_IN_PARSING] from_json met a malformed record in \
                         FAILFAST mode: '{}' (leave out the mode option for PERMISSIVE \
                         results: NULL where a value does not read)",
                        text.value(i)
                    ),
                ))
            }
            // PERMISSIVE: a struct of NULLs at the top, NULL for an array or a map.
            None => match to {
                DataType::Struct(fields) => Val::Fields(fields.iter().map(|_| Val::Null).collect()),
                _ => Val::Null,
            },
        });
    }
    build(values, to)
}

/// A date or timestamp's text in the pattern the options give, else as Spark casts it.
fn read_date(text: &str, o: &TextOptions) -> Option<i32> {
    match &o.date_format {
        Some(p) => i32::try_from(p.parse(text)?.div_euclid(86_400_000_000)).ok(),
        None => parse_date_literal(text),
    }
}

fn read_timestamp(text: &str, zoned: bool, o: &TextOptions) -> Option<i64> {
    let pattern = if zoned {
        &o.timestamp_format
    } else {
        &o.timestamp_ntz_format
    };
    match pattern {
        Some(p) => p.parse(text),
        None => parse_timestamp_literal(text)
            .or_else(|| parse_date_literal(text).map(|d| i64::from(d) * 86_400_000_000)),
    }
}

/// `json` as a value of type `t`, or `None` if it does not fit. A struct's field that
/// does not fit is NULL (PERMISSIVE's partial results), or fails the struct in FAILFAST.
fn convert(json: &Json, t: &DataType, o: &TextOptions) -> Option<Val> {
    if matches!(json, Json::Null) {
        return Some(Val::Null);
    }
    Some(match (t, json) {
        (DataType::Boolean, Json::Bool(b)) => Val::Bool(*b),
        (DataType::Int8, Json::Int(s)) => Val::Int(s.parse::<i8>().ok()?.into()),
        (DataType::Int16, Json::Int(s)) => Val::Int(s.parse::<i16>().ok()?.into()),
        (DataType::Int32, Json::Int(s)) => Val::Int(s.parse::<i32>().ok()?.into()),
        (DataType::Int64, Json::Int(s)) => Val::Int(s.parse::<i64>().ok()?),
        (DataType::Float32 | DataType::Float64, Json::Int(s) | Json::Float(_, s)) => {
            Val::Float(s.parse::<f64>().ok()?)
        }
        (DataType::Float32 | DataType::Float64, Json::Text(s)) => Val::Float(match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" | "+Infinity" | "INF" | "+INF" => f64::INFINITY,
            "-Infinity" | "-INF" => f64::NEG_INFINITY,
            _ => return None,
        }),
        (DataType::Decimal128(p, s), Json::Int(text) | Json::Float(_, text) | Json::Text(text)) => {
            Val::Dec(parse_decimal(text, *p, u8::try_from(*s).ok()?)?)
        }
        (DataType::Utf8, Json::Text(s)) => Val::Text(s.clone()),
        (DataType::Utf8, other) => {
            let mut out = String::new();
            write(other, &mut out);
            Val::Text(out)
        }
        (DataType::Date32, Json::Text(s)) => Val::Int(read_date(s, o)?.into()),
        (DataType::Timestamp(TimeUnit::Microsecond, zone), Json::Text(s)) => {
            Val::Int(read_timestamp(s, zone.is_some(), o)?)
        }
        (DataType::Timestamp(TimeUnit::Microsecond, _), Json::Int(s)) => {
            Val::Int(s.parse::<i64>().ok()?.checked_mul(1_000_000)?)
        }
        (DataType::List(field), Json::Array(items)) => Val::Items(
            items
                .iter()
                .map(|item| convert(item, field.data_type(), o))
                .collect::<Option<Vec<_>>>()?,
        ),
        (DataType::Map(entries, _), Json::Object(pairs)) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return None;
            };
            let value_type = kv.get(1)?.data_type();
            Val::Entries(
                pairs
                    .iter()
                    .map(|(k, v)| Some((k.clone(), convert(v, value_type, o)?)))
                    .collect::<Option<Vec<_>>>()?,
            )
        }
        (DataType::Struct(fields), Json::Object(pairs)) => Val::Fields(
            fields
                .iter()
                .map(|f| {
                    pairs.iter().rev().find(|(k, _)| k == f.name()).map_or(
                        Some(Val::Null),
                        |(_, v)| match convert(v, f.data_type(), o) {
                            None if !o.fail_fast => Some(Val::Null),
                            read => read,
                        },
                    )
                })
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    })
}

fn internal(what: &str) -> Error {
    Error::new(
        crate::error::ErrorCode::Internal,
        format!("from_json built a {what} from a value of another kind"),
    )
}

fn nulls(values: &[Val]) -> Option<NullBuffer> {
    let valid: NullBuffer = values.iter().map(|v| !matches!(v, Val::Null)).collect();
    (valid.null_count() > 0).then_some(valid)
}

/// The Arrow column of `values`, all of type `t`.
fn build(values: Vec<Val>, t: &DataType) -> Result<ArrayRef> {
    let int = |v: &Val| match v {
        Val::Int(x) => Some(*x),
        _ => None,
    };
    Ok(match t {
        DataType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Val::Bool(b) => Some(*b),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::Int8 => Arc::new(
            values
                .iter()
                .map(|v| int(v).map(|x| x as i8))
                .collect::<Int8Array>(),
        ),
        DataType::Int16 => Arc::new(
            values
                .iter()
                .map(|v| int(v).map(|x| x as i16))
                .collect::<Int16Array>(),
        ),
        DataType::Int32 => Arc::new(
            values
                .iter()
                .map(|v| int(v).map(|x| x as i32))
                .collect::<Int32Array>(),
        ),
        DataType::Int64 => Arc::new(values.iter().map(int).collect::<Int64Array>()),
        DataType::Date32 => Arc::new(
            values
                .iter()
                .map(|v| int(v).map(|x| x as i32))
                .collect::<Date32Array>(),
        ),
        DataType::Timestamp(TimeUnit::Microsecond, zone) => Arc::new(
            values
                .iter()
                .map(int)
                .collect::<TimestampMicrosecondArray>()
                .with_timezone_opt(zone.clone()),
        ),
        DataType::Float32 | DataType::Float64 => {
            let floats = values.iter().map(|v| match v {
                Val::Float(x) => Some(*x),
                _ => None,
            });
            if matches!(t, DataType::Float32) {
                Arc::new(
                    floats
                        .map(|x| x.map(|x| x as f32))
                        .collect::<Float32Array>(),
                )
            } else {
                Arc::new(floats.collect::<Float64Array>())
            }
        }
        DataType::Decimal128(p, s) => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Val::Dec(x) => Some(*x),
                    _ => None,
                })
                .collect::<Decimal128Array>()
                .with_precision_and_scale(*p, *s)
                .map_err(kernel_error)?,
        ),
        DataType::Utf8 => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Val::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect::<StringArray>(),
        ),
        DataType::List(field) => {
            let nulls = nulls(&values);
            let mut lengths = Vec::with_capacity(values.len());
            let mut items = Vec::new();
            for v in values {
                match v {
                    Val::Items(vs) => {
                        lengths.push(vs.len());
                        items.extend(vs);
                    }
                    Val::Null => lengths.push(0),
                    _ => return Err(internal("list")),
                }
            }
            let child = build(items, field.data_type())?;
            Arc::new(
                ListArray::try_new(
                    field.clone(),
                    OffsetBuffer::from_lengths(lengths),
                    child,
                    nulls,
                )
                .map_err(kernel_error)?,
            )
        }
        DataType::Struct(fields) => {
            let nulls = nulls(&values);
            let len = values.len();
            let mut columns: Vec<Vec<Val>> =
                fields.iter().map(|_| Vec::with_capacity(len)).collect();
            for v in values {
                match v {
                    Val::Fields(vs) => columns.iter_mut().zip(vs).for_each(|(c, v)| c.push(v)),
                    Val::Null => columns.iter_mut().for_each(|c| c.push(Val::Null)),
                    _ => return Err(internal("struct")),
                }
            }
            let children = columns
                .into_iter()
                .zip(fields.iter())
                .map(|(c, f)| build(c, f.data_type()))
                .collect::<Result<Vec<_>>>()?;
            Arc::new(
                StructArray::try_new_with_length(fields.clone(), children, nulls, len)
                    .map_err(kernel_error)?,
            )
        }
        DataType::Map(entries, sorted) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(internal("map"));
            };
            let nulls = nulls(&values);
            let mut lengths = Vec::with_capacity(values.len());
            let (mut keys, mut items) = (Vec::new(), Vec::new());
            for v in values {
                match v {
                    Val::Entries(pairs) => {
                        lengths.push(pairs.len());
                        for (k, v) in pairs {
                            keys.push(k);
                            items.push(v);
                        }
                    }
                    Val::Null => lengths.push(0),
                    _ => return Err(internal("map")),
                }
            }
            let keys: ArrayRef = Arc::new(StringArray::from(keys));
            let items = build(items, kv[1].data_type())?;
            let entry_struct =
                StructArray::try_new(kv.clone(), vec![keys, items], None).map_err(kernel_error)?;
            let field: FieldRef = entries.clone();
            Arc::new(
                MapArray::try_new(
                    field,
                    OffsetBuffer::from_lengths(lengths),
                    entry_struct,
                    nulls,
                    *sorted,
                )
                .map_err(kernel_error)?,
            )
        }
        other => {
            return Err(Error::unsupported(format!(
                "from_json into a value of type {other}"
            )))
        }
    })
}
