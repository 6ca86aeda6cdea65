//! The plain types the engine computes on, for readers of files that may hold others:
//! dictionary-encoded, view and large string or binary columns are read as the plain
//! type of their values, and times of day of any unit as microseconds.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Time64MicrosecondType;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef, TimeUnit};

use crate::temporal::time_of_day::is_time_of_day;

/// The schema with view, large and dictionary types replaced by the plain types they
/// hold.
pub fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    with_field_types(schema, plain_type)
}

/// `schema` with each top-level field's type made by `to` from its own (names,
/// nullability and metadata kept).
pub fn with_field_types(schema: &SchemaRef, to: impl Fn(&DataType) -> DataType) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_data_type(to(f.data_type())))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

pub fn plain_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::Dictionary(_, value) => plain_type(value),
        other => other.clone(),
    }
}

/// The schema the engine keeps for a file of `schema` (already [`plain_schema`]): every
/// time-of-day column, at any depth, as Spark 4's `TIME` in microseconds
/// (`Time64(Microsecond)`, what the SQL functions compute on). A file may hold seconds or
/// milliseconds (Arrow's `time32`, Parquet's `TIME(MILLIS)`) or nanoseconds (`time64[ns]`,
/// `TIME(NANOS)`).
pub fn engine_schema(schema: &SchemaRef) -> SchemaRef {
    with_field_types(schema, times_in_micros)
}

/// `data_type` with every time of day in it as microseconds.
pub fn times_in_micros(data_type: &DataType) -> DataType {
    let field = |f: &FieldRef| -> FieldRef {
        Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(times_in_micros(f.data_type())),
        )
    };
    match data_type {
        DataType::Time32(_) | DataType::Time64(_) => DataType::Time64(TimeUnit::Microsecond),
        DataType::List(item) => DataType::List(field(item)),
        DataType::LargeList(item) => DataType::LargeList(field(item)),
        DataType::FixedSizeList(item, n) => DataType::FixedSizeList(field(item), *n),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
        DataType::Map(entries, sorted) => DataType::Map(field(entries), *sorted),
        other => other.clone(),
    }
}

/// `column` as `to` (its [`times_in_micros`] type): seconds and milliseconds are scaled
/// up exactly, nanoseconds cut to the microsecond below (as Spark's `time_to_micros` and
/// its Python rows read a `time(9)` column). A value outside the day (negative, or 24:00
/// and later) is not a time of day and is refused, naming it.
pub fn to_engine_column(column: &ArrayRef, to: &DataType) -> Result<ArrayRef, String> {
    if column.data_type() == to {
        return Ok(Arc::clone(column));
    }
    let cast = arrow_cast::cast(column, to).map_err(|e| e.to_string())?;
    check_times(&cast)?;
    Ok(cast)
}

/// Every time of day in `column` (at any depth) is within the day.
fn check_times(column: &dyn Array) -> Result<(), String> {
    match column.data_type() {
        DataType::Time64(TimeUnit::Microsecond) => {
            let times = column.as_primitive::<Time64MicrosecondType>();
            match times.iter().flatten().find(|t| !is_time_of_day(*t)) {
                Some(bad) => Err(format!(
                    "{bad} microseconds is not a time of day (00:00:00 to 23:59:59.999999)"
                )),
                None => Ok(()),
            }
        }
        DataType::List(_) => check_times(column.as_list::<i32>().values().as_ref()),
        DataType::LargeList(_) => check_times(column.as_list::<i64>().values().as_ref()),
        DataType::FixedSizeList(_, _) => check_times(column.as_fixed_size_list().values().as_ref()),
        DataType::Struct(_) => column
            .as_struct()
            .columns()
            .iter()
            .try_for_each(|c| check_times(c.as_ref())),
        DataType::Map(_, _) => check_times(column.as_map().entries()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Time32MillisecondArray, Time64NanosecondArray};

    #[test]
    fn times_become_microseconds() {
        let ms: ArrayRef = Arc::new(Time32MillisecondArray::from(vec![Some(45_296_789), None]));
        let to = times_in_micros(ms.data_type());
        let out = to_engine_column(&ms, &to).unwrap();
        let out = out.as_primitive::<Time64MicrosecondType>();
        assert_eq!(out.value(0), 45_296_789_000);
        assert!(out.is_null(1));
        let ns: ArrayRef = Arc::new(Time64NanosecondArray::from(vec![1_999, 86_399_999_999_999]));
        let out = to_engine_column(&ns, &to).unwrap();
        let out = out.as_primitive::<Time64MicrosecondType>();
        assert_eq!((out.value(0), out.value(1)), (1, 86_399_999_999));
    }

    #[test]
    fn a_time_outside_the_day_is_refused() {
        let ms: ArrayRef = Arc::new(Time32MillisecondArray::from(vec![86_400_000]));
        let err = to_engine_column(&ms, &DataType::Time64(TimeUnit::Microsecond)).unwrap_err();
        assert!(err.contains("not a time of day"), "{err}");
    }

    #[test]
    fn nested_times_become_microseconds() {
        let list = DataType::List(Arc::new(Field::new(
            "item",
            DataType::Time32(TimeUnit::Second),
            true,
        )));
        assert_eq!(
            times_in_micros(&list),
            DataType::List(Arc::new(Field::new(
                "item",
                DataType::Time64(TimeUnit::Microsecond),
                true
            )))
        );
    }
}
