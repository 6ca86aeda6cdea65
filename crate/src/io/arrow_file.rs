//! Arrow IPC files (`.arrow`, Feather v2 `.feather`) and streams (`.arrows`, `.ipc`):
//! Arrow's own format, so reading is mostly copying buffers. Compressed buffers (LZ4 or
//! zstd, Feather's default) are decompressed; dictionary, view and large columns become
//! the plain types the engine computes on; batches become partitions of at most
//! [`PARTITION_ROWS`] rows (small ones joined, big ones sliced).

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions, RecordBatchReader};
use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::{ArrowError, SchemaRef};
use arrow_select::concat::concat_batches;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::column_names::with_spark_column_names;
use crate::io::parquet::PARTITION_ROWS;
use crate::io::plain::{engine_schema, plain_schema, to_engine_column};
use crate::memory;

/// The IPC file format's first (and last) bytes.
const FILE_MAGIC: &[u8] = b"ARROW1";

/// Reads an Arrow IPC file or stream held in memory.
pub fn read_arrow(bytes: &[u8]) -> Result<(Table, Vec<String>)> {
    memory::check(
        bytes.len(),
        "decoding this Arrow file",
        "load a smaller file, or drop other tables first",
    )?;
    let is_file = bytes.starts_with(FILE_MAGIC);
    let (schema, batches) = if is_file {
        if !bytes.ends_with(FILE_MAGIC) || bytes.len() < 2 * FILE_MAGIC.len() + 4 {
            return Err(corrupt(format!(
                "an Arrow IPC file starts and ends with `ARROW1`, but this one ({}) does not \
                 end with it: it is probably truncated",
                memory::describe_bytes(bytes.len())
            )));
        }
        read_all(FileReader::try_new(Cursor::new(bytes), None).map_err(arrow_error)?)?
    } else {
        read_all(StreamReader::try_new(Cursor::new(bytes), None).map_err(arrow_error)?)?
    };
    // Names SQL can reach: Arrow allows an empty or repeated name.
    let plain = with_spark_column_names(&engine_schema(&plain_schema(&schema)));
    let batches = batches
        .into_iter()
        .map(|batch| to_plain(batch, &plain))
        .collect::<Result<Vec<_>>>()?;
    let partitions = repartition(&plain, batches)?;
    Ok((Table::try_new(plain, partitions)?, Vec::new()))
}

/// The schema and every batch of a file's or stream's reader.
fn read_all(reader: impl RecordBatchReader) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let schema = reader.schema();
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(arrow_error)?;
    Ok((schema, batches))
}

/// A batch with its columns cast to the engine schema's types (plain, times in
/// microseconds).
fn to_plain(batch: RecordBatch, plain: &SchemaRef) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(plain.fields())
        .map(|(column, field)| {
            if column.data_type() == field.data_type() {
                Ok(Arc::clone(column))
            } else {
                to_engine_column(column, field.data_type()).map_err(|e| {
                    corrupt(format!(
                        "column `{}` could not be read as {} ({e})",
                        field.name(),
                        field.data_type()
                    ))
                })
            }
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    RecordBatch::try_new_with_options(
        Arc::clone(plain),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::internal("assembling an Arrow partition", e))
}

/// Partitions of up to [`PARTITION_ROWS`] rows: a writer's batches may be tiny (a stream
/// of one-row batches) or hold the whole table.
fn repartition(schema: &SchemaRef, batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
    let mut partitions = Vec::new();
    let mut pending: Vec<RecordBatch> = Vec::new();
    let mut pending_rows = 0;
    let flush = |pending: &mut Vec<RecordBatch>, partitions: &mut Vec<RecordBatch>| -> Result<()> {
        match pending.len() {
            0 => {}
            1 => partitions.push(pending.remove(0)),
            _ => partitions.push(
                concat_batches(schema, pending.iter())
                    .map_err(|e| Error::internal("joining Arrow batches", e))?,
            ),
        }
        pending.clear();
        Ok(())
    };
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = (PARTITION_ROWS - pending_rows).min(batch.num_rows() - offset);
            pending.push(batch.slice(offset, len));
            pending_rows += len;
            offset += len;
            if pending_rows == PARTITION_ROWS {
                flush(&mut pending, &mut partitions)?;
                pending_rows = 0;
            }
        }
    }
    flush(&mut pending, &mut partitions)?;
    Ok(partitions)
}

fn arrow_error(err: ArrowError) -> Error {
    match err {
        ArrowError::NotYetImplemented(what) => Error::new(
            ErrorCode::ArrowUnsupported,
            format!("this Arrow file uses something Brasa cannot read yet: {what}"),
        ),
        other => corrupt(format!(
            "the Arrow IPC data could not be decoded ({other}); the file is probably \
             truncated, corrupt or not an Arrow IPC file: export it again"
        )),
    }
}

fn corrupt(message: String) -> Error {
    Error::new(ErrorCode::ArrowCorrupt, message)
}
