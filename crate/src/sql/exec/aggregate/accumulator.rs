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
    /// Whether this state may be kept per slot rather than per group
    /// ([`crate::sql::exec::keys::Slots`]): rows a scan's filter dropped are fed to a
    /// slot no group owns, and the states of such slots are merged into an extra last
    /// group that `resize` then cuts off. True when updating cannot fail or allocate per
    /// row whatever the values, and shrinking forgets the cut groups. A grouped
    /// aggregation then passes its arguments whole instead of copying the kept rows, and
    /// small coded keys need no numbering of groups per row.
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

/// Most states [`with_small_states`] holds in a fixed array (a power of two).
pub(super) const SMALL_STATES: usize = 256;

/// Runs `f` on `states` copied into a fixed array of [`SMALL_STATES`] entries (the rest
/// default) and copies them back, when there are at most that many: a group id below
/// `states.len()` masked by `SMALL_STATES - 1` is itself and indexes the array with no
/// bounds check, so the per-row update loops have no exit and unroll. The updates are
/// the same, in the same order. `false` (nothing run) when there are more states.
pub(super) fn with_small_states<T: Copy + Default>(
    states: &mut [T],
    f: impl FnOnce(&mut [T; SMALL_STATES]),
) -> bool {
    let n = states.len();
    if n > SMALL_STATES {
        return false;
    }
    let mut small = [T::default(); SMALL_STATES];
    small[..n].copy_from_slice(states);
    f(&mut small);
    states.copy_from_slice(&small[..n]);
    true
}

/// Calls `step(&mut first[g], &mut second[g], value)` for every row whose value is not
/// NULL, in row order, over two per-group state arrays of the same length: in
/// [`with_small_states`]' fixed arrays when there are few groups (no bounds check, the
/// loop unrolls), else with one bounds check per row covering both.
#[inline]
pub(super) fn update_two_states<A, B, V>(
    first: &mut [A],
    second: &mut [B],
    groups: &[u32],
    values: &[V],
    nulls: Option<&NullBuffer>,
    step: impl Fn(&mut A, &mut B, V),
) where
    A: Copy + Default,
    B: Copy + Default,
    V: Copy,
{
    let mut small = false;
    with_small_states(second, |second| {
        small = with_small_states(first, |first| {
            for_each_valid_value(groups, values, nulls, |g, v| {
                let g = g & (SMALL_STATES - 1);
                step(&mut first[g], &mut second[g], v);
            })
        })
    });
    if !small {
        let first = &mut first[..];
        let second = &mut second[..first.len()];
        for_each_valid_value(groups, values, nulls, |g, v| {
            step(&mut first[g], &mut second[g], v)
        });
    }
}

/// Calls `f(group, value)` for every row whose value is not NULL, in row order: as
/// [`for_each_valid`], with the rows' values read beside their groups (no bounds check
/// per row on the values).
#[inline]
pub(super) fn for_each_valid_value<T: Copy>(
    groups: &[u32],
    values: &[T],
    nulls: Option<&NullBuffer>,
    mut f: impl FnMut(usize, T),
) {
    let rows = groups.len().min(values.len());
    let (groups, values) = (&groups[..rows], &values[..rows]);
    match nulls.filter(|n| n.null_count() > 0) {
        None => groups
            .iter()
            .zip(values)
            .for_each(|(&g, &v)| f(g as usize, v)),
        Some(nulls) => {
            let bits = nulls.inner().bit_chunks();
            let mut chunks = groups.chunks_exact(64).zip(values.chunks_exact(64));
            for ((groups, values), word) in (&mut chunks).zip(bits.iter()) {
                let (Ok(groups), Ok(values)) =
                    (<&[u32; 64]>::try_from(groups), <&[T; 64]>::try_from(values))
                else {
                    continue;
                };
                if word == u64::MAX {
                    for (&g, &v) in groups.iter().zip(values) {
                        f(g as usize, v);
                    }
                } else {
                    let mut word = word;
                    while word != 0 {
                        let j = word.trailing_zeros() as usize;
                        f(groups[j] as usize, values[j]);
                        word &= word - 1;
                    }
                }
            }
            let start = rows - rows % 64;
            let mut word = bits.remainder_bits();
            while word != 0 {
                let j = word.trailing_zeros() as usize;
                if let (Some(&g), Some(&v)) = (groups.get(start + j), values.get(start + j)) {
                    f(g as usize, v);
                }
                word &= word - 1;
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
