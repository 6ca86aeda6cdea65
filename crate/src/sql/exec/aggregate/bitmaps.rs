//! `bitmap_construct_agg`, `bitmap_or_agg` and `bitmap_and_agg`: a group's bitmap of
//! 32768 bits (4096 bytes), as Spark's aggregates make it. Construct sets the bit of each
//! position (bit `p % 8` of byte `p / 8`; a position outside the bitmap is an error); or
//! and and combine the group's bitmaps byte by byte, reading at most 4096 bytes of each
//! and counting a shorter one as zero-padded (so `and` clears the bytes past its end). A
//! group without values is all zeros (all ones for `and`), never NULL. A group's bitmap
//! is allocated at its first value.

use std::any::Any;
use std::sync::Arc;

use arrow_array::builder::BinaryBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef};

use super::accumulator::{downcast, for_each_valid, Accumulator};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::functions::{BITMAP_BITS, BITMAP_BYTES};

/// Which aggregate the bitmaps make.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BitmapOp {
    Construct,
    Or,
    And,
}

type Bitmap = Box<[u8; BITMAP_BYTES]>;

pub(super) struct Bitmaps {
    op: BitmapOp,
    /// Each group's bitmap; `None` while it is still the empty one.
    states: Vec<Option<Bitmap>>,
}

impl Bitmaps {
    pub fn new(op: BitmapOp) -> Self {
        Bitmaps { op, states: vec![] }
    }

    /// The bytes of a group's bitmap before any value: no bit set, or every bit for `and`.
    fn fill(&self) -> u8 {
        if self.op == BitmapOp::And {
            0xFF
        } else {
            0
        }
    }

    fn bitmap(&mut self, g: usize) -> &mut [u8; BITMAP_BYTES] {
        let fill = self.fill();
        self.states[g].get_or_insert_with(|| Box::new([fill; BITMAP_BYTES]))
    }
}

impl Accumulator for Bitmaps {
    fn resize(&mut self, n: usize) {
        self.states.resize_with(n, || None);
    }

    fn update(&mut self, groups: &[u32], args: &[ArrayRef]) -> Result<()> {
        let column = &args[0];
        match self.op {
            BitmapOp::Construct => {
                let positions = column.as_primitive_opt::<Int64Type>().ok_or_else(|| {
                    Error::new(ErrorCode::Internal, "bitmap_construct_agg of non-bigints")
                })?;
                if let Some(p) = positions
                    .iter()
                    .flatten()
                    .find(|p| !(0..BITMAP_BITS).contains(p))
                {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!(
                            "[INVALID_BITMAP_POSITION] bitmap_construct_agg: the 0-indexed \
                             bitmap position {p} is out of bounds; the bitmap has \
                             {BITMAP_BITS} bits ({BITMAP_BYTES} bytes)"
                        ),
                    ));
                }
                let values = positions.values();
                for_each_valid(groups, positions.nulls(), |i, g| {
                    let p = values[i] as usize;
                    self.bitmap(g)[p / 8] |= 1 << (p % 8);
                });
            }
            BitmapOp::Or | BitmapOp::And => {
                let bitmaps = column.as_binary_opt::<i32>().ok_or_else(|| {
                    Error::new(
                        ErrorCode::Internal,
                        "a bitmap aggregate of non-binary values",
                    )
                })?;
                let and = self.op == BitmapOp::And;
                for_each_valid(groups, bitmaps.nulls(), |i, g| {
                    let input = bitmaps.value(i);
                    let bitmap = self.bitmap(g);
                    let n = input.len().min(BITMAP_BYTES);
                    if and {
                        bitmap[..n].iter_mut().zip(input).for_each(|(b, x)| *b &= x);
                        bitmap[n..].fill(0);
                    } else {
                        bitmap[..n].iter_mut().zip(input).for_each(|(b, x)| *b |= x);
                    }
                });
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Box<dyn Accumulator>, mapping: &[u32]) -> Result<()> {
        for (g, theirs) in downcast::<Self>(other)?.states.into_iter().enumerate() {
            let Some(theirs) = theirs else { continue };
            let g = mapping[g] as usize;
            match &mut self.states[g] {
                None => self.states[g] = Some(theirs),
                Some(mine) if self.op == BitmapOp::And => mine
                    .iter_mut()
                    .zip(theirs.iter())
                    .for_each(|(b, x)| *b &= x),
                Some(mine) => mine
                    .iter_mut()
                    .zip(theirs.iter())
                    .for_each(|(b, x)| *b |= x),
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<ArrayRef> {
        let empty = [self.fill(); BITMAP_BYTES];
        let mut out =
            BinaryBuilder::with_capacity(self.states.len(), self.states.len() * BITMAP_BYTES);
        for state in &self.states {
            out.append_value(state.as_deref().unwrap_or(&empty));
        }
        Ok(Arc::new(out.finish()))
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}
