//! Nested values (structs, arrays, maps: Parquet's nested columns, what `split` or
//! `collect_list` make) as JSON text, the way Spark's `to_json` writes them: a struct is an
//! object keyed by field name, an array an array, a map an object keyed by the key's text.
//! The grid shows nested cells this way and the CSV download writes them this way, so
//! what a person sees is what the file holds. Dates and timestamps inside are strings in
//! Spark's printed form; NaN and infinities, which JSON has no numbers for, are strings.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, StringArray};
use arrow_cast::display::array_value_to_string;
use arrow_schema::{DataType, TimeUnit};

use crate::error::{Error, Result};
use crate::temporal::{format_date, format_timestamp_spark};

/// Whether values of this type are nested (and so written as JSON text).
pub fn is_nested(t: &DataType) -> bool {
    matches!(
        t,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(_, _)
            | DataType::Struct(_)
            | DataType::Map(_, _)
    )
}

/// Each value of a column as JSON text (NULL stays NULL).
pub fn json_text(column: &dyn Array) -> Result<StringArray> {
    let mut values = Vec::with_capacity(column.len());
    for i in 0..column.len() {
        if column.is_null(i) {
            values.push(None);
        } else {
            let mut out = String::new();
            write_json(column, i, &mut out)?;
            values.push(Some(out));
        }
    }
    Ok(values.into_iter().collect())
}

fn quoted(text: &str, out: &mut String) {
    // serde_json escapes exactly what JSON requires.
    out.push_str(&serde_json::Value::from(text).to_string());
}

fn write_json(array: &dyn Array, i: usize, out: &mut String) -> Result<()> {
    if array.is_null(i) {
        out.push_str("null");
        return Ok(());
    }
    let leaf = |array: &dyn Array| {
        array_value_to_string(array, i).map_err(|e| Error::internal("writing a nested value", e))
    };
    match array.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean => out.push_str(if array.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Utf8 => quoted(array.as_string::<i32>().value(i), out),
        DataType::LargeUtf8 => quoted(array.as_string::<i64>().value(i), out),
        DataType::Date32 => quoted(
            &format_date(array.as_primitive::<Date32Type>().value(i) as i64),
            out,
        ),
        DataType::Timestamp(TimeUnit::Microsecond, _) => quoted(
            &format_timestamp_spark(array.as_primitive::<TimestampMicrosecondType>().value(i)),
            out,
        ),
        // An interval inside a nested value: Spark's text, with the type's default fields
        // (`day to second`, `year to month`; the nested type has no metadata to say
        // otherwise, and the planner nests no other fields).
        t if super::interval_type::is_interval(t) => quoted(
            &super::interval_type::interval_value_text(array, i).unwrap_or_default(),
            out,
        ),
        DataType::Time64(TimeUnit::Microsecond) => quoted(
            &crate::temporal::time_of_day::format_time_spark(
                array
                    .as_primitive::<arrow_array::types::Time64MicrosecondType>()
                    .value(i),
            ),
            out,
        ),
        t if t.is_integer()
            || matches!(t, DataType::Decimal128(_, _) | DataType::Decimal256(_, _)) =>
        {
            out.push_str(&leaf(array)?)
        }
        t if t.is_floating() => {
            let text = leaf(array)?;
            if text.parse::<f64>().is_ok_and(f64::is_finite) {
                out.push_str(&text)
            } else {
                quoted(&text, out)
            }
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            write_items(&list.value(i), out)?
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            write_items(&list.value(i), out)?
        }
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            write_items(&list.value(i), out)?
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            out.push('{');
            for (k, (field, child)) in fields.iter().zip(s.columns()).enumerate() {
                if k > 0 {
                    out.push(',');
                }
                quoted(field.name(), out);
                out.push(':');
                write_json(child.as_ref(), i, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            let map = array.as_map();
            let entries = map.value(i);
            let (keys, values) = (entries.column(0), entries.column(1));
            out.push('{');
            for k in 0..entries.len() {
                if k > 0 {
                    out.push(',');
                }
                let key = match keys.data_type() {
                    DataType::Utf8 => keys.as_string::<i32>().value(k).to_string(),
                    _ => {
                        let mut text = String::new();
                        write_json(keys.as_ref(), k, &mut text)?;
                        text.trim_matches('"').to_string()
                    }
                };
                quoted(&key, out);
                out.push(':');
                write_json(values.as_ref(), k, out)?;
            }
            out.push('}');
        }
        _ => quoted(&leaf(array)?, out),
    }
    Ok(())
}

fn write_items(items: &ArrayRef, out: &mut String) -> Result<()> {
    out.push('[');
    for k in 0..items.len() {
        if k > 0 {
            out.push(',');
        }
        write_json(items.as_ref(), k, out)?;
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::builder::{Float64Builder, ListBuilder, MapBuilder, StringBuilder};
    use arrow_array::{Int32Array, StructArray};
    use arrow_schema::Field;

    #[test]
    fn nested_values_as_spark_to_json() {
        let mut list = ListBuilder::new(StringBuilder::new());
        list.values().append_value("a\"b");
        list.values().append_null();
        list.append(true);
        list.append(false);
        let list = list.finish();
        assert_eq!(
            json_text(&list).unwrap().iter().collect::<Vec<_>>(),
            vec![Some(r#"["a\"b",null]"#), None]
        );

        let mut doubles = ListBuilder::new(Float64Builder::new());
        doubles.values().append_slice(&[1.0, 0.5, f64::NAN]);
        doubles.append(true);
        assert_eq!(
            json_text(&doubles.finish()).unwrap().value(0),
            r#"[1.0,0.5,"NaN"]"#
        );

        let s = StructArray::from(vec![
            (
                Arc::new(Field::new("n", DataType::Int32, true)),
                Arc::new(Int32Array::from(vec![Some(1), None])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("tags", list.data_type().clone(), true)),
                Arc::new(list) as ArrayRef,
            ),
        ]);
        let text = json_text(&s).unwrap();
        assert_eq!(text.value(0), r#"{"n":1,"tags":["a\"b",null]}"#);
        assert_eq!(text.value(1), r#"{"n":null,"tags":null}"#);

        let mut map = MapBuilder::new(None, StringBuilder::new(), Float64Builder::new());
        map.keys().append_value("x");
        map.values().append_value(2.5);
        map.append(true).unwrap();
        assert_eq!(json_text(&map.finish()).unwrap().value(0), r#"{"x":2.5}"#);
    }
}
