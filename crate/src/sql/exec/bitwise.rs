//! `&`, `|` and `^` on two integer arrays of one type (the planner casts both sides to
//! it), with arrow's kernels: NULL where either side is NULL.

use arrow_arith::bitwise::{bitwise_and, bitwise_or, bitwise_xor};
use arrow_array::types::{ArrowPrimitiveType, Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, PrimitiveArray};
use arrow_schema::DataType;
use std::ops::{BitAnd, BitOr, BitXor};
use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::expr::BinaryOp;

/// `left op right` for `op` one of [`BinaryOp::BitAnd`], `BitOr`, `BitXor`.
pub(crate) fn bitwise(op: BinaryOp, left: &ArrayRef, right: &ArrayRef) -> Result<ArrayRef> {
    match left.data_type() {
        DataType::Int8 => typed::<Int8Type>(op, left, right),
        DataType::Int16 => typed::<Int16Type>(op, left, right),
        DataType::Int32 => typed::<Int32Type>(op, left, right),
        DataType::Int64 => typed::<Int64Type>(op, left, right),
        other => Err(unexpected(op, other)),
    }
}

fn typed<T>(op: BinaryOp, left: &ArrayRef, right: &ArrayRef) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: BitAnd<Output = T::Native> + BitOr<Output = T::Native> + BitXor<Output = T::Native>,
{
    let (l, r) = (side::<T>(op, left)?, side::<T>(op, right)?);
    let result = match op {
        BinaryOp::BitAnd => bitwise_and(l, r),
        BinaryOp::BitOr => bitwise_or(l, r),
        BinaryOp::BitXor => bitwise_xor(l, r),
        _ => return Err(unexpected(op, left.data_type())),
    }
    .map_err(|e| Error::internal("a bitwise operator", e))?;
    Ok(Arc::new(result))
}

fn side<T: ArrowPrimitiveType>(op: BinaryOp, a: &ArrayRef) -> Result<&PrimitiveArray<T>> {
    a.as_any()
        .downcast_ref::<PrimitiveArray<T>>()
        .ok_or_else(|| unexpected(op, a.data_type()))
}

fn unexpected(op: BinaryOp, t: &DataType) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("the operator {} reached the engine with {t}", op.sql()),
    )
}
