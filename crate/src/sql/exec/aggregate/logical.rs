//! `bool_and` / `every` and `bool_or` / `some` / `any`.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray};

use super::accumulator::{downcast, for_each_valid, Accumulator};
use super::fold::Folds;
use crate::error::Result;

/// `bool_and` (`all`) or `bool_or` (not `all`) of the values that are not NULL; NULL
/// for a group without any.
pub(super) struct BoolAndOr {
    folds: Folds<bool>,
}

impl BoolAndOr {
    pub fn new(all: bool) -> Self {
        BoolAndOr {
            folds: Folds::new(if all { |a, b| a && b } else { |a, b| a || b }),
        }
    }
}

impl Accumulator for BoolAndOr {
    fn resize(&mut self, n: usize) {
        self.folds.resize(n);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_boolean();
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
        Ok(Arc::new(BooleanArray::from(self.folds.into_results())))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
