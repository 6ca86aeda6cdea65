//! `bit_and`, `bit_or` and `bit_xor`: the bitwise fold of a group's integers that are not
//! NULL, NULL for a group without any (Spark's `BitAndAgg`, `BitOrAgg`, `BitXorAgg`).
//!
//! The values come as `bigint` (the planner casts them) and the fold is done in 64 bits:
//! a narrower type's values are sign-extended, which commutes with the bitwise
//! operations, so casting the result back to the column's type gives the narrow fold.

use arrow_schema::DataType;

use super::fold::Fold;

/// Which bitwise operation folds the values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BitOp {
    And,
    Or,
    Xor,
}

/// The fold of each group's values by `op`, returned as `returns` (the column's type).
pub(super) fn bitwise(op: BitOp, returns: DataType) -> Fold<i64> {
    let op: fn(i64, i64) -> i64 = match op {
        BitOp::And => |a, b| a & b,
        BitOp::Or => |a, b| a | b,
        BitOp::Xor => |a, b| a ^ b,
    };
    Fold::new(op, returns)
}
