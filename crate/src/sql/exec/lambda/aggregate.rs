//! `aggregate(array, zero, (acc, x) -> merge[, acc -> finish])`: each array folded into
//! its accumulator. A fold is sequential within an array, so the batch is folded a step
//! at a time: step `k` evaluates `merge` once for every array that has a `k`-th element.
//! Rows are visited longest array first, so the arrays still being folded at step `k`
//! are a prefix, and the accumulators of the arrays that ended are set aside as they end.

use arrow_array::{Array, ArrayRef, BooleanArray, ListArray, UInt32Array};

use super::{Closure, Flat};
use crate::error::Result;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::Lambda;

pub fn aggregate(
    lists: &ListArray,
    zero: &ArrayRef,
    merge: &Lambda,
    finish: Option<&Lambda>,
    closure: &Closure,
) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let len = lists.len();
    let length = |i: usize| flat.range(i).len();
    // Longest first; ties keep their order.
    let mut order: Vec<u32> = (0..len as u32).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(length(i as usize)));
    let take = |array: &ArrayRef, indices: &UInt32Array| {
        arrow_select::take::take(array.as_ref(), indices, None).map_err(kernel_error)
    };
    let mut acc = take(zero, &UInt32Array::from(order.clone()))?;
    let mut ended: Vec<ArrayRef> = Vec::new();
    let mut active = len;
    for step in 0.. {
        while active > 0 && length(order[active - 1] as usize) <= step {
            active -= 1;
        }
        if active < acc.len() {
            ended.push(acc.slice(active, acc.len() - active));
            acc = acc.slice(0, active);
        }
        if active == 0 {
            break;
        }
        let at = UInt32Array::from_iter_values(
            order[..active]
                .iter()
                .map(|&row| (flat.offsets[row as usize] as usize + step) as u32),
        );
        let element = take(&flat.children[0], &at)?;
        let rows = UInt32Array::from_iter_values(order[..active].iter().copied());
        acc = closure.apply(merge, Some(&rows), vec![acc, element])?;
    }
    // Back to the rows' order: the sorted rows' accumulators are the ones that ended
    // last first.
    let mut parts: Vec<&dyn Array> = Vec::with_capacity(ended.len());
    parts.extend(ended.iter().rev().map(|a| a.as_ref()));
    let sorted = if parts.is_empty() {
        acc
    } else {
        arrow_select::concat::concat(&parts).map_err(kernel_error)?
    };
    let mut back = vec![0u32; len];
    for (at, &row) in order.iter().enumerate() {
        back[row as usize] = at as u32;
    }
    let folded = take(&sorted, &UInt32Array::from(back))?;
    let result = match finish {
        Some(finish) => closure.apply(finish, None, vec![folded])?,
        None => folded,
    };
    // A NULL array folds to NULL.
    match &flat.nulls {
        Some(nulls) => {
            let is_null: BooleanArray = (0..len).map(|i| Some(nulls.is_null(i))).collect();
            arrow_select::nullif::nullif(&result, &is_null).map_err(kernel_error)
        }
        None => Ok(result),
    }
}
