//! count, sum, avg and the variance family over window frames, by sliding: each row
//! enters the running state once when the frame's end passes it and leaves once when the
//! frame's start does, so a moving average costs O(rows) whatever the frame's width.
//! Double sums are compensated (Neumaier), so removing values does not drift; integer sums
//! are exact (wrapping, as Spark's non-ANSI `bigint` sum).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array};
use arrow_schema::DataType;

use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::functions::AggregateFunction;

use super::frame::Bounds;

/// The running state of the rows in the current frame.
#[derive(Default, Clone, Copy)]
struct Sliding {
    count: i64,
    sum: f64,
    compensation: f64,
    sum_int: i64,
    mean: f64,
    m2: f64,
}

impl Sliding {
    fn add(&mut self, v: f64, raw_int: i64) {
        self.count += 1;
        self.sum_int = self.sum_int.wrapping_add(raw_int);
        self.accumulate(v);
        let delta = v - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (v - self.mean);
    }

    fn remove(&mut self, v: f64, raw_int: i64) {
        self.count -= 1;
        if self.count == 0 {
            // Nothing left: start again from exact zeros.
            *self = Sliding::default();
            return;
        }
        self.sum_int = self.sum_int.wrapping_sub(raw_int);
        self.accumulate(-v);
        let delta = v - self.mean;
        self.mean -= delta / self.count as f64;
        self.m2 -= delta * (v - self.mean);
        self.m2 = self.m2.max(0.0);
    }

    fn accumulate(&mut self, v: f64) {
        let t = self.sum + v;
        if !t.is_finite() {
            // Infinities and NaN: the compensation would turn them into NaN.
            self.sum = t;
            return;
        }
        if self.sum.abs() >= v.abs() {
            self.compensation += (self.sum - t) + v;
        } else {
            self.compensation += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            self.sum
        }
    }
}

/// Values as f64 (and i64 for exact integer sums), `None` where NULL, by input row.
fn numbers(
    func: AggregateFunction,
    arg: Option<&ArrayRef>,
    n: usize,
) -> Result<Vec<Option<(f64, i64)>>> {
    use AggregateFunction::*;
    Ok(match (func, arg) {
        (CountStar, _) => vec![Some((0.0, 0)); n],
        (Count, Some(a)) => (0..n).map(|i| a.is_valid(i).then_some((0.0, 0))).collect(),
        (_, Some(a)) if a.data_type() == &DataType::Int64 => a
            .as_primitive::<arrow_array::types::Int64Type>()
            .iter()
            .map(|v| v.map(|v| (v as f64, v)))
            .collect(),
        (_, Some(a)) if a.data_type().is_numeric() || a.data_type() == &DataType::Null => {
            let f = arrow_cast::cast(a, &DataType::Float64).map_err(kernel_error)?;
            f.as_primitive::<Float64Type>()
                .iter()
                .map(|v| v.map(|v| (v, 0)))
                .collect()
        }
        (_, Some(a)) => {
            return Err(Error::unsupported(format!(
                "{}(...) OVER over {} values",
                func.name(),
                crate::frame::spark_type_name(a.data_type())
            )))
        }
        (_, None) => {
            return Err(Error::new(
                ErrorCode::Internal,
                "window aggregate without argument",
            ))
        }
    })
}

/// `func` over each row's frame; `order` maps window-order positions to input rows.
pub fn sliding_aggregate(
    func: AggregateFunction,
    arg: Option<&ArrayRef>,
    order: &[u32],
    bounds: &Bounds,
    return_type: &DataType,
) -> Result<ArrayRef> {
    use AggregateFunction::*;
    let n = order.len();
    let values = numbers(func, arg, n)?;
    let at = |p: usize| values[order[p] as usize];
    let is_int = arg.map(|a| a.data_type()) == Some(&DataType::Int64);
    // What each row's answer is, from the state of its frame.
    let result = match func {
        Count | CountStar => Answer::Count,
        Sum if is_int && return_type == &DataType::Int64 => Answer::IntSum,
        Sum => Answer::Float(|r| r.total()),
        Avg => Answer::Float(|r| r.total() / r.count as f64),
        StddevSamp => Answer::Float(|r| variance(r, true).sqrt()),
        StddevPop => Answer::Float(|r| variance(r, false).sqrt()),
        VarSamp => Answer::Float(|r| variance(r, true)),
        VarPop => Answer::Float(|r| variance(r, false)),
        _ => {
            return Err(Error::internal(
                "window aggregate",
                format!("{} is not a sliding aggregate", func.name()),
            ))
        }
    };
    // Spark's sample statistics of a single value are NULL.
    let least = if matches!(func, StddevSamp | VarSamp) {
        2
    } else {
        1
    };
    let mut counts = vec![0i64; n];
    let mut ints = vec![
        None;
        if matches!(result, Answer::IntSum) {
            n
        } else {
            0
        }
    ];
    let mut floats = vec![
        None;
        if matches!(result, Answer::Float(_)) {
            n
        } else {
            0
        }
    ];
    let mut state = Sliding::default();
    let (mut start, mut end) = (0usize, 0usize);
    for (p, &row) in order.iter().enumerate() {
        let (lo, hi) = (bounds.lo[p], bounds.hi[p]);
        while end < hi {
            if let Some((v, i)) = at(end) {
                state.add(v, i);
            }
            end += 1;
        }
        while start < lo {
            if let Some((v, i)) = at(start) {
                state.remove(v, i);
            }
            start += 1;
        }
        let row = row as usize;
        match result {
            Answer::Count => counts[row] = state.count,
            Answer::IntSum => ints[row] = (state.count > 0).then_some(state.sum_int),
            Answer::Float(f) => floats[row] = (state.count >= least).then(|| f(&state)),
        }
    }
    Ok(match result {
        Answer::Count => Arc::new(Int64Array::from(counts)),
        Answer::IntSum => Arc::new(Int64Array::from(ints)),
        Answer::Float(_) => Arc::new(Float64Array::from(floats)),
    })
}

/// How a row's answer comes from its frame's state.
#[derive(Clone, Copy)]
enum Answer {
    Count,
    IntSum,
    Float(fn(&Sliding) -> f64),
}

fn variance(r: &Sliding, sample: bool) -> f64 {
    let d = if sample { r.count - 1 } else { r.count };
    r.m2 / d as f64
}
