//! Writing tables as files the user downloads: CSV (readable back by Brasa and Spark) and
//! Parquet (zstd).

use arrow_csv::WriterBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};
use crate::frame::Table;

const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// The table as CSV with a header; NULL is an empty field, timestamps are
/// `yyyy-MM-dd HH:mm:ss[.fraction]` in UTC.
pub fn write_csv(table: &Table) -> Result<Vec<u8>> {
    // Text takes about twice the columns' memory (numbers as digits, separators).
    check_room(table, 2)?;
    let mut out = Vec::new();
    {
        let mut writer = WriterBuilder::new()
            .with_header(true)
            .with_date_format("%Y-%m-%d".into())
            .with_timestamp_format(TIMESTAMP_FORMAT.into())
            .with_timestamp_tz_format(TIMESTAMP_FORMAT.into())
            .build(&mut out);
        if table.partitions().is_empty() {
            writer
                .write(&arrow_array::RecordBatch::new_empty(table.schema_arc()))
                .map_err(|e| Error::internal("writing CSV", e))?;
        }
        for batch in table.partitions() {
            writer
                .write(batch)
                .map_err(|e| Error::internal("writing CSV", e))?;
        }
    }
    Ok(out)
}

/// The table as a zstd-compressed Parquet file, one row group per 128k rows.
pub fn write_parquet(table: &Table) -> Result<Vec<u8>> {
    check_room(table, 1)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(131_072))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, table.schema_arc(), Some(props))
        .map_err(|e| Error::internal("starting a Parquet file", e))?;
    for batch in table.partitions() {
        writer
            .write(batch)
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
        let all = |t: &Table| concat_batches(t.schema(), t.partitions()).unwrap();
        let csv = write_csv(&table).unwrap();
        assert_eq!(
            String::from_utf8(csv.clone()).unwrap(),
            "id,name,when,at\n1,a,2024-01-02,2024-01-02 03:04:05\n2,,,\n"
        );
        let (again, _) = read_csv(&csv, &CsvOptions::default()).unwrap();
        assert_eq!(all(&again), all(&table));
        let (from_parquet, _) = read_parquet(write_parquet(&table).unwrap()).unwrap();
        assert_eq!(all(&from_parquet), all(&table));
    }
}
