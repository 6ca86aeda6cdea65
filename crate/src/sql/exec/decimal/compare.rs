//! Comparisons of two decimal columns of different types, exactly: both values are
//! brought to the larger scale in i256, so a 38-digit integer compares correctly with a
//! decimal(38,10) (casting both to one decimal type would overflow to NULL; Spark answers).

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, BooleanArray};
use arrow_buffer::i256;

use crate::decimal_digits::rescale;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::decimal::{Comparison, Decimal};

/// `left op right` row by row, with SQL's NULLs (`<=>` treats two NULLs as equal).
pub fn compute(op: Comparison, args: &[ArrayRef]) -> Result<ArrayRef> {
    let (Some(left), Some(right)) = (args.first(), args.get(1)) else {
        return Err(internal("a decimal comparison without its operands"));
    };
    let (Some(l), Some(r)) = (
        Decimal::of(left.data_type()),
        Decimal::of(right.data_type()),
    ) else {
        return Err(internal("a decimal comparison of non-decimals"));
    };
    if left.len() != right.len() {
        return Err(internal("decimal operands of different lengths"));
    }
    let scale = l.scale.max(r.scale);
    let (left, right) = (
        left.as_primitive::<Decimal128Type>(),
        right.as_primitive::<Decimal128Type>(),
    );
    let order = |a: i128, b: i128| -> Option<Ordering> {
        // Values of at most 38 digits at a scale of at most 38 always fit an i256.
        let a = rescale(i256::from_i128(a), l.scale, scale)?;
        let b = rescale(i256::from_i128(b), r.scale, scale)?;
        Some(a.cmp(&b))
    };
    let result: BooleanArray = left
        .iter()
        .zip(right.iter())
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) => order(a, b).map(|o| holds(op, o)),
            (None, None) if op == Comparison::NullSafeEq => Some(true),
            _ if op == Comparison::NullSafeEq => Some(false),
            _ => None,
        })
        .collect();
    Ok(Arc::new(result))
}

fn holds(op: Comparison, o: Ordering) -> bool {
    match op {
        Comparison::Eq | Comparison::NullSafeEq => o == Ordering::Equal,
        Comparison::NotEq => o != Ordering::Equal,
        Comparison::Lt => o == Ordering::Less,
        Comparison::LtEq => o != Ordering::Greater,
        Comparison::Gt => o == Ordering::Greater,
        Comparison::GtEq => o != Ordering::Less,
    }
}

fn internal(message: &str) -> Error {
    Error::new(ErrorCode::Internal, message)
}
