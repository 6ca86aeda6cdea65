//! The state of the aggregates that fold a group's values pairwise with an associative
//! operation (`bool_and` / `bool_or`, `bit_and` / `bit_or` / `bit_xor`): the fold so
//! far per group, NULL for a group without values. One state for all of them, so that
//! each such aggregate is only its operation and its value type.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, Int64Array};
use arrow_schema::DataType;

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::Result;
use crate::sql::exec::value::kernel_error;

/// A type of values a fold reads from its argument column and writes as its result.
pub(super) trait FoldValue: Copy + Send + 'static {
    /// Calls `f(group, value)` for every row of `column` whose value is not NULL.
    fn each(column: &ArrayRef, groups: &[u32], f: impl FnMut(usize, Self));
    /// The groups' folds as a column of type `returns`.
    fn column(results: Vec<Option<Self>>, returns: &DataType) -> Result<ArrayRef>;
}

impl FoldValue for bool {
    fn each(column: &ArrayRef, groups: &[u32], mut f: impl FnMut(usize, Self)) {
        let values = column.as_boolean();
        for_each_valid(groups, values.nulls(), |i, g| f(g, values.value(i)));
    }

    fn column(results: Vec<Option<Self>>, _: &DataType) -> Result<ArrayRef> {
        Ok(Arc::new(BooleanArray::from(results)))
    }
}

/// Integers are folded as `bigint` and the result cast to the column's own type.
impl FoldValue for i64 {
    fn each(column: &ArrayRef, groups: &[u32], mut f: impl FnMut(usize, Self)) {
        let values = column.as_primitive::<Int64Type>();
        for_each_valid(groups, values.nulls(), |i, g| f(g, values.value(i)));
    }

    fn column(results: Vec<Option<Self>>, returns: &DataType) -> Result<ArrayRef> {
        let results: ArrayRef = Arc::new(Int64Array::from(results));
        if returns == &DataType::Int64 {
            return Ok(results);
        }
        arrow_cast::cast(&results, returns).map_err(kernel_error)
    }
}

/// Each group's fold so far (`None` before its first value).
pub(super) struct Fold<T> {
    op: fn(T, T) -> T,
    returns: DataType,
    results: Vec<Option<T>>,
}

impl<T: FoldValue> Fold<T> {
    pub fn new(op: fn(T, T) -> T, returns: DataType) -> Self {
        Fold {
            op,
            returns,
            results: vec![],
        }
    }

    fn offer(&mut self, g: usize, v: T) {
        let slot = &mut self.results[g];
        *slot = Some(match *slot {
            None => v,
            Some(current) => (self.op)(current, v),
        });
    }
}

impl<T: FoldValue> Accumulator for Fold<T> {
    fn resize(&mut self, n: usize) {
        self.results.resize(n, None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        T::each(&args[0], groups, |g, v| self.offer(g, v));
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
        T::column(self.results, &self.returns)
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
