//! Window functions whose answer is one row of the frame: min and max (of any ordered
//! type), first_value, last_value and nth_value. Each finds, for every row, which input
//! row holds its answer; one `take` then builds the column in the argument's own type.
//!
//! min / max keep a monotonic queue of candidates while the frame slides (each row is
//! pushed and popped at most once: O(rows) for any frame, unbounded ones included).

use std::collections::VecDeque;

use arrow_array::{Array, ArrayRef, UInt32Array};
use arrow_schema::SortOptions;

use crate::error::Result;
use crate::frame::float_keys::spark_comparator;
use crate::sql::exec::value::kernel_error;

use super::frame::Bounds;

/// Builds the result column from, per input row, the input row it takes its value from.
pub fn take_sources(values: &ArrayRef, sources: Vec<Option<u32>>) -> Result<ArrayRef> {
    let indices = UInt32Array::from(sources);
    arrow_select::take::take(values, &indices, None).map_err(kernel_error)
}

/// The row holding the frame's minimum (or maximum) non-NULL value, per input row.
pub fn min_max(values: &ArrayRef, order: &[u32], bounds: &Bounds, max: bool) -> Result<ArrayRef> {
    // Spark orders NaN above every number, as the comparator's total order does.
    let cmp = spark_comparator(values.as_ref(), values.as_ref(), SortOptions::default())
        .map_err(kernel_error)?;
    let n = order.len();
    let mut sources = vec![None; n];
    // Window-order positions whose values decrease (max) or increase (min) from the front.
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut next = 0usize;
    for p in 0..n {
        let (lo, hi) = (bounds.lo[p], bounds.hi[p]);
        next = next.max(lo);
        while next < hi {
            let row = order[next] as usize;
            if values.is_valid(row) {
                while let Some(&back) = queue.back() {
                    let o = cmp(order[back] as usize, row);
                    let dominated = if max { o.is_le() } else { o.is_ge() };
                    if dominated {
                        queue.pop_back();
                    } else {
                        break;
                    }
                }
                queue.push_back(next);
            }
            next += 1;
        }
        while queue.front().is_some_and(|&f| f < lo) {
            queue.pop_front();
        }
        sources[order[p] as usize] = queue.front().map(|&f| order[f]);
    }
    take_sources(values, sources)
}

/// Which row of the frame: the first, the last, or the n-th (1-based).
#[derive(Clone, Copy)]
pub enum Pick {
    First,
    Last,
    Nth(usize),
}

/// first_value / last_value / nth_value over each row's frame; with `ignore_nulls`, the
/// rows with a NULL value are skipped when counting.
pub fn pick(
    values: &ArrayRef,
    order: &[u32],
    bounds: &Bounds,
    which: Pick,
    ignore_nulls: bool,
) -> Result<ArrayRef> {
    let n = order.len();
    let mut sources = vec![None; n];
    if ignore_nulls {
        // `before[p]`: non-NULL values at positions before p; `kept`: their positions.
        let mut before = Vec::with_capacity(n + 1);
        let mut kept = Vec::new();
        before.push(0usize);
        for (p, &row) in order.iter().enumerate() {
            if values.is_valid(row as usize) {
                kept.push(p);
            }
            before.push(kept.len());
        }
        for p in 0..n {
            let (first, end) = (before[bounds.lo[p]], before[bounds.hi[p]]);
            let k = match which {
                Pick::First => first,
                Pick::Last => end.wrapping_sub(1),
                Pick::Nth(k) => first.saturating_add(k.max(1) - 1),
            };
            if k >= first && k < end {
                sources[order[p] as usize] = Some(order[kept[k]]);
            }
        }
    } else {
        for p in 0..n {
            let (lo, hi) = (bounds.lo[p], bounds.hi[p]);
            let at = match which {
                Pick::First => lo,
                Pick::Last => hi.wrapping_sub(1),
                Pick::Nth(k) => lo.saturating_add(k.max(1) - 1),
            };
            if at >= lo && at < hi {
                sources[order[p] as usize] = Some(order[at]);
            }
        }
    }
    take_sources(values, sources)
}
