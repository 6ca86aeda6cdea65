//! `shuffle(array, seed)`: Spark's permutation of each array. Spark's `Shuffle` seeds one
//! Mersenne Twister per partition with the seed plus the partition index and draws each
//! non-NULL row's permutation from it in turn (the "inside-out" Fisher-Yates of its
//! `RandomIndicesGenerator`), so the same seed gives Spark's arrays, row after row.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, ListArray, UInt32Array};
use arrow_buffer::OffsetBuffer;
use arrow_schema::DataType;

use super::columns::{lists, longs};
use super::mersenne::MersenneTwister;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;

/// `args`: the arrays and the (constant) seed; `return_type` the arrays' type.
pub fn shuffle(args: &[ArrayRef], return_type: &DataType) -> Result<ArrayRef> {
    let lists = lists(&args[0])?;
    let seeds = longs(&args[1])?;
    let seed = if seeds.is_valid(0) { seeds.value(0) } else { 0 };
    let partition = crate::sql::exec::partition::current() as i64;
    let mut rng = MersenneTwister::new(seed.wrapping_add(partition));
    let DataType::List(field) = return_type else {
        return Err(Error::new(
            ErrorCode::Internal,
            "shuffle without an array type",
        ));
    };
    let mut taken = Vec::with_capacity(lists.values().len());
    let mut order = Vec::new();
    for (row, bounds) in lists.value_offsets().windows(2).enumerate() {
        if lists.is_null(row) {
            continue;
        }
        let start = bounds[0] as u32;
        permutation(&mut rng, (bounds[1] - bounds[0]) as usize, &mut order);
        taken.extend(order.iter().map(|&k| start + k));
    }
    let values = arrow_select::take::take(lists.values(), &UInt32Array::from(taken), None)
        .map_err(kernel_error)?;
    let lengths = (0..lists.len()).map(|row| {
        if lists.is_null(row) {
            0
        } else {
            lists.value_length(row) as usize
        }
    });
    let shuffled = ListArray::try_new(
        Arc::clone(field),
        OffsetBuffer::from_lengths(lengths),
        values,
        lists.nulls().cloned(),
    )
    .map_err(kernel_error)?;
    Ok(Arc::new(shuffled))
}

/// Spark's `RandomIndicesGenerator.getNextIndices(n)` into `order`: element `i` of the
/// result is element `order[i]` of the array.
fn permutation(rng: &mut MersenneTwister, n: usize, order: &mut Vec<u32>) {
    order.clear();
    order.resize(n, 0);
    for i in 0..n {
        let j = rng.next_int(i as i32 + 1) as usize;
        if j != i {
            order[i] = order[j];
        }
        order[j] = i as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shuffled(rng: &mut MersenneTwister, items: &[i32]) -> Vec<i32> {
        let mut order = Vec::new();
        permutation(rng, items.len(), &mut order);
        order.iter().map(|&k| items[k as usize]).collect()
    }

    /// Spark 4.3's answers (`shuffle(array(...), seed)` in one partition).
    #[test]
    fn permutations_are_sparks() {
        let one = |seed: i64, items: &[i32]| shuffled(&mut MersenneTwister::new(seed), items);
        assert_eq!(one(7, &[1, 2, 3, 4, 5]), [1, 2, 5, 3, 4]);
        assert_eq!(one(0, &[1, 2, 3]), [3, 1, 2]);
        let tens: Vec<i32> = (1..=10).map(|k| k * 10).collect();
        assert_eq!(one(123, &tens), [90, 100, 80, 60, 50, 30, 20, 70, 40, 10]);
        assert_eq!(one(3_000_000_000, &[1, 2, 3]), [2, 1, 3]);
        assert_eq!(one(-3_000_000_000, &[1, 2, 3]), [1, 2, 3]);
        assert_eq!(
            one(i64::MAX, &[1, 2, 3, 4, 5, 6, 7, 8]),
            [4, 2, 1, 5, 7, 3, 8, 6]
        );
        let forty: Vec<i32> = (1..=40).collect();
        assert_eq!(
            one(9, &forty),
            [
                34, 24, 19, 6, 18, 1, 11, 10, 3, 21, 23, 37, 31, 4, 29, 25, 17, 20, 40, 28, 39, 32,
                8, 15, 38, 5, 12, 14, 7, 22, 26, 33, 36, 9, 13, 16, 27, 2, 30, 35
            ]
        );
        // One generator goes on from row to row.
        let mut rng = MersenneTwister::new(42);
        assert_eq!(shuffled(&mut rng, &[1, 2, 3, 4]), [4, 3, 2, 1]);
        assert_eq!(shuffled(&mut rng, &[1, 2, 3, 4]), [4, 1, 2, 3]);
        assert_eq!(
            shuffled(&mut rng, &[5, 6, 7, 8, 9, 10, 11, 12]),
            [10, 8, 7, 6, 5, 9, 12, 11]
        );
    }
}
