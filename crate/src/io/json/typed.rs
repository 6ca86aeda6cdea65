//! Values decoded as text, converted to the types inference gave them: the way Spark's
//! `JacksonParser` reads a `decimal` (a number's digits, or a string's once its commas
//! are dropped) or a `timestamp` (as inference read the string) is not arrow-json's, and
//! an empty string in a column that is not a `string` is NULL. Such columns are decoded
//! into `string`s (arrow-json and `flat.rs` keep a number's or a boolean's text as
//! written) and converted here, at any depth of structs and arrays.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int64Array, ListArray,
    RecordBatch, StringArray, StructArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use crate::decimal_digits::parse_decimal;
use crate::error::{Error, Result};
use crate::io::json::lenient::{non_numeric_token, non_numeric_value};
use crate::io::json::typing::Typing;
use crate::io::plain::with_field_types;

/// `schema` with the columns read from their text as `string`s: `decimal` and
/// `timestamp` ones, and with `blanks` every scalar but the `string`s. `None` when that
/// changes nothing.
pub fn as_text(schema: &SchemaRef, blanks: bool) -> Option<SchemaRef> {
    let texts = with_field_types(schema, |t| text_type(t, blanks));
    (texts != *schema).then_some(texts)
}

fn text_type(data_type: &DataType, blanks: bool) -> DataType {
    match data_type {
        DataType::Decimal128(..) | DataType::Timestamp(..) => DataType::Utf8,
        DataType::Int64 | DataType::Float64 | DataType::Boolean if blanks => DataType::Utf8,
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| {
                    f.as_ref()
                        .clone()
                        .with_data_type(text_type(f.data_type(), blanks))
                })
                .collect(),
        ),
        DataType::List(item) => DataType::List(Arc::new(
            item.as_ref()
                .clone()
                .with_data_type(text_type(item.data_type(), blanks)),
        )),
        other => other.clone(),
    }
}

/// A batch decoded with [`as_text`]'s schema, converted to `schema`.
pub fn from_text(batch: &RecordBatch, schema: &SchemaRef, typing: &Typing) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| convert(column, field.data_type(), typing))
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns)
        .map_err(|e| Error::internal("converting JSON values read as text", e))
}

fn convert(array: &ArrayRef, target: &DataType, typing: &Typing) -> Result<ArrayRef> {
    if array.data_type() == target {
        return Ok(Arc::clone(array));
    }
    let failed = |e| Error::internal("converting JSON values read as text", e);
    Ok(match (array.data_type(), target) {
        (DataType::Utf8, _) => scalars(array.as_string::<i32>(), target, typing)?,
        (DataType::Struct(_), DataType::Struct(fields)) => {
            let structs = array.as_struct();
            let columns = structs
                .columns()
                .iter()
                .zip(fields)
                .map(|(column, field)| convert(column, field.data_type(), typing))
                .collect::<Result<Vec<_>>>()?;
            Arc::new(
                StructArray::try_new(fields.clone(), columns, structs.nulls().cloned())
                    .map_err(failed)?,
            )
        }
        (DataType::List(_), DataType::List(item)) => {
            let lists = array.as_list::<i32>();
            let values = convert(lists.values(), item.data_type(), typing)?;
            Arc::new(
                ListArray::try_new(
                    Arc::clone(item),
                    lists.offsets().clone(),
                    values,
                    lists.nulls().cloned(),
                )
                .map_err(failed)?,
            )
        }
        (from, to) => {
            return Err(Error::internal(
                "converting JSON values read as text",
                format!("no conversion from {from} to {to}"),
            ))
        }
    })
}

/// Strings converted to a scalar type; `""` is NULL.
fn scalars(strings: &StringArray, target: &DataType, typing: &Typing) -> Result<ArrayRef> {
    let values = || strings.iter().map(|v| v.filter(|text| !text.is_empty()));
    Ok(match target {
        DataType::Int64 => Arc::new(
            values()
                .map(|v| lexical_core::parse::<i64>(v?.as_bytes()).ok())
                .collect::<Int64Array>(),
        ),
        DataType::Float64 => Arc::new(values().map(|v| double(v?)).collect::<Float64Array>()),
        DataType::Boolean => Arc::new(
            values()
                .map(|v| match v? {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                })
                .collect::<BooleanArray>(),
        ),
        DataType::Decimal128(precision, scale) => {
            let scale_digits = u8::try_from(*scale).unwrap_or(0);
            Arc::new(
                values()
                    .map(|v| decimal_of_text(v?, *precision, scale_digits))
                    .collect::<Decimal128Array>()
                    .with_precision_and_scale(*precision, *scale)
                    .map_err(|e| Error::internal("a JSON decimal column", e))?,
            )
        }
        DataType::Timestamp(TimeUnit::Microsecond, zone) => Arc::new(
            values()
                .map(|v| typing.timestamp(v?))
                .collect::<TimestampMicrosecondArray>()
                .with_timezone_opt(zone.clone()),
        ),
        other => {
            return Err(Error::internal(
                "converting JSON values read as text",
                format!("no conversion to {other}"),
            ))
        }
    })
}

/// The unscaled value of a decimal column's value read from its text (a number's, or a
/// string's), as Spark's `JacksonParser` reads one: a string's commas are dropped
/// (`1,234.5`).
pub fn decimal_of_text(text: &str, precision: u8, scale: u8) -> Option<i128> {
    match text.contains(',') {
        true => parse_decimal(&text.replace(',', ""), precision, scale),
        false => parse_decimal(text, precision, scale),
    }
}

/// A `double` as arrow-json reads one, or a non-numeric number's (`NaN`, `-INF`, ...).
fn double(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    lexical_core::parse::<f64>(bytes).ok().or_else(|| {
        (non_numeric_token(bytes) == Some(bytes.len())).then(|| non_numeric_value(bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::json::options::JsonOptions;
    use arrow_schema::{Field, Schema};

    #[test]
    fn text_columns_convert_to_their_types_at_any_depth() {
        let item = Arc::new(Field::new("element", DataType::Decimal128(4, 2), true));
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new(
                "s",
                DataType::Struct(vec![Field::new("l", DataType::List(item), true)].into()),
                true,
            ),
            Field::new("t", DataType::Utf8, true),
        ]));
        assert_eq!(
            as_text(&schema, false).unwrap().field(0).data_type(),
            &DataType::Int64
        );
        let texts = as_text(&schema, true).unwrap();
        assert_eq!(texts.field(0).data_type(), &DataType::Utf8);
        assert_eq!(
            texts.field(1).data_type().to_string(),
            "Struct(\"l\": List(Utf8, field: 'element'))"
        );
        let text_schema = Arc::new(Schema::new(vec![Field::new("t", DataType::Utf8, true)]));
        assert_eq!(as_text(&text_schema, true), None);

        let record = br#"{"n": "", "s": {"l": ["1,2.5", 3, null]}, "t": ""}
{"n": 7, "s": null, "t": "x"}
"#;
        let mut decoder = arrow_json::ReaderBuilder::new(texts)
            .with_coerce_primitive(true)
            .build_decoder()
            .unwrap();
        decoder.decode(record).unwrap();
        let batch = decoder.flush().unwrap().unwrap();
        let typing = Typing::of(&JsonOptions::default()).unwrap();
        let typed = from_text(&batch, &schema, &typing).unwrap();
        let shown = crate::frame::display_batch(&typed).unwrap();
        let nested = shown.column(1).as_string::<i32>().value(0);
        assert_eq!(nested, r#"{"l":[12.50,3.00,null]}"#);
        let n = typed
            .column(0)
            .as_primitive::<arrow_array::types::Int64Type>();
        assert!(n.is_null(0));
        assert_eq!(n.value(1), 7);
        assert_eq!(typed.column(2).as_string::<i32>().value(0), "");
    }

    #[test]
    fn doubles_read_as_arrow_json_reads_them() {
        assert_eq!(double("2.5"), Some(2.5));
        assert!(double("NaN").unwrap().is_nan());
        assert_eq!(double("-INF"), Some(f64::NEG_INFINITY));
        assert_eq!(double("NaNx"), None);
    }
}
