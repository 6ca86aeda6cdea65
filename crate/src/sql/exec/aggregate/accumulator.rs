//! The state an aggregate keeps per group: what every aggregate's state can do.

use std::any::Any;

use arrow_array::ArrayRef;
use arrow_buffer::NullBuffer;

use crate::error::{Error, ErrorCode, Result};

/// The state of one aggregate for every group seen so far.
pub(super) trait Accumulator: Send {
    /// Makes room for groups up to `num_groups`.
    fn resize(&mut self, num_groups: usize);
    /// Adds rows: row `i` belongs to group `groups[i]`; `args` are the call's data
    /// arguments evaluated over the rows.
    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()>;
    /// Adds another partial state; its group `g` is this state's `mapping[g]`.
    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<ArrayRef>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// Calls `f(row, group)` for every row whose value is not NULL.
pub(super) fn for_each_valid(
    groups: &[u32],
    nulls: Option<&NullBuffer>,
    mut f: impl FnMut(usize, usize),
) {
    match nulls.filter(|n| n.null_count() > 0) {
        None => groups
            .iter()
            .enumerate()
            .for_each(|(i, &g)| f(i, g as usize)),
        Some(nulls) => {
            for (i, &g) in groups.iter().enumerate() {
                if nulls.is_valid(i) {
                    f(i, g as usize);
                }
            }
        }
    }
}

/// Another partial's state of the same aggregate, as its concrete type.
pub(super) fn downcast<T: 'static>(other: Box<dyn Accumulator>) -> Result<Box<T>> {
    other
        .into_any()
        .downcast::<T>()
        .map_err(|_| Error::new(ErrorCode::Internal, "merging different aggregate states"))
}
