//! Parquet reading: the footer first, then row groups decoded in parallel, one task per
//! (row group, column) so even a file with a single huge row group uses every thread.
//! The file may be given whole, or footer first and then in slices from the start, each
//! row group decoded once its bytes are in ([`received`]). A folder's files are decoded
//! together, their row groups sharing the threads ([`files`]).

mod files;
mod received;

use std::ops::Range;
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
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::reader::Length;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::column_names::with_spark_column_names;
use crate::io::plain::{engine_schema, plain_schema, to_engine_column};
use crate::memory;
use received::ReceivedFile;

pub use files::ParquetFiles;

/// Most rows in one partition: a big row group is sliced (zero-copy) so later operators
/// still get many partitions to share between threads.
pub const PARTITION_ROWS: usize = 65_536;

/// The `PAR1` magic that starts and ends a Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";
/// The footer's fixed end: the metadata's length (4 bytes, little-endian) and `PAR1`.
const FOOTER_END: usize = 8;

/// Reads a Parquet file, row groups at a time so the caller can report progress and stop
/// between calls. The file is either held whole ([`ParquetLoader::new`]) or received in
/// slices after its footer ([`ParquetLoader::from_footer`], [`ParquetLoader::push`]).
pub struct ParquetLoader {
    file: ReceivedFile,
    /// Bytes received by [`ParquetLoader::push`] so far: where the next slice starts.
    pushed: u64,
    /// Where each row group's last column chunk ends: it can be decoded once the file is
    /// received up to there.
    group_ends: Vec<u64>,
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
        if bytes.len() < 12 || !bytes.starts_with(MAGIC) || !bytes.ends_with(MAGIC) {
            return Err(not_parquet(bytes.len() as u64));
        }
        let len = bytes.len() as u64;
        let mut loader = Self::open(ReceivedFile::whole(Bytes::from(bytes)))?;
        loader.pushed = len;
        Ok(loader)
    }

    /// How many bytes from the end of the file its footer takes (the metadata and the
    /// last 8 bytes), from `tail`, at least the file's last 8 bytes, and the file's length.
    pub fn footer_length(tail: &[u8], file_len: u64) -> Result<u64> {
        let end = tail.len().checked_sub(FOOTER_END).map(|at| &tail[at..]);
        let Some(end) = end.filter(|end| end.ends_with(MAGIC) && file_len >= 12) else {
            return Err(not_parquet(file_len));
        };
        let metadata = u32::from_le_bytes([end[0], end[1], end[2], end[3]]) as u64;
        let footer = metadata + FOOTER_END as u64;
        if footer + 4 > file_len {
            return Err(corrupt(
                "the footer",
                format!("it says the metadata takes {metadata} bytes of a {file_len}-byte file"),
            ));
        }
        Ok(footer)
    }

    /// Reads the footer, `footer` being the file's last [`ParquetLoader::footer_length`]
    /// bytes (or more) of a file of `file_len` bytes; the file itself follows through
    /// [`ParquetLoader::push`].
    pub fn from_footer(footer: Vec<u8>, file_len: u64) -> Result<Self> {
        let Some(offset) = file_len.checked_sub(footer.len() as u64) else {
            return Err(corrupt(
                "the footer",
                format!(
                    "{} bytes were given for a {file_len}-byte file",
                    footer.len()
                ),
            ));
        };
        Self::footer_length(&footer, file_len)?;
        let mut file = ReceivedFile::new(file_len);
        file.add(offset, Bytes::from(footer));
        Self::open(file)
    }

    /// Takes the next slice of the file (the first starts at byte 0).
    pub fn push(&mut self, slice: Vec<u8>) -> Result<()> {
        if self.pushed == 0 && !slice.starts_with(MAGIC) {
            return Err(not_parquet(self.file.len()));
        }
        let len = slice.len() as u64;
        self.file.add(self.pushed, Bytes::from(slice));
        self.pushed += len;
        Ok(())
    }

    fn open(file: ReceivedFile) -> Result<Self> {
        let metadata =
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(parquet_error)?;
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
        // Intervals Spark's schema in the footer types (plain numbers to Parquet), and
        // names SQL can reach (an empty or repeated name, which Parquet allows).
        let schema = with_spark_column_names(&crate::io::spark_schema::intervals_from_spark(
            &engine_schema(metadata.schema()),
        ));
        let group_ends = metadata
            .metadata()
            .row_groups()
            .iter()
            .enumerate()
            .map(|(g, group)| group_end(g, group, file.len()))
            .collect::<Result<_>>()?;
        Ok(ParquetLoader {
            file,
            pushed: 0,
            group_ends,
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

    /// Decodes up to `max_groups` more row groups in parallel, as far as the file is
    /// received; returns how many it did.
    pub fn decode_next(&mut self, max_groups: usize) -> Result<usize> {
        decode_together(&mut [self], max_groups).map_err(|(_, err)| err)
    }

    /// The next row groups whose bytes are all received, at most `max_groups`.
    fn ready_groups(&self, max_groups: usize) -> Range<usize> {
        let received = self.file.prefix();
        let ready = self.group_ends[self.next_group..]
            .iter()
            .take(max_groups)
            .take_while(|&&end| end <= received)
            .count();
        self.next_group..self.next_group + ready
    }

    /// Columns per row group: one decoding task each.
    fn width(&self) -> usize {
        self.metadata.schema().fields().len()
    }

    /// Keeps row groups `groups`, decoded as `columns` (each group's columns in order), as
    /// partitions of at most [`PARTITION_ROWS`] rows.
    fn add_groups(&mut self, groups: Range<usize>, columns: &[ArrayRef]) -> Result<()> {
        let width = self.width();
        for (i, group) in groups.clone().enumerate() {
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
        self.next_group = groups.end;
        Ok(())
    }

    /// Bytes this file's decoded row groups will take (see [`decoded_size`]), counted
    /// before anything is decoded.
    pub fn decoded_bytes(&self) -> usize {
        decoded_size(&self.metadata)
    }

    /// Decodes whatever is left and returns the table.
    pub fn finish(mut self) -> Result<(Table, Vec<String>)> {
        while self.next_group < self.num_row_groups() {
            if self.decode_next(self.num_row_groups())? == 0 {
                return Err(corrupt(
                    &format!("row group {}", self.next_group),
                    format!(
                        "the file ended after {} of its {} bytes",
                        self.file.prefix(),
                        self.file.len()
                    ),
                ));
            }
        }
        let table = Table::try_new(self.schema(), self.partitions)?;
        Ok((table, Vec::new()))
    }

    fn decode_column(&self, group: usize, column: usize) -> Result<ArrayRef> {
        let rows = self.metadata.metadata().row_group(group).num_rows().max(0) as usize;
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [column]);
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.file.clone(),
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
        let to = self.schema.field(column).data_type();
        if let Some(interval) = crate::io::spark_schema::interval_column(&decoded, to) {
            return Ok(interval);
        }
        to_engine_column(&decoded, to).map_err(|e| corrupt(&where_(), e))
    }
}

/// Reads a whole Parquet file held in memory.
pub fn read_parquet(bytes: Vec<u8>) -> Result<(Table, Vec<String>)> {
    ParquetLoader::new(bytes)?.finish()
}

/// Decodes up to `max_groups` more row groups of `loaders` in one parallel pass, one task
/// per (file, row group, column): the first file's received groups first, then the next
/// file's. Files of one small row group each (a Spark partition's) then share the pool's
/// threads, where decoding them one at a time would leave a thread idle at the end of
/// each file's short round. Returns how many groups it decoded; on failure the index of
/// the file, the first in order whose column failed (whichever finishes first would
/// otherwise name a different file from run to run).
fn decode_together(
    loaders: &mut [&mut ParquetLoader],
    max_groups: usize,
) -> std::result::Result<usize, (usize, Error)> {
    let mut left = max_groups;
    let plan: Vec<Range<usize>> = loaders
        .iter()
        .map(|loader| {
            let groups = loader.ready_groups(left);
            left -= groups.len();
            groups
        })
        .collect();
    let tasks: Vec<(usize, usize, usize)> = plan
        .iter()
        .enumerate()
        .flat_map(|(file, groups)| {
            let width = loaders[file].width();
            groups
                .clone()
                .flat_map(move |g| (0..width).map(move |c| (file, g, c)))
        })
        .collect();
    let decoded: Vec<Result<ArrayRef>> = {
        let loaders: &[&mut ParquetLoader] = loaders;
        tasks
            .par_iter()
            .map(|&(file, group, column)| loaders[file].decode_column(group, column))
            .collect()
    };
    let mut columns = Vec::with_capacity(decoded.len());
    for (result, &(file, _, _)) in decoded.into_iter().zip(&tasks) {
        columns.push(result.map_err(|err| (file, err))?);
    }
    let mut at = 0;
    for (file, groups) in plan.into_iter().enumerate() {
        let end = at + groups.len() * loaders[file].width();
        loaders[file]
            .add_groups(groups, &columns[at..end])
            .map_err(|err| (file, err))?;
        at = end;
    }
    Ok(max_groups - left)
}

/// Where row group `g`'s bytes end: the furthest end of its column chunks. Offsets outside
/// the file are refused here (the Parquet crate's own `byte_range` panics on them).
fn group_end(g: usize, group: &RowGroupMetaData, file_len: u64) -> Result<u64> {
    group.columns().iter().try_fold(0u64, |end, column| {
        let start = column
            .dictionary_page_offset()
            .unwrap_or(column.data_page_offset());
        u64::try_from(start)
            .ok()
            .zip(u64::try_from(column.compressed_size()).ok())
            .and_then(|(start, len)| start.checked_add(len))
            .filter(|&chunk_end| chunk_end <= file_len)
            .map(|chunk_end| end.max(chunk_end))
            .ok_or_else(|| {
                corrupt(
                    &format!("row group {g}"),
                    format!("a column chunk lies outside the file's {file_len} bytes"),
                )
            })
    })
}

fn not_parquet(len: u64) -> Error {
    Error::new(
        ErrorCode::ParquetCorrupt,
        format!(
            "this is not a complete Parquet file: a Parquet file starts and ends with `PAR1` \
             ({len} bytes read); it may be truncated or another format"
        ),
    )
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

#[cfg(test)]
mod tests {
    use arrow_array::{Int64Array, StringArray};

    use super::*;
    use crate::testing::parquet_file;

    /// A file of 10 row groups of 1,000 rows: an id and a text column.
    fn ten_groups() -> Vec<u8> {
        let ids = Int64Array::from_iter_values(0..10_000);
        let texts = StringArray::from_iter_values((0..10_000).map(|i| format!("row {i}")));
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(ids) as ArrayRef),
            ("text", Arc::new(texts) as ArrayRef),
        ])
        .unwrap();
        parquet_file(&batch, 1_000)
    }

    /// Opens `bytes` from its footer, as the page does with the file's last bytes.
    fn from_footer(bytes: &[u8]) -> ParquetLoader {
        let len = bytes.len() as u64;
        let footer = ParquetLoader::footer_length(&bytes[bytes.len() - 8..], len).unwrap();
        let tail = bytes[bytes.len() - footer as usize..].to_vec();
        ParquetLoader::from_footer(tail, len).unwrap()
    }

    #[test]
    fn row_groups_decode_as_their_bytes_arrive() {
        let bytes = ten_groups();
        let (whole, _) = read_parquet(bytes.clone()).unwrap();
        for slice in [1_000, 7_777, bytes.len()] {
            let mut loader = from_footer(&bytes);
            assert_eq!(loader.num_row_groups(), 10);
            assert_eq!(
                loader.decode_next(10).unwrap(),
                0,
                "nothing is received yet"
            );
            let mut decoded_before_the_end = 0;
            for (k, chunk) in bytes.chunks(slice).enumerate() {
                loader.push(chunk.to_vec()).unwrap();
                loader.decode_next(3).unwrap();
                if (k + 1) * slice < bytes.len() {
                    decoded_before_the_end = loader.groups_done();
                }
            }
            if slice < bytes.len() / 2 {
                assert!(
                    decoded_before_the_end > 0,
                    "slices of {slice}: no group decoded early"
                );
            }
            let (streamed, _) = loader.finish().unwrap();
            assert_eq!(streamed.num_rows(), 10_000);
            assert_eq!(
                streamed.window(0, 10_000).unwrap(),
                whole.window(0, 10_000).unwrap()
            );
        }
    }

    #[test]
    fn a_file_that_ends_early_is_refused_by_name() {
        let bytes = ten_groups();
        let mut loader = from_footer(&bytes);
        loader.push(bytes[..bytes.len() / 2].to_vec()).unwrap();
        let err = loader.finish().unwrap_err();
        assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
        assert!(
            err.message().contains("the file ended after"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn what_is_not_parquet_is_refused_before_anything_is_read() {
        let bytes = ten_groups();
        let len = bytes.len() as u64;
        let not_parquet = b"id,text\n1,a\n2,b\n".to_vec();
        let err = ParquetLoader::footer_length(&not_parquet, not_parquet.len() as u64);
        assert_eq!(err.unwrap_err().code(), ErrorCode::ParquetCorrupt);
        let mut lying = bytes[bytes.len() - 8..].to_vec();
        lying[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = ParquetLoader::footer_length(&lying, len).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
        let mut loader = from_footer(&bytes);
        let err = loader.push(not_parquet).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
    }
}
