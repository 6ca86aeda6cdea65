//! `array_sort(array, (l, r) -> int)`: a stable sort by a comparator lambda, as Spark's
//! (Java's `TimSort`) gives for a consistent comparator. The comparator is evaluated for
//! every ordered pair of elements of each array at once, in chunks of pairs over the
//! whole batch; an element's place is the number of elements before it (smaller, or equal
//! and earlier). Quadratic in an array's length, but one evaluation per chunk.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, ListArray, UInt32Array};

use super::{list_array, Closure, Flat};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::Lambda;

/// The pairs compared in one evaluation.
const PAIRS_PER_CHUNK: usize = 1 << 18;

pub fn array_sort(lists: &ListArray, lambda: &Lambda, closure: &Closure) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let values = &flat.children[0];
    // rank[e]: how many elements of e's array sort before it.
    let mut rank = vec![0u32; values.len()];
    let mut left: Vec<u32> = Vec::with_capacity(PAIRS_PER_CHUNK);
    let mut right: Vec<u32> = Vec::with_capacity(PAIRS_PER_CHUNK);
    let mut rows: Vec<u32> = Vec::with_capacity(PAIRS_PER_CHUNK);
    let mut compare = |left: &mut Vec<u32>, right: &mut Vec<u32>, rows: &mut Vec<u32>| {
        if left.is_empty() {
            return Ok::<(), Error>(());
        }
        let take = |indices: &[u32]| {
            arrow_select::take::take(
                values.as_ref(),
                &UInt32Array::from_iter_values(indices.iter().copied()),
                None,
            )
            .map_err(kernel_error)
        };
        let params = vec![take(left)?, take(right)?];
        let rows_array = UInt32Array::from_iter_values(rows.iter().copied());
        let order = closure.apply(lambda, Some(&rows_array), params)?;
        let order = order
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "a comparator that is not an int"))?;
        if order.null_count() > 0 {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                "the comparator of array_sort returned NULL; it must return a negative \
                 int, 0 or a positive int (Spark's COMPARATOR_RETURNS_NULL)",
            ));
        }
        for ((&l, &r), &o) in left.iter().zip(right.iter()).zip(order.values()) {
            if o < 0 || (o == 0 && l < r) {
                rank[r as usize] += 1;
            }
        }
        left.clear();
        right.clear();
        rows.clear();
        Ok(())
    };
    for i in 0..lists.len() {
        let range = flat.range(i);
        for r in range.clone() {
            for l in range.clone() {
                if l == r {
                    continue;
                }
                left.push(l as u32);
                right.push(r as u32);
                rows.push(i as u32);
                if left.len() == PAIRS_PER_CHUNK {
                    compare(&mut left, &mut right, &mut rows)?;
                }
            }
        }
    }
    compare(&mut left, &mut right, &mut rows)?;
    // Each array's elements in order of rank (ties, from an inconsistent comparator, by
    // position).
    let mut indices: Vec<u32> = (0..values.len() as u32).collect();
    for i in 0..lists.len() {
        indices[flat.range(i)].sort_unstable_by_key(|&e| (rank[e as usize], e));
    }
    let sorted = arrow_select::take::take(values.as_ref(), &UInt32Array::from(indices), None)
        .map_err(kernel_error)?;
    list_array(lists.data_type(), sorted, flat.offsets, flat.nulls)
}
