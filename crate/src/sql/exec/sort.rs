//! Sorting: each partition is sorted on its own thread (only its first `k` rows for a
//! top-k), then the sorted runs are merged with a heap over arrow-row encoded keys.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_ord::sort::{lexsort_to_indices, SortColumn, SortOptions};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::SchemaRef;
use arrow_select::interleave::interleave_record_batch;
use rayon::prelude::*;

use crate::error::Result;
use crate::frame::float_keys::spark_normalized;
use crate::job::JobContext;
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::split_batch;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::SortKey;

pub fn sort(
    partitions: &[RecordBatch],
    keys: &[SortKey],
    fetch: Option<usize>,
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let options: Vec<SortOptions> = keys
        .iter()
        .map(|k| SortOptions {
            descending: !k.ascending,
            nulls_first: k.nulls_first,
        })
        .collect();
    // Sort each partition (keeping only the first `fetch` rows of each for a top-k).
    let runs: Vec<(RecordBatch, Vec<ArrayRef>)> = partitions
        .par_iter()
        .enumerate()
        .filter(|(_, b)| b.num_rows() > 0)
        .map(|(index, batch)| {
            ctx.check()?;
            let columns = crate::sql::exec::partition::in_partition(index, || {
                // Ordered as Spark orders floats: `-0.0` ties with `0.0`, NaN last.
                keys.iter()
                    .map(|k| evaluate_array(&k.expr, batch).map(|key| spark_normalized(&key)))
                    .collect::<Result<Vec<_>>>()
            })?;
            let sort_columns: Vec<SortColumn> = columns
                .iter()
                .zip(&options)
                .map(|(values, o)| SortColumn {
                    values: values.clone(),
                    options: Some(*o),
                })
                .collect();
            let indices = lexsort_to_indices(&sort_columns, fetch).map_err(kernel_error)?;
            let sorted =
                arrow_select::take::take_record_batch(batch, &indices).map_err(kernel_error)?;
            let sorted_keys = columns
                .iter()
                .map(|c| arrow_select::take::take(c, &indices, None).map_err(kernel_error))
                .collect::<Result<Vec<_>>>()?;
            ctx.advance();
            Ok((sorted, sorted_keys))
        })
        .collect::<Result<_>>()?;
    if runs.is_empty() {
        return Ok(vec![RecordBatch::new_empty(schema)]);
    }
    if runs.len() == 1 {
        let (batch, _) = runs.into_iter().next().expect("one run");
        return Ok(split_batch(&batch));
    }
    // Merge the runs by their encoded keys.
    let fields = runs[0]
        .1
        .iter()
        .zip(&options)
        .map(|(c, o)| SortField::new_with_options(c.data_type().clone(), *o))
        .collect();
    let converter = RowConverter::new(fields).map_err(kernel_error)?;
    let encoded: Vec<Rows> = runs
        .iter()
        .map(|(_, keys)| converter.convert_columns(keys).map_err(kernel_error))
        .collect::<Result<_>>()?;
    let total: usize = runs.iter().map(|(b, _)| b.num_rows()).sum();
    let wanted = fetch.map_or(total, |f| f.min(total));
    let mut heap: BinaryHeap<Reverse<Cursor>> = encoded
        .iter()
        .enumerate()
        .map(|(run, rows)| Reverse(Cursor { run, row: 0, rows }))
        .collect();
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(wanted);
    while order.len() < wanted {
        let Some(Reverse(cursor)) = heap.pop() else {
            break;
        };
        order.push((cursor.run, cursor.row));
        if cursor.row + 1 < cursor.rows.num_rows() {
            heap.push(Reverse(Cursor {
                row: cursor.row + 1,
                ..cursor
            }));
        }
    }
    let batches: Vec<&RecordBatch> = runs.iter().map(|(b, _)| b).collect();
    let merged = interleave_record_batch(&batches, &order).map_err(kernel_error)?;
    Ok(split_batch(&merged))
}

/// The next row of one sorted run; ordered by its encoded key, then by run so that equal
/// keys come out in partition order.
struct Cursor<'a> {
    run: usize,
    row: usize,
    rows: &'a Rows,
}

impl PartialEq for Cursor<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cursor<'_> {}

impl PartialOrd for Cursor<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cursor<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rows
            .row(self.row)
            .cmp(&other.rows.row(other.row))
            .then(self.run.cmp(&other.run))
    }
}

/// Rows `[skip, skip + fetch)` across the partitions, in order.
pub fn limit(partitions: &[RecordBatch], skip: usize, fetch: Option<usize>) -> Vec<RecordBatch> {
    let mut to_skip = skip;
    let mut remaining = fetch.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for batch in partitions {
        if remaining == 0 {
            break;
        }
        let rows = batch.num_rows();
        if to_skip >= rows {
            to_skip -= rows;
            continue;
        }
        let take = (rows - to_skip).min(remaining);
        out.push(batch.slice(to_skip, take));
        remaining -= take;
        to_skip = 0;
    }
    out
}
