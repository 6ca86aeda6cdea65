//! Spark's own schema in a Parquet footer (`org.apache.spark.sql.parquet.row.metadata`,
//! the JSON of a `StructType`), for the one kind of column Parquet cannot type by itself:
//! ANSI intervals. Spark writes a day-time interval as a plain INT64 (microseconds) and a
//! year-month interval as a plain INT32 (months), and reads them back as intervals only
//! through this JSON; without it, a reader sees numbers. So a table with interval columns
//! is written with it (every column named in Spark's terms), and a file that has it gets
//! its interval columns back as intervals, with their fields.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, IntervalYearMonthType};
use arrow_array::{Array, ArrayRef, DurationMicrosecondArray, Int32Array, IntervalYearMonthArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::frame::interval_type::{
    day_time_type, fields_of, is_interval, is_year_month, year_month_type, IntervalFields,
    FIELDS_KEY,
};

/// The footer key Spark keeps its schema under.
pub const SPARK_ROW_METADATA: &str = "org.apache.spark.sql.parquet.row.metadata";

/// Spark's JSON schema of `schema` when it has an interval column (`None` otherwise:
/// Parquet's own types say everything); an error naming a column whose type this does
/// not spell.
pub fn spark_schema_json(schema: &Schema) -> Result<Option<String>> {
    if !schema.fields().iter().any(|f| is_interval(f.data_type())) {
        return Ok(None);
    }
    let fields = schema
        .fields()
        .iter()
        .map(|f| {
            let t = spark_json_type(f).ok_or_else(|| {
                Error::unsupported(format!(
                    "writing the column `{}` ({}) to Parquet beside an interval column (Spark \
                     reads intervals back only through its schema, which Brasa writes for \
                     flat columns); cast it to a string, or download as CSV",
                    f.name(),
                    crate::frame::spark_type_name(f.data_type())
                ))
            })?;
            Ok(json!({"name": f.name(), "type": t, "nullable": f.is_nullable(), "metadata": {}}))
        })
        .collect::<Result<Vec<Value>>>()?;
    Ok(Some(
        json!({"type": "struct", "fields": fields}).to_string(),
    ))
}

/// Spark's JSON name of a flat column's type (`None` for what is not spelled here).
fn spark_json_type(field: &Field) -> Option<String> {
    Some(
        match field.data_type() {
            DataType::Boolean => "boolean",
            DataType::Int8 => "byte",
            DataType::Int16 => "short",
            DataType::Int32 => "integer",
            DataType::Int64 => "long",
            DataType::Float32 => "float",
            DataType::Float64 => "double",
            DataType::Utf8 | DataType::LargeUtf8 => "string",
            DataType::Binary | DataType::LargeBinary => "binary",
            DataType::Date32 => "date",
            DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => "timestamp",
            DataType::Timestamp(TimeUnit::Microsecond, None) => "timestamp_ntz",
            DataType::Decimal128(p, s) => return Some(format!("decimal({p},{s})")),
            t if is_interval(t) => return Some(fields_of(field).spark_name()),
            _ => return None,
        }
        .to_string(),
    )
}

/// The batch as Spark stores it in Parquet: year-month intervals as plain INT32 months
/// (Arrow's writer would make them Parquet's 12-byte INTERVAL, which Spark does not
/// read); day-time intervals are already INT64 (Arrow's duration).
pub fn for_parquet(schema: &SchemaRef) -> SchemaRef {
    if !schema.fields().iter().any(|f| is_year_month(f.data_type())) {
        return Arc::clone(schema);
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match is_year_month(f.data_type()) {
            true => f.as_ref().clone().with_data_type(DataType::Int32),
            false => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `column` as [`for_parquet`] types it.
pub fn column_for_parquet(column: &ArrayRef) -> ArrayRef {
    match column.as_primitive_opt::<IntervalYearMonthType>() {
        Some(months) => Arc::new(Int32Array::new(
            months.values().clone(),
            months.nulls().cloned(),
        )),
        None => Arc::clone(column),
    }
}

/// `schema` (a Parquet file's, as Arrow reads it) with the interval columns Spark's JSON
/// in its metadata names: an INT64 column typed `interval day ...` becomes a day-time
/// interval, an INT32 one typed `interval year ...` a year-month interval, each with its
/// fields. Other columns, and a file without the JSON (or with JSON this does not read),
/// are left as they are.
pub fn intervals_from_spark(schema: &SchemaRef) -> SchemaRef {
    let Some(types) = schema
        .metadata()
        .get(SPARK_ROW_METADATA)
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    else {
        return Arc::clone(schema);
    };
    let named = |name: &str| -> Option<String> {
        types["fields"]
            .as_array()?
            .iter()
            .find(|f| f["name"].as_str() == Some(name))?["type"]
            .as_str()
            .map(str::to_string)
    };
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let interval = named(f.name())
                .and_then(|t| IntervalFields::parse_type_name(&t))
                .filter(|fields| match f.data_type() {
                    DataType::Int64 => !fields.is_year_month(),
                    DataType::Int32 => fields.is_year_month(),
                    _ => false,
                });
            match interval {
                Some(fields) => {
                    let t = if fields.is_year_month() {
                        year_month_type()
                    } else {
                        day_time_type()
                    };
                    let mut metadata = f.metadata().clone();
                    metadata.insert(FIELDS_KEY.to_string(), fields.text());
                    f.as_ref().clone().with_data_type(t).with_metadata(metadata)
                }
                None => f.as_ref().clone(),
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `column` (decoded as the file's numbers) as the interval type `to`, when
/// [`intervals_from_spark`] made it one; `None` otherwise.
pub fn interval_column(column: &ArrayRef, to: &DataType) -> Option<ArrayRef> {
    if *to == day_time_type() {
        let n = column.as_primitive_opt::<Int64Type>()?;
        return Some(Arc::new(DurationMicrosecondArray::new(
            n.values().clone(),
            n.nulls().cloned(),
        )));
    }
    if *to == year_month_type() {
        let n = column.as_primitive_opt::<Int32Type>()?;
        return Some(Arc::new(IntervalYearMonthArray::new(
            n.values().clone(),
            n.nulls().cloned(),
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::interval_type::IntervalField as F;

    #[test]
    fn names_columns_as_spark_and_reads_them_back() {
        let day = IntervalFields::new(F::Day, F::Day);
        let schema = Schema::new(vec![
            Field::new("k", DataType::Int32, false),
            Field::new("d", day_time_type(), true).with_metadata(day.metadata()),
            Field::new("m", year_month_type(), true),
        ]);
        let text = spark_schema_json(&schema).unwrap().unwrap();
        assert!(text.contains(r#""type":"interval day""#), "{text}");
        assert!(
            text.contains(r#""type":"interval year to month""#),
            "{text}"
        );
        assert!(text.contains(r#""type":"integer""#), "{text}");
        let written = for_parquet(&Arc::new(schema));
        assert_eq!(written.field(2).data_type(), &DataType::Int32);
        let read = Schema::new(vec![
            Field::new("k", DataType::Int32, false),
            Field::new("d", DataType::Int64, true),
            Field::new("m", DataType::Int32, true),
        ])
        .with_metadata(std::collections::HashMap::from([(
            SPARK_ROW_METADATA.to_string(),
            text,
        )]));
        let back = intervals_from_spark(&Arc::new(read));
        assert_eq!(back.field(0).data_type(), &DataType::Int32);
        assert_eq!(fields_of(back.field(1)), day);
        assert_eq!(back.field(2).data_type(), &year_month_type());
        let plain = Schema::new(vec![Field::new("x", DataType::Int32, true)]);
        assert!(spark_schema_json(&plain).unwrap().is_none());
        // A nested column beside an interval is refused, not guessed.
        let nested = Schema::new(vec![
            Field::new("d", day_time_type(), true),
            Field::new(
                "a",
                DataType::List(Arc::new(Field::new("element", DataType::Int32, true))),
                true,
            ),
        ]);
        assert!(spark_schema_json(&nested).is_err());
    }
}
