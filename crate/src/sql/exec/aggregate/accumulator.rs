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
    /// Whether rows a scan's filter dropped may be fed to this state in an extra last
    /// group that `resize` then cuts off: true when updating cannot fail or allocate per
    /// row whatever the values, and shrinking forgets the cut groups. A grouped
    /// aggregation then passes its arguments whole instead of copying the kept rows.
    fn can_sink(&self) -> bool {
        false
    }
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
            // A validity word at a time, rows still in order: a word of 64 valid rows
            // (most of them) runs the plain loop, others visit their set bits only.
            let bits = nulls.inner().bit_chunks();
            let mut visit = |start: usize, chunk: &[u32], word: u64| {
                if word == u64::MAX {
                    for (j, &g) in chunk.iter().enumerate() {
                        f(start + j, g as usize);
                    }
                } else {
                    let mut word = word;
                    while word != 0 {
                        let j = word.trailing_zeros() as usize;
                        f(start + j, chunk[j] as usize);
                        word &= word - 1;
                    }
                }
            };
            let mut chunks = groups.chunks_exact(64);
            for (c, (chunk, word)) in (&mut chunks).zip(bits.iter()).enumerate() {
                visit(c * 64, chunk, word);
            }
            let start = groups.len() - chunks.remainder().len();
            visit(start, chunks.remainder(), bits.remainder_bits());
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
