//! Window functions: rows are ordered by (partition keys, order keys); each window
//! partition is then walked once, computing ranks, offsets and running or whole-partition
//! aggregates. Results are written back in the input's row order.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, UInt32Array,
};
use arrow_ord::sort::{lexsort_to_indices, SortColumn, SortOptions};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, SchemaRef};
use arrow_select::concat::concat_batches;

use crate::error::{Error, ErrorCode, Result};
use crate::job::JobContext;
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::split_batch;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::{Expr, WindowCall, WindowFrame};
use crate::sql::plan::functions::{AggregateFunction, WindowFunction};

pub fn window(
    partitions: &[RecordBatch],
    input_schema: SchemaRef,
    windows: &[WindowCall],
    schema: SchemaRef,
    ctx: &JobContext,
) -> Result<Vec<RecordBatch>> {
    let batch = concat_batches(&input_schema, partitions).map_err(kernel_error)?;
    let mut columns = batch.columns().to_vec();
    for call in windows {
        ctx.check()?;
        columns.push(compute_window(&batch, call)?);
    }
    let out = RecordBatch::try_new(schema, columns)
        .map_err(|e| Error::internal("assembling window results", e))?;
    Ok(split_batch(&out))
}

/// The rows of `batch` in window order, with where each window partition and each group
/// of peers (rows equal on the order keys) starts.
struct WindowOrder {
    order: Vec<u32>,
    partition_start: Vec<bool>,
    peer_start: Vec<bool>,
}

fn window_order(batch: &RecordBatch, call: &WindowCall) -> Result<WindowOrder> {
    let n = batch.num_rows();
    let partition_keys = call
        .partition_by
        .iter()
        .map(|e| evaluate_array(e, batch))
        .collect::<Result<Vec<_>>>()?;
    let order_keys = call
        .order_by
        .iter()
        .map(|k| evaluate_array(&k.expr, batch))
        .collect::<Result<Vec<_>>>()?;
    let mut sort_columns: Vec<SortColumn> = partition_keys
        .iter()
        .map(|a| SortColumn {
            values: a.clone(),
            options: Some(SortOptions::default()),
        })
        .collect();
    sort_columns.extend(
        order_keys
            .iter()
            .zip(&call.order_by)
            .map(|(a, k)| SortColumn {
                values: a.clone(),
                options: Some(SortOptions {
                    descending: !k.ascending,
                    nulls_first: k.nulls_first,
                }),
            }),
    );
    let order: Vec<u32> = if sort_columns.is_empty() {
        (0..n as u32).collect()
    } else {
        lexsort_to_indices(&sort_columns, None)
            .map_err(kernel_error)?
            .values()
            .to_vec()
    };
    let boundaries = |keys: &[ArrayRef]| -> Result<Vec<bool>> {
        let mut starts = vec![false; n];
        if let Some(first) = starts.first_mut() {
            *first = true;
        }
        if keys.is_empty() {
            return Ok(starts);
        }
        let rows = encode(keys)?;
        for w in 1..n {
            starts[w] = rows.row(order[w] as usize) != rows.row(order[w - 1] as usize);
        }
        Ok(starts)
    };
    let partition_start = boundaries(&partition_keys)?;
    let mut all_keys = partition_keys.clone();
    all_keys.extend(order_keys);
    let mut peer_start = boundaries(&all_keys)?;
    if call.order_by.is_empty() {
        // Without ORDER BY every row of a partition is a peer of every other.
        peer_start.clone_from(&partition_start);
    }
    Ok(WindowOrder {
        order,
        partition_start,
        peer_start,
    })
}

fn encode(keys: &[ArrayRef]) -> Result<Rows> {
    let converter = RowConverter::new(
        keys.iter()
            .map(|k| SortField::new(k.data_type().clone()))
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

fn compute_window(batch: &RecordBatch, call: &WindowCall) -> Result<ArrayRef> {
    let n = batch.num_rows();
    let w = window_order(batch, call)?;
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
                Some(Expr::Literal(crate::sql::plan::scalar::ScalarValue::Int64(o))) => *o,
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
        WindowFunction::Aggregate(func) => window_aggregate(func, &args, &w, call, n),
    }
}

/// Running state of an aggregate over a window frame.
#[derive(Default, Clone, Copy)]
struct Running {
    count: i64,
    sum: f64,
    sum_int: i64,
    min: Option<f64>,
    max: Option<f64>,
    mean: f64,
    m2: f64,
}

impl Running {
    fn add(&mut self, v: f64, raw_int: i64) {
        self.count += 1;
        self.sum += v;
        self.sum_int = self.sum_int.wrapping_add(raw_int);
        self.min = Some(
            self.min
                .map_or(v, |m| if v.total_cmp(&m).is_lt() { v } else { m }),
        );
        self.max = Some(
            self.max
                .map_or(v, |m| if v.total_cmp(&m).is_gt() { v } else { m }),
        );
        let delta = v - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (v - self.mean);
    }
}

fn window_aggregate(
    func: AggregateFunction,
    args: &[ArrayRef],
    w: &WindowOrder,
    call: &WindowCall,
    n: usize,
) -> Result<ArrayRef> {
    use AggregateFunction::*;
    let value_type = args.first().map(|a| a.data_type().clone());
    // Values as f64 (and i64 for exact integer sums); `None` where NULL.
    let values: Vec<Option<(f64, i64)>> = match (func, args.first()) {
        (CountStar, _) => vec![Some((0.0, 0)); n],
        (Count, Some(a)) => (0..n).map(|i| a.is_valid(i).then_some((0.0, 0))).collect(),
        (_, Some(a)) => match a.data_type() {
            DataType::Float64 => a
                .as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.map(|v| (v, 0)))
                .collect(),
            DataType::Int64 => a
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(|v| (v as f64, v)))
                .collect(),
            other if matches!(func, Min | Max) && other.is_numeric() => {
                let f = arrow_cast::cast(a, &DataType::Float64).map_err(kernel_error)?;
                f.as_primitive::<Float64Type>()
                    .iter()
                    .map(|v| v.map(|v| (v, 0)))
                    .collect()
            }
            other => {
                return Err(Error::unsupported(format!(
                    "{}(...) OVER over {} values",
                    func.name(),
                    crate::frame::spark_type_name(other)
                )))
            }
        },
        (_, None) => {
            return Err(Error::new(
                ErrorCode::Internal,
                "window aggregate without argument",
            ))
        }
    };
    let mut results: Vec<Running> = vec![Running::default(); n];
    for range in partitions_of(&w.partition_start) {
        match call.frame {
            WindowFrame::Partition => {
                let mut total = Running::default();
                for pos in range.clone() {
                    if let Some((v, i)) = values[w.order[pos] as usize] {
                        total.add(v, i);
                    }
                }
                for pos in range {
                    results[w.order[pos] as usize] = total;
                }
            }
            WindowFrame::RowsToCurrent => {
                let mut running = Running::default();
                for pos in range {
                    if let Some((v, i)) = values[w.order[pos] as usize] {
                        running.add(v, i);
                    }
                    results[w.order[pos] as usize] = running;
                }
            }
            WindowFrame::RangeToCurrent => {
                let mut running = Running::default();
                let mut pos = range.start;
                while pos < range.end {
                    // Rows that are peers share the frame that ends after the last peer.
                    let mut end = pos + 1;
                    while end < range.end && !w.peer_start[end] {
                        end += 1;
                    }
                    for p in pos..end {
                        if let Some((v, i)) = values[w.order[p] as usize] {
                            running.add(v, i);
                        }
                    }
                    for p in pos..end {
                        results[w.order[p] as usize] = running;
                    }
                    pos = end;
                }
            }
        }
    }
    let is_int = value_type.as_ref() == Some(&DataType::Int64);
    Ok(match func {
        Count | CountStar => Arc::new(Int64Array::from_iter_values(
            results.iter().map(|r| r.count),
        )),
        Sum if is_int => Arc::new(
            results
                .iter()
                .map(|r| (r.count > 0).then_some(r.sum_int))
                .collect::<Int64Array>(),
        ),
        Sum => Arc::new(
            results
                .iter()
                .map(|r| (r.count > 0).then_some(r.sum))
                .collect::<Float64Array>(),
        ),
        Avg => Arc::new(
            results
                .iter()
                .map(|r| (r.count > 0).then(|| r.sum / r.count as f64))
                .collect::<Float64Array>(),
        ),
        Min | Max => {
            let f: Float64Array = results
                .iter()
                .map(|r| if func == Min { r.min } else { r.max })
                .collect();
            arrow_cast::cast(&(Arc::new(f) as ArrayRef), &call.return_type).map_err(kernel_error)?
        }
        StddevSamp | StddevPop | VarSamp | VarPop => Arc::new(
            results
                .iter()
                .map(|r| {
                    let sample = matches!(func, StddevSamp | VarSamp);
                    let d = if sample { r.count - 1 } else { r.count };
                    if r.count == 0 || d <= 0 {
                        return None;
                    }
                    let var = r.m2 / d as f64;
                    Some(if matches!(func, StddevSamp | StddevPop) {
                        var.sqrt()
                    } else {
                        var
                    })
                })
                .collect::<Float64Array>(),
        ),
        // The planner refuses these over windows (`works_over_windows`).
        _ => {
            return Err(Error::unsupported(format!(
                "{} as a window function",
                func.name()
            )))
        }
    })
}
