//! Parquet reading: the footer first, then row groups decoded in parallel, one task per
//! (row group, column) so even a file with a single huge row group uses every thread.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;
use arrow_select::concat::concat;
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::errors::ParquetError;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::plain::{engine_schema, plain_schema, to_engine_column};
use crate::memory;

/// Most rows in one partition: a big row group is sliced (zero-copy) so later operators
/// still get many partitions to share between threads.
pub const PARTITION_ROWS: usize = 65_536;

/// Reads a Parquet file held in memory, row groups at a time so the caller can report
/// progress and stop between calls.
pub struct ParquetLoader {
    bytes: Bytes,
    metadata: ArrowReaderMetadata,
    /// The table's schema: the reader's, with times of day in microseconds (the reader
    /// cannot be asked for another unit than the file's).
    schema: SchemaRef,
    next_group: usize,
    partitions: Vec<RecordBatch>,
}

impl ParquetLoader {
    /// Reads the footer. Fails with `PARQUET_CORRUPT` on anything that is not a whole
    /// Parquet file.
    pub fn new(bytes: Vec<u8>) -> Result<Self> {
        let bytes = Bytes::from(bytes);
        if bytes.len() < 12 || !bytes.starts_with(b"PAR1") || !bytes.ends_with(b"PAR1") {
            return Err(Error::new(
                ErrorCode::ParquetCorrupt,
                format!(
                    "this is not a complete Parquet file: a Parquet file starts and ends with \
                     `PAR1` ({} bytes read); it may be truncated or another format",
                    bytes.len()
                ),
            ));
        }
        let metadata =
            ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()).map_err(parquet_error)?;
        // Read view, dictionary and large types as the plain types the engine computes on.
        let plain = plain_schema(metadata.schema());
        let metadata = if &plain == metadata.schema() {
            metadata
        } else {
            ArrowReaderMetadata::try_new(
                Arc::clone(metadata.metadata()),
                ArrowReaderOptions::new().with_schema(plain),
            )
            .map_err(parquet_error)?
        };
        memory::check(
            decoded_size(&metadata),
            "decoding this Parquet file",
            "its footer describes more rows than fit; load a smaller file, or fewer columns",
        )?;
        let schema = engine_schema(metadata.schema());
        Ok(ParquetLoader {
            bytes,
            metadata,
            schema,
            next_group: 0,
            partitions: Vec::new(),
        })
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    pub fn num_row_groups(&self) -> usize {
        self.metadata.metadata().num_row_groups()
    }

    /// Rows in the file according to its footer.
    pub fn num_rows(&self) -> u64 {
        self.metadata.metadata().file_metadata().num_rows().max(0) as u64
    }

    /// Row groups decoded so far.
    pub fn groups_done(&self) -> usize {
        self.next_group
    }

    /// Decodes up to `max_groups` more row groups in parallel; returns how many it did.
    pub fn decode_next(&mut self, max_groups: usize) -> Result<usize> {
        let groups: Vec<usize> =
            (self.next_group..(self.next_group + max_groups).min(self.num_row_groups())).collect();
        let width = self.metadata.schema().fields().len();
        let tasks: Vec<(usize, usize)> = groups
            .iter()
            .flat_map(|&g| (0..width).map(move |c| (g, c)))
            .collect();
        let columns: Vec<ArrayRef> = tasks
            .par_iter()
            .map(|&(group, column)| self.decode_column(group, column))
            .collect::<Result<_>>()?;
        for (i, &group) in groups.iter().enumerate() {
            let rows = self.metadata.metadata().row_group(group).num_rows().max(0) as usize;
            let batch = RecordBatch::try_new_with_options(
                self.schema(),
                columns[i * width..(i + 1) * width].to_vec(),
                &RecordBatchOptions::new().with_row_count(Some(rows)),
            )
            .map_err(|e| corrupt(&format!("row group {group}"), e))?;
            let mut offset = 0;
            while offset < rows {
                let len = PARTITION_ROWS.min(rows - offset);
                self.partitions.push(batch.slice(offset, len));
                offset += len;
            }
        }
        self.next_group += groups.len();
        Ok(groups.len())
    }

    /// Decodes whatever is left and returns the table.
    pub fn finish(mut self) -> Result<(Table, Vec<String>)> {
        while self.next_group < self.num_row_groups() {
            self.decode_next(self.num_row_groups())?;
        }
        let table = Table::try_new(self.schema(), self.partitions)?;
        Ok((table, Vec::new()))
    }

    fn decode_column(&self, group: usize, column: usize) -> Result<ArrayRef> {
        let rows = self.metadata.metadata().row_group(group).num_rows().max(0) as usize;
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [column]);
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.bytes.clone(),
            self.metadata.clone(),
        )
        .with_row_groups(vec![group])
        .with_projection(mask)
        .with_batch_size(rows.max(1))
        .build()
        .map_err(parquet_error)?;
        let where_ = || {
            format!(
                "column `{}` of row group {group}",
                self.metadata.schema().field(column).name()
            )
        };
        let mut arrays = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| corrupt(&where_(), e))?;
            arrays.push(Arc::clone(batch.column(0)));
        }
        let decoded: usize = arrays.iter().map(|a| a.len()).sum();
        if decoded != rows {
            return Err(corrupt(
                &where_(),
                format!("{decoded} values decoded, the footer says {rows}"),
            ));
        }
        let decoded = match arrays.len() {
            0 => arrow_array::new_empty_array(self.metadata.schema().field(column).data_type()),
            1 => arrays.pop().expect("one array"),
            _ => {
                let refs: Vec<&dyn arrow_array::Array> =
                    arrays.iter().map(|a| a.as_ref()).collect();
                concat(&refs).map_err(|e| corrupt(&where_(), e))?
            }
        };
        to_engine_column(&decoded, self.schema.field(column).data_type())
            .map_err(|e| corrupt(&where_(), e))
    }
}

/// Reads a whole Parquet file held in memory.
pub fn read_parquet(bytes: Vec<u8>) -> Result<(Table, Vec<String>)> {
    ParquetLoader::new(bytes)?.finish()
}

/// Bytes the decoded table will take, estimated from the footer before anything is
/// decoded: every value of a fixed-width column, plus offsets and the uncompressed bytes
/// of the others. A footer claiming billions of rows is refused here, not halfway through
/// decoding (a failed allocation aborts the wasm engine).
fn decoded_size(metadata: &ArrowReaderMetadata) -> usize {
    let row_bytes: usize = metadata
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().primitive_width().unwrap_or(8))
        .sum();
    metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|group| {
            let rows = group.num_rows().max(0) as usize;
            let uncompressed: usize = group
                .columns()
                .iter()
                .map(|c| c.uncompressed_size().max(0) as usize)
                .fold(0, usize::saturating_add);
            rows.saturating_mul(row_bytes).saturating_add(uncompressed)
        })
        .fold(0, usize::saturating_add)
}

fn parquet_error(err: ParquetError) -> Error {
    match err {
        ParquetError::NYI(what) => Error::new(
            ErrorCode::ParquetUnsupported,
            format!("this Parquet file uses something Brasa cannot read yet: {what}"),
        ),
        other => corrupt("the file", other),
    }
}

fn corrupt(place: &str, err: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::ParquetCorrupt,
        format!(
            "{place} could not be decoded ({err}); the Parquet file is probably truncated or \
             corrupt: export it again"
        ),
    )
}
