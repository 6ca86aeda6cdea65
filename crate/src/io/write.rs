//! Writing tables as files the user downloads: CSV (readable back by Brasa and Spark) and
//! Parquet (zstd).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, StringArray};
use arrow_csv::WriterBuilder;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::frame::{interval_type, is_nested, json_text, Table};
use crate::temporal::format_timestamp_spark;

const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Choices for a CSV download. Every field has a default, so `{}` is a valid value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CsvExportOptions {
    /// Escapes text cells a spreadsheet would run as a formula: a text value starting with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice on
    /// CSV injection). Off by default, as Spark and DuckDB write text as it is: the escaped
    /// file no longer reads back to the same values.
    pub escape_formulas: bool,
}

/// The characters that make a spreadsheet read a cell as a formula (or, for a tab and a
/// carriage return, hide one).
const FORMULA_STARTS: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// Whether a text cell would be read as a formula by a spreadsheet.
pub fn starts_formula(text: &str) -> bool {
    text.as_bytes()
        .first()
        .is_some_and(|b| FORMULA_STARTS.contains(b))
}

/// The table as CSV with a header; NULL is an empty field, timestamps are
/// `yyyy-MM-dd HH:mm:ss[.fraction]` in UTC, as Spark prints them (no trailing zeros).
/// CSV has no nested values: structs, arrays and maps are written as JSON text (as
/// Spark's `to_json` writes them), which the page says beside the download button.
/// Text is written as it is unless `options` asks to escape formulas.
pub fn write_csv(table: &Table, options: &CsvExportOptions) -> Result<Vec<u8>> {
    // Text takes about twice the columns' memory (numbers as digits, separators).
    check_room(table, 2)?;
    let mut out = Vec::new();
    for_each_csv_chunk(table, options, |chunk| out.extend_from_slice(chunk))?;
    Ok(out)
}

/// The SHA-256 (lowercase hex) of the bytes [`write_csv`] writes with the default
/// options, without holding them: the tracking's dataset digest. The text is formatted a
/// few partitions at a time (so a table of any size fits) and hashed as it comes.
pub fn csv_sha256(table: &Table) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for_each_csv_chunk(table, &CsvExportOptions::default(), |chunk| {
        hasher.update(chunk)
    })?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Hands `sink` the table's CSV text in order: the header, then each partition's rows.
/// Partitions are formatted in parallel, a window of them at a time (one partition
/// decoded at a time per thread, for a compact table's strings), and the sink reads one
/// window while the next is formatted.
fn for_each_csv_chunk(
    table: &Table,
    options: &CsvExportOptions,
    mut sink: impl FnMut(&[u8]) + Send,
) -> Result<()> {
    let schema = csv_schema(table.schema(), options);
    // The header is what a writer writes first, even for a batch without rows.
    sink(&csv_text(&RecordBatch::new_empty(schema.clone()), true)?);
    let format = |range: std::ops::Range<usize>| -> Result<Vec<Vec<u8>>> {
        range
            .into_par_iter()
            .map(|i| csv_text(&csv_batch(&table.partition(i)?, &schema, options)?, false))
            .collect()
    };
    let partitions = table.num_partitions();
    let window = 2 * rayon::current_num_threads().max(1);
    let mut start = window.min(partitions);
    let mut ready = format(0..start)?;
    while !ready.is_empty() {
        let end = (start + window).min(partitions);
        let (next, ()) = rayon::join(
            || format(start..end),
            || ready.iter().for_each(|chunk| sink(chunk)),
        );
        ready = next?;
        start = end;
    }
    Ok(())
}

/// One batch as CSV text, with or without the header line.
fn csv_text(batch: &RecordBatch, header: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    WriterBuilder::new()
        .with_header(header)
        .with_date_format("%Y-%m-%d".into())
        .with_timestamp_format(TIMESTAMP_FORMAT.into())
        .with_timestamp_tz_format(TIMESTAMP_FORMAT.into())
        .build(&mut out)
        .write(batch)
        .map_err(|e| Error::internal("writing CSV", e))?;
    Ok(out)
}

/// The columns CSV holds as text it formats itself: nested values, timestamps, times, and text
/// when formulas are escaped.
fn as_text(t: &DataType, options: &CsvExportOptions) -> bool {
    is_nested(t)
        || matches!(
            t,
            DataType::Timestamp(TimeUnit::Microsecond, _)
                | DataType::Time64(TimeUnit::Microsecond)
                | DataType::Duration(TimeUnit::Microsecond)
                | DataType::Interval(arrow_schema::IntervalUnit::YearMonth)
        )
        || (options.escape_formulas && is_text(t))
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn csv_schema(schema: &Schema, options: &CsvExportOptions) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if as_text(f.data_type(), options) {
                Field::new(f.name(), DataType::Utf8, true)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn csv_batch(
    batch: &RecordBatch,
    schema: &SchemaRef,
    options: &CsvExportOptions,
) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .map(|(c, field)| -> Result<ArrayRef> {
            Ok(match c.data_type() {
                t if is_nested(t) => Arc::new(json_text(c.as_ref())?),
                t if options.escape_formulas && is_text(t) => {
                    let text = arrow_cast::cast(c, &DataType::Utf8)
                        .map_err(|e| Error::internal("writing CSV", e))?;
                    escape_formulas(text.as_string())
                }
                DataType::Timestamp(TimeUnit::Microsecond, _) => Arc::new(
                    c.as_primitive::<TimestampMicrosecondType>()
                        .iter()
                        .map(|v| v.map(format_timestamp_spark))
                        .collect::<StringArray>(),
                ),
                // As Spark's CSV writer: `12:34:56.789`, the fraction without trailing zeros.
                DataType::Time64(TimeUnit::Microsecond) => Arc::new(
                    c.as_primitive::<arrow_array::types::Time64MicrosecondType>()
                        .iter()
                        .map(|v| v.map(crate::temporal::time_of_day::format_time_spark))
                        .collect::<StringArray>(),
                ),
                // As Spark's CSV writer: `INTERVAL '3' DAY`, the column's fields.
                t if interval_type::is_interval(t) => Arc::new(
                    interval_type::interval_texts(
                        c.as_ref(),
                        Some(interval_type::fields_of(field)),
                    )
                    .ok_or_else(|| Error::internal("writing CSV", "an interval column"))?,
                ),
                _ => Arc::clone(c),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("writing CSV", e))
}

/// The column with a `'` before every value that starts a formula; the column itself when
/// none does (the usual case, so no copy).
fn escape_formulas(column: &StringArray) -> ArrayRef {
    if !column.iter().flatten().any(starts_formula) {
        return Arc::new(column.clone());
    }
    Arc::new(
        column
            .iter()
            .map(|v| {
                v.map(|text| match starts_formula(text) {
                    true => format!("'{text}"),
                    false => text.to_string(),
                })
            })
            .collect::<StringArray>(),
    )
}

/// The table as a zstd-compressed Parquet file, one row group per 128k rows; with
/// interval columns, Spark's schema in the footer so Spark (and Brasa) read them back as
/// intervals (`io::spark_schema`).
pub fn write_parquet(table: &Table) -> Result<Vec<u8>> {
    check_room(table, 1)?;
    // Spark reads an interval back from Parquet only through its own schema in the footer:
    // written beside interval columns (year-month ones as Spark's plain INT32 months).
    let spark_schema = crate::io::spark_schema::spark_schema_json(table.schema())?;
    let schema = crate::io::spark_schema::for_parquet(&table.schema_arc());
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(131_072))
        .set_key_value_metadata(spark_schema.map(|json| {
            vec![parquet::file::metadata::KeyValue::new(
                crate::io::spark_schema::SPARK_ROW_METADATA.to_string(),
                json,
            )]
        }))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, Arc::clone(&schema), Some(props))
        .map_err(|e| Error::internal("starting a Parquet file", e))?;
    for i in 0..table.num_partitions() {
        let batch = table.partition(i)?;
        let batch = if Arc::ptr_eq(&schema, &table.schema_arc()) {
            batch
        } else {
            let columns = batch
                .columns()
                .iter()
                .map(crate::io::spark_schema::column_for_parquet)
                .collect();
            RecordBatch::try_new(Arc::clone(&schema), columns)
                .map_err(|e| Error::internal("writing Parquet", e))?
        };
        writer
            .write(&batch)
            .map_err(|e| Error::internal("writing Parquet", e))?;
    }
    writer
        .close()
        .map_err(|e| Error::internal("finishing a Parquet file", e))?;
    Ok(out)
}

/// Refuses a download whose file would not fit next to the table in memory.
fn check_room(table: &Table, bytes_per_byte: usize) -> Result<()> {
    crate::memory::check(
        table.memory_size().saturating_mul(bytes_per_byte),
        "writing this table as a file",
        "download fewer rows or columns (select them with SQL first)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv::{read_csv, CsvOptions};
    use crate::io::parquet::read_parquet;
    use arrow_select::concat::concat_batches;

    #[test]
    fn csv_and_parquet_round_trip() {
        let text = b"id,name,when,at\n1,a,2024-01-02,2024-01-02 03:04:05\n2,,,\n";
        let (table, _) = read_csv(text, &CsvOptions::default()).unwrap();
        let all = |t: &Table| concat_batches(t.schema(), t.partitions().unwrap().iter()).unwrap();
        let csv = write_csv(&table, &CsvExportOptions::default()).unwrap();
        assert_eq!(
            String::from_utf8(csv.clone()).unwrap(),
            "id,name,when,at\n1,a,2024-01-02,2024-01-02 03:04:05\n2,,,\n"
        );
        let (again, _) = read_csv(&csv, &CsvOptions::default()).unwrap();
        assert_eq!(all(&again), all(&table));
        let (from_parquet, _) = read_parquet(write_parquet(&table).unwrap()).unwrap();
        assert_eq!(all(&from_parquet), all(&table));
    }

    #[test]
    fn nested_values_are_json_text_in_csv_and_kept_in_parquet() {
        use arrow_array::builder::{ListBuilder, StringBuilder};
        use arrow_array::{Array, TimestampMicrosecondArray};
        let mut list = ListBuilder::new(StringBuilder::new());
        list.values().append_value("a");
        list.values().append_value("b,c");
        list.append(true);
        list.append(false);
        let list = list.finish();
        let ts = TimestampMicrosecondArray::from(vec![Some(1_700_000_000_500_000), Some(0)])
            .with_timezone("UTC");
        let schema = Arc::new(Schema::new(vec![
            Field::new("parts", list.data_type().clone(), true),
            Field::new("at", ts.data_type().clone(), true),
        ]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(list), Arc::new(ts)]).unwrap();
        let table = Table::try_new(schema, vec![batch]).unwrap();
        let csv =
            String::from_utf8(write_csv(&table, &CsvExportOptions::default()).unwrap()).unwrap();
        assert_eq!(
            csv,
            "parts,at\n\"[\"\"a\"\",\"\"b,c\"\"]\",2023-11-14 22:13:20.5\n,1970-01-01 00:00:00\n"
        );
        let (back, _) = read_parquet(write_parquet(&table).unwrap()).unwrap();
        let all = |t: &Table| concat_batches(t.schema(), t.partitions().unwrap().iter()).unwrap();
        assert_eq!(all(&back), all(&table));
    }

    #[test]
    fn formulas_are_escaped_only_when_asked() {
        let text = "name,n,note\n=1+2,-5,@SUM(A1)\n+x,3,plain\n-y,,\tz\n,4,'q\n";
        let (table, _) = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap();
        let as_is = write_csv(&table, &CsvExportOptions::default()).unwrap();
        assert_eq!(String::from_utf8(as_is).unwrap(), text);
        let escaped = CsvExportOptions {
            escape_formulas: true,
        };
        let escaped = String::from_utf8(write_csv(&table, &escaped).unwrap()).unwrap();
        // Text cells get a leading quote; the number -5 is a number and stays as it is.
        assert_eq!(
            escaped,
            "name,n,note\n'=1+2,-5,'@SUM(A1)\n'+x,3,plain\n'-y,,'\tz\n,4,'q\n"
        );
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_csv_whatever_the_partitions() {
        use sha2::{Digest, Sha256};
        let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
        let text: String = std::iter::once("id,name,score\n".to_string())
            .chain((0..1000).map(|i| format!("{i},n{},{}\n", i % 7, i as f64 / 8.0)))
            .collect();
        let (table, _) = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap();
        let whole = write_csv(&table, &CsvExportOptions::default()).unwrap();
        let expected = hex(&Sha256::digest(&whole));
        for partitions in [1, 2, 3, 7, 40] {
            let table = table.repartition(partitions).unwrap();
            assert_eq!(table.num_partitions(), partitions);
            let csv = write_csv(&table, &CsvExportOptions::default()).unwrap();
            assert!(csv == whole, "{partitions} partitions write other text");
            assert_eq!(
                csv_sha256(&table).unwrap(),
                expected,
                "{partitions} partitions"
            );
        }
        // No rows: the header alone.
        let empty = Table::try_new(table.schema_arc(), Vec::new()).unwrap();
        assert_eq!(
            csv_sha256(&empty).unwrap(),
            hex(&Sha256::digest(b"id,name,score\n"))
        );
    }
}
