//! Window functions: rows are ordered by (partition keys, order keys); each window
//! partition is then walked once, computing ranks and offsets here, and functions over
//! frames by sliding each row's frame (`frame`) through sliding aggregates (`aggregate`)
//! or by picking one row of the frame (`pick`); any other aggregate is computed anew over
//! each distinct frame (`refold`). Results are written back in the input's row order.

mod aggregate;
mod decimal;
mod frame;
mod pick;
mod refold;
mod session;

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, Int32Array, RecordBatch, UInt32Array};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{SchemaRef, SortOptions};
use arrow_select::concat::concat_batches;
use arrow_select::interleave::interleave;
use arrow_select::take::take_record_batch;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_normalized;
use crate::job::JobContext;
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::hash_rows;
use crate::sql::exec::split_batch;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::{Expr, WindowCall};
use crate::sql::plan::functions::{AggregateFunction, WindowFunction};
use crate::sql::plan::scalar::ScalarValue;

pub fn window(
    partitions: &[RecordBatch],
    input_schema: SchemaRef,
    windows: &[WindowCall],
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let batch = concat_batches(&input_schema, partitions).map_err(kernel_error)?;
    // Calls over the same PARTITION BY and ORDER BY share one split and one sort (a
    // `regr_slope` over a window is several aggregates over it).
    let mut results: Vec<Option<ArrayRef>> = vec![None; windows.len()];
    for (i, call) in windows.iter().enumerate() {
        if results[i].is_some() {
            continue;
        }
        ctx.check()?;
        let same: Vec<usize> = (i..windows.len())
            .filter(|&j| {
                windows[j].partition_by == call.partition_by && windows[j].order_by == call.order_by
            })
            .collect();
        let calls: Vec<&WindowCall> = same.iter().map(|&j| &windows[j]).collect();
        for (j, column) in same
            .into_iter()
            .zip(compute_windows_in_parallel(&batch, &calls)?)
        {
            results[j] = Some(column);
        }
    }
    let mut columns = batch.columns().to_vec();
    for column in results {
        columns.push(column.ok_or_else(|| Error::internal("window", "a call was not computed"))?);
    }
    let out = RecordBatch::try_new(schema, columns)
        .map_err(|e| Error::internal("assembling window results", e))?;
    Ok(split_batch(&out))
}

/// Rows below which a window is computed on one thread: splitting costs more than it
/// saves.
const PARALLEL_MIN_ROWS: usize = 50_000;
/// Groups of window partitions a window with PARTITION BY is split into. Fixed, not the
/// thread count, though the answer does not depend on it either (ties in the ORDER BY
/// keep the rows' input order: [`window_order`]).
const PARTITION_GROUPS: usize = 16;

/// [`compute_windows`], spread over threads when the window has PARTITION BY keys: window
/// partitions are independent, so the rows are split by the hash of their keys into
/// groups of whole window partitions (each group keeping its rows' input order), each
/// group is computed on its own, and the results are put back in the rows' order. A
/// window without PARTITION BY is one partition: its rows are sorted on every thread
/// ([`sort_by_keys`]), then walked on one. `calls` share their PARTITION BY and ORDER BY.
fn compute_windows_in_parallel(
    batch: &RecordBatch,
    calls: &[&WindowCall],
) -> Result<Vec<ArrayRef>> {
    let n = batch.num_rows();
    let Some(first) = calls.first() else {
        return Ok(Vec::new());
    };
    if first.partition_by.is_empty() || n < PARALLEL_MIN_ROWS || rayon::current_num_threads() < 2 {
        return compute_windows(batch, calls);
    }
    // The keys as they group (`-0.0` with `0.0`), so equal keys share a group.
    let keys = first
        .partition_by
        .iter()
        .map(|e| evaluate_array(e, batch).map(|key| spark_normalized(&key)))
        .collect::<Result<Vec<_>>>()?;
    let hashes = hash_rows(&keys, n)?;
    let mut rows_of: Vec<Vec<u32>> = vec![Vec::new(); PARTITION_GROUPS];
    for (row, hash) in hashes.iter().enumerate() {
        rows_of[(hash % PARTITION_GROUPS as u64) as usize].push(row as u32);
    }
    // Per group, one column per call.
    let results = rows_of
        .par_iter()
        .map(|rows| {
            let group =
                take_record_batch(batch, &UInt32Array::from(rows.clone())).map_err(kernel_error)?;
            compute_windows(&group, calls)
        })
        .collect::<Result<Vec<Vec<ArrayRef>>>>()?;
    let mut place = vec![(0usize, 0usize); n];
    for (group, rows) in rows_of.iter().enumerate() {
        for (position, &row) in rows.iter().enumerate() {
            place[row as usize] = (group, position);
        }
    }
    (0..calls.len())
        .map(|c| {
            let parts: Vec<&dyn Array> = results.iter().map(|r| r[c].as_ref()).collect();
            interleave(&parts, &place).map_err(kernel_error)
        })
        .collect()
}

/// `calls`, which share their PARTITION BY and ORDER BY, over `batch`: the rows are put in
/// window order once for all of them.
fn compute_windows(batch: &RecordBatch, calls: &[&WindowCall]) -> Result<Vec<ArrayRef>> {
    let Some(first) = calls.first() else {
        return Ok(Vec::new());
    };
    let w = window_order(batch, first)?;
    calls
        .iter()
        .map(|call| compute_window(batch, call, &w))
        .collect()
}

/// The rows of `batch` in window order, with where each window partition and each group
/// of peers (rows equal on the order keys) starts.
struct WindowOrder {
    order: Vec<u32>,
    partition_start: Vec<bool>,
    peer_start: Vec<bool>,
    /// The ORDER BY keys, by input row (RANGE frames with offsets read the one key).
    order_keys: Vec<ArrayRef>,
}

fn window_order(batch: &RecordBatch, call: &WindowCall) -> Result<WindowOrder> {
    let n = batch.num_rows();
    // Partitioned and ordered as Spark sees floats: `-0.0` with `0.0`, NaN with NaN (last).
    let partition_keys = call
        .partition_by
        .iter()
        .map(|e| evaluate_array(e, batch).map(|key| spark_normalized(&key)))
        .collect::<Result<Vec<_>>>()?;
    let order_keys = call
        .order_by
        .iter()
        .map(|k| evaluate_array(&k.expr, batch).map(|key| spark_normalized(&key)))
        .collect::<Result<Vec<_>>>()?;
    // Every key in one row format (the ORDER BY keys with their directions), sorted as
    // bytes; ties go back to the rows' input order, so the answer (a row_number among
    // ties) is the same however the rows were split.
    let mut all_keys = partition_keys.clone();
    all_keys.extend(order_keys.iter().cloned());
    let mut options = vec![SortOptions::default(); partition_keys.len()];
    options.extend(call.order_by.iter().map(|k| SortOptions {
        descending: !k.ascending,
        nulls_first: k.nulls_first,
    }));
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut peer_start = first_only(n);
    if !all_keys.is_empty() {
        let rows = encode(&all_keys, &options)?;
        let key: Vec<&[u8]> = (0..n).map(|i| rows.row(i).data()).collect();
        peer_start = sort_by_keys(&mut order, &key);
    }
    let mut partition_start = first_only(n);
    if !partition_keys.is_empty() {
        let rows = encode(
            &partition_keys,
            &vec![SortOptions::default(); partition_keys.len()],
        )?;
        let key: Vec<&[u8]> = (0..n).map(|i| rows.row(i).data()).collect();
        for w in 1..n {
            partition_start[w] = key[order[w] as usize] != key[order[w - 1] as usize];
        }
    }
    if call.order_by.is_empty() {
        // Without ORDER BY every row of a partition is a peer of every other.
        peer_start.clone_from(&partition_start);
    }
    Ok(WindowOrder {
        order,
        partition_start,
        peer_start,
        order_keys,
    })
}

/// Sorts row numbers by their keys (rows of arrow's row format), ties in row order.
///
/// Sorting row numbers with a comparison that reads both keys chases every key through
/// memory (two thirds of a window's time in wasm). Instead the keys are read 16 bytes at
/// a time, most significant first: the rows are sorted as (those bytes, row) pairs, which
/// move and compare as contiguous fixed-size records, and only the runs still tied are
/// sorted again on their next 16 bytes. Zero padding keeps the order (rows of the row
/// format are prefix-free, and the length breaks what padding could tie).
///
/// Returns where each run of equal keys (peers) begins, in sorted order.
fn sort_by_keys(order: &mut [u32], key: &[&[u8]]) -> Vec<bool> {
    let n = order.len();
    let levels = key.iter().map(|k| k.len()).max().unwrap_or(0).div_ceil(16);
    // Where a run of rows tied on the bytes sorted so far begins.
    let mut run_start = first_only(n);
    let mut pairs: Vec<(u128, u32)> = Vec::with_capacity(n);
    for level in 0..levels.max(1) {
        let last = level + 1 >= levels;
        let mut begin = 0;
        while begin < n {
            let end = (begin + 1..n).find(|&i| run_start[i]).unwrap_or(n);
            if end - begin > 1 {
                let run = &mut order[begin..end];
                pairs.clear();
                pairs.extend(
                    run.iter()
                        .map(|&row| (chunk(key[row as usize], level), row)),
                );
                // At the last level the length breaks ties of the padded bytes, before
                // the row.
                let by_length = |a: &(u128, u32), b: &(u128, u32)| {
                    a.0.cmp(&b.0)
                        .then(key[a.1 as usize].len().cmp(&key[b.1 as usize].len()))
                        .then(a.1.cmp(&b.1))
                };
                // A big run (a window without PARTITION BY is one) is sorted on every
                // thread; the pairs are all distinct, so the order is the same.
                match (last, pairs.len() >= PARALLEL_MIN_ROWS) {
                    (true, true) => pairs.par_sort_unstable_by(by_length),
                    (true, false) => pairs.sort_unstable_by(by_length),
                    (false, true) => pairs.par_sort_unstable(),
                    (false, false) => pairs.sort_unstable(),
                }
                for (slot, &(_, row)) in run.iter_mut().zip(&pairs) {
                    *slot = row;
                }
                for i in 1..pairs.len() {
                    let (a, b) = (pairs[i - 1], pairs[i]);
                    run_start[begin + i] |=
                        a.0 != b.0 || (last && key[a.1 as usize].len() != key[b.1 as usize].len());
                }
            }
            begin = end;
        }
    }
    run_start
}

/// Bytes `16 * level ..` of `bytes` as a big-endian number, zero-padded.
#[inline]
fn chunk(bytes: &[u8], level: usize) -> u128 {
    let from = (16 * level).min(bytes.len());
    let part = &bytes[from..(from + 16).min(bytes.len())];
    let mut padded = [0u8; 16];
    padded[..part.len()].copy_from_slice(part);
    u128::from_be_bytes(padded)
}

/// `n` flags, only the first set: where runs begin before anything splits them.
fn first_only(n: usize) -> Vec<bool> {
    let mut starts = vec![false; n];
    if let Some(first) = starts.first_mut() {
        *first = true;
    }
    starts
}

/// `keys` in arrow's row format, each ordered by its `options`: rows compare as the
/// keys do, in one byte comparison.
fn encode(keys: &[ArrayRef], options: &[SortOptions]) -> Result<Rows> {
    let converter = RowConverter::new(
        keys.iter()
            .zip(options)
            .map(|(k, &o)| SortField::new_with_options(k.data_type().clone(), o))
            .collect(),
    )
    .map_err(kernel_error)?;
    converter.convert_columns(keys).map_err(kernel_error)
}

/// Window partitions as ranges of positions in window order.
fn partitions_of(starts: &[bool]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut begin = 0;
    for (i, &s) in starts.iter().enumerate().skip(1) {
        if s {
            ranges.push(begin..i);
            begin = i;
        }
    }
    if !starts.is_empty() {
        ranges.push(begin..starts.len());
    }
    ranges
}

/// One call over `batch`, whose rows `w` puts in the call's window order.
fn compute_window(batch: &RecordBatch, call: &WindowCall, w: &WindowOrder) -> Result<ArrayRef> {
    let n = batch.num_rows();
    let args = call
        .args
        .iter()
        .map(|a| evaluate_array(a, batch))
        .collect::<Result<Vec<_>>>()?;
    match call.func {
        WindowFunction::RowNumber | WindowFunction::Rank | WindowFunction::DenseRank => {
            let mut out = vec![0i32; n];
            for range in partitions_of(&w.partition_start) {
                let (mut rank, mut dense) = (0i32, 0i32);
                for (offset, pos) in range.clone().enumerate() {
                    if w.peer_start[pos] || offset == 0 {
                        rank = offset as i32 + 1;
                        dense += 1;
                    }
                    out[w.order[pos] as usize] = match call.func {
                        WindowFunction::RowNumber => offset as i32 + 1,
                        WindowFunction::Rank => rank,
                        _ => dense,
                    };
                }
            }
            Ok(Arc::new(Int32Array::from(out)))
        }
        WindowFunction::Lag | WindowFunction::Lead => {
            let offset = match call.args.get(1) {
                Some(Expr::Literal(ScalarValue::Int64(o))) => *o,
                _ => 1,
            };
            let offset = if call.func == WindowFunction::Lag {
                -offset
            } else {
                offset
            };
            // For each row, the row whose value it takes (None: the default).
            let mut source: Vec<Option<u32>> = vec![None; n];
            for range in partitions_of(&w.partition_start) {
                for pos in range.clone() {
                    let target = pos as i64 + offset;
                    if target >= range.start as i64 && target < range.end as i64 {
                        source[w.order[pos] as usize] = Some(w.order[target as usize]);
                    }
                }
            }
            let indices = UInt32Array::from(source.clone());
            let taken = arrow_select::take::take(&args[0], &indices, None).map_err(kernel_error)?;
            match args.get(2) {
                None => Ok(taken),
                Some(default) => {
                    let missing: arrow_array::BooleanArray =
                        source.iter().map(|s| Some(s.is_none())).collect();
                    arrow_select::zip::zip(&missing, default, &taken).map_err(kernel_error)
                }
            }
        }
        WindowFunction::SessionWindow => session::sessions(
            &args[0],
            &args[1],
            &w.order,
            &partitions_of(&w.partition_start),
            &call.return_type,
        ),
        WindowFunction::Ntile => {
            let buckets = match call.args.first() {
                Some(Expr::Literal(ScalarValue::Int64(b))) if *b > 0 => *b as usize,
                _ => return Err(Error::internal("ntile", "the bucket count is not planned")),
            };
            let mut out = vec![0i32; n];
            for range in partitions_of(&w.partition_start) {
                for (i, pos) in range.clone().enumerate() {
                    out[w.order[pos] as usize] = ntile(i, range.len(), buckets) as i32;
                }
            }
            Ok(Arc::new(Int32Array::from(out)))
        }
        WindowFunction::PercentRank | WindowFunction::CumeDist => {
            let mut out = vec![0f64; n];
            for range in partitions_of(&w.partition_start) {
                let rows = range.len();
                let mut pos = range.start;
                while pos < range.end {
                    let mut peers_end = pos + 1;
                    while peers_end < range.end && !w.peer_start[peers_end] {
                        peers_end += 1;
                    }
                    let value = if call.func == WindowFunction::CumeDist {
                        (peers_end - range.start) as f64 / rows as f64
                    } else if rows > 1 {
                        (pos - range.start) as f64 / (rows - 1) as f64
                    } else {
                        0.0
                    };
                    for p in pos..peers_end {
                        out[w.order[p] as usize] = value;
                    }
                    pos = peers_end;
                }
            }
            Ok(Arc::new(Float64Array::from(out)))
        }
        WindowFunction::FirstValue | WindowFunction::LastValue | WindowFunction::NthValue => {
            let bounds = frame::frame_bounds(w, &call.frame, &call.order_by)?;
            let which = match (call.func, call.args.get(1)) {
                (WindowFunction::FirstValue, _) => pick::Pick::First,
                (WindowFunction::LastValue, _) => pick::Pick::Last,
                (_, Some(Expr::Literal(ScalarValue::Int64(k)))) if *k > 0 => {
                    pick::Pick::Nth(usize::try_from(*k).unwrap_or(usize::MAX))
                }
                _ => return Err(Error::internal("nth_value", "the offset is not planned")),
            };
            let values = first_arg(&args, call)?;
            pick::pick(values, &w.order, &bounds, which, call.ignore_nulls)
        }
        WindowFunction::Aggregate(func) => {
            let bounds = frame::frame_bounds(w, &call.frame, &call.order_by)?;
            match func {
                AggregateFunction::Min | AggregateFunction::Max => {
                    let values = first_arg(&args, call)?;
                    let out =
                        pick::min_max(values, &w.order, &bounds, func == AggregateFunction::Max)?;
                    if out.data_type() == &call.return_type {
                        Ok(out)
                    } else {
                        arrow_cast::cast(&out, &call.return_type).map_err(kernel_error)
                    }
                }
                AggregateFunction::Sum | AggregateFunction::Avg
                    if matches!(call.return_type, arrow_schema::DataType::Decimal128(_, _)) =>
                {
                    let out =
                        crate::sql::decimal::Decimal::of(&call.return_type).ok_or_else(|| {
                            Error::internal("window sum", "a decimal type with a negative scale")
                        })?;
                    let values = first_arg(&args, call)?;
                    decimal::sliding_sum(
                        values,
                        &w.order,
                        &bounds,
                        func == AggregateFunction::Avg,
                        out,
                    )
                }
                // The planner refuses the others over windows (`works_over_windows`).
                _ if !func.works_over_windows() => Err(Error::unsupported(format!(
                    "{} as a window function",
                    func.name()
                ))),
                _ if !func.slides_over_frames() => {
                    refold::refold_frames(func, call, &args, &w.order, &bounds)
                }
                _ => aggregate::sliding_aggregate(
                    func,
                    args.first(),
                    &w.order,
                    &bounds,
                    &call.return_type,
                ),
            }
        }
    }
}

fn first_arg<'a>(args: &'a [ArrayRef], call: &WindowCall) -> Result<&'a ArrayRef> {
    args.first().ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            format!("{} without argument", call.func.name()),
        )
    })
}

/// Spark's bucket (1-based) of the `i`-th of `rows` rows split into `buckets`: every
/// bucket has `rows / buckets` rows and the first `rows % buckets` one more.
fn ntile(i: usize, rows: usize, buckets: usize) -> usize {
    let size = rows / buckets;
    let extra = rows % buckets;
    let big = extra * (size + 1);
    if i < big {
        i / (size + 1) + 1
    } else {
        extra + (i - big) / size.max(1) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::{ntile, sort_by_keys};

    /// Keys of one to three 16-byte levels, of unequal lengths, sort as the byte strings
    /// do, ties in row order, and the runs returned are the equal keys.
    #[test]
    fn keys_sort_as_byte_strings_with_ties_in_row_order() {
        for width in [3usize, 8, 12, 20, 31, 40] {
            let keys: Vec<Vec<u8>> = (0..200u32)
                .map(|i| {
                    let mut k = vec![(i % 7) as u8; width - (i % 3) as usize];
                    if let Some(last) = k.last_mut() {
                        *last = (i % 5) as u8;
                    }
                    k
                })
                .collect();
            let key: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
            let mut order: Vec<u32> = (0..200).collect();
            let peers = sort_by_keys(&mut order, &key);
            let mut expected: Vec<u32> = (0..200).collect();
            expected.sort_by(|&a, &b| key[a as usize].cmp(key[b as usize]));
            assert_eq!(order, expected, "width {width}");
            for w in 1..200 {
                let differ = key[order[w] as usize] != key[order[w - 1] as usize];
                assert_eq!(peers[w], differ, "width {width}, position {w}");
            }
            assert!(peers[0]);
        }
    }

    #[test]
    fn ntile_splits_as_spark() {
        let buckets = |rows, k| (0..rows).map(|i| ntile(i, rows, k)).collect::<Vec<_>>();
        assert_eq!(buckets(10, 4), vec![1, 1, 1, 2, 2, 2, 3, 3, 4, 4]);
        assert_eq!(buckets(3, 5), vec![1, 2, 3]);
        assert_eq!(buckets(4, 1), vec![1, 1, 1, 1]);
    }
}
