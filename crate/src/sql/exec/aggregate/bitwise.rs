//! `bit_and`, `bit_or` and `bit_xor`: the bitwise fold of a group's integers that are not
//! NULL, NULL for a group without any (Spark's `BitAndAgg`, `BitOrAgg`, `BitXorAgg`).
//!
//! The values come as `bigint` (the planner casts them) and the fold is done in 64 bits:
//! a narrower type's values are sign-extended, which commutes with the bitwise
//! operations, so casting the result back to the column's type gives the narrow fold.

use std::any::Any;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use super::fold::Folds;
use crate::error::Result;
use crate::sql::exec::value::kernel_error;

/// Which bitwise operation folds the values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BitOp {
    And,
    Or,
    Xor,
}

/// The fold of each group's values in 64 bits, returned in the column's type.
pub(super) struct Bitwise {
    returns: DataType,
    folds: Folds<i64>,
}

impl Bitwise {
    pub fn new(op: BitOp, returns: DataType) -> Self {
        let op: fn(i64, i64) -> i64 = match op {
            BitOp::And => |a, b| a & b,
            BitOp::Or => |a, b| a | b,
            BitOp::Xor => |a, b| a ^ b,
        };
        Bitwise {
            returns,
            folds: Folds::new(op),
        }
    }
}

impl Accumulator for Bitwise {
    fn resize(&mut self, n: usize) {
        self.folds.resize(n);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Int64Type>();
        for_each_valid(groups, values.nulls(), |i, g| {
            self.folds.offer(g, values.value(i))
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        self.folds.merge(downcast::<Self>(other)?.folds, mapping);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let results: ArrayRef = std::sync::Arc::new(Int64Array::from(self.folds.into_results()));
        if self.returns == DataType::Int64 {
            return Ok(results);
        }
        arrow_cast::cast(&results, &self.returns).map_err(kernel_error)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
