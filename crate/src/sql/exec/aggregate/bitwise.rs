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
use crate::error::Result;
use crate::sql::exec::value::kernel_error;

/// Which bitwise operation folds the values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BitOp {
    And,
    Or,
    Xor,
}

impl BitOp {
    fn apply(self, a: i64, b: i64) -> i64 {
        match self {
            BitOp::And => a & b,
            BitOp::Or => a | b,
            BitOp::Xor => a ^ b,
        }
    }
}

/// Each group's fold so far (`None` before its first value).
pub(super) struct Bitwise {
    op: BitOp,
    returns: DataType,
    results: Vec<Option<i64>>,
}

impl Bitwise {
    pub fn new(op: BitOp, returns: DataType) -> Self {
        Bitwise {
            op,
            returns,
            results: vec![],
        }
    }

    fn offer(&mut self, g: usize, v: i64) {
        let slot = &mut self.results[g];
        *slot = Some(match *slot {
            None => v,
            Some(current) => self.op.apply(current, v),
        });
    }
}

impl Accumulator for Bitwise {
    fn resize(&mut self, n: usize) {
        self.results.resize(n, None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_primitive::<Int64Type>();
        for_each_valid(groups, values.nulls(), |i, g| {
            self.offer(g, values.value(i))
        });
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, v) in downcast::<Self>(other)?.results.into_iter().enumerate() {
            if let Some(v) = v {
                self.offer(mapping[g] as usize, v);
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let results: ArrayRef = std::sync::Arc::new(Int64Array::from(self.results));
        if self.returns == DataType::Int64 {
            return Ok(results);
        }
        arrow_cast::cast(&results, &self.returns).map_err(kernel_error)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
