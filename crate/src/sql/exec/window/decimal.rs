//! `sum` and `avg` of decimals over window frames, by sliding as `aggregate` does: the
//! frame's exact total is kept in an i256 (rows enter and leave it without rounding), and
//! each row's answer is that total checked against the sum type's digits (NULL when it
//! overflows, Spark's non-ANSI answer) or the average computed as Spark computes it.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, Decimal128Array};
use arrow_buffer::i256;

use super::frame::Bounds;
use crate::decimal_digits::fit;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::Decimal;
use crate::sql::exec::decimal::arith::average;
use crate::sql::exec::value::kernel_error;

/// Each row's `sum` (or `avg`, when `average`) of `values` over its frame, as `out`.
pub fn sliding_sum(
    values: &ArrayRef,
    order: &[u32],
    bounds: &Bounds,
    average_of: bool,
    out: Decimal,
) -> Result<ArrayRef> {
    let input = Decimal::of(values.data_type())
        .ok_or_else(|| Error::new(ErrorCode::Internal, "a decimal window sum of non-decimals"))?;
    let decimals = values.as_primitive::<Decimal128Type>();
    let n = order.len();
    let mut answers: Vec<Option<i128>> = vec![None; n];
    let (mut total, mut count) = (i256::ZERO, 0i64);
    let (mut start, mut end) = (0usize, 0usize);
    let value = |p: usize| -> Option<i256> {
        let row = order[p] as usize;
        decimals
            .is_valid(row)
            .then(|| i256::from_i128(decimals.value(row)))
    };
    for (p, &row) in order.iter().enumerate() {
        let (lo, hi) = (bounds.lo[p], bounds.hi[p]);
        while end < hi {
            if let Some(v) = value(end) {
                // Fewer than 10^38 rows of values under 10^38 cannot overflow an i256.
                total = total.wrapping_add(v);
                count += 1;
            }
            end += 1;
        }
        while start < lo {
            if let Some(v) = value(start) {
                total = total.wrapping_sub(v);
                count -= 1;
            }
            start += 1;
        }
        if count == 0 {
            continue;
        }
        let sum = fit(total, input.sum().precision);
        answers[row as usize] = if average_of {
            sum.and_then(|s| average(s, count, input, out))
        } else {
            sum
        };
    }
    let scale = i8::try_from(out.scale).unwrap_or(38);
    Ok(Arc::new(
        Decimal128Array::from(answers)
            .with_precision_and_scale(out.precision, scale)
            .map_err(kernel_error)?,
    ))
}
