//! `bool_and` / `every` and `bool_or` / `some` / `any`.

use std::any::Any;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, BooleanArray};

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::Result;

/// `bool_and` (`all`) or `bool_or` (not `all`) of the values that are not NULL; NULL
/// for a group without any.
pub(super) struct BoolAndOr {
    all: bool,
    results: Vec<Option<bool>>,
}

impl BoolAndOr {
    pub fn new(all: bool) -> Self {
        BoolAndOr {
            all,
            results: vec![],
        }
    }

    fn offer(&mut self, g: usize, v: bool) {
        let slot = &mut self.results[g];
        *slot = Some(match *slot {
            None => v,
            Some(current) if self.all => current && v,
            Some(current) => current || v,
        });
    }
}

impl Accumulator for BoolAndOr {
    fn resize(&mut self, n: usize) {
        self.results.resize(n, None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let values = args[0].as_boolean();
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
        Ok(Arc::new(BooleanArray::from(self.results)))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
