use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch, RecordBatchOptions};
use arrow_data::ArrayData;
use arrow_schema::{DataType, SchemaRef};
use arrow_select::concat::concat_batches;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::compact;
use crate::frame::kept_codes::{self, KeptCodes};
use crate::job::JobContext;

/// A partitioned, immutable table: one schema, many record batches.
///
/// Partitions are kept as produced by the reader (one per CSV byte range or Parquet row
/// group slice) so loading never copies data just to regroup it. Row order is the order
/// of the partitions, then of the rows inside each, which is the file's order.
///
/// A large table stores its low-cardinality string columns compact (codes and each
/// partition's distinct values, [`crate::frame::compact`]); readers get plain partitions
/// of the logical schema, decoded as they read them ([`Table::partition`],
/// [`Table::partition_columns`]).
#[derive(Debug, Clone)]
pub struct Table {
    schema: SchemaRef,
    partitions: Vec<RecordBatch>,
    /// `row_starts[i]` is the global index of partition `i`'s first row; one extra entry
    /// holds the total, so a row window is found with a binary search.
    row_starts: Vec<usize>,
    /// The codes kept for the low-cardinality string columns of each partition (see
    /// [`Table::with_key_codes`]); empty unless asked for. Clones share them.
    key_codes: Arc<[Arc<KeptCodes>]>,
    /// Columns that hold one value throughout each partition (a partitioned folder's
    /// `column=value` columns, one file per partition): a scan may decide a condition on
    /// them from one row and skip the partition. Empty unless a reader says so; any
    /// table built from this one starts without them.
    constant_columns: Arc<[usize]>,
}

impl Table {
    /// Builds a table, checking that every partition has exactly the table's schema.
    pub fn try_new(schema: SchemaRef, partitions: Vec<RecordBatch>) -> Result<Self> {
        if let Some((i, _)) = partitions
            .iter()
            .enumerate()
            .find(|(_, batch)| !stores_schema(&schema, batch))
        {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("partition {i} does not have the table's schema"),
            ));
        }
        let mut row_starts = Vec::with_capacity(partitions.len() + 1);
        let mut total = 0;
        for batch in &partitions {
            row_starts.push(total);
            total += batch.num_rows();
        }
        row_starts.push(total);
        Ok(Table {
            schema,
            partitions,
            row_starts,
            key_codes: Arc::new([]),
            constant_columns: Arc::new([]),
        })
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Every partition with its columns as the schema says (compact string columns
    /// decoded): borrowed when nothing is compact, else decoded all at once — a reader
    /// that can go partition by partition should ([`Table::partition`]), so that only the
    /// partitions in flight are decoded.
    pub fn partitions(&self) -> Result<Cow<'_, [RecordBatch]>> {
        if !self.is_compact() {
            return Ok(Cow::Borrowed(&self.partitions));
        }
        let decoded: Vec<Result<RecordBatch>> = (0..self.partitions.len())
            .into_par_iter()
            .map(|i| self.partition(i))
            .collect();
        Ok(Cow::Owned(first_error_in_row_order(decoded)?))
    }

    /// Partition `i` with its columns as the schema says (compact columns decoded).
    pub fn partition(&self, i: usize) -> Result<RecordBatch> {
        let batch = self.partitions.get(i).ok_or_else(|| no_partition(i))?;
        compact::decode_batch(batch, &self.schema)
    }

    /// The columns `projection` of partition `i`, decoding only those.
    pub fn partition_columns(&self, i: usize, projection: &[usize]) -> Result<RecordBatch> {
        let batch = self.partitions.get(i).ok_or_else(|| no_partition(i))?;
        let stored = batch
            .project(projection)
            .map_err(|e| Error::internal("reading a partition", e))?;
        let schema = self
            .schema
            .project(projection)
            .map_err(|e| Error::internal("reading a partition", e))?;
        compact::decode_batch(&stored, &Arc::new(schema))
    }

    /// The partitions as stored: a compact string column is a `Dictionary(UInt8, Utf8)`
    /// array (its field says so), every other column as the schema says. For readers of
    /// columns other than strings (the feature assembler), which then decode nothing.
    pub fn stored_partitions(&self) -> &[RecordBatch] {
        &self.partitions
    }

    /// Whether any column of any partition is stored compact.
    pub fn is_compact(&self) -> bool {
        self.partitions
            .iter()
            .any(|b| b.schema().fields() != self.schema.fields())
    }

    pub fn num_partitions(&self) -> usize {
        self.partitions.len()
    }

    pub fn num_rows(&self) -> usize {
        *self.row_starts.last().unwrap_or(&0)
    }

    /// The table-wide (0-based) number of each partition's first row, then the total:
    /// what error messages and reproducible per-row randomness number rows by.
    pub fn row_starts(&self) -> &[usize] {
        &self.row_starts
    }

    /// Applies `f` to every partition in parallel (with its first row's number) and
    /// builds a table with `schema` from the results, in partition order. Checks for
    /// cancellation before each partition and reports one step of progress after it.
    /// When several partitions fail, the error is the first one's in row order, so a bad
    /// row is reported the same way on every run.
    pub fn map_partitions<F>(&self, schema: SchemaRef, ctx: &JobContext, f: F) -> Result<Table>
    where
        F: Fn(&RecordBatch, usize) -> Result<RecordBatch> + Sync,
    {
        ctx.expect_steps(self.partitions.len());
        // A compact table's partitions are decoded one at a time, and what `f` makes of
        // them is stored compact again (the decoded columns by their kept codes), so a
        // cleaning step never holds the whole table's text.
        let compact = self.is_compact();
        let partitions = (0..self.partitions.len())
            .into_par_iter()
            .zip(&self.row_starts[..self.partitions.len()])
            .map(|(i, &first)| {
                ctx.check()?;
                let mut out = f(&self.partition(i)?, first)?;
                if compact {
                    out = compact::compact_batch(&out)?;
                }
                ctx.advance();
                Ok(out)
            })
            .collect::<Vec<_>>();
        Table::try_new(schema, first_error_in_row_order(partitions)?)
    }

    /// The table with codes kept for every string column of every partition that has at
    /// most [`MAX_KEPT_DISTINCT`](crate::frame::kept_codes::MAX_KEPT_DISTINCT) distinct
    /// values: a loaded table's dictionary encoding, made once in parallel so that
    /// GROUP BY, DISTINCT and joins on those columns never code their strings again
    /// ([`crate::frame::kept_codes`]). Answers do not change; only their speed does.
    ///
    /// A table whose string columns would take more than
    /// [`COMPACT_BYTES`](crate::frame::compact::COMPACT_BYTES) (or that a reader has
    /// already begun storing compact) stores those columns compact instead
    /// ([`Table::compacted`]): their codes are then the storage itself. Compacting is
    /// only a saving: should it fail, the table keeps its strings.
    pub fn with_key_codes(self) -> Self {
        let strings: usize = self.partitions.iter().map(compact::string_bytes).sum();
        if self.is_compact() || compact::worth_compacting(strings) {
            if let Ok(compact) = self.clone().compacted() {
                return compact;
            }
        }
        self.with_kept_codes()
    }

    /// The table with every low-cardinality string column of every partition stored
    /// compact ([`crate::frame::compact`]), whatever its size; the same rows and answers.
    pub fn compacted(mut self) -> Result<Self> {
        let stored: Vec<Result<RecordBatch>> = self
            .partitions
            .par_iter()
            .map(compact::compact_batch)
            .collect();
        self.partitions = first_error_in_row_order(stored)?;
        self.key_codes = Arc::new([]);
        Ok(self)
    }

    /// [`Table::with_key_codes`] without compacting: codes kept beside the strings.
    fn with_kept_codes(mut self) -> Self {
        let strings: Vec<usize> = (0..self.schema.fields().len())
            .filter(|&i| {
                matches!(
                    self.schema.field(i).data_type(),
                    DataType::Utf8 | DataType::LargeUtf8
                )
            })
            .collect();
        if strings.is_empty() {
            return self;
        }
        let kept: Vec<Arc<KeptCodes>> = self
            .partitions
            .par_iter()
            .flat_map_iter(|batch| {
                strings
                    .iter()
                    .filter_map(|&i| kept_codes::keep(batch.column(i)))
                    .collect::<Vec<_>>()
            })
            .collect();
        self.key_codes = kept.into();
        self
    }

    /// The table with `columns` marked as holding one value in each partition (see
    /// [`Table::constant_columns`]). The caller vouches for it (the partitioned-folder
    /// reader, which makes those columns by repeating one value): a wrong mark would make
    /// scans skip rows they should keep.
    pub fn with_constant_columns(mut self, columns: Vec<usize>) -> Self {
        self.constant_columns = columns.into();
        self
    }

    /// Columns holding one value throughout each partition (a partitioned folder's
    /// partition columns); empty for most tables.
    pub fn constant_columns(&self) -> &[usize] {
        &self.constant_columns
    }

    /// Bytes held by the table's buffers (what it costs in memory, not on disk), kept
    /// codes included. Buffers shared between partitions (slices of one Parquet row
    /// group) count once.
    pub fn memory_size(&self) -> usize {
        let mut seen = HashSet::new();
        let mut total: usize = self.key_codes.iter().map(|k| k.memory_size()).sum();
        for batch in &self.partitions {
            for column in batch.columns() {
                total += distinct_buffer_bytes(&column.to_data(), &mut seen);
            }
        }
        total
    }

    /// Rows `[offset, offset + len)` as one batch, clamped to the end of the table.
    ///
    /// This is how the UI pages through a table: it asks for a window around what is on
    /// screen. Slicing is zero-copy; only the (small) window is concatenated.
    pub fn window(&self, offset: usize, len: usize) -> Result<RecordBatch> {
        let total = self.num_rows();
        if offset > total {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("row window starts at {offset} but the table has {total} rows"),
            ));
        }
        let end = offset.saturating_add(len).min(total);
        if self.schema.fields().is_empty() {
            // Rows without columns (a Parquet file with no columns): nothing to slice.
            return RecordBatch::try_new_with_options(
                self.schema.clone(),
                Vec::new(),
                &RecordBatchOptions::new().with_row_count(Some(end - offset)),
            )
            .map_err(|e| Error::internal("row window", e));
        }
        let first = self.row_starts.partition_point(|&start| start <= offset) - 1;
        let mut pieces = Vec::new();
        let mut part = first.min(self.partitions.len());
        while part < self.partitions.len() && self.row_starts[part] < end {
            let start = self.row_starts[part];
            let batch = &self.partitions[part];
            let from = offset.saturating_sub(start);
            let to = (end - start).min(batch.num_rows());
            pieces.push(compact::decode_batch(
                &batch.slice(from, to - from),
                &self.schema,
            )?);
            part += 1;
        }
        concat_batches(&self.schema, &pieces).map_err(|e| Error::internal("row window", e))
    }

    /// The same rows in `n` partitions of nearly equal size (Spark's `repartition(n)`,
    /// keeping row order).
    pub fn repartition(&self, n: usize) -> Result<Table> {
        let n = n.max(1);
        let all = concat_batches(&self.schema, self.partitions()?.iter())
            .map_err(|e| Error::internal("repartitioning", e))?;
        let rows = all.num_rows();
        let partitions = (0..n)
            .map(|i| {
                let start = i * rows / n;
                let end = (i + 1) * rows / n;
                all.slice(start, end - start)
            })
            .collect();
        Table::try_new(self.schema_arc(), partitions)
    }

    /// An empty table with the given schema.
    pub fn empty(schema: SchemaRef) -> Self {
        Table {
            schema,
            partitions: Vec::new(),
            row_starts: vec![0],
            key_codes: Arc::new([]),
            constant_columns: Arc::new([]),
        }
    }

    /// Shares the schema pointer with a new `Arc` (tables are cheap to clone).
    pub fn schema_arc(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}

/// Whether `batch` holds the columns of `schema` (compact string columns included).
fn stores_schema(schema: &SchemaRef, batch: &RecordBatch) -> bool {
    let stored = batch.schema();
    stored.fields().len() == schema.fields().len()
        && schema
            .fields()
            .iter()
            .zip(stored.fields())
            .all(|(logical, stored)| compact::stores(logical, stored))
}

fn no_partition(i: usize) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("the table has no partition {i}"),
    )
}

/// Capacity of the buffers of `data` (and its children) not already in `seen`.
fn distinct_buffer_bytes(data: &ArrayData, seen: &mut HashSet<usize>) -> usize {
    let buffers = data
        .buffers()
        .iter()
        .chain(data.nulls().map(|n| n.buffer()));
    let mut total = 0;
    for buffer in buffers {
        if seen.insert(buffer.data_ptr().as_ptr() as usize) {
            total += buffer.capacity();
        }
    }
    total
        + data
            .child_data()
            .iter()
            .map(|child| distinct_buffer_bytes(child, seen))
            .sum::<usize>()
}

/// The results of partitions worked on in parallel, as one: the error of the first
/// failing partition in row order (rayon's `collect` into a `Result` returns whichever
/// failure came first in time, which varies from run to run).
pub fn first_error_in_row_order<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int32Array};
    use arrow_schema::{DataType, Field, Schema};

    fn table(sizes: &[i32]) -> Table {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, false)]));
        let mut next = 0;
        let partitions = sizes
            .iter()
            .map(|&n| {
                let values: Vec<i32> = (next..next + n).collect();
                next += n;
                RecordBatch::try_new(schema.clone(), vec![Arc::new(Int32Array::from(values))])
                    .unwrap()
            })
            .collect();
        Table::try_new(schema, partitions).unwrap()
    }

    fn values(batch: &RecordBatch) -> Vec<i32> {
        let col = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap();
        (0..col.len()).map(|i| col.value(i)).collect()
    }

    #[test]
    fn window_spans_partitions() {
        let t = table(&[3, 0, 4, 2]);
        assert_eq!(t.num_rows(), 9);
        assert_eq!(values(&t.window(2, 4).unwrap()), vec![2, 3, 4, 5]);
        assert_eq!(values(&t.window(7, 10).unwrap()), vec![7, 8]);
        assert_eq!(values(&t.window(9, 5).unwrap()), Vec::<i32>::new());
        assert_eq!(values(&t.window(0, 9).unwrap()), (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn windows_of_tables_without_columns_count_rows() {
        // Found by fuzzing: a Parquet file with no columns made the preview an INTERNAL
        // error.
        let schema = Arc::new(arrow_schema::Schema::empty());
        let rows = |n| {
            RecordBatch::try_new_with_options(
                schema.clone(),
                Vec::new(),
                &RecordBatchOptions::new().with_row_count(Some(n)),
            )
            .unwrap()
        };
        let t = Table::try_new(schema.clone(), vec![rows(3), rows(2)]).unwrap();
        assert_eq!(t.window(1, 10).unwrap().num_rows(), 4);
        let none = Table::try_new(schema.clone(), Vec::new()).unwrap();
        assert_eq!(none.window(0, 10).unwrap().num_rows(), 0);
    }

    #[test]
    fn window_past_end_is_an_error() {
        let err = table(&[3]).window(4, 1).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn repartition_keeps_rows_in_order() {
        let t = table(&[3, 0, 4, 2]).repartition(4).unwrap();
        assert_eq!(t.num_partitions(), 4);
        let sizes: Vec<usize> = t
            .partitions()
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .collect();
        assert_eq!(sizes, vec![2, 2, 2, 3]);
        assert_eq!(values(&t.window(0, 9).unwrap()), (0..9).collect::<Vec<_>>());
        assert_eq!(table(&[]).repartition(3).unwrap().num_rows(), 0);
    }

    #[test]
    fn shared_buffers_count_once() {
        let whole = table(&[100]);
        let batch = &whole.partitions().unwrap()[0];
        let sliced = Table::try_new(
            whole.schema_arc(),
            vec![batch.slice(0, 50), batch.slice(50, 50)],
        )
        .unwrap();
        assert_eq!(sliced.memory_size(), whole.memory_size());
        assert!(whole.memory_size() >= 400);
    }

    #[test]
    fn empty_table_has_no_rows() {
        let t = table(&[]);
        assert_eq!(t.num_rows(), 0);
        assert_eq!(t.window(0, 10).unwrap().num_rows(), 0);
    }
}
