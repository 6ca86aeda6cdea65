//! `bitmap_bucket_number`, `bitmap_bit_position` and `bitmap_count`, as Spark's
//! `BitmapExpressionUtils`: a value's bucket of 32768 and its bit in the bucket (positive
//! values from 1 up, the others from 0 down, with Java's truncating division and
//! remainder), and the bits set in a bitmap.

use std::sync::Arc;

use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array};

use super::columns::{longs, Bytes};
use crate::error::Result;
use crate::sql::plan::functions::BitmapFunction;

/// The size of every bitmap Spark makes, in bytes (`NUM_BYTES`) and in bits (`NUM_BITS`).
pub const BITMAP_BYTES: usize = 4096;
pub const BITMAP_BITS: i64 = 8 * BITMAP_BYTES as i64;

pub fn compute(func: BitmapFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    Ok(match func {
        BitmapFunction::BucketNumber => {
            Arc::new(longs(&args[0])?.unary::<_, Int64Type>(bucket_number))
        }
        BitmapFunction::BitPosition => {
            Arc::new(longs(&args[0])?.unary::<_, Int64Type>(bit_position))
        }
        BitmapFunction::Count => {
            let bytes = Bytes::new(&args[0])?;
            Arc::new(
                (0..len)
                    .map(|i| bytes.get(i).map(count_bits))
                    .collect::<Int64Array>(),
            )
        }
    })
}

fn bucket_number(value: i64) -> i64 {
    if value > 0 {
        1 + (value - 1) / BITMAP_BITS
    } else {
        value / BITMAP_BITS
    }
}

/// `bitmap_bit_position`: the negation wraps for the smallest bigint, as in Java.
fn bit_position(value: i64) -> i64 {
    if value > 0 {
        (value - 1) % BITMAP_BITS
    } else {
        value.wrapping_neg() % BITMAP_BITS
    }
}

fn count_bits(bitmap: &[u8]) -> i64 {
    bitmap.iter().map(|b| b.count_ones() as i64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark 4.3's answers.
    #[test]
    fn buckets_and_positions_are_sparks() {
        let values = [0, 1, 32768, 32769, -1, -32768, -32769];
        let buckets: Vec<i64> = values.iter().map(|&v| bucket_number(v)).collect();
        assert_eq!(buckets, [0, 1, 1, 2, 0, -1, -1]);
        let positions: Vec<i64> = values.iter().map(|&v| bit_position(v)).collect();
        assert_eq!(positions, [0, 0, 32767, 0, 1, 0, 1]);
        assert_eq!(bucket_number(i64::MAX), 281_474_976_710_656);
        assert_eq!(bucket_number(i64::MIN), -281_474_976_710_656);
        assert_eq!(bit_position(i64::MIN), 0);
        assert_eq!(bit_position(i64::MAX), 32766);
        assert_eq!(bit_position(-i64::MAX), 32767);
        assert_eq!(count_bits(&[0xFF, 0x01, 0x00]), 9);
    }
}
