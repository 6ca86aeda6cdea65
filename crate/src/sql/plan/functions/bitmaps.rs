//! Spark's bitmap functions for exact distinct counts: a value's bucket
//! (`bitmap_bucket_number`) and bit within the bucket (`bitmap_bit_position`), and the
//! number of bits set in a bitmap (`bitmap_count`). The bitmaps themselves (32768 bits,
//! 4096 bytes) are made by the aggregates `bitmap_construct_agg`, `bitmap_or_agg` and
//! `bitmap_and_agg`.

use arrow_schema::DataType;

use super::signature::{name_table, Args, Signature};
use crate::error::Result;
use crate::sql::types::{is_numeric, is_string};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitmapFunction {
    BucketNumber,
    BitPosition,
    Count,
}

use BitmapFunction::*;

const NAMES: &[(&str, BitmapFunction)] = &[
    ("bitmap_bucket_number", BucketNumber),
    ("bitmap_bit_position", BitPosition),
    ("bitmap_count", Count),
];

name_table!(BitmapFunction, NAMES);

impl BitmapFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        a.arity(1, 1)?;
        match self {
            BucketNumber | BitPosition => {
                Signature::new(vec![bigint_position(a.types, 0, a.name)?], DataType::Int64)
            }
            // Spark wants binary here and casts nothing to it (not even a string).
            Count => match &a.types[0] {
                DataType::Binary => Signature::new(vec![DataType::Binary], DataType::Int64),
                other => Err(a.error(0, "binary", other)),
            },
        }
    }
}

/// Argument `i` where Spark's bitmap functions want a `bigint`: numbers (a fraction cut
/// off, as Spark's cast does) and strings (NULL when not a number) are cast to it.
pub fn bigint_position(types: &[DataType], i: usize, name: &str) -> Result<DataType> {
    let t = &types[i];
    if is_numeric(t) || is_string(t) || t == &DataType::Null {
        Ok(DataType::Int64)
    } else {
        Err(super::signature::type_error(name, i, "a bigint", t))
    }
}
