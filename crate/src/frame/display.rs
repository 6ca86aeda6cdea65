//! Values as a person reads them, the way Spark's `show()` prints them: dates as
//! `yyyy-MM-dd`, timestamps as `yyyy-MM-dd HH:mm:ss[.fraction]` in their zone (the
//! fraction only when not zero, without trailing zeros), numbers in their shortest exact
//! form; nested values (structs, arrays, maps) as JSON text, as Spark's `to_json` writes
//! them (`json_text`). The UI shows these strings as they are, so every type is
//! formatted in one place, by Arrow's formatter, not by hand in JavaScript.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, StringArray};
use arrow_buffer::NullBuffer;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Schema};

use super::interval_type::{fields_of, interval_texts};
use crate::error::{Error, Result};

const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Longest text shown for one cell, in bytes: a 64 MB cell would otherwise travel to the
/// page and into the DOM whole. Longer values are cut and end with `…`.
pub const MAX_CELL_BYTES: usize = 4096;

fn format_options() -> FormatOptions<'static> {
    FormatOptions::new()
        .with_display_error(true)
        .with_date_format(Some("%Y-%m-%d"))
        .with_datetime_format(Some(TIMESTAMP_FORMAT))
        .with_timestamp_format(Some(TIMESTAMP_FORMAT))
        .with_timestamp_tz_format(Some(TIMESTAMP_FORMAT))
}

/// One column turned into strings (nulls stay null).
pub fn display_array(column: &ArrayRef) -> Result<StringArray> {
    display_column(column, &format_options(), None)
}

/// One column of a batch turned into strings, its field read for what only the schema
/// knows (an interval's fields).
pub fn display_field(field: &Field, column: &ArrayRef) -> Result<StringArray> {
    display_column(column, &format_options(), Some(field))
}

/// The batch with every column turned into strings (nulls stay null).
pub fn display_batch(batch: &RecordBatch) -> Result<RecordBatch> {
    let options = format_options();
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        fields.push(Field::new(field.name(), DataType::Utf8, true));
        columns.push(Arc::new(display_column(column, &options, Some(field))?));
    }
    RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("formatting rows for display", e))
}

/// `field`, when known, names a day-time interval's fields (its metadata).
fn display_column(
    column: &ArrayRef,
    options: &FormatOptions,
    field: Option<&Field>,
) -> Result<StringArray> {
    // Spark's forms, which Arrow's formatter does not write: timestamps and times without
    // trailing zeros, intervals as Spark prints them, nested values as JSON.
    if let Some(text) = interval_texts(column.as_ref(), field.map(fields_of)) {
        return Ok(text);
    }
    if is_utc_micros(column.data_type()) {
        let micros = column.as_primitive::<arrow_array::types::TimestampMicrosecondType>();
        return Ok(micros
            .iter()
            .map(|v| v.map(crate::temporal::format_timestamp_spark))
            .collect());
    }
    if let DataType::Time64(arrow_schema::TimeUnit::Microsecond) = column.data_type() {
        let micros = column.as_primitive::<arrow_array::types::Time64MicrosecondType>();
        return Ok(micros
            .iter()
            .map(|v| v.map(crate::temporal::time_of_day::format_time_spark))
            .collect());
    }
    if super::json_text::is_nested(column.data_type()) {
        let text = super::json_text::json_text(column.as_ref())?;
        return Ok(text
            .iter()
            .map(|v| v.map(|t| shorten(t.to_string())))
            .collect());
    }
    let formatter = ArrayFormatter::try_new(column.as_ref(), options)
        .map_err(|e| Error::internal("formatting a column for display", e))?;
    let floats = matches!(
        column.data_type(),
        DataType::Float16 | DataType::Float32 | DataType::Float64
    );
    let values: Vec<String> = (0..column.len())
        .map(|i| {
            let text = formatter.value(i).to_string();
            match floats {
                true => java_infinity(text),
                false => shorten(text),
            }
        })
        .collect();
    let nulls = column
        .logical_nulls()
        .map(|n| NullBuffer::new(n.inner().clone()));
    StringArray::try_new(
        arrow_buffer::OffsetBuffer::from_lengths(values.iter().map(String::len)),
        values.concat().into_bytes().into(),
        nulls,
    )
    .map_err(|e| Error::internal("formatting a column for display", e))
}

/// An infinite float as Java (and so Spark's `show()`) writes it: Arrow writes `inf`.
fn java_infinity(text: String) -> String {
    match text.as_str() {
        "inf" => "Infinity".to_string(),
        "-inf" => "-Infinity".to_string(),
        _ => text,
    }
}

/// Microsecond timestamps in UTC (or without a zone): printed by hand as Spark does.
pub(crate) fn is_utc_micros(t: &DataType) -> bool {
    match t {
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, tz) => {
            tz.as_deref().is_none_or(super::describe::is_session_zone)
        }
        _ => false,
    }
}

/// `text` cut to at most [`MAX_CELL_BYTES`] (on a character boundary) plus `…`.
fn shorten(mut text: String) -> String {
    if text.len() > MAX_CELL_BYTES {
        let mut end = MAX_CELL_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Date32Array, Float64Array, Int64Array, TimestampMicrosecondArray};

    #[test]
    fn formats_like_spark_show() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("d", DataType::Date32, true),
            Field::new("f", DataType::Float64, true),
            Field::new("i", DataType::Int64, true),
            Field::new(
                "t",
                DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Date32Array::from(vec![Some(19_782), None])),
                Arc::new(Float64Array::from(vec![Some(30730.5), Some(0.1)])),
                Arc::new(Int64Array::from(vec![Some(-7), Some(i64::MAX)])),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1_500_000), Some(0)])
                        .with_timezone("UTC"),
                ),
            ],
        )
        .unwrap();
        let shown = display_batch(&batch).unwrap();
        let col = |i: usize| shown.column(i).as_string::<i32>().clone();
        assert_eq!(col(0).value(0), "2024-02-29");
        assert!(col(0).is_null(1));
        assert_eq!(col(1).value(0), "30730.5");
        assert_eq!(col(1).value(1), "0.1");
        assert_eq!(col(2).value(1), "9223372036854775807");
        assert_eq!(col(3).value(0), "1970-01-01 00:00:01.5");
        assert_eq!(col(3).value(1), "1970-01-01 00:00:00");
    }

    #[test]
    fn non_finite_floats_are_shown_as_java_writes_them() {
        let column: ArrayRef = Arc::new(Float64Array::from(vec![
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -2.5,
        ]));
        let shown = display_array(&column).unwrap();
        let texts: Vec<&str> = shown.iter().map(Option::unwrap).collect();
        assert_eq!(texts, ["Infinity", "-Infinity", "NaN", "-2.5"]);
    }

    #[test]
    fn rows_without_columns_are_shown_as_rows() {
        // Found by fuzzing: a Parquet file with no columns could not be previewed.
        let batch = RecordBatch::try_new_with_options(
            Arc::new(Schema::empty()),
            Vec::new(),
            &RecordBatchOptions::new().with_row_count(Some(3)),
        )
        .unwrap();
        assert_eq!(display_batch(&batch).unwrap().num_rows(), 3);
    }

    #[test]
    fn long_cells_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_CELL_BYTES);
        let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, true)]));
        let column = arrow_array::StringArray::from(vec![Some(long.as_str()), Some("short")]);
        let batch = RecordBatch::try_new(schema, vec![Arc::new(column)]).unwrap();
        let shown = display_batch(&batch).unwrap();
        let shown = shown.column(0).as_string::<i32>();
        assert_eq!(
            shown.value(0),
            format!("{}…", "é".repeat(MAX_CELL_BYTES / 2))
        );
        assert_eq!(shown.value(1), "short");
    }
}
